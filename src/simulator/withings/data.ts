/**
 * The simulated Withings user's data: deterministic from a seed, one day at a time on first use
 * (each day has its own PRNG stream, so the order of requests never changes the data), shaped like
 * the samples in test/fixtures/withings/.
 *
 * What it covers, on purpose:
 * - a home zone (default Europe/Paris, which has DST) and, every 120 days, a week in New York:
 *   sleep and activity records carry the zone they were recorded in, measures are read in the
 *   one zone Withings sends with them (the home zone, as the account's setting);
 * - weighings on most mornings as integer `value` with a power-of-ten `unit` (weight -3, fat
 *   ratio -3, muscle mass -2) beside types okr does not read (fat mass, fat-free mass, bone);
 *   some days a second weighing in the evening (the day's last counts), the same weighing listed
 *   twice (attrib 0 and 8), a later weighing of someone else on a shared scale (attrib 1), or a
 *   weighing with weight only;
 * - a night on most days, dated the local day it ended, sometimes with a nap on the same date
 *   (shorter: the night counts) or without a score;
 * - steps on most days, from a third-party tracker as in the samples;
 * - today partial: no night until it has ended, steps so far.
 *
 * Each day carries `expected`: what okr should import for it, known by construction.
 */
import { addDays, daysBetween } from '../../dates.js';
import { hashSeed, mulberry32, type Rng } from '../prng.js';
import { offsetSeconds, wallClock, zonedInstant } from '../tz.js';

export interface WithingsMeasure {
  value: number;
  type: number;
  unit: number;
  algo?: number;
  fm?: number;
}

export interface WithingsMeasureGroup {
  grpid: number;
  attrib: number;
  date: number;
  created: number;
  modified: number;
  category: number;
  deviceid: string;
  hash_deviceid: string;
  measures: WithingsMeasure[];
  modelid: number;
  model: string;
  comment: null;
}

export type WithingsDoc = Record<string, unknown>;

export interface WithingsSimDay {
  date: string;
  /** The zone sleep and activity were recorded in that day. */
  zone: string;
  measureGroups: WithingsMeasureGroup[];
  /** Sleep summaries dated this day (the night that ended on it, maybe a nap). */
  sleeps: WithingsDoc[];
  activity?: WithingsDoc;
  /** What okr should store for the day, by field id; a missing key is no value. */
  expected: Record<string, number>;
}

export interface WithingsDatasetOptions {
  seed: number;
  now: Date;
  timeZone: string;
  days: number;
}

const TRIP_ZONE = 'America/New_York';
const SCALE = 'f998be4b9ccc9e136fd8cd8e8e344c31ec3b271d';

function epochDay(date: string): number {
  return daysBetween('1970-01-01', date);
}

/** The full summary `data` of a night, every field Withings can send (seconds, bpm, 0–100). */
function sleepData(r: Rng, asleep: number, inBed: number, score: number | undefined): Record<string, number> {
  const deep = Math.round(asleep * (0.15 + r.next() * 0.1));
  const rem = Math.round(asleep * (0.18 + r.next() * 0.07));
  const data: Record<string, number> = {
    wakeupduration: inBed - asleep,
    wakeupcount: r.int(0, 4),
    durationtosleep: r.int(3, 25) * 60,
    remsleepduration: rem,
    durationtowakeup: r.int(0, 20) * 60,
    total_sleep_time: asleep,
    total_timeinbed: inBed,
    sleep_efficiency: Math.round((asleep / inBed) * 100) / 100,
    sleep_latency: r.int(3, 25) * 60,
    wakeup_latency: r.int(0, 20) * 60,
    waso: r.int(0, 40) * 60,
    nb_rem_episodes: r.int(1, 5),
    out_of_bed_count: r.int(0, 2),
    lightsleepduration: asleep - deep - rem,
    deepsleepduration: deep,
    hr_average: r.int(55, 70),
    hr_min: r.int(44, 54),
    hr_max: r.int(80, 110),
    rr_average: r.int(12, 17),
    rr_min: r.int(9, 12),
    rr_max: r.int(17, 22),
    breathing_disturbances_intensity: r.chance(0.1) ? -1 : r.int(0, 30),
    snoring: r.int(0, 30) * 60,
    snoringepisodecount: r.int(0, 20),
    apnea_hypopnea_index: r.chance(0.1) ? -1 : r.int(0, 10),
  };
  if (score !== undefined) data.sleep_score = score;
  return data;
}

export class WithingsDataset {
  readonly today: string;
  readonly firstDay: string;
  readonly timeZone: string;
  readonly nowMs: number;
  readonly #seed: number;
  readonly #days = new Map<string, WithingsSimDay>();

  constructor(opts: WithingsDatasetOptions) {
    this.#seed = opts.seed;
    this.timeZone = opts.timeZone;
    this.nowMs = opts.now.getTime();
    this.today = wallClock(this.nowMs, offsetSeconds(opts.timeZone, this.nowMs)).date;
    this.firstDay = addDays(this.today, -(opts.days - 1));
  }

  /** Every simulated day in [from, to] within the history, oldest first. */
  days(from: string, to: string): WithingsSimDay[] {
    const out: WithingsSimDay[] = [];
    const start = from < this.firstDay ? this.firstDay : from;
    const end = to > this.today ? this.today : to;
    for (let d = start; d <= end; d = addDays(d, 1)) out.push(this.day(d));
    return out;
  }

  day(date: string): WithingsSimDay {
    let d = this.#days.get(date);
    if (!d) {
      d = this.#generate(date);
      this.#days.set(date, d);
    }
    return d;
  }

  /** Where the user was that day: home, or New York during the first week of every 120 days. */
  zoneOf(date: string): string {
    return epochDay(date) % 120 < 7 ? TRIP_ZONE : this.timeZone;
  }

  #generate(date: string): WithingsSimDay {
    const r = mulberry32(hashSeed(this.#seed, 'withings-day', date));
    const zone = this.zoneOf(date);
    const expected: Record<string, number> = {};
    const day: WithingsSimDay = { date, zone, measureGroups: [], sleeps: [], expected };
    const n = epochDay(date);
    const isToday = date === this.today;

    // Measures: at home-zone wall times (the zone the answer names), before "now".
    if (r.chance(0.7)) {
      const base = 72 + Math.sin(n / 40) * 2.5;
      const weighings: Array<{ minutes: number; attrib: number; weightOnly: boolean; twice: boolean }> = [
        { minutes: r.int(6 * 60, 9 * 60), attrib: 0, weightOnly: r.chance(0.1), twice: r.chance(0.1) },
      ];
      if (r.chance(0.15))
        weighings.push({ minutes: r.int(19 * 60, 22 * 60), attrib: 0, weightOnly: false, twice: false });
      if (r.chance(0.08))
        weighings.push({ minutes: r.int(22 * 60, 23 * 60 + 50), attrib: 1, weightOnly: false, twice: false });
      for (const w of weighings) {
        const at = Math.floor(zonedInstant(this.timeZone, date, w.minutes) / 1000);
        if (at * 1000 > this.nowMs) continue;
        const weight = Math.round((base + (r.next() - 0.5) * 0.8 + (w.attrib === 1 ? 15 : 0)) * 1000);
        const fat = Math.round((21 + Math.sin(n / 30) * 1.5 + (r.next() - 0.5)) * 1000);
        const muscle = Math.round((weight / 1000) * (0.72 + (r.next() - 0.5) * 0.02) * 100);
        const measures: WithingsMeasure[] = [{ value: weight, type: 1, unit: -3, algo: 3, fm: 3 }];
        if (!w.weightOnly) {
          measures.push(
            { value: fat, type: 6, unit: -3 },
            { value: Math.round((weight * fat) / 100_000), type: 8, unit: -3 },
            { value: weight - Math.round((weight * fat) / 100_000), type: 5, unit: -3 },
            { value: muscle, type: 76, unit: -2 },
            { value: r.int(280, 320), type: 88, unit: -2 },
          );
        }
        const grpid = 4_815_000_000 + n * 10 + day.measureGroups.length;
        const group: WithingsMeasureGroup = {
          grpid,
          attrib: w.attrib,
          date: at,
          created: at + r.int(5, 60),
          modified: at + r.int(60, 600),
          category: 1,
          deviceid: SCALE,
          hash_deviceid: SCALE,
          measures,
          modelid: 5,
          model: 'Body+',
          comment: null,
        };
        day.measureGroups.push(group);
        if (w.twice) day.measureGroups.push({ ...group, attrib: 8, measures: measures.map((m) => ({ ...m })) });
        if (w.attrib === 1) continue; // someone else's: never imported
        // Weighings are generated in time order: a later one of the day overrides.
        expected.weight = weight / 1000;
        if (!w.weightOnly) {
          expected.fatRatio = fat / 1000;
          expected.muscleMass = muscle / 100;
        }
      }
    }

    // The night that ended this morning, in the zone of this day.
    if (r.chance(0.88)) {
      const bedMinutes = r.int(-90, 60); // minutes after midnight, negative: the evening before
      const start = Math.floor(zonedInstant(zone, date, 0) / 1000) + bedMinutes * 60;
      const inBed = r.int(6 * 60, 9 * 60) * 60;
      const end = start + inBed;
      if (end * 1000 <= this.nowMs) {
        const asleep = Math.round(inBed * (0.82 + r.next() * 0.12));
        const score = r.chance(0.05) ? undefined : r.int(40, 95);
        const data = sleepData(r, asleep, inBed, score);
        day.sleeps.push(this.#summary(r, date, zone, start, end, data));
        expected.sleepLength = Math.round(asleep / 60);
        if (score !== undefined) expected.sleepScore = score;
        expected.bedTime = wallClock(start * 1000, offsetSeconds(zone, start * 1000)).minutes;
        expected.wakeUpTime = wallClock(end * 1000, offsetSeconds(zone, end * 1000)).minutes;
        expected.restingHeartRate = data.hr_min!;
        if (r.chance(0.08)) {
          // An afternoon nap on the same date: shorter, so never the night.
          const napStart = Math.floor(zonedInstant(zone, date, r.int(13 * 60, 16 * 60)) / 1000);
          const napInBed = r.int(20, 60) * 60;
          if ((napStart + napInBed) * 1000 <= this.nowMs) {
            const napAsleep = Math.round(napInBed * 0.8);
            day.sleeps.push(
              this.#summary(r, date, zone, napStart, napStart + napInBed, sleepData(r, napAsleep, napInBed, 30)),
            );
          }
        }
      }
    }

    // Steps from a linked tracker; today so far.
    if (r.chance(0.9)) {
      const steps = isToday ? r.int(0, 4000) : r.int(900, 14_000);
      const distance = Math.round(steps * 0.82 * 1000) / 1000;
      day.activity = {
        steps,
        distance,
        elevation: 0,
        soft: r.int(600, 6000),
        moderate: r.int(0, 3000),
        intense: r.int(0, 600),
        active: r.int(0, 3600),
        calories: Math.round(steps * 0.045 * 1000) / 1000,
        totalcalories: Math.round((2250 + steps * 0.045) * 1000) / 1000,
        deviceid: null,
        hash_deviceid: null,
        timezone: zone,
        date,
        modified: Math.floor(this.nowMs / 1000) - r.int(0, 86_400),
        brand: 18,
        modelid: 1055,
        model: 'GoogleFit tracker',
        is_tracker: false,
      };
      expected.steps = steps;
    }
    return day;
  }

  #summary(r: Rng, date: string, zone: string, start: number, end: number, data: Record<string, number>): WithingsDoc {
    return {
      id: 2_081_800_000 + epochDay(date) * 10 + r.int(0, 9),
      timezone: zone,
      model: 32,
      model_id: 63,
      hash_deviceid: '201d0b9a0556d6b755166b2cf8d22d3bdf0487ee',
      startdate: start,
      enddate: end,
      date,
      data,
      created: end + r.int(600, 7200),
      modified: end + r.int(600, 7200),
    };
  }
}
