/**
 * Pure functions from parsed Withings records (schemas.ts) to okr's daily values. No I/O, no
 * clock: the tests feed them the samples in test/fixtures/withings/ and cases built from them.
 *
 * Rules:
 * - Measures: value × 10^unit (never `value` alone). Only real measurements (category 1, not
 *   goals) that belong to this user: a group of attrib 1 came from a shared device and may be
 *   someone else's weighing, so it is skipped. The day of a measurement is its instant read in the
 *   zone Withings gives with the answer (else the user's). Several on one day: the day's LAST one
 *   counts, per field (the latest weight, the latest fat ratio). The same weighing listed twice
 *   (attrib 0 and 8, same instant) is one weighing.
 * - Sleep: a night belongs to Withings' own `date` (the day it ended), never recomputed. Several
 *   records on one date (a nap, two devices): the longest asleep counts. Bed and wake-up times are
 *   the record's start and end in its own `timezone`.
 * - Activity: Withings' own `date`; two records for one date (two sources): the larger step count.
 * - A missing or null value and a missing day are no value; nothing is stored as zero, except a
 *   step count Withings reports as 0.
 */
import { type FieldSeries, putValue as put, secondsToMinutes } from '../records.js';
import { MEASTYPES } from './fields.js';
import type { ActivityDay, MeasureGroup, SleepSummary } from './schemas.js';

/** The wall clock of an instant (ms) in an IANA zone, or the user's zone when that one is unusable. */
export type ZoneClock = (instantMs: number, timeZone: string | undefined) => { date: string; minutes: number };

/** `value × 10^unit`, exactly as written (118003, -3 → 118.003). */
export function measureValue(value: number, unit: number): number {
  return unit < 0 ? value / 10 ** -unit : value * 10 ** unit;
}

const MEASURE_FIELDS = Object.entries(MEASTYPES) as Array<[string, number]>;
/** attrib 1: "device entry, ambiguous": a shared scale could not tell whose weighing it was. */
const AMBIGUOUS = 1;
const REAL = 1;

/** weight, fatRatio and muscleMass: per field, the day's last measurement. */
export function mapMeasures(groups: Array<MeasureGroup & { timezone?: string }>, clock: ZoneClock): FieldSeries {
  const latest = new Map<string, Map<string, { at: number; value: number }>>();
  for (const g of groups) {
    if (g.category !== REAL || g.attrib === AMBIGUOUS) continue;
    const day = clock(g.date * 1000, g.timezone).date;
    for (const [field, type] of MEASURE_FIELDS) {
      const m = g.measures.find((x) => x.type === type);
      if (!m) continue;
      let byDay = latest.get(field);
      if (!byDay) {
        byDay = new Map();
        latest.set(field, byDay);
      }
      const seen = byDay.get(day);
      // Later wins; at the same instant (a weighing listed twice) the first stays.
      if (!seen || g.date > seen.at) byDay.set(day, { at: g.date, value: measureValue(m.value, m.unit) });
    }
  }
  const series: FieldSeries = new Map();
  for (const [field, byDay] of latest) for (const [day, v] of byDay) put(series, field, day, v.value);
  return series;
}

/** How long a record slept: total_sleep_time, else its span. */
function asleep(s: SleepSummary): number {
  return s.data.total_sleep_time ?? s.enddate - s.startdate;
}

/** The night of each date: the longest asleep of its records. */
export function mainNights(series: SleepSummary[]): Map<string, SleepSummary> {
  const out = new Map<string, SleepSummary>();
  for (const s of series) {
    const best = out.get(s.date);
    if (!best || asleep(s) > asleep(best)) out.set(s.date, s);
  }
  return out;
}

/** sleepLength, sleepScore, bedTime, wakeUpTime and restingHeartRate (the night's hr_min). */
export function mapSleep(series: SleepSummary[], clock: ZoneClock): FieldSeries {
  const out: FieldSeries = new Map();
  for (const [day, s] of mainNights(series)) {
    const tst = s.data.total_sleep_time;
    if (tst !== undefined) put(out, 'sleepLength', day, secondsToMinutes(tst));
    put(out, 'sleepScore', day, s.data.sleep_score);
    put(out, 'bedTime', day, clock(s.startdate * 1000, s.timezone).minutes);
    put(out, 'wakeUpTime', day, clock(s.enddate * 1000, s.timezone).minutes);
    // 0 bpm is no measurement (a device without a heart-rate sensor).
    const hr = s.data.hr_min;
    if (hr !== undefined && hr > 0) put(out, 'restingHeartRate', day, hr);
  }
  return out;
}

export function mapActivity(days: ActivityDay[]): FieldSeries {
  const out: FieldSeries = new Map();
  for (const d of days) {
    if (d.steps === undefined) continue;
    const had = out.get('steps')?.get(d.date);
    if (had === undefined || d.steps > had) put(out, 'steps', d.date, d.steps);
  }
  return out;
}
