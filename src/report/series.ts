/**
 * The series a report draws for one metric, from its daily values (pure: no database, no HTML).
 *
 * Rules:
 * - Resolution by the length of the range, so a chart never has more than about 400 points:
 *   up to `DAILY_MAX_DAYS` days one point a day, up to `WEEKLY_MAX_DAYS` one per ISO week
 *   (Monday to Sunday), beyond that one per calendar month (ten years: 121 points). Weeks and months
 *   are clipped to the range (periodBuckets in src/okr/period.ts).
 * - A point is a bucket with at least one day of data; its value is `summarize`'s average
 *   (src/metrics/stats.ts: the mean, the share of yes days, the circular mean of clock times), the
 *   same average `okr metrics show` prints. Buckets without data are gaps, never zeros.
 * - Aggregated points (weeks, months) also carry the quartiles of their days (`low`, `high`),
 *   drawn as a band: how spread the days were, which a mean alone hides. Clock times are first
 *   placed on one continuous axis cut at the largest gap of the whole series (`clockFrame`), so a
 *   bedtime of 00:30 stays later than 23:30.
 * - Month averages (`months`) are drawn over daily and weekly points; the averages table gives the
 *   last two weeks and months of the range and the whole range.
 * - Text metrics have no chart: only the count of days with a note.
 */
import { addDays, daysBetween, eachDate, isoWeekday } from '../dates.js';
import { isPresent, summarize, unwrapTimes } from '../metrics/stats.js';
import { MINUTES_PER_DAY, wrapMinutes } from '../metrics/values.js';
import { periodBuckets } from '../okr/period.js';
import type { FieldType, FieldValue } from '../plugins/types.js';

export type Resolution = 'day' | 'week' | 'month';

/** About 13 months: a year of days and the weeks around it still read as days. */
export const DAILY_MAX_DAYS = 400;
/** About 7.7 years: 400 weeks. */
export const WEEKLY_MAX_DAYS = 2800;

export interface DateRange {
  from: string;
  to: string;
}

export function resolutionFor(range: DateRange): Resolution {
  const days = daysBetween(range.from, range.to) + 1;
  return days <= DAILY_MAX_DAYS ? 'day' : days <= WEEKLY_MAX_DAYS ? 'week' : 'month';
}

/** The last ranges bucketed: every metric of a report asks for the same buckets. */
const bucketCache = new Map<string, readonly DateRange[]>();

/** The buckets of a range at a resolution, in order, clipped to the range. */
export function bucketsOf(range: DateRange, resolution: Resolution): readonly DateRange[] {
  const key = `${range.from} ${range.to} ${resolution}`;
  let buckets = bucketCache.get(key);
  if (!buckets) {
    buckets =
      resolution === 'day'
        ? eachDate(range.from, range.to).map((d) => ({ from: d, to: d }))
        : periodBuckets({ label: '', ...range }, resolution).map((b) => ({ from: b.from, to: b.to }));
    if (bucketCache.size >= 8) bucketCache.clear();
    bucketCache.set(key, buckets);
  }
  return buckets;
}

export interface SeriesPoint {
  from: string;
  to: string;
  /** The bucket's average in the stored form (minutes for durations and clock times, 0..1 for yes/no). */
  value: number;
  /** Days of the bucket with data. */
  days: number;
  /** Quartiles of the bucket's days (aggregated numeric buckets with two days or more). */
  low?: number;
  high?: number;
}

/** Daily values by date: what the report reads for one metric. */
export type DailyValues = ReadonlyMap<string, FieldValue>;

/**
 * Places clock times on one continuous axis: the clock is cut in the largest gap between the
 * given times (as `summarize` does for min and max), and each time maps to minutes from the
 * midnight before the cut (values after the cut get +1440).
 */
export function clockFrame(times: readonly number[]): (t: number) => number {
  const present = times.filter((t) => Number.isFinite(t));
  if (present.length === 0) return wrapMinutes;
  const start = Math.min(...(unwrapTimes(present) as number[]));
  return (t) => {
    const w = wrapMinutes(t);
    return w < start ? w + MINUTES_PER_DAY : w;
  };
}

/** The linear-interpolated quantile `q` (0..1) of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of nothing');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * A metric's days in date order, for slicing by range with binary search: a ten-year series is
 * cut into 500 weeks without walking every day of every week.
 */
export class SortedDays {
  readonly dates: string[];
  readonly values: FieldValue[];

  constructor(values: DailyValues) {
    const entries = [...values].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.dates = entries.map((e) => e[0]);
    this.values = entries.map((e) => e[1]);
  }

  /** The values of the days from..to, in date order. */
  between(range: DateRange): FieldValue[] {
    return this.values.slice(...indexRange(this.dates, range));
  }
}

/** The points of a series at a resolution; see the file comment. */
export function seriesPoints(
  type: FieldType,
  values: DailyValues | SortedDays,
  range: DateRange,
  resolution: Resolution,
): SeriesPoint[] {
  if (type === 'text') return [];
  const days = values instanceof SortedDays ? values : new SortedDays(values);
  const frame = type === 'time' ? clockFrame(days.between(range).filter(isPresent)) : undefined;
  const out: SeriesPoint[] = [];
  for (const b of bucketsOf(range, resolution)) {
    const present = days.between(b).filter(isPresent);
    if (present.length === 0) continue;
    const avg = summarize(type, present).avg;
    if (avg === undefined) continue;
    const point: SeriesPoint = { from: b.from, to: b.to, value: avg, days: present.length };
    if (resolution !== 'day' && type !== 'boolean' && present.length >= 2) {
      const placed = frame ? present.map(frame) : present;
      const sorted = [...placed].sort((a, z) => a - z);
      const unplace = frame ? wrapMinutes : (v: number) => v;
      point.low = unplace(quantile(sorted, 0.25));
      point.high = unplace(quantile(sorted, 0.75));
    }
    out.push(point);
  }
  return out;
}

export interface WindowAverage {
  /** `week`, `previous week`, `month`, `previous month`, `range`. */
  kind: 'week' | 'previous_week' | 'month' | 'previous_month' | 'range';
  from: string;
  to: string;
  /** Days of the window with data. */
  days: number;
  /** Undefined without data (and always for text). */
  value?: number;
}

/**
 * The week and month averages of the table under a chart: the ISO week and the calendar month
 * that hold the range's last day (so far), the ones before them, and the whole range. Windows are
 * clipped to the range; one that falls wholly before it is left out.
 */
export function windowAverages(type: FieldType, values: DailyValues | SortedDays, range: DateRange): WindowAverage[] {
  const days = values instanceof SortedDays ? values : new SortedDays(values);
  const end = range.to;
  const weekStart = addDays(end, 1 - isoWeekday(end));
  const monthStart = `${end.slice(0, 8)}01`;
  const prevMonthStart = `${addDays(monthStart, -1).slice(0, 8)}01`;
  const windows: Array<Omit<WindowAverage, 'days' | 'value'>> = [
    { kind: 'week', from: weekStart, to: end },
    { kind: 'previous_week', from: addDays(weekStart, -7), to: addDays(weekStart, -1) },
    { kind: 'month', from: monthStart, to: end },
    { kind: 'previous_month', from: prevMonthStart, to: addDays(monthStart, -1) },
    { kind: 'range', from: range.from, to: range.to },
  ];
  const out: WindowAverage[] = [];
  for (const w of windows) {
    if (w.to < range.from) continue;
    const from = laterDate(w.from, range.from);
    const s = summarize(type, days.between({ from, to: w.to }));
    out.push({ ...w, from, days: s.count, ...(s.avg === undefined ? {} : { value: s.avg }) });
  }
  return out;
}

/** Days with data (the metric's own sense of it) in a range. */
export function daysWithData(type: FieldType, values: DailyValues | SortedDays, range: DateRange): number {
  const days = values instanceof SortedDays ? values : new SortedDays(values);
  return summarize(type, days.between(range)).count;
}

/** The slice [start, end) of sorted dates that falls within the range (binary search). */
export function indexRange(sorted: readonly string[], range: DateRange): [number, number] {
  return [lowerBound(sorted, range.from), upperBound(sorted, range.to)];
}

/** The first index whose date is at or after `date`. */
function lowerBound(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose date is after `date`. */
function upperBound(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Civil dates compare as strings (Math.max would turn them into NaN).
function laterDate(a: string, b: string): string {
  return a > b ? a : b;
}
