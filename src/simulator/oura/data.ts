/**
 * The simulated Oura user's data: deterministic from a seed, one day at a time on first use (each
 * day has its own PRNG stream, so the order of requests never changes the data), shaped like the
 * samples in test/fixtures/oura/.
 *
 * What it covers, on purpose:
 * - a home zone with DST (default America/New_York) and, every 150 days, a week abroad
 *   (Europe/Berlin, then Asia/Tokyo), so offsets differ from one record to the next and a
 *   spring-forward night starts at -05:00 and ends at -04:00;
 * - one `long_sleep` most nights; on some days a `late_nap`, a short `sleep`, a `rest` period
 *   (longer in bed than the night), a `deleted` period, or a night split in two long sleeps;
 * - days without wear (scattered, plus a 3-day gap every 113 days) that have no document at all;
 * - null scores: Readiness during the first 14 days (calibration) and now and then, Sleep and
 *   Activity scores now and then;
 * - today partial: activity so far; the night's sleep only once it has ended.
 *
 * Each day also carries `expected`: the values okr should import for it, known by construction
 * (which sleep is the main one is decided when it is generated, not by re-applying okr's rule).
 */
import { addDays, daysBetween } from '../../dates.js';
import { hashSeed, mulberry32, type Rng } from '../prng.js';
import { offsetSeconds, wallClock, zonedInstant } from '../tz.js';

export type OuraCollectionName = 'daily_readiness' | 'daily_sleep' | 'daily_activity' | 'sleep';
export const OURA_COLLECTIONS: OuraCollectionName[] = ['daily_readiness', 'daily_sleep', 'daily_activity', 'sleep'];

export type OuraDoc = Record<string, unknown>;

export interface OuraSimDay {
  date: string;
  worn: boolean;
  /** The IANA zone the ring recorded this day in. */
  zone: string;
  readiness?: OuraDoc;
  dailySleep?: OuraDoc;
  activity?: OuraDoc;
  /** Sleep periods filed under this day, in the order Oura lists them (by start). */
  sleeps: OuraDoc[];
  /** What okr should store for the day, by field id; a missing key is no value. */
  expected: Record<string, number>;
}

export interface OuraDatasetOptions {
  seed: number;
  now: Date;
  /** The user's home zone. */
  timeZone: string;
  /** Days of history, today included. */
  days: number;
}

const MIN = 60_000;
const TRIP_ZONES = ['Europe/Berlin', 'Asia/Tokyo'];

function epochDay(date: string): number {
  return daysBetween('1970-01-01', date);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** "2024-01-21T01:28:28-05:00" (or with ".000" when `millis`): the instant in its own offset. */
export function isoWithOffset(ms: number, offset: number, millis = false): string {
  const wall = wallClock(Math.floor(ms / 1000) * 1000, offset).iso;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${millis ? '.000' : ''}${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
}

/** A UUID-looking id from the stream (Oura's document ids are UUIDs). */
function uuid(r: Rng): string {
  const hex = (n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${['8', '9', 'a', 'b'][r.int(0, 3)]}${hex(3)}-${hex(12)}`;
}

const digitsString = (r: Rng, length: number, alphabet: string) =>
  Array.from({ length }, () => alphabet[r.int(0, alphabet.length - 1)]).join('');

function contributors(r: Rng, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, r.int(1, 100)]));
}

const READINESS_CONTRIBUTORS = [
  'activity_balance',
  'body_temperature',
  'hrv_balance',
  'previous_day_activity',
  'previous_night',
  'recovery_index',
  'resting_heart_rate',
  'sleep_balance',
];
const SLEEP_CONTRIBUTORS = ['deep_sleep', 'efficiency', 'latency', 'rem_sleep', 'restfulness', 'timing', 'total_sleep'];
const ACTIVITY_CONTRIBUTORS = [
  'meet_daily_targets',
  'move_every_hour',
  'recovery_time',
  'stay_active',
  'training_frequency',
  'training_volume',
];

interface Period {
  type: 'long_sleep' | 'late_nap' | 'sleep' | 'rest' | 'deleted';
  startMs: number;
  endMs: number;
}

export class OuraDataset {
  readonly today: string;
  readonly firstDay: string;
  readonly timeZone: string;
  readonly nowMs: number;
  readonly #seed: number;
  readonly #days = new Map<string, OuraSimDay>();

  constructor(opts: OuraDatasetOptions) {
    this.#seed = opts.seed;
    this.timeZone = opts.timeZone;
    this.nowMs = opts.now.getTime();
    this.today = wallClock(this.nowMs, offsetSeconds(opts.timeZone, this.nowMs)).date;
    this.firstDay = addDays(this.today, -(Math.max(1, opts.days) - 1));
  }

  /** The day as the API shows it now; undefined outside the history. */
  day(date: string): OuraSimDay | undefined {
    if (daysBetween(this.firstDay, date) < 0 || daysBetween(date, this.today) < 0) return undefined;
    let d = this.#days.get(date);
    if (!d) {
      d = this.#generate(date);
      this.#days.set(date, d);
    }
    return d;
  }

  /** Days in [from, to] clipped to the history, oldest first. */
  days(from: string, to: string): OuraSimDay[] {
    const out: OuraSimDay[] = [];
    const start = daysBetween(this.firstDay, from) < 0 ? this.firstDay : from;
    const end = daysBetween(to, this.today) < 0 ? this.today : to;
    for (let d = start; daysBetween(d, end) >= 0; d = addDays(d, 1)) out.push(this.day(d)!);
    return out;
  }

  /** The documents of a collection whose `day` is in [from, to], in Oura's order. */
  documents(collection: OuraCollectionName, from: string, to: string): OuraDoc[] {
    const out: OuraDoc[] = [];
    for (const d of this.days(from, to)) {
      if (collection === 'sleep') out.push(...d.sleeps);
      else {
        const doc =
          collection === 'daily_readiness' ? d.readiness : collection === 'daily_sleep' ? d.dailySleep : d.activity;
        if (doc) out.push(doc);
      }
    }
    return out;
  }

  /** The zone the ring recorded `date` in: home, or a week abroad every 150 days. */
  zoneOf(date: string): string {
    const e = epochDay(date) + (this.#seed % 150);
    return e % 150 < 7 ? TRIP_ZONES[Math.floor(e / 150) % TRIP_ZONES.length]! : this.timeZone;
  }

  #rng(date: string, purpose: string): Rng {
    return mulberry32(hashSeed(this.#seed, 'oura', date, purpose));
  }

  #worn(date: string): boolean {
    if (daysBetween(date, this.today) <= 1) return true; // keep the last night and today observable
    if ((epochDay(date) + (this.#seed % 113)) % 113 < 3) return false; // the ring left on the charger
    return !this.#rng(date, 'wear').chance(0.04);
  }

  #generate(date: string): OuraSimDay {
    const zone = this.zoneOf(date);
    const day: OuraSimDay = { date, worn: this.#worn(date), zone, sleeps: [], expected: {} };
    if (!day.worn) return day;
    const r = this.#rng(date, 'day');
    const periods = this.#periods(date, zone, r).filter((p) => p.endMs <= this.nowMs);
    const mains = periods.filter((p) => p.type === 'long_sleep');
    const main = mains.reduce<Period | undefined>(
      (a, p) => (!a || p.endMs - p.startMs > a.endMs - a.startMs ? p : a),
      undefined,
    );
    const calibrating = daysBetween(this.firstDay, date) < 14;

    for (const p of periods.sort((a, b) => a.startMs - b.startMs)) {
      const doc = this.#sleepDoc(date, zone, p, r);
      day.sleeps.push(doc);
      if (p === main) {
        day.expected.sleepLength = Math.round((doc.total_sleep_duration as number) / 60);
        day.expected.bedTime = wallClock(p.startMs, offsetSeconds(zone, p.startMs)).minutes;
        day.expected.wakeUpTime = wallClock(p.endMs, offsetSeconds(zone, p.endMs)).minutes;
        if (doc.average_hrv !== null) day.expected.hrv = doc.average_hrv as number;
        day.expected.lowestHeartRate = doc.lowest_heart_rate as number;
      }
    }

    if (main) {
      const readinessScore = calibrating || r.chance(0.02) ? null : r.int(45, 98);
      const temperature = r.chance(0.03) ? null : Math.round(r.normal() * 30) / 100;
      day.readiness = {
        id: uuid(r),
        contributors: contributors(r, READINESS_CONTRIBUTORS),
        day: date,
        score: readinessScore,
        temperature_deviation: temperature,
        temperature_trend_deviation: Math.round(r.normal() * 20) / 100,
        timestamp: `${date}T00:00:00+00:00`,
      };
      if (readinessScore !== null) day.expected.readiness = readinessScore;
      if (temperature !== null) day.expected.temperatureDeviation = temperature;
      const sleepScore = r.chance(0.01) ? null : r.int(50, 96);
      day.dailySleep = {
        id: uuid(r),
        contributors: contributors(r, SLEEP_CONTRIBUTORS),
        day: date,
        score: sleepScore,
        timestamp: `${date}T00:00:00+00:00`,
      };
      if (sleepScore !== null) day.expected.sleepScore = sleepScore;
    }

    this.#activity(day, r);
    return day;
  }

  /** The day's sleep periods: the night ending this morning, and what else happened that day. */
  #periods(date: string, zone: string, r: Rng): Period[] {
    const out: Period[] = [];
    const at = (onDate: string, minutes: number) => zonedInstant(zone, onDate, minutes);
    const prev = addDays(date, -1);
    if (!r.chance(0.03)) {
      // Bed around 23:00 the evening before (minutes past 1440 are after midnight), ~7.5 h in bed.
      const bed = clamp(Math.round(23 * 60 + r.normal() * 40), 21 * 60 + 30, 26 * 60);
      const startMs = at(prev, bed);
      const inBed = clamp(Math.round(450 + r.normal() * 45), 300, 620);
      if (r.chance(0.04)) {
        // Up in the night for a while: two long sleeps, the second one longer.
        const first = Math.round(inBed * 0.3);
        out.push({ type: 'long_sleep', startMs, endMs: startMs + first * MIN });
        const second = startMs + (first + r.int(25, 60)) * MIN;
        out.push({ type: 'long_sleep', startMs: second, endMs: second + (inBed - first) * MIN });
      } else out.push({ type: 'long_sleep', startMs, endMs: startMs + inBed * MIN });
    }
    if (r.chance(0.1)) {
      const s = at(date, r.int(13 * 60, 16 * 60));
      out.push({ type: 'late_nap', startMs: s, endMs: s + r.int(20, 75) * MIN });
    }
    if (r.chance(0.05)) {
      const s = at(date, r.int(10 * 60, 12 * 60));
      out.push({ type: 'sleep', startMs: s, endMs: s + r.int(15, 40) * MIN });
    }
    if (r.chance(0.03)) {
      // Rest mode while ill: long, often longer in bed than the night.
      const s = at(date, 9 * 60);
      out.push({ type: 'rest', startMs: s, endMs: s + r.int(8 * 60, 11 * 60) * MIN });
    }
    if (r.chance(0.02)) {
      const s = at(prev, 21 * 60);
      out.push({ type: 'deleted', startMs: s, endMs: s + r.int(9 * 60, 12 * 60) * MIN });
    }
    return out;
  }

  #sleepDoc(date: string, zone: string, p: Period, r: Rng): OuraDoc {
    const inBed = Math.round((p.endMs - p.startMs) / 1000);
    const startOffset = offsetSeconds(zone, p.startMs);
    const endOffset = offsetSeconds(zone, p.endMs);
    const efficiency = p.type === 'rest' ? r.int(10, 40) : r.int(72, 96);
    const asleep = Math.round((inBed * efficiency) / 100);
    const deep = Math.round(asleep * (0.12 + r.next() * 0.1));
    const rem = Math.round(asleep * (0.18 + r.next() * 0.08));
    const fiveMin = Math.max(1, Math.floor(inBed / 300));
    const hrvNull = r.chance(0.03);
    const lowest = r.int(44, 62);
    const series = (base: number, spread: number) =>
      Array.from({ length: fiveMin }, () => (r.chance(0.08) ? null : Math.round(base + r.next() * spread)));
    const main = p.type === 'long_sleep';
    return {
      id: uuid(r),
      average_breath: Math.round((12 + r.next() * 4) * 1000) / 1000,
      average_heart_rate: Math.round((lowest + 4 + r.next() * 8) * 1000) / 1000,
      average_hrv: hrvNull ? null : r.int(12, 90),
      awake_time: inBed - asleep,
      bedtime_end: isoWithOffset(p.endMs, endOffset),
      bedtime_start: isoWithOffset(p.startMs, startOffset),
      day: date,
      deep_sleep_duration: deep,
      efficiency,
      heart_rate: { interval: 300, items: series(lowest, 20), timestamp: isoWithOffset(p.startMs, startOffset, true) },
      hrv: { interval: 300, items: series(15, 60), timestamp: isoWithOffset(p.startMs, startOffset, true) },
      latency: r.int(2, 30) * 60,
      light_sleep_duration: asleep - deep - rem,
      low_battery_alert: r.chance(0.02),
      lowest_heart_rate: lowest,
      movement_30_sec: digitsString(r, Math.max(1, Math.floor(inBed / 30)), '1111111234'),
      period: r.int(0, 2),
      readiness: main
        ? {
            contributors: contributors(r, READINESS_CONTRIBUTORS),
            score: r.int(40, 98),
            temperature_deviation: Math.round(r.normal() * 30) / 100,
            temperature_trend_deviation: Math.round(r.normal() * 20) / 100,
          }
        : null,
      readiness_score_delta: main ? 0 : null,
      rem_sleep_duration: rem,
      restless_periods: r.int(5, 60),
      sleep_phase_5_min: digitsString(r, fiveMin, '1234'),
      sleep_score_delta: main ? 0 : null,
      sleep_algorithm_version: 'v2',
      time_in_bed: inBed,
      total_sleep_duration: asleep,
      type: p.type,
    };
  }

  /** Activity runs from 04:00 to 04:00 local; today's is the part so far. */
  #activity(day: OuraSimDay, r: Rng): void {
    const { date, zone } = day;
    const startMs = zonedInstant(zone, date, 4 * 60);
    if (startMs > this.nowMs) return;
    const part = clamp((this.nowMs - startMs) / (24 * 60 * MIN), 0, 1);
    const full = Math.max(300, Math.round(8000 + r.normal() * 2500));
    const steps = Math.floor(full * part);
    const active = Math.round(steps * (0.035 + r.next() * 0.02));
    const score = part < 1 || r.chance(0.02) ? null : r.int(40, 100);
    const met = Array.from({ length: 1440 }, () => Math.round((0.9 + (r.chance(0.1) ? r.next() * 6 : 0)) * 10) / 10);
    const offset = offsetSeconds(zone, startMs);
    day.activity = {
      id: uuid(r),
      class_5_min: digitsString(r, 288, '0112233'),
      score,
      active_calories: active,
      average_met_minutes: Math.round((1.2 + r.next()) * 1000) / 1000,
      contributors: contributors(r, ACTIVITY_CONTRIBUTORS),
      equivalent_walking_distance: Math.round(steps * 0.8),
      high_activity_met_minutes: r.int(0, 300),
      high_activity_time: r.int(0, 60) * 60,
      inactivity_alerts: r.int(0, 4),
      low_activity_met_minutes: r.int(50, 300),
      low_activity_time: r.int(60, 300) * 60,
      medium_activity_met_minutes: r.int(0, 300),
      medium_activity_time: r.int(0, 120) * 60,
      met: { interval: 60, items: met, timestamp: isoWithOffset(startMs, offset, true) },
      meters_to_target: r.int(-8000, 8000),
      non_wear_time: r.int(0, 600) * 60,
      resting_time: r.int(300, 600) * 60,
      sedentary_met_minutes: r.int(0, 30),
      sedentary_time: r.int(200, 600) * 60,
      steps,
      target_calories: 350,
      target_meters: 7000,
      total_calories: 1800 + active,
      day: date,
      timestamp: isoWithOffset(startMs, offset),
    };
    day.expected.steps = steps;
    day.expected.activeCalories = active;
    if (score !== null) day.expected.activityScore = score;
  }
}
