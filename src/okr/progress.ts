/**
 * Key result definitions and progress: the value, the pace, the percent and the status.
 *
 * The rules, for the README:
 *
 * Which days count. Days of the period up to and including today. Data before the period, after
 * it, or after today is ignored. Missing days are missing, not zeros (aggregate.ts).
 *
 * Cumulative key results (`sum`, `count`, `days` without `--per`) start from 0 each period.
 * - pace: the target spread evenly over the period, up to the end of yesterday:
 *   `expected = target × days before today / days in period`. Today is still running, so it is
 *   not held against you (on day one the pace is 0); after the period it is the full target.
 * - percent: `value / target`. For a `<=` target (a budget, "at most 20 drinks"), that is the
 *   share of the allowance used: over 100 means it is blown.
 * - a baseline is refused: the count restarts at zero, so a previous period's result is no start.
 *
 * Other key results (`avg`, `min`, `max`, `last`, and anything with `--per`) are levels, not
 * totals: the pace is the target itself.
 * - percent: the way from the baseline to the target, `(value - baseline) / (target - baseline)`,
 *   floored at 0, not capped (beating the target gives over 100). Without a baseline, the way from
 *   zero: `value / target` for `>=`, `target / value` for `<=`. A clock time has no zero, so a
 *   time key result without a baseline shows 100 when met and no percent otherwise.
 *
 * `--per week|month`: "10k steps on 5 days a week" means "5 days in a typical week" over the
 * period, so the value is the average of the weekly (or monthly) aggregates, not the worst week.
 * `buckets` lists every week with its own value and whether it met the target, so a command can
 * also say "9 of 12 weeks met".
 * - Weeks are ISO weeks (Monday to Sunday), months calendar months, clipped to the period.
 * - Only weeks that have ended count. The running week would read as a bad week every Monday.
 *   While no week with data has ended yet, the running week's days before today are used instead.
 * - A week with fewer usable days (an edge week the period cuts, or the running week) has its
 *   `sum`/`count`/`days` scaled to a full week: 3 qualifying days out of 4 is 5.25 a week. Each
 *   week weighs by its usable days, so a 4-day edge week counts 4/7 of a full one. Missing data is
 *   not scaled away: a day without data in a full week is simply not a qualifying day.
 *
 * Status while the period runs:
 * - `on_track`: the value meets the pace (a cumulative `>=` key result that already reached its
 *   target stays on track).
 * - `at_risk`: behind the pace by at most `AT_RISK_FRACTION` (10%) of the distance from the
 *   baseline (or zero) to the target; for a clock time without a baseline, by at most
 *   `TIME_AT_RISK_MINUTES` (15 minutes).
 * - `off_track`: further behind; also a cumulative `<=` key result already over its allowance.
 * - `not_started`: the period has not started, or there is no data to compute a value from yet.
 * After the period: `ended_met` or `ended_missed` (no data at all is missed).
 */
import { addDays, daysBetween } from '../dates.js';
import { UsageError } from '../errors.js';
import { outsideRange, type PlausibleMetric, rangeOf, shownRange } from '../metrics/plausible.js';
import type { FieldType, FieldValue } from '../plugins/types.js';
import { plural } from '../text.js';
import { aggregateDays, type DayValue, hasData, isCumulative, timeMean, valueKind } from './aggregate.js';
import { periodBuckets, periodDays } from './period.js';
import {
  compare,
  direction,
  formatKindValue,
  formatTarget,
  parseBaseline,
  parseCondition,
  parseTarget,
  unwrapTime,
} from './target.js';
import {
  AGGREGATIONS,
  type Aggregation,
  BUCKETS,
  type Bucket,
  type BucketResult,
  type KeyResultProgress,
  type KeyResultSpec,
  type KeyResultStatus,
  type Period,
} from './types.js';

export const AT_RISK_FRACTION = 0.1;
export const TIME_AT_RISK_MINUTES = 15;

/** What `okr kr add` gets from its flags, before validation. */
export interface KeyResultInput {
  metricType: FieldType;
  agg: string;
  where?: string;
  per?: string;
  target: string;
  baseline?: string;
}

/** Validates and parses a key result definition; every refusal is a UsageError with an example. */
export function defineKeyResult(input: KeyResultInput): KeyResultSpec {
  const agg = input.agg.trim().toLowerCase() as Aggregation;
  if (!AGGREGATIONS.includes(agg)) {
    throw new UsageError(
      `Unknown aggregation: ${JSON.stringify(input.agg)}`,
      `Use one of ${AGGREGATIONS.join(', ')}, e.g. --agg avg`,
    );
  }
  const kind = valueKind(input.metricType, agg);
  const spec: KeyResultSpec = { metricType: input.metricType, agg, kind, target: { op: '>=', value: 0 } };

  if (agg === 'days') {
    if (input.where === undefined) {
      throw new UsageError('--agg days needs a condition', 'Say which days count, e.g. --agg days --where ">= 10000"');
    }
    spec.where = parseCondition(input.where, input.metricType);
  } else if (input.where !== undefined) {
    throw new UsageError(
      '--where only works with --agg days',
      'For example --agg days --where ">= 10000" --target ">= 5"',
    );
  }

  if (input.per !== undefined) {
    const per = input.per.trim().toLowerCase() as Bucket;
    if (!BUCKETS.includes(per)) {
      throw new UsageError(`Unknown bucket: ${JSON.stringify(input.per)}`, 'Use --per week or --per month');
    }
    if (agg === 'last') {
      throw new UsageError('--per does not work with --agg last', 'Drop --per: the last value is already one number');
    }
    spec.per = per;
  }

  spec.target = parseTarget(input.target, kind, { cumulative: isCumulative(agg) });
  if ((agg === 'days' || agg === 'count') && spec.per) {
    const most = spec.per === 'week' ? 7 : 31;
    if (spec.target.value > most) {
      throw new UsageError(
        `A ${spec.per} has at most ${most} days, the target asks for ${spec.target.value}`,
        `For example --per ${spec.per} --target ">= ${spec.per === 'week' ? 5 : 20}"`,
      );
    }
  }

  if (input.baseline !== undefined) {
    if (isCumulative(agg) && !spec.per) {
      throw new UsageError(
        `A baseline does not apply to --agg ${agg}: it restarts at 0 each period`,
        'Drop --baseline, or measure a rate with --per week',
      );
    }
    spec.baseline = parseBaseline(input.baseline, kind);
  }
  return spec;
}

/**
 * Refuses a target (or baseline) that the key result's value can never reach or leave: an `avg`,
 * `min`, `max` or `last` of daily values (per bucket too) stays within one day's range, the one
 * the shared plausibility rule stores values by (src/metrics/plausible.ts), so a daily average of
 * `fitbit.sleepLength` (0–24:00) is never `>= 25:00`. Totals (`sum`, `count`, `days`) may exceed a
 * day's range and are not checked here; neither is a share of yes days (0–100% by its parsing).
 * Called where a definition is written (`kr add`, `kr edit`), not when a stored one is read.
 */
export function refuseImpossibleTarget(spec: KeyResultSpec, metric: PlausibleMetric): void {
  if (isCumulative(spec.agg) || spec.kind !== metric.type) return;
  const range = rangeOf(metric);
  if (!range) return;
  const within = shownRange(metric, range);
  const agg = `--agg ${spec.agg}`;
  const example = formatKindValue(spec.kind, Math.min(range.max, Math.max(range.min, spec.target.value)));
  if (outsideRange(range, spec.target.value)) {
    throw new UsageError(
      `Target ${formatTarget(spec.target, spec.kind)} is outside the range of ${metric.name} (${within}): ${agg} of its daily values never gets there`,
      `Use a target within ${within}, e.g. "${spec.target.op} ${example}", or --agg sum for a total`,
    );
  }
  if (spec.baseline !== undefined && outsideRange(range, spec.baseline)) {
    throw new UsageError(
      `Baseline ${formatKindValue(spec.kind, spec.baseline)} is outside the range of ${metric.name} (${within}): ${agg} of its daily values is never there`,
      `Use a baseline within ${within}, or drop --baseline`,
    );
  }
}

export interface ComputeInput {
  kr: KeyResultSpec;
  /** The metric's daily values by civil date; may hold dates outside the period. */
  values: ReadonlyMap<string, FieldValue>;
  period: Period;
  today: string;
}

export function computeKeyResult({ kr, values, period, today }: ComputeInput): KeyResultProgress {
  const daysInPeriod = periodDays(period);
  const cumulative = isCumulative(kr.agg) && !kr.per;
  const isTime = kr.kind === 'time';
  const target = kr.target.value;
  const op = kr.target.op;
  const base = { kind: kr.kind, target, op, baseline: kr.baseline, daysInPeriod };

  if (today < period.from) {
    return {
      ...base,
      met: false,
      expected: cumulative ? 0 : target,
      status: 'not_started',
      daysWithData: 0,
      daysElapsed: 0,
      note: `starts ${period.from}`,
    };
  }

  const ended = today > period.to;
  const lastDay = ended ? period.to : today;
  const daysElapsed = daysBetween(period.from, lastDay) + 1;
  const completedDays = ended ? daysInPeriod : daysElapsed - 1;
  const days = daysWithin(values, kr.metricType, period.from, lastDay);
  const notes: string[] = [];

  let value: number | undefined;
  let buckets: BucketResult[] | undefined;
  if (kr.per) {
    ({ value, buckets } = bucketedValue(kr, kr.per, days, period, today, ended));
    const used = buckets.filter((b) => b.used);
    if (used.length === 1 && used[0]!.running) {
      const which = used[0] === buckets[0] ? `first ${kr.per} still running` : `only this ${kr.per} has data so far`;
      notes.push(`${which}: estimated from ${plural(used[0]!.days, 'day')}`);
    } else if (used.length > 0) {
      notes.push(`${used.filter((b) => b.met).length} of ${plural(used.length, kr.per)} met`);
    }
  } else {
    value = aggregateDays({ agg: kr.agg, metricType: kr.metricType, days, where: kr.where, timeRef: target });
  }

  const met = value !== undefined && compare(op, value, target, isTime);
  const expected = cumulative ? (target * completedDays) / daysInPeriod : target;
  const percent = value === undefined ? undefined : percentOf(kr, value, met, cumulative);
  const status = statusOf(kr, value, met, expected, cumulative, ended);

  if (value === undefined) {
    // A bucketed key result on its first day has data perhaps, but no finished day to use.
    const noFinishedDay = buckets !== undefined && buckets.length === 0 && days.length > 0;
    notes.push(ended ? 'no data in the period' : noFinishedDay ? 'no finished day yet' : 'no data yet');
  } else if (!cumulative && days.length < daysElapsed)
    notes.push(`${days.length} of ${plural(daysElapsed, 'day')} have data`);
  if (isTime && kr.baseline === undefined && value !== undefined && !met) {
    notes.push('set a baseline to see partial progress');
  }
  if (cumulative && kr.agg !== 'sum' && target > daysInPeriod && direction(op) > 0) {
    notes.push(`the target is more than the ${daysInPeriod} days in the period`);
  }

  return {
    ...base,
    ...(value === undefined ? {} : { value }),
    met,
    ...(percent === undefined ? {} : { percent }),
    expected,
    status,
    daysWithData: days.length,
    daysElapsed,
    ...(buckets ? { buckets } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

/** A bar of `width` cells, █ for done and ░ for the rest; full only at 100%. */
export function renderProgressBar(fraction: number | undefined, width: number): string {
  const w = Math.max(0, Math.floor(width));
  const f = fraction === undefined || Number.isNaN(fraction) ? 0 : Math.min(1, Math.max(0, fraction));
  // The epsilon keeps 0.57 × 100 (56.99999…) from losing a cell to floating point.
  const filled = Math.min(w, Math.floor(f * w + 1e-9));
  return '█'.repeat(filled) + '░'.repeat(w - filled);
}

/** The days from `from` to `to` (inclusive) that have data, sorted by date. */
function daysWithin(
  values: ReadonlyMap<string, FieldValue>,
  metricType: FieldType,
  from: string,
  to: string,
): DayValue[] {
  const out: DayValue[] = [];
  for (const [date, value] of values) {
    if (date >= from && date <= to && hasData(metricType, value)) out.push({ date, value });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function bucketedValue(
  kr: KeyResultSpec,
  per: Bucket,
  days: readonly DayValue[],
  period: Period,
  today: string,
  ended: boolean,
): { value?: number; buckets: BucketResult[] } {
  const isTime = kr.kind === 'time';
  const scale = isCumulative(kr.agg);
  const buckets: BucketResult[] = [];
  for (const b of periodBuckets(period, per)) {
    if (b.from > today) break;
    const running = !ended && b.to >= today;
    // A running bucket uses only its finished days (before today).
    const to = running ? addDays(today, -1) : b.to;
    const usable = daysBetween(b.from, to) + 1;
    if (usable <= 0) continue;
    const inBucket = days.filter((d) => d.date >= b.from && d.date <= to);
    let value = aggregateDays({
      agg: kr.agg,
      metricType: kr.metricType,
      days: inBucket,
      where: kr.where,
      timeRef: kr.target.value,
    });
    if (value !== undefined && scale && usable < b.fullDays) value = (value * b.fullDays) / usable;
    buckets.push({
      from: b.from,
      to,
      days: usable,
      ...(value === undefined ? {} : { value, met: compare(kr.target.op, value, kr.target.value, isTime) }),
      partial: daysBetween(b.from, b.to) + 1 < b.fullDays,
      running,
      used: false,
    });
  }
  const withValue = buckets.filter((b) => b.value !== undefined);
  const closed = withValue.filter((b) => !b.running);
  const pool = closed.length > 0 ? closed : withValue;
  if (pool.length === 0) return { buckets };
  for (const b of pool) b.used = true;
  const vals = pool.map((b) => b.value!);
  const weights = pool.map((b) => b.days);
  if (isTime) return { value: timeMean(vals, weights, kr.target.value), buckets };
  const total = weights.reduce((a, w) => a + w, 0);
  return { value: vals.reduce((acc, v, i) => acc + v * weights[i]!, 0) / total, buckets };
}

function percentOf(kr: KeyResultSpec, value: number, met: boolean, cumulative: boolean): number | undefined {
  const target = kr.target.value;
  const isTime = kr.kind === 'time';
  const v = isTime ? unwrapTime(value, target) : value;
  const metOr = met ? 100 : 0;
  if (cumulative) return target > 0 ? (v / target) * 100 : direction(kr.target.op) > 0 ? metOr : 100 - metOr;
  if (kr.baseline !== undefined) {
    const b = isTime ? unwrapTime(kr.baseline, target) : kr.baseline;
    if (b === target) return metOr;
    return Math.max(0, ((v - b) / (target - b)) * 100);
  }
  if (isTime) return met ? 100 : undefined;
  if (direction(kr.target.op) > 0) return target > 0 ? Math.max(0, (v / target) * 100) : metOr;
  return v > 0 && target > 0 ? (target / v) * 100 : metOr;
}

function statusOf(
  kr: KeyResultSpec,
  value: number | undefined,
  met: boolean,
  expected: number,
  cumulative: boolean,
  ended: boolean,
): KeyResultStatus {
  if (ended) return met ? 'ended_met' : 'ended_missed';
  if (value === undefined) return 'not_started';
  const dir = direction(kr.target.op);
  const target = kr.target.value;
  const isTime = kr.kind === 'time';
  const v = isTime ? unwrapTime(value, target) : value;
  const shortfall = dir * (expected - v);
  let tolerance: number;
  if (cumulative || kr.baseline === undefined) {
    tolerance = isTime && !cumulative ? TIME_AT_RISK_MINUTES : AT_RISK_FRACTION * Math.abs(target);
  } else {
    const b = isTime ? unwrapTime(kr.baseline, target) : kr.baseline;
    tolerance = AT_RISK_FRACTION * Math.abs(target - b);
  }
  if (cumulative) {
    if (dir > 0 && met) return 'on_track';
    if (dir < 0 && !met) return 'off_track';
    if (shortfall <= 0) return 'on_track';
  } else if (met) {
    return 'on_track';
  }
  return shortfall <= tolerance ? 'at_risk' : 'off_track';
}
