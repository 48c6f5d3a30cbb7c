/**
 * Daily aggregates built while an export is read. Memory grows with the number of days (and of
 * devices per day), never with the number of samples: a ten-year export is ~3,650 days whatever
 * its size.
 *
 * Each file is read into its own accumulators, merged into the import's only when the whole file
 * was read: a damaged file adds nothing, not half of its days.
 */
import type { FieldValue, ImportedDataRecord } from '../plugins/types.js';

/**
 * Cumulative values (steps, energy) from several origins that record the same thing: a watch and
 * a phone, or the same steps in two layouts of one export. Adding them would count a step twice,
 * so each origin is summed on its own and the day's value is the largest origin total (the rule
 * Google's own dashboards and the Health app apply per day, simplified to whole days).
 */
export class OriginSums {
  readonly #days = new Map<string, Map<string, number>>();

  add(date: string, origin: string, value: number): void {
    let origins = this.#days.get(date);
    if (!origins) {
      origins = new Map();
      this.#days.set(date, origins);
    }
    origins.set(origin, (origins.get(origin) ?? 0) + value);
  }

  merge(other: OriginSums): void {
    for (const [date, origins] of other.#days) for (const [o, v] of origins) this.add(date, o, v);
  }

  /** Date → the largest origin total. */
  totals(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [date, origins] of this.#days) out.set(date, Math.max(...origins.values()));
    return out;
  }

  get size(): number {
    return this.#days.size;
  }
}

/** One value per day, chosen by rank: a higher rank wins, and on a tie the later rank key. */
export class DailyPick {
  readonly #days = new Map<string, { value: number; rank: number; key: number }>();

  /** `rank` orders sources (e.g. the newer layout over the older); `key` orders within one (e.g. time). */
  offer(date: string, value: number, rank = 0, key = 0): void {
    const cur = this.#days.get(date);
    if (!cur || rank > cur.rank || (rank === cur.rank && key >= cur.key)) this.#days.set(date, { value, rank, key });
  }

  merge(other: DailyPick): void {
    for (const [date, v] of other.#days) this.offer(date, v.value, v.rank, v.key);
  }

  values(): Map<string, number> {
    return new Map([...this.#days].map(([d, v]) => [d, v.value]));
  }
}

/** The mean of a day's values (resting heart rate and HRV measured more than once a day). */
export class DailyMean {
  readonly #days = new Map<string, { sum: number; n: number }>();

  add(date: string, value: number): void {
    const cur = this.#days.get(date);
    if (cur) {
      cur.sum += value;
      cur.n++;
    } else this.#days.set(date, { sum: value, n: 1 });
  }

  merge(other: DailyMean): void {
    for (const [date, v] of other.#days) {
      const cur = this.#days.get(date);
      if (cur) {
        cur.sum += v.sum;
        cur.n += v.n;
      } else this.#days.set(date, { ...v });
    }
  }

  values(): Map<string, number> {
    return new Map([...this.#days].map(([d, v]) => [d, v.sum / v.n]));
  }
}

/**
 * Rounds to `decimals` places, with no -0. A value too large to scale (1e308 × 100 is Infinity)
 * is returned as it is, so that the import's plausibility check names it instead of the rounding
 * turning it into a non-number.
 */
export function round(value: number, decimals = 0): number {
  const f = 10 ** decimals;
  if (!Number.isFinite(value * f)) return value;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r;
}

/**
 * Field id → (date → value), as importers collect them, into one record per date, oldest first.
 * Every value is kept, a non-finite sum too: the import (src/import/run.ts) refuses what cannot be
 * real and counts it as not read, so nothing is dropped here unseen.
 */
export function toDailyRecords(series: Record<string, Map<string, FieldValue>>): ImportedDataRecord[] {
  const byDate = new Map<string, Record<string, FieldValue>>();
  for (const [field, values] of Object.entries(series)) {
    for (const [date, value] of values) {
      let rec = byDate.get(date);
      if (!rec) {
        rec = {};
        byDate.set(date, rec);
      }
      rec[field] = value;
    }
  }
  return [...byDate.keys()].sort().map((date) => ({ date, fields: byDate.get(date)! }));
}
