/**
 * Sleep timing: for each plugin whose bed time and wake-up time are both in the template, one band
 * per night (or per week or month of nights) from going to bed to waking up.
 *
 * - A plugin's pair is its `bedTime` and `wakeUpTime` fields (fitbit, oura and apple-health
 *   name them so); a night counts when both values exist, since half a night draws no band.
 * - An aggregated band runs from the bucket's average bed time to its average wake-up time
 *   (circular means, as everywhere in okr).
 * - Times are drawn on an axis that starts at noon (`sinceNoon`): an evening bed time and the
 *   next morning's wake-up time then lie in order on one axis, and a bed time after midnight is
 *   later than one before it. The wake-up time is always after the bed time (`sleepSpan`), past
 *   the next noon for a sleep by day.
 */
import { isPresent, summarize } from '../metrics/stats.js';
import { MINUTES_PER_DAY, wrapMinutes } from '../metrics/values.js';
import { bucketsOf, type DailyValues, type DateRange, indexRange, type Resolution, SortedDays } from './series.js';

const NOON = 720;

export interface SleepMetricRef {
  label: string;
  metricName: string;
}

export interface SleepPair {
  pluginId: string;
  bed: SleepMetricRef;
  wake: SleepMetricRef;
}

export interface SleepPoint {
  from: string;
  to: string;
  /** Clock times, minutes after midnight (0..1439). */
  bed: number;
  wake: number;
  /** Nights with both times. */
  nights: number;
}

/** The bed/wake pairs among a template's metrics, one per plugin, in template order. */
export function sleepPairs(metrics: ReadonlyArray<SleepMetricRef & { type: string }>): SleepPair[] {
  const pairs: SleepPair[] = [];
  for (const bed of metrics) {
    const m = /^([a-z][a-z0-9-]*)\.bedTime$/.exec(bed.metricName);
    if (!m || bed.type !== 'time') continue;
    const wake = metrics.find((w) => w.metricName === `${m[1]}.wakeUpTime` && w.type === 'time');
    if (wake) pairs.push({ pluginId: m[1]!, bed, wake });
  }
  return pairs;
}

/** Minutes since the noon before: 23:00 → 660, 07:00 → 1140. */
export function sinceNoon(clock: number): number {
  return wrapMinutes(clock - NOON + MINUTES_PER_DAY);
}

/**
 * Where a band lies on the noon axis: from the bed time (sinceNoon) to the wake-up time the
 * sleep's length later, `(wake - bed)` round the clock. A sleep by day (09:00 to 17:00) runs past
 * the next noon (1260 to 1740), rather than ending "before" it began; the axis then reaches into
 * the afternoon. Equal times are an empty band.
 */
export function sleepSpan(bed: number, wake: number): { bed: number; wake: number } {
  const from = sinceNoon(bed);
  return { bed: from, wake: from + wrapMinutes(wake - bed) };
}

export function sleepPoints(
  bedValues: DailyValues,
  wakeValues: DailyValues,
  range: DateRange,
  resolution: Resolution,
): SleepPoint[] {
  const beds = new SortedDays(bedValues);
  const out: SleepPoint[] = [];
  for (const b of bucketsOf(range, resolution)) {
    const [start, end] = indexRange(beds.dates, b);
    const bed: number[] = [];
    const wake: number[] = [];
    for (let i = start; i < end; i++) {
      const bv = beds.values[i];
      const wv = wakeValues.get(beds.dates[i]!);
      if (isPresent(bv) && isPresent(wv)) {
        bed.push(bv);
        wake.push(wv);
      }
    }
    if (bed.length === 0) continue;
    out.push({
      from: b.from,
      to: b.to,
      bed: summarize('time', bed).avg!,
      wake: summarize('time', wake).avg!,
      nights: bed.length,
    });
  }
  return out;
}
