import { describe, expect, it } from 'vitest';
import { nextCronRun, parseCron } from '../../src/schedule/cron-expr.js';
import {
  calendarFor,
  cronFields,
  describeCalendar,
  formatEvery,
  launchdIntervals,
  nextRun,
  onCalendar,
  parseEvery,
  parseOnCalendar,
} from '../../src/schedule/interval.js';

// Local times: the schedulers read the local clock, and so do these helpers.
const at = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => new Date(y, mo - 1, d, h, mi, s);

describe('--every', () => {
  it('reads the usual spellings', () => {
    expect(parseEvery('1h')).toBe(60);
    expect(parseEvery('30m')).toBe(30);
    expect(parseEvery('15min')).toBe(15);
    expect(parseEvery('2 hours')).toBe(120);
    expect(parseEvery('1d')).toBe(1440);
    expect(parseEvery('24h')).toBe(1440);
    expect(parseEvery('hourly')).toBe(60);
    expect(parseEvery('daily')).toBe(1440);
  });

  it('refuses what cron cannot express in one line, saying what is accepted', () => {
    for (const bad of ['45m', '7h', '90m', '2d', '1m', '0h', 'soon', '']) {
      expect(() => parseEvery(bad), bad).toThrow(/--every/);
    }
    let hint: string | undefined;
    try {
      parseEvery('7h');
    } catch (err) {
      hint = (err as { hint?: string }).hint;
    }
    expect(hint).toBe('Pick one of 5m, 6m, 10m, 12m, 15m, 20m, 30m, 1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d.');
  });

  it('formats back', () => {
    expect([15, 60, 360, 1440].map(formatEvery)).toEqual(['15m', '1h', '6h', '1d']);
  });
});

describe('calendar anchored at the install time', () => {
  it('hourly at the install minute', () => {
    const cal = calendarFor(60, at(2026, 3, 10, 14, 23, 41));
    expect(cal).toEqual({ minutes: [23], hours: null });
    expect(cronFields(cal)).toBe('23 * * * *');
    expect(onCalendar(cal)).toBe('*-*-* *:23:00');
    expect(launchdIntervals(cal)).toEqual([{ Minute: 23 }]);
    expect(describeCalendar(cal)).toBe('at minute 23 of every hour');
    expect(nextRun(cal, at(2026, 3, 10, 14, 23, 41))).toEqual(at(2026, 3, 10, 15, 23));
  });

  it('every 15 minutes', () => {
    const cal = calendarFor(15, at(2026, 3, 10, 14, 23));
    expect(cal).toEqual({ minutes: [8, 23, 38, 53], hours: null });
    expect(cronFields(cal)).toBe('8,23,38,53 * * * *');
    expect(onCalendar(cal)).toBe('*-*-* *:08,23,38,53:00');
    expect(nextRun(cal, at(2026, 3, 10, 14, 23))).toEqual(at(2026, 3, 10, 14, 38));
    expect(nextRun(cal, at(2026, 3, 10, 14, 55))).toEqual(at(2026, 3, 10, 15, 8));
  });

  it('every 6 hours', () => {
    const cal = calendarFor(360, at(2026, 3, 10, 14, 23));
    expect(cal).toEqual({ minutes: [23], hours: [2, 8, 14, 20] });
    expect(cronFields(cal)).toBe('23 2,8,14,20 * * *');
    expect(onCalendar(cal)).toBe('*-*-* 02,08,14,20:23:00');
    expect(launchdIntervals(cal)).toEqual([
      { Hour: 2, Minute: 23 },
      { Hour: 8, Minute: 23 },
      { Hour: 14, Minute: 23 },
      { Hour: 20, Minute: 23 },
    ]);
    expect(describeCalendar(cal)).toBe('at 02:23, 08:23, 14:23, 20:23');
    expect(nextRun(cal, at(2026, 3, 10, 21, 0))).toEqual(at(2026, 3, 11, 2, 23));
  });

  it('daily', () => {
    const cal = calendarFor(1440, at(2026, 3, 10, 14, 23));
    expect(cronFields(cal)).toBe('23 14 * * *');
    expect(nextRun(cal, at(2026, 3, 10, 14, 23))).toEqual(at(2026, 3, 11, 14, 23));
  });

  it('reads its own OnCalendar back, and nothing else', () => {
    expect(parseOnCalendar('*-*-* 02,08,14,20:23:00')).toEqual({ hours: [2, 8, 14, 20], minutes: [23] });
    expect(parseOnCalendar('*-*-* *:08,23:00')).toEqual({ hours: null, minutes: [8, 23] });
    expect(parseOnCalendar('hourly')).toBeUndefined();
  });
});

describe('cron expressions', () => {
  it('parses the five fields as cron does', () => {
    const s = parseCron('8,23 */6 1-3 jan,feb mon-fri');
    expect([...s.minute]).toEqual([8, 23]);
    expect([...s.hour]).toEqual([0, 6, 12, 18]);
    expect([...s.dayOfMonth]).toEqual([1, 2, 3]);
    expect([...s.month]).toEqual([1, 2]);
    expect([...s.dayOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('0 0 * * 7').dayOfWeek]).toEqual([0]);
  });

  it('rejects malformed lines', () => {
    for (const bad of [
      '* * * *',
      '60 * * * *',
      '* 24 * * *',
      '5-1 * * * *',
      '*/0 * * * *',
      'x * * * *',
      '* * 0 * *',
      '1,,2 * * * *',
    ]) {
      expect(() => parseCron(bad), bad).toThrow();
    }
  });

  it('computes the next run', () => {
    expect(nextCronRun(parseCron('23 * * * *'), at(2026, 3, 10, 14, 23, 30))).toEqual(at(2026, 3, 10, 15, 23));
    expect(nextCronRun(parseCron('23 * * * *'), at(2026, 3, 10, 14, 22, 59))).toEqual(at(2026, 3, 10, 14, 23));
    expect(nextCronRun(parseCron('23 2,8,14,20 * * *'), at(2026, 3, 10, 20, 30))).toEqual(at(2026, 3, 11, 2, 23));
    // 2026-03-10 is a Tuesday: the next Monday 09:00 is the 16th.
    expect(nextCronRun(parseCron('0 9 * * 1'), at(2026, 3, 10, 12, 0))).toEqual(at(2026, 3, 16, 9, 0));
    // Both day fields restricted: either matches (the 15th, or a Monday).
    expect(nextCronRun(parseCron('0 9 15 * 1'), at(2026, 3, 10, 12, 0))).toEqual(at(2026, 3, 15, 9, 0));
    expect(nextCronRun(parseCron('0 0 31 2 *'), at(2026, 3, 10, 12, 0))).toBeUndefined();
  });
});
