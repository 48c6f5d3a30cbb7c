/**
 * The schedule's times, shared by the three backends. `--every` accepts intervals that divide an
 * hour or a day evenly (5m … 30m, 1h … 12h, 24h), because those are the ones cron can express in
 * one line; systemd and launchd then get exactly the same wall-clock times, so `status` says the
 * same thing whatever the backend.
 *
 * The times are anchored at the install minute (installed at 14:23 with `--every 1h` runs at :23
 * every hour) instead of :00, which spreads many users' syncs over the hour and keeps clear of the
 * provider's top-of-the-hour rush.
 */
import { UsageError } from '../errors.js';

/** Wall-clock times: these minutes of these hours (null: every hour), every day. */
export interface Calendar {
  minutes: number[];
  hours: number[] | null;
}

export const ALLOWED_MINUTES = [5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440] as const;

/** `--every` text → minutes. Accepts `15m`, `15min`, `1h`, `2 hours`, `1d`, `hourly`, `daily`. */
export function parseEvery(text: string): number {
  const t = text.trim().toLowerCase();
  let minutes: number | undefined;
  if (t === 'hourly') minutes = 60;
  else if (t === 'daily') minutes = 1440;
  else {
    const m = /^(\d{1,4})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$/.exec(t);
    if (m) {
      const n = Number(m[1]);
      const unit = m[2]![0];
      minutes = unit === 'm' ? n : unit === 'h' ? n * 60 : n * 1440;
    }
  }
  if (minutes === undefined) {
    throw new UsageError(
      `--every "${text}" is not an interval.`,
      'Examples: --every 1h, --every 30m, --every 6h, --every 1d.',
    );
  }
  if (!(ALLOWED_MINUTES as readonly number[]).includes(minutes)) {
    throw new UsageError(
      `--every ${text} is not supported: the interval must divide an hour or a day evenly, from 5 minutes to 1 day.`,
      `Pick one of ${ALLOWED_MINUTES.map(formatEvery).join(', ')}.`,
    );
  }
  return minutes;
}

export function formatEvery(minutes: number): string {
  if (minutes === 1440) return '1d';
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** The times for an interval, anchored at `now` (local time, as the schedulers use). */
export function calendarFor(everyMinutes: number, now: Date): Calendar {
  if (everyMinutes < 60) {
    const first = now.getMinutes() % everyMinutes;
    const minutes: number[] = [];
    for (let m = first; m < 60; m += everyMinutes) minutes.push(m);
    return { minutes, hours: null };
  }
  const stepHours = everyMinutes / 60;
  if (stepHours === 1) return { minutes: [now.getMinutes()], hours: null };
  const hours: number[] = [];
  for (let h = now.getHours() % stepHours; h < 24; h += stepHours) hours.push(h);
  return { minutes: [now.getMinutes()], hours };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Human form: `at minute 23 of every hour`, `at 02:23, 08:23, 14:23, 20:23`. */
export function describeCalendar(cal: Calendar): string {
  if (!cal.hours) {
    return cal.minutes.length === 1
      ? `at minute ${cal.minutes[0]} of every hour`
      : `at minutes ${cal.minutes.join(', ')} of every hour`;
  }
  return `at ${cal.hours.flatMap((h) => cal.minutes.map((m) => `${pad2(h)}:${pad2(m)}`)).join(', ')}`;
}

/** The five cron fields. */
export function cronFields(cal: Calendar): string {
  return `${cal.minutes.join(',')} ${cal.hours ? cal.hours.join(',') : '*'} * * *`;
}

/** systemd's OnCalendar= form: `*-*-* *:23:00`, `*-*-* 02,08,14,20:23:00`. */
export function onCalendar(cal: Calendar): string {
  return `*-*-* ${cal.hours ? cal.hours.map(pad2).join(',') : '*'}:${cal.minutes.map(pad2).join(',')}:00`;
}

/** Reads back an OnCalendar= value written by `onCalendar`; undefined for anything else. */
export function parseOnCalendar(text: string): Calendar | undefined {
  const m = /^\*-\*-\* (\*|\d{1,2}(?:,\d{1,2})*):(\d{1,2}(?:,\d{1,2})*):00$/.exec(text.trim());
  if (!m) return undefined;
  const list = (s: string) => s.split(',').map(Number);
  return { hours: m[1] === '*' ? null : list(m[1]!), minutes: list(m[2]!) };
}

/** launchd's StartCalendarInterval entries. */
export function launchdIntervals(cal: Calendar): Array<{ Hour?: number; Minute: number }> {
  if (!cal.hours) return cal.minutes.map((Minute) => ({ Minute }));
  return cal.hours.flatMap((Hour) => cal.minutes.map((Minute) => ({ Hour, Minute })));
}

/** The first time strictly after `from` that the calendar fires (local time, whole minutes). */
export function nextRun(cal: Calendar, from: Date): Date {
  const t = new Date(from.getTime());
  t.setSeconds(0, 0);
  // At most one day of minutes to scan; cheap, and exact across DST changes.
  for (let i = 0; i < 1441 * 2; i++) {
    t.setMinutes(t.getMinutes() + 1);
    if (cal.minutes.includes(t.getMinutes()) && (!cal.hours || cal.hours.includes(t.getHours()))) return t;
  }
  throw new Error('calendar never fires');
}
