/**
 * Summary statistics of a series of daily values (the summary row of `okr metrics show`).
 *
 * Rules:
 * - Missing days (`undefined`, or anything that is not a finite number for numeric types) are
 *   left out: no data is not zero. An empty series gives `count: 0` and no avg/min/max.
 * - `number`, `duration`: arithmetic mean, min, max.
 * - `boolean`: the mean is the share of yes days (0..1; `formatValue` shows it as a percentage).
 * - `text`: only a count.
 * - `time` (clock times) live on a circle, so:
 *   - the average is the circular mean: each time is a point on the clock face, the mean is the
 *     direction of their vector sum. 23:30 and 00:30 average to 00:00, not 12:00.
 *   - min and max are the two ends of the shortest arc of the clock that holds every value: the
 *     clock is cut in the largest gap between consecutive values. For bedtimes (22:00..01:00) the
 *     cut falls around noon, so 00:30 counts as later than 23:30; for wake-up times (06:00..09:00)
 *     it falls in the evening. A fixed cut at noon or midnight would get one of those wrong.
 */
import type { FieldType, FieldValue } from '../plugins/types.js';
import { MINUTES_PER_DAY, wrapMinutes } from './values.js';

export interface SeriesSummary {
  /** Days with a value. */
  count: number;
  avg?: number;
  min?: number;
  max?: number;
}

export function summarize(type: FieldType, values: ReadonlyArray<FieldValue | undefined>): SeriesSummary {
  if (type === 'text') {
    return { count: values.filter((v) => typeof v === 'string' && v !== '').length };
  }
  const present = values.filter(isPresent);
  if (present.length === 0) return { count: 0 };
  if (type === 'time') {
    const unwrapped = unwrapTimes(present) as number[];
    const fallback = wrapMinutes(mean(unwrapped));
    return {
      count: present.length,
      avg: circularMeanMinutes(present) ?? fallback,
      min: wrapMinutes(Math.min(...unwrapped)),
      max: wrapMinutes(Math.max(...unwrapped)),
    };
  }
  return {
    count: present.length,
    avg: mean(present),
    min: Math.min(...present),
    max: Math.max(...present),
  };
}

/** A value that counts as data for a numeric type. */
export function isPresent(v: FieldValue | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Below this resultant length the points cancel out (06:00 and 18:00) and no mean exists. */
const MIN_RESULTANT = 1e-9;

/**
 * The circular mean of clock times (minutes after midnight), optionally weighted, in 0..1439
 * (not rounded). `undefined` for an empty series or when the values cancel out exactly.
 */
export function circularMeanMinutes(minutes: readonly number[], weights?: readonly number[]): number | undefined {
  let x = 0;
  let y = 0;
  let total = 0;
  minutes.forEach((m, i) => {
    const w = weights?.[i] ?? 1;
    const a = (2 * Math.PI * m) / MINUTES_PER_DAY;
    x += w * Math.cos(a);
    y += w * Math.sin(a);
    total += w;
  });
  if (total <= 0 || Math.hypot(x, y) / total < MIN_RESULTANT) return undefined;
  const m = (Math.atan2(y, x) * MINUTES_PER_DAY) / (2 * Math.PI);
  // Snap away floating-point dust so 23:30 and 00:30 give exactly 0, not 1439.9999999.
  const snapped = Math.abs(m - Math.round(m)) < 1e-6 ? Math.round(m) : m;
  return wrapMinutes(snapped);
}

/**
 * Makes a series of clock times continuous for plotting and ordering: the clock is cut in the
 * largest gap between the values, and times after the cut get +1440. Bedtimes 23:30, 00:30 become
 * 1410, 1470. Missing values stay `undefined`. When several gaps tie, the one across midnight wins,
 * so times that do not cross midnight are left as they are.
 */
export function unwrapTimes(values: ReadonlyArray<number | undefined>): Array<number | undefined> {
  const sorted = [...new Set(values.filter(isPresent).map(wrapMinutes))].sort((a, b) => a - b);
  if (sorted.length === 0) return values.map(() => undefined);
  const last = sorted.length - 1;
  // Start with the gap across midnight (last → first), then look for a strictly larger one.
  let bestGap = sorted[0]! + MINUTES_PER_DAY - sorted[last]!;
  let start = sorted[0]!;
  for (let i = 0; i < last; i++) {
    const gap = sorted[i + 1]! - sorted[i]!;
    if (gap > bestGap) {
      bestGap = gap;
      start = sorted[i + 1]!;
    }
  }
  return values.map((v) => {
    if (!isPresent(v)) return undefined;
    const w = wrapMinutes(v);
    return w < start ? w + MINUTES_PER_DAY : w;
  });
}
