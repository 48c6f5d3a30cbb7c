/**
 * Time-zone arithmetic for the simulator's user, through Intl only (no tz database of our own).
 * Google reports each instant with the UTC offset in force then, so a DST night has a start offset
 * and an end offset that differ.
 */

import { zoneOffsetSeconds } from '../dates.js';

/** Seconds east of UTC in `timeZone` at the instant. */
export const offsetSeconds = zoneOffsetSeconds;

/** The instant at which the wall clock in `timeZone` reads `date` + `minutes` after midnight. */
export function zonedInstant(timeZone: string, date: string, minutes: number): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  // Two passes settle the offset except inside a spring-forward gap, where the later offset wins.
  let guess = wall - offsetSeconds(timeZone, wall) * 1000;
  guess = wall - offsetSeconds(timeZone, guess) * 1000;
  return guess;
}

/** The local date and minutes after midnight of an instant with a known offset. */
export function wallClock(instantMs: number, offset: number): { date: string; minutes: number; iso: string } {
  const local = new Date(instantMs + offset * 1000);
  const iso = local.toISOString();
  return { date: iso.slice(0, 10), minutes: local.getUTCHours() * 60 + local.getUTCMinutes(), iso: iso.slice(0, 19) };
}
