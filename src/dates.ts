/**
 * Civil (calendar) dates as `YYYY-MM-DD` strings. All arithmetic goes through UTC midnight so that
 * DST changes in the user's zone never shift a date.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isCivilDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function fromYmd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function toYmd(date: string): { year: number; month: number; day: number } {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

function toEpochDay(date: string): number {
  const { year, month, day } = toYmd(date);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function fromEpochDay(n: number): string {
  const t = new Date(n * DAY_MS);
  return fromYmd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function addDays(date: string, days: number): string {
  return fromEpochDay(toEpochDay(date) + days);
}

/**
 * The first of the `days` days that end on `to`, `to` included: "the last 7 days" on 2026-11-10
 * start on 2026-11-04. Every range okr computes from a count of days means this.
 */
export function lastDays(to: string, days: number): string {
  return addDays(to, -(days - 1));
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** Every date from `from` to `to`, both inclusive. */
export function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = toEpochDay(from), end = toEpochDay(to); n <= end; n++) out.push(fromEpochDay(n));
  return out;
}

/** The local calendar date of an instant, in the process's zone (or `timeZone` when given). */
export function localDate(instant: Date, timeZone?: string): string {
  if (!timeZone) return fromYmd(instant.getFullYear(), instant.getMonth() + 1, instant.getDate());
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
  return parts;
}

/** Splits an inclusive range into consecutive inclusive chunks of at most `maxDays` days. */
export function chunkRange(from: string, to: string, maxDays: number): Array<{ from: string; to: string }> {
  const chunks: Array<{ from: string; to: string }> = [];
  for (let start = from; daysBetween(start, to) >= 0; start = addDays(start, maxDays)) {
    const end = addDays(start, maxDays - 1);
    chunks.push({ from: start, to: daysBetween(end, to) < 0 ? to : end });
  }
  return chunks;
}

/** ISO weekday, Monday = 1 … Sunday = 7. */
export function isoWeekday(date: string): number {
  const d = new Date(toEpochDay(date) * DAY_MS).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Whether `tz` names an IANA time zone this Node knows. */
export function isTimeZone(tz: string | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Seconds east of UTC in the IANA `timeZone` at an instant, through Intl (no tz database of our
 * own): the zone's wall clock read back as if it were UTC, minus the instant.
 */
export function zoneOffsetSeconds(timeZone: string, instantMs: number): number {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((wall - Math.floor(instantMs / 1000) * 1000) / 1000);
}

/**
 * The wall clock (local date and minutes after midnight) of an instant: with a fixed UTC offset in
 * seconds east of UTC (what a provider reported for that instant), else in an IANA time zone.
 */
export function localClock(
  instantMs: number,
  zone: { offsetSeconds?: number; timeZone?: string },
): { date: string; minutes: number } {
  // Shift the instant by the offset and read it back in UTC: that is the wall clock the user saw.
  const offset = zone.offsetSeconds ?? (zone.timeZone ? zoneOffsetSeconds(zone.timeZone, instantMs) : 0);
  const local = new Date(instantMs + offset * 1000);
  return { date: local.toISOString().slice(0, 10), minutes: local.getUTCHours() * 60 + local.getUTCMinutes() };
}
