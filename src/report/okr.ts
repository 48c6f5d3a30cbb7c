/**
 * A key result over its period, for the report's progress charts: the value `okr progress --date d`
 * gives at each day d so far (the same computation, src/okr/progress.ts), and the pace line.
 *
 * - The value is sampled: every day up to `MAX_KR_SAMPLES` days, else every `step`-th day counted
 *   from the period's start (step = ceil(days so far / MAX_KR_SAMPLES)), and always the last day
 *   so far. Each sample recomputes the key result from the period's values, so the cost is
 *   samples x days, bounded however long the period.
 * - The pace is the value expected at the end of each day: for a cumulative key result (sum,
 *   count, days without --per) the target spread evenly over the period, a straight line from 0 at
 *   its start to the target on its last day; for a level (avg, min, max, last, anything --per) the
 *   target itself, a flat line.
 * - Clock times are drawn around the target (unwrapTime: 00:30 near a 23:00 target is 1470).
 */
import { addDays, daysBetween } from '../dates.js';
import { isCumulative } from '../okr/aggregate.js';
import { periodDays } from '../okr/period.js';
import { computeKeyResult } from '../okr/progress.js';
import type { KeyResultSpec, Period } from '../okr/types.js';
import type { FieldValue } from '../plugins/types.js';

export const MAX_KR_SAMPLES = 200;

export interface CurvePoint {
  /** The value as of the end of this day. */
  date: string;
  value: number;
}

/** The days a key result's curve is computed at: see the file comment. */
export function sampleDays(period: Period, today: string): string[] {
  const last = today < period.to ? today : period.to;
  if (last < period.from) return [];
  const elapsed = daysBetween(period.from, last) + 1;
  const step = Math.ceil(elapsed / MAX_KR_SAMPLES);
  const out: string[] = [];
  for (let i = step - 1; i < elapsed; i += step) out.push(addDays(period.from, i));
  if (out.at(-1) !== last) out.push(last);
  return out;
}

export function keyResultCurve(
  spec: KeyResultSpec,
  values: ReadonlyMap<string, FieldValue>,
  period: Period,
  today: string,
): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const date of sampleDays(period, today)) {
    const p = computeKeyResult({ kr: spec, values, period, today: date });
    if (p.value !== undefined) out.push({ date, value: p.value });
  }
  return out;
}

/** The pace line's two ends (see the file comment). */
export function paceLine(spec: KeyResultSpec, period: Period): CurvePoint[] {
  const target = spec.target.value;
  if (isCumulative(spec.agg) && !spec.per) {
    return [
      { date: period.from, value: target / periodDays(period) },
      { date: period.to, value: target },
    ];
  }
  return [
    { date: period.from, value: target },
    { date: period.to, value: target },
  ];
}
