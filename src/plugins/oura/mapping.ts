/**
 * Pure functions from parsed Oura documents (schemas.ts) to okr's daily values. No I/O, no clock:
 * the tests feed them the samples in test/fixtures/oura/ and cases built from them.
 *
 * Conventions:
 * - A value's date is Oura's own `day`, never recomputed from a timestamp: Oura decides which
 *   local day a sleep or an activity day (04:00 to 04:00) belongs to.
 * - Clock times come from the record's own offset (bed and wake-up as the ring saw them, also
 *   when the user travelled between two records).
 * - null, a missing key and a missing day all mean no value; nothing is ever stored as zero.
 */
import { type FieldSeries, putValue as put, secondsToMinutes } from '../records.js';
import type { DailyActivityDoc, DailyReadinessDoc, DailySleepDoc, SleepDoc } from './schemas.js';

export function mapReadiness(docs: DailyReadinessDoc[]): FieldSeries {
  const series: FieldSeries = new Map();
  for (const d of docs) {
    put(series, 'readiness', d.day, d.score);
    put(series, 'temperatureDeviation', d.day, d.temperature_deviation);
  }
  return series;
}

export function mapDailySleep(docs: DailySleepDoc[]): FieldSeries {
  const series: FieldSeries = new Map();
  for (const d of docs) put(series, 'sleepScore', d.day, d.score);
  return series;
}

export function mapActivity(docs: DailyActivityDoc[]): FieldSeries {
  const series: FieldSeries = new Map();
  for (const d of docs) {
    put(series, 'activityScore', d.day, d.score);
    put(series, 'steps', d.day, d.steps);
    put(series, 'activeCalories', d.day, d.active_calories);
  }
  return series;
}

/** Time in bed, in milliseconds: what "longest" compares. */
function span(s: SleepDoc): number {
  return s.bedtime_end.ms - s.bedtime_start.ms;
}

/**
 * The main sleep of each day: its `long_sleep` period, the longest in bed when there are several
 * (a night split by getting up can give two). `late_nap`, `sleep` (a short period), `rest`,
 * `deleted` and unknown types never count, so a day with only a nap has no sleep values.
 */
export function mainSleeps(docs: SleepDoc[]): Map<string, SleepDoc> {
  const out = new Map<string, SleepDoc>();
  for (const s of docs) {
    if (s.type !== 'long_sleep') continue;
    const best = out.get(s.day);
    if (!best || span(s) > span(best)) out.set(s.day, s);
  }
  return out;
}

/** sleepLength, bedTime, wakeUpTime, hrv and lowestHeartRate from each day's main sleep. */
export function mapSleep(docs: SleepDoc[]): FieldSeries {
  const series: FieldSeries = new Map();
  for (const [day, s] of mainSleeps(docs)) {
    if (s.total_sleep_duration !== undefined) put(series, 'sleepLength', day, secondsToMinutes(s.total_sleep_duration));
    put(series, 'bedTime', day, s.bedtime_start.minutes);
    put(series, 'wakeUpTime', day, s.bedtime_end.minutes);
    put(series, 'hrv', day, s.average_hrv);
    put(series, 'lowestHeartRate', day, s.lowest_heart_rate);
  }
  return series;
}

/** Joins the series of several collections (each field comes from exactly one). */
export function mergeSeries(parts: FieldSeries[]): FieldSeries {
  const out: FieldSeries = new Map();
  for (const p of parts) for (const [field, values] of p) out.set(field, values);
  return out;
}
