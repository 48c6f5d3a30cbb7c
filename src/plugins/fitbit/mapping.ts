/**
 * Pure functions from parsed Google Health points (schemas.ts) to okr's daily values. No I/O, no
 * clock: the tests feed them the real samples in test/fixtures/google-health/.
 *
 * Conventions (see ARCHITECTURE.md, "Civil dates"):
 * - A value's date is the user's local calendar date as Google reports it (`civilStartTime.date`
 *   for roll-ups, `date` for daily types). A sleep belongs to the local date of its end.
 * - A day without data gets no value at all, never a zero.
 */
import { addDays, localClock } from '../../dates.js';
import { type NightValues, pickMainSleeps, type SleepCandidate } from '../../import/sleep.js';
import type { FieldSeries } from '../records.js';
import type { AzmRollupPoint, HrvPoint, RestingHeartRatePoint, SleepPoint, StepsRollupPoint } from './schemas.js';

export { datesInRange, type FieldSeries, toRecords } from '../records.js';

export function mapSteps(points: StepsRollupPoint[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of points) out.set(p.civilStartTime.date, p.steps.countSum);
  return out;
}

/**
 * Active Zone Minutes for the day: the plain sum of the three zone sums. Google documents each as
 * "Active zone minutes in <zone>", i.e. already credited AZM (raw time per zone is the separate
 * `time-in-heart-rate-zone` type), so doubling cardio and peak here would count them twice.
 */
export function mapActiveZoneMinutes(points: AzmRollupPoint[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of points) {
    const z = p.activeZoneMinutes;
    const parts = [z.sumInFatBurnHeartZone, z.sumInCardioHeartZone, z.sumInPeakHeartZone];
    if (parts.every((v) => v === undefined)) continue;
    out.set(
      p.civilStartTime.date,
      parts.reduce<number>((sum, v) => sum + (v ?? 0), 0),
    );
  }
  return out;
}

export function mapRestingHeartRate(points: RestingHeartRatePoint[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of points) out.set(p.dailyRestingHeartRate.date, p.dailyRestingHeartRate.beatsPerMinute);
  return out;
}

export function mapHrv(points: HrvPoint[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of points) {
    const v = p.dailyHeartRateVariability.averageHeartRateVariabilityMilliseconds;
    if (v !== undefined) out.set(p.dailyHeartRateVariability.date, v);
  }
  return out;
}

export interface SleepMapping {
  /** Local wake-up date → the main sleep's values. */
  days: Map<string, NightValues>;
  /** Wake-up dates with a sleep Google has not finished processing: fetch them again next sync. */
  provisionalDates: Set<string>;
}

/**
 * The main sleep per local wake-up date, by the rule the file importers share (src/import/sleep.ts):
 * Google's `mainSleep` flag when present (the longest staged sleep of the day), else the longest
 * sleep that is not a nap. A day with only naps gets no sleep values, since a nap is not the
 * night's sleep.
 *
 * proto3 JSON leaves false booleans out, so a sleep whose `metadata` lacks `processed` is as
 * unfinished as one with `processed: false`, and `mainSleep` is either true or absent. A point
 * with no `metadata` at all (Google's abridged doc sample, Home Assistant's mock) is taken as final.
 */
export function mapSleep(points: SleepPoint[]): SleepMapping {
  const provisionalDates = new Set<string>();
  const candidates: SleepCandidate[] = [];
  for (const { sleep } of points) {
    const { interval, metadata, summary } = sleep;
    const end = localClock(interval.endTime, { offsetSeconds: interval.endUtcOffset });
    if (metadata && metadata.processed !== true) provisionalDates.add(end.date);
    candidates.push({
      wakeDate: end.date,
      bedTime: localClock(interval.startTime, { offsetSeconds: interval.startUtcOffset }).minutes,
      wakeUpTime: end.minutes,
      minutesAsleep: summary?.minutesAsleep,
      lengthMinutes: (interval.endTime - interval.startTime) / 60_000,
      main: metadata?.mainSleep === true ? true : undefined,
      nap: metadata?.nap === true ? true : undefined,
    });
  }
  return { days: pickMainSleeps(candidates), provisionalDates };
}

/** Splits the sleep mapping into the three field series okr stores. */
export function sleepSeries(days: Map<string, NightValues>): FieldSeries {
  const sleepLength = new Map<string, number>();
  const bedTime = new Map<string, number>();
  const wakeUpTime = new Map<string, number>();
  for (const [date, d] of days) {
    if (d.sleepLength !== undefined) sleepLength.set(date, d.sleepLength);
    bedTime.set(date, d.bedTime);
    wakeUpTime.set(date, d.wakeUpTime);
  }
  return new Map([
    ['sleepLength', sleepLength],
    ['bedTime', bedTime],
    ['wakeUpTime', wakeUpTime],
  ]);
}

/** The exclusive end date the API wants for an inclusive user range. */
export function exclusiveEnd(to: string): string {
  return addDays(to, 1);
}
