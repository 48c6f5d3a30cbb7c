/**
 * Date ranges from `--since` / `--from` / `--to`, as inclusive civil ranges (`YYYY-MM-DD`).
 *
 * Rules (the README documents them for users):
 * - `--since Nd|Nw|Nm|Ny` is the N days (weeks, months, years) ending today, today included:
 *   `--since 7d` on 2026-11-10 is 2026-11-04..2026-11-10, seven days. Every command means the same
 *   by it (`metrics show`, `sync`, their defaults), so "the last 7 days" has seven rows.
 *   Months and years are calendar months and years: `--since 1m` on 2026-11-10 starts the day
 *   after 2026-10-10. A day that does not exist in the target month is clamped to the month's
 *   last day first (2026-03-31 minus 1m is 2026-02-28, so `--since 1m` starts 2026-03-01).
 * - `--since YYYY-MM-DD` is the same as `--from YYYY-MM-DD`.
 * - `--from` alone runs to today; `--to` alone ends a window of the default length there.
 * - Nothing given: the `defaultDays` days ending today.
 * - Refused: `--since` with `--from`; a count of zero or less; a date that is not a real date; a
 *   `--from` or `--to` after today (there is no data from the future); `--from` after `--to`;
 *   a range longer than 20 years (`MAX_RANGE_YEARS`).
 */
import { addDays, daysBetween, fromYmd, isCivilDate, lastDays, toYmd } from '../dates.js';
import { UsageError } from '../errors.js';

export interface CivilRange {
  from: string;
  to: string;
}

export interface RangeOptions {
  since?: string;
  from?: string;
  to?: string;
}

export const MAX_RANGE_YEARS = 20;

const SINCE_RE = /^(\d{1,6}) *([dwmy])$/; // `7d` or `7 d`; not a tab or a line break between
const SINCE_HINT = 'Use a count of days, weeks, months or years, or a date: --since 14d, --since 2026-01-01';

export function resolveRange(opts: RangeOptions, today: string, defaultDays: number): CivilRange {
  if (!isCivilDate(today)) throw new Error(`resolveRange: today is not a YYYY-MM-DD date: ${today}`);
  if (!Number.isInteger(defaultDays) || defaultDays < 1) {
    throw new Error(`resolveRange: defaultDays must be a whole number >= 1, got ${defaultDays}`);
  }
  const { since, from: fromOpt, to: toOpt } = opts;
  if (since !== undefined && fromOpt !== undefined) {
    throw new UsageError(
      '--since and --from both set the start of the range',
      'Use one of them: --since 14d, or --from 2026-01-01 --to 2026-01-31',
    );
  }
  const to = toOpt === undefined ? today : parseRangeDate(toOpt, '--to', today);
  let from: string;
  if (since !== undefined) from = parseSince(since, today);
  else if (fromOpt !== undefined) from = parseRangeDate(fromOpt, '--from', today);
  else from = lastDays(to, defaultDays);

  if (daysBetween(from, to) < 0) {
    throw new UsageError(
      `The range starts after it ends: ${from} is after ${to}`,
      `Put the earlier date first: --from ${to} --to ${from}`,
    );
  }
  if (from < addCalendarYears(to, -MAX_RANGE_YEARS)) {
    throw new UsageError(
      `The range ${from}..${to} is longer than ${MAX_RANGE_YEARS} years`,
      'Ask for a shorter range, e.g. --since 5y',
    );
  }
  return { from, to };
}

/** The first day of a `--since` value (`14d`, `2w`, `3m`, `1y` or a date): the span ends today. */
export function parseSince(since: string, today: string): string {
  const s = since.trim().toLowerCase();
  if (isCivilDate(s)) return parseRangeDate(s, '--since', today);
  const m = SINCE_RE.exec(s);
  if (!m) throw new UsageError(`Not a --since value: ${JSON.stringify(since)}`, SINCE_HINT);
  const n = Number(m[1]);
  if (n <= 0) throw new UsageError(`--since needs a count above zero, got ${JSON.stringify(since)}`, SINCE_HINT);
  const unit = m[2] as 'd' | 'w' | 'm' | 'y';
  // Bound the count before doing arithmetic with it; the range check then says it is too long.
  const maxCount = { d: 366, w: 53, m: 12, y: 1 }[unit] * (MAX_RANGE_YEARS + 1);
  if (n > maxCount) {
    throw new UsageError(
      `--since ${JSON.stringify(since)} goes back more than ${MAX_RANGE_YEARS} years`,
      'Ask for a shorter range, e.g. --since 5y',
    );
  }
  switch (unit) {
    case 'd':
      return lastDays(today, n);
    case 'w':
      return lastDays(today, 7 * n);
    case 'm':
      return addDays(addCalendarMonths(today, -n), 1);
    case 'y':
      return addDays(addCalendarYears(today, -n), 1);
  }
}

function parseRangeDate(s: string, flag: string, today: string): string {
  const d = s.trim();
  if (!isCivilDate(d)) {
    throw new UsageError(
      `${flag} needs a date as YYYY-MM-DD, got ${JSON.stringify(s)}`,
      `For example ${flag} ${today}`,
    );
  }
  if (d > today) {
    throw new UsageError(
      `${flag} ${d} is in the future (today is ${today})`,
      `Use today or an earlier date, e.g. ${flag} ${today}`,
    );
  }
  return d;
}

/** Moves by whole calendar months, clamping the day to the target month's length. */
export function addCalendarMonths(date: string, months: number): string {
  const { year, month, day } = toYmd(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const mo = index - y * 12 + 1;
  return fromYmd(y, mo, Math.min(day, daysInMonth(y, mo)));
}

export function addCalendarYears(date: string, years: number): string {
  return addCalendarMonths(date, 12 * years);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
