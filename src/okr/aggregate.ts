/**
 * Aggregating daily metric values into a key result's value.
 *
 * Missing days are missing, not zeros:
 * - `avg`, `min`, `max` use only days with a value; with none the value is undefined.
 * - `last` is the value of the latest day that has one.
 * - `sum` adds the values that exist (no data at all sums to 0: nothing was logged).
 * - `count` is the number of days with a value.
 * - `days` is the number of days with a value that meets the `--where` condition: a day without
 *   data never counts, since nobody knows whether it met the condition.
 *
 * Which metric types each aggregation accepts, and the kind of value it gives (`valueKind`):
 *
 * | metric   | avg      | sum      | min/max/last | count, days |
 * |----------|----------|----------|--------------|-------------|
 * | number   | number   | number   | number       | count       |
 * | duration | duration | duration | duration     | count       |
 * | time     | time     | refused  | time         | count       |
 * | boolean  | fraction | count    | refused      | count       |
 * | text     | refused  | refused  | refused      | count only  |
 *
 * Clock times: the average is the circular mean (23:30 and 00:30 → 00:00); min and max order the
 * times around the target (target.ts: up to 12 hours after it is later), so the latest bedtime of
 * 23:10 and 00:40 against `<= 23:00` is 00:40.
 */
import { UsageError } from '../errors.js';
import { circularMeanMinutes, isPresent, mean } from '../metrics/stats.js';
import { wrapMinutes } from '../metrics/values.js';
import type { FieldType, FieldValue } from '../plugins/types.js';
import { compare, unwrapTime } from './target.js';
import type { Aggregation, Condition, ValueKind } from './types.js';

/** Aggregations whose value grows over the period and restarts at 0 each period. */
export function isCumulative(agg: Aggregation): agg is 'sum' | 'count' | 'days' {
  return agg === 'sum' || agg === 'count' || agg === 'days';
}

/** The kind of value an aggregation of a metric type gives; refuses combinations that mean nothing. */
export function valueKind(metricType: FieldType, agg: Aggregation): ValueKind {
  if (agg === 'count' || agg === 'days') return 'count';
  const refuse = (why: string, hint: string): never => {
    throw new UsageError(`--agg ${agg} does not work for a ${metricType} metric: ${why}`, hint);
  };
  switch (metricType) {
    case 'number':
      return 'number';
    case 'duration':
      return 'duration';
    case 'time':
      if (agg === 'sum') return refuse('clock times do not add up', 'Use --agg avg, or --agg days --where "<= 23:00"');
      return 'time';
    case 'boolean':
      if (agg === 'avg') return 'fraction';
      if (agg === 'sum') return 'count';
      return refuse('it is yes or no', 'Use --agg days --where yes, or --agg avg for the share of yes days');
    case 'text':
      return refuse('it holds notes', 'Use --agg count to count the days with a note');
  }
}

/** One day's value, already filtered to the days that count. */
export interface DayValue {
  date: string;
  value: FieldValue;
}

export interface AggregateInput {
  agg: Aggregation;
  metricType: FieldType;
  /** Sorted by date. Days without data are simply absent. */
  days: readonly DayValue[];
  where?: Condition;
  /** The target, for ordering clock times (min/max) and as the fallback centre of a time mean. */
  timeRef?: number;
}

/** The aggregate of the given days, or undefined when it needs data and there is none. */
export function aggregateDays({ agg, metricType, days, where, timeRef = 0 }: AggregateInput): number | undefined {
  if (agg === 'count') return days.filter((d) => hasData(metricType, d.value)).length;
  const nums = days.map((d) => d.value).filter(isPresent);
  const isTime = metricType === 'time';
  switch (agg) {
    case 'days': {
      if (!where) throw new Error('aggregateDays: --agg days needs a condition');
      return nums.filter((v) => compare(where.op, v, where.value, isTime)).length;
    }
    case 'sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'last':
      return nums.at(-1);
    case 'avg':
      if (nums.length === 0) return undefined;
      return isTime ? timeMean(nums, undefined, timeRef) : mean(nums);
    case 'min':
    case 'max': {
      if (nums.length === 0) return undefined;
      if (!isTime) return agg === 'min' ? Math.min(...nums) : Math.max(...nums);
      const around = nums.map((v) => unwrapTime(v, timeRef));
      return wrapMinutes(agg === 'min' ? Math.min(...around) : Math.max(...around));
    }
  }
}

/**
 * The (weighted) circular mean of clock times; when the times cancel out exactly, the linear mean
 * of the times placed around `ref`.
 */
export function timeMean(values: readonly number[], weights: readonly number[] | undefined, ref: number): number {
  const circular = circularMeanMinutes(values, weights);
  if (circular !== undefined) return circular;
  const around = values.map((v) => unwrapTime(v, ref));
  const w = weights ?? values.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  return wrapMinutes(around.reduce((acc, v, i) => acc + v * w[i]!, 0) / total);
}

export function hasData(metricType: FieldType, v: FieldValue): boolean {
  return metricType === 'text' ? typeof v === 'string' && v.trim() !== '' : isPresent(v);
}
