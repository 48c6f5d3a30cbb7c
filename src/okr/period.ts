/**
 * Objective periods and the week/month buckets inside them.
 *
 * A period is written as a year (`2026`), a half (`2026-H1`), a quarter (`2026-Q4`), a month
 * (`2026-11`) or explicit inclusive dates (`2026-11-01..2026-12-15`). Quarters and halves are
 * calendar ones (Q4 = October to December).
 */
import { addDays, daysBetween, fromYmd, isCivilDate, isoWeekday, toYmd } from '../dates.js';
import { UsageError } from '../errors.js';
import { addCalendarMonths, addCalendarYears, daysInMonth } from '../metrics/ranges.js';
import type { Bucket, Period } from './types.js';

/** Years outside this are typos (`0226`, `20266`), not plans. */
export const MIN_PERIOD_YEAR = 1900;
export const MAX_PERIOD_YEAR = 2999;
export const MAX_PERIOD_YEARS = 20;

const PERIOD_HINT = 'Use a quarter, month, year or date range: 2026-Q4, 2026-11, 2026, 2026-11-01..2026-12-15';

export function parsePeriod(input: string): Period {
  const s = input.trim().toUpperCase();
  let m = /^(\d{4})$/.exec(s);
  if (m) {
    const y = checkYear(m[1]!, input);
    return { label: s, from: fromYmd(y, 1, 1), to: fromYmd(y, 12, 31) };
  }
  m = /^(\d{4})-?Q([1-4])$/.exec(s);
  if (m) {
    const y = checkYear(m[1]!, input);
    const q = Number(m[2]);
    return monthsPeriod(`${y}-Q${q}`, y, (q - 1) * 3 + 1, 3);
  }
  m = /^(\d{4})-?H([12])$/.exec(s);
  if (m) {
    const y = checkYear(m[1]!, input);
    const h = Number(m[2]);
    return monthsPeriod(`${y}-H${h}`, y, (h - 1) * 6 + 1, 6);
  }
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) {
    const y = checkYear(m[1]!, input);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw new UsageError(`Not a month: ${JSON.stringify(input)}`, PERIOD_HINT);
    return monthsPeriod(`${m[1]}-${m[2]}`, y, mo, 1);
  }
  m = /^(\S+?)\s*\.\.\s*(\S+)$/.exec(s);
  if (m) {
    const [from, to] = [m[1]!, m[2]!];
    for (const d of [from, to]) {
      if (!isCivilDate(d))
        throw new UsageError(`Not a date: ${JSON.stringify(d)} in period ${JSON.stringify(input)}`, PERIOD_HINT);
      checkYear(d.slice(0, 4), input);
    }
    if (daysBetween(from, to) < 0) {
      throw new UsageError(
        `The period ${JSON.stringify(input)} ends before it starts`,
        `Put the earlier date first: ${to}..${from}`,
      );
    }
    if (from < addCalendarYears(to, -MAX_PERIOD_YEARS)) {
      throw new UsageError(`The period ${JSON.stringify(input)} is longer than ${MAX_PERIOD_YEARS} years`, PERIOD_HINT);
    }
    return { label: `${from}..${to}`, from, to };
  }
  throw new UsageError(`Not a period: ${JSON.stringify(input)}`, PERIOD_HINT);
}

/** The calendar quarter, month or year that contains `date` (defaults for `okr objective add`). */
export function periodContaining(kind: 'year' | 'quarter' | 'month', date: string): Period {
  const { year, month } = toYmd(date);
  if (kind === 'year') return parsePeriod(String(year));
  if (kind === 'quarter') return parsePeriod(`${year}-Q${Math.floor((month - 1) / 3) + 1}`);
  return parsePeriod(`${year}-${String(month).padStart(2, '0')}`);
}

export function periodDays(period: Period): number {
  return daysBetween(period.from, period.to) + 1;
}

export interface PeriodBucket {
  /** Clipped to the period. */
  from: string;
  to: string;
  /** Length of the whole calendar week or month, before clipping. */
  fullDays: number;
}

/**
 * The ISO weeks (Monday to Sunday) or calendar months that overlap the period, clipped to it.
 * A quarter starting on a Thursday begins with a 4-day week.
 */
export function periodBuckets(period: Period, per: Bucket): PeriodBucket[] {
  const out: PeriodBucket[] = [];
  let start = per === 'week' ? addDays(period.from, 1 - isoWeekday(period.from)) : `${period.from.slice(0, 8)}01`;
  while (start <= period.to) {
    const { year, month } = toYmd(start);
    const fullDays = per === 'week' ? 7 : daysInMonth(year, month);
    const next = per === 'week' ? addDays(start, 7) : addCalendarMonths(start, 1);
    const end = addDays(next, -1);
    out.push({ from: laterDate(start, period.from), to: earlierDate(end, period.to), fullDays });
    start = next;
  }
  return out;
}

// Civil dates compare as strings; named helpers keep that readable (and out of Math.min's way).
function laterDate(a: string, b: string): string {
  return a > b ? a : b;
}

function earlierDate(a: string, b: string): string {
  return a < b ? a : b;
}

function monthsPeriod(label: string, year: number, firstMonth: number, months: number): Period {
  const lastMonth = firstMonth + months - 1;
  return { label, from: fromYmd(year, firstMonth, 1), to: fromYmd(year, lastMonth, daysInMonth(year, lastMonth)) };
}

function checkYear(digits: string, input: string): number {
  const y = Number(digits);
  if (y < MIN_PERIOD_YEAR || y > MAX_PERIOD_YEAR) {
    throw new UsageError(
      `Year out of range in period ${JSON.stringify(input)}`,
      `Use a year from ${MIN_PERIOD_YEAR} to ${MAX_PERIOD_YEAR}, e.g. 2026-Q4`,
    );
  }
  return y;
}
