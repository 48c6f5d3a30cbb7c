/**
 * From per-field date series to the records `fetchData` returns: shared by every plugin, so the
 * range rule ("only the asked dates, a missing value is no key") lives in one place.
 */
import { daysBetween } from '../dates.js';
import type { FieldValue, ImportedDataRecord } from './types.js';

/** Field id → (date → value). */
export type FieldSeries = Map<string, Map<string, number>>;

/** Sets `series[field][day]` when the value exists (and is finite); a later one for the day wins. */
export function putValue(series: FieldSeries, field: string, day: string, value: number | undefined): void {
  if (value === undefined || !Number.isFinite(value)) return;
  let values = series.get(field);
  if (!values) {
    values = new Map();
    series.set(field, values);
  }
  values.set(day, value);
}

/** Providers send durations in seconds; okr stores durations in whole minutes. */
export function secondsToMinutes(seconds: number): number {
  return Math.round(seconds / 60);
}

function inRange(date: string, from: string, to: string): boolean {
  return daysBetween(from, date) >= 0 && daysBetween(date, to) >= 0;
}

/**
 * One record per date that has at least one requested value, oldest first. Dates outside
 * [from, to] are dropped: a provider page can carry a neighbour (an end date read inclusively, a
 * sleep keyed by its wake-up day), and the contract promises only the asked range. Non-finite
 * values are dropped too: no NaN ever reaches the database.
 */
export function toRecords(series: FieldSeries, fields: string[], from: string, to: string): ImportedDataRecord[] {
  const wanted = new Set(fields);
  const byDate = new Map<string, Record<string, FieldValue>>();
  for (const [field, values] of series) {
    if (!wanted.has(field)) continue;
    for (const [date, value] of values) {
      if (!inRange(date, from, to) || !Number.isFinite(value)) continue;
      const rec = byDate.get(date) ?? {};
      rec[field] = value;
      byDate.set(date, rec);
    }
  }
  return [...byDate.keys()].sort().map((date) => ({ date, fields: byDate.get(date)! }));
}

/** Keeps only the dates inside [from, to], once each, sorted. */
export function datesInRange(dates: Iterable<string>, from: string, to: string): string[] {
  return [...new Set(dates)].filter((d) => inRange(d, from, to)).sort();
}
