/**
 * The simulated user's data: deterministic from a seed, generated one day at a time on first use
 * (each day has its own PRNG stream, so the order of requests never changes the data).
 *
 * What it covers, on purpose:
 * - a time zone with DST (default America/New_York), so some nights start and end with different
 *   UTC offsets;
 * - a main sleep most nights, usually across midnight, and an afternoon nap on some days, so two
 *   sleeps end on the same local date;
 * - days without wear (scattered, plus a 4-day gap every 97 days) that have no data at all;
 * - the newest main sleep (and anything after it) not yet `processed`;
 * - today partial: steps and zone minutes so far, no resting heart rate yet.
 */
import { addDays, daysBetween, isoWeekday } from '../dates.js';
import { digits, hashSeed, mulberry32, type Rng } from './prng.js';
import { offsetSeconds, wallClock, zonedInstant } from './tz.js';

export type StageType = 'AWAKE' | 'LIGHT' | 'DEEP' | 'REM' | 'ASLEEP' | 'RESTLESS';

export interface Segment {
  startMs: number;
  endMs: number;
  type: StageType;
}

export interface SimSleep {
  /** The data point id (the last part of `name`). */
  id: string;
  startMs: number;
  endMs: number;
  startOffset: number;
  endOffset: number;
  type: 'STAGES' | 'CLASSIC';
  main: boolean;
  nap: boolean;
  processed: boolean;
  stagesStatus: string;
  stages: Segment[];
  shortAwakenings: Segment[];
  createTime: string;
  updateTime: string;
}

export interface SimDay {
  date: string;
  worn: boolean;
  steps?: number;
  /** Already credited zone minutes (cardio and peak minutes count double). */
  azm?: { fatBurn: number; cardio: number; peak: number };
  restingHeartRate?: number;
  hrv?: { average?: number; nonRemBpm: number; entropy: number; deepRmssd: number };
  /** Sleeps that end on this local date, oldest first. */
  sleeps: SimSleep[];
}

export interface DatasetOptions {
  seed: number;
  now: Date;
  timeZone: string;
  /** Days of history, today included. */
  days: number;
}

const MIN = 60_000;

function epochDay(date: string): number {
  return daysBetween('1970-01-01', date);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** "2026-09-26T08:33:36.038623Z": Google's create/update times carry microseconds. */
function microTime(ms: number, rng: Rng): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(rng.int(0, 999)).padStart(3, '0')}Z`;
}

function stagesFor(startMs: number, endMs: number, staged: boolean, rng: Rng): Segment[] {
  const out: Segment[] = [];
  const push = (type: StageType, minutes: number) => {
    const from = out.length ? out[out.length - 1]!.endMs : startMs;
    const to = Math.min(endMs, from + Math.max(1, minutes) * MIN);
    if (to <= from) return;
    const last = out[out.length - 1];
    if (last && last.type === type) last.endMs = to;
    else out.push({ startMs: from, endMs: to, type });
  };
  const done = () => out.length > 0 && out[out.length - 1]!.endMs >= endMs;
  push('AWAKE', rng.int(1, 8));
  let cycle = 0;
  while (!done()) {
    if (staged) {
      const late = cycle / 5;
      push('LIGHT', rng.int(15, 35));
      push('DEEP', Math.round(rng.int(10, 35) * (1 - late * 0.7)));
      push('LIGHT', rng.int(8, 20));
      push('REM', Math.round(rng.int(8, 20) * (1 + late)));
      if (rng.chance(0.4)) push('AWAKE', rng.int(1, 5));
    } else {
      push('ASLEEP', rng.int(25, 70));
      push(rng.chance(0.6) ? 'RESTLESS' : 'AWAKE', rng.int(1, 4));
    }
    cycle++;
  }
  return out;
}

function shortAwakeningsFor(stages: Segment[], rng: Rng): Segment[] {
  const asleep = stages.filter((s) => s.type !== 'AWAKE' && s.endMs - s.startMs >= 3 * MIN);
  const out: Segment[] = [];
  for (let i = rng.int(1, 4); i > 0 && asleep.length > 0; i--) {
    const s = asleep[rng.int(0, asleep.length - 1)]!;
    const at = s.startMs + rng.int(1, Math.floor((s.endMs - s.startMs) / MIN) - 2) * MIN;
    out.push({ startMs: at, endMs: at + MIN, type: 'LIGHT' });
  }
  return out.sort((a, b) => b.startMs - a.startMs);
}

export class Dataset {
  readonly today: string;
  readonly firstDay: string;
  readonly timeZone: string;
  readonly nowMs: number;
  readonly #seed: number;
  readonly #raw = new Map<string, SimDay>();
  readonly #final = new Map<string, SimDay>();
  #unprocessedFromMs: number | undefined;

  constructor(opts: DatasetOptions) {
    this.#seed = opts.seed;
    this.timeZone = opts.timeZone;
    this.nowMs = opts.now.getTime();
    this.today = wallClock(this.nowMs, offsetSeconds(opts.timeZone, this.nowMs)).date;
    this.firstDay = addDays(this.today, -(Math.max(1, opts.days) - 1));
  }

  /** The day's data as the API shows it now; undefined outside the history. */
  day(date: string): SimDay | undefined {
    if (daysBetween(this.firstDay, date) < 0 || daysBetween(date, this.today) < 0) return undefined;
    let d = this.#final.get(date);
    if (!d) {
      d = this.#finalize(this.#rawDay(date));
      this.#final.set(date, d);
    }
    return d;
  }

  /** Days in [from, to] clipped to the history, oldest first. */
  days(from: string, to: string): SimDay[] {
    const out: SimDay[] = [];
    const start = daysBetween(this.firstDay, from) < 0 ? this.firstDay : from;
    const end = daysBetween(to, this.today) < 0 ? this.today : to;
    for (let d = start; daysBetween(d, end) >= 0; d = addDays(d, 1)) out.push(this.day(d)!);
    return out;
  }

  #rng(date: string, purpose: string): Rng {
    return mulberry32(hashSeed(this.#seed, date, purpose));
  }

  #worn(date: string): boolean {
    if (daysBetween(date, this.today) <= 1) return true; // keep the last night and today observable
    const e = epochDay(date);
    if ((e + (this.#seed % 97)) % 97 < 4) return false; // the watch left on the charger for 4 days
    return !this.#rng(date, 'wear').chance(0.04);
  }

  /** Everything for the date as if the day were over and every sleep processed. */
  #rawDay(date: string): SimDay {
    const cached = this.#raw.get(date);
    if (cached) return cached;
    const worn = this.#worn(date);
    const day: SimDay = { date, worn, sleeps: [] };
    if (worn) {
      const e = epochDay(date);
      const phase = (hashSeed(this.#seed, 'phase') % 1000) / 1000;
      const weekend = isoWeekday(date) >= 6;

      const r = this.#rng(date, 'activity');
      const season = Math.sin(2 * Math.PI * (e / 365 + phase));
      let steps = 8200 + 1400 * season + r.normal() * 1800;
      if (weekend) steps *= r.chance(0.3) ? 1.8 : 0.75;
      day.steps = Math.max(150, Math.round(steps));
      const workout = r.chance(weekend ? 0.55 : 0.4);
      const fatBurn = workout ? r.int(12, 35) : r.int(0, 10);
      const cardio = 2 * (workout ? r.int(4, 25) : r.int(0, 2));
      const peak = 2 * (workout && r.chance(0.4) ? r.int(1, 6) : 0);
      if (fatBurn + cardio + peak > 0) day.azm = { fatBurn, cardio, peak };

      const main = this.#mainSleep(date, weekend);
      day.sleeps.push(main);
      const n = this.#rng(date, 'nap');
      if (n.chance(0.12)) day.sleeps.push(this.#nap(date, n));

      const h = this.#rng(date, 'heart');
      const shortNight = main.endMs - main.startMs < 6 * 60 * MIN;
      if (!h.chance(0.03)) {
        day.restingHeartRate = Math.round(
          57 + 3 * Math.sin(2 * Math.PI * (e / 180 + phase)) + h.normal() * 1.3 + (shortNight ? 2 : 0),
        );
      }
      const average = clamp(
        42 + 8 * Math.sin(2 * Math.PI * (e / 120 + phase)) + h.normal() * 6 - (shortNight ? 6 : 0),
        12,
        130,
      );
      day.hrv = {
        nonRemBpm: (day.restingHeartRate ?? 57) + h.int(1, 5),
        entropy: Math.round((2.2 + h.next()) * 1000) / 1000,
        deepRmssd: Math.round(average * (1.05 + h.next() * 0.15) * 1000) / 1000,
      };
      // The average is optional in the API: a few days carry only the other measures.
      if (!h.chance(0.03)) day.hrv.average = Math.round(average * 1000) / 1000;
    }
    this.#raw.set(date, day);
    return day;
  }

  #mainSleep(date: string, weekend: boolean): SimSleep {
    const r = this.#rng(date, 'sleep');
    const bed = clamp(Math.round(22 * 60 + 50 + (weekend ? 40 : 0) + r.normal() * 30), 21 * 60, 25 * 60 + 30);
    const bedDate = bed >= 1440 ? date : addDays(date, -1);
    const startMs = zonedInstant(this.timeZone, bedDate, bed % 1440);
    const inBed = r.chance(0.05)
      ? r.int(240, 300)
      : clamp(Math.round(445 + (weekend ? 35 : 0) + r.normal() * 40), 300, 600);
    const endMs = startMs + inBed * MIN;
    // A few nights the watch cannot compute stages: Google then keeps the classic ones.
    const staged = !r.chance(0.03);
    const stages = stagesFor(startMs, endMs, staged, r);
    return this.#sleep(r, startMs, endMs, stages, {
      type: staged ? 'STAGES' : 'CLASSIC',
      main: true,
      nap: false,
      stagesStatus: staged ? 'SUCCEEDED' : 'REJECTED_COVERAGE',
    });
  }

  #nap(date: string, r: Rng): SimSleep {
    const startMs = zonedInstant(this.timeZone, date, r.int(13 * 60, 16 * 60 + 30));
    const endMs = startMs + r.int(20, 80) * MIN;
    return this.#sleep(r, startMs, endMs, stagesFor(startMs, endMs, false, r), {
      type: 'CLASSIC',
      main: false,
      nap: true,
      stagesStatus: 'REJECTED_NAP',
    });
  }

  #sleep(
    r: Rng,
    startMs: number,
    endMs: number,
    stages: Segment[],
    kind: Pick<SimSleep, 'type' | 'main' | 'nap' | 'stagesStatus'>,
  ): SimSleep {
    const createMs = endMs + r.int(4, 15) * MIN + r.int(0, 59_999);
    return {
      id: digits(r, 19),
      startMs,
      endMs,
      startOffset: offsetSeconds(this.timeZone, startMs),
      endOffset: offsetSeconds(this.timeZone, endMs),
      ...kind,
      processed: true,
      stages,
      shortAwakenings: kind.type === 'STAGES' ? shortAwakeningsFor(stages, r) : [],
      createTime: microTime(createMs, r),
      updateTime: microTime(createMs + r.int(1000, 9000), r),
    };
  }

  /** The newest main sleep that has ended, and every sleep after it, are still being processed. */
  #unprocessedFrom(): number {
    if (this.#unprocessedFromMs === undefined) {
      const mainEnd = (date: string) => this.#rawDay(date).sleeps.find((s) => s.main)?.endMs;
      const today = mainEnd(this.today);
      this.#unprocessedFromMs =
        today !== undefined && today <= this.nowMs ? today : (mainEnd(addDays(this.today, -1)) ?? this.nowMs);
    }
    return this.#unprocessedFromMs;
  }

  #finalize(raw: SimDay): SimDay {
    const from = this.#unprocessedFrom();
    const sleeps = raw.sleeps
      .filter((s) => s.endMs <= this.nowMs)
      .map((s) => {
        if (s.endMs < from) return s;
        // Before processing Google has only the classic stages and no staging verdict yet.
        const stages =
          s.type === 'STAGES' ? stagesFor(s.startMs, s.endMs, false, this.#rng(raw.date, 'raw')) : s.stages;
        return {
          ...s,
          processed: false,
          type: 'CLASSIC' as const,
          stagesStatus: 'STAGES_STATE_UNSPECIFIED',
          stages,
          shortAwakenings: [],
        };
      });
    const day: SimDay = { ...raw, sleeps };
    if (raw.date === this.today) {
      // Today is still running: counts so far, and no resting heart rate until the day is over.
      const { minutes } = wallClock(this.nowMs, offsetSeconds(this.timeZone, this.nowMs));
      const part = minutes / 1440;
      const steps = raw.steps === undefined ? 0 : Math.floor(raw.steps * part);
      day.steps = steps > 0 ? steps : undefined;
      const azm = raw.azm && {
        fatBurn: Math.floor(raw.azm.fatBurn * part),
        cardio: 2 * Math.floor((raw.azm.cardio / 2) * part),
        peak: 2 * Math.floor((raw.azm.peak / 2) * part),
      };
      day.azm = azm && azm.fatBurn + azm.cardio + azm.peak > 0 ? azm : undefined;
      day.restingHeartRate = undefined;
    }
    if (!sleeps.some((s) => s.main)) day.hrv = undefined; // HRV is measured during the main sleep
    return day;
  }
}
