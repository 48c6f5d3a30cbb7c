/**
 * The series a report charts: resolution by range length, buckets with data only, averages as
 * `summarize` computes them, quartile bands, clock times across midnight, week and month windows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, eachDate } from '../../src/dates.js';
import type { FieldValue } from '../../src/plugins/types.js';
import {
  clockFrame,
  DAILY_MAX_DAYS,
  quantile,
  resolutionFor,
  seriesPoints,
  WEEKLY_MAX_DAYS,
  windowAverages,
} from '../../src/report/series.js';

const span = (from: string, days: number) => ({ from, to: addDays(from, days - 1) });
const values = (entries: Array<[string, FieldValue]>) => new Map(entries);

describe('resolution', () => {
  it('is days up to 400 days, weeks up to 2,800, months beyond', () => {
    expect(resolutionFor(span('2020-01-01', DAILY_MAX_DAYS))).toBe('day');
    expect(resolutionFor(span('2020-01-01', DAILY_MAX_DAYS + 1))).toBe('week');
    expect(resolutionFor(span('2020-01-01', WEEKLY_MAX_DAYS))).toBe('week');
    expect(resolutionFor(span('2020-01-01', WEEKLY_MAX_DAYS + 1))).toBe('month');
  });
});

describe('seriesPoints', () => {
  it('daily: one point per day with data, gaps left out, values as stored', () => {
    const range = span('2026-11-01', 10);
    const v = values([
      ['2026-11-01', 100],
      ['2026-11-04', 250],
      ['2026-11-10', 7],
      ['2026-10-31', 999], // before the range
    ]);
    const pts = seriesPoints('number', v, range, 'day');
    expect(pts.map((p) => [p.from, p.value, p.days])).toEqual([
      ['2026-11-01', 100, 1],
      ['2026-11-04', 250, 1],
      ['2026-11-10', 7, 1],
    ]);
    expect(pts.every((p) => p.low === undefined)).toBe(true);
  });

  it('weekly: ISO weeks clipped to the range, the mean and the quartiles of their days', () => {
    // 2026-11-05 is a Thursday: the first week is Thu..Sun (4 days), then Mon..Sun.
    const range = { from: '2026-11-05', to: '2026-11-22' };
    const v = values([
      ['2026-11-05', 10],
      ['2026-11-08', 30],
      // week of 2026-11-09: no data
      ['2026-11-16', 1],
      ['2026-11-17', 2],
      ['2026-11-18', 3],
      ['2026-11-19', 4],
      ['2026-11-20', 5],
    ]);
    const pts = seriesPoints('number', v, range, 'week');
    expect(pts.map((p) => [p.from, p.to, p.value, p.days])).toEqual([
      ['2026-11-05', '2026-11-08', 20, 2],
      ['2026-11-16', '2026-11-22', 3, 5],
    ]);
    expect([pts[1]!.low, pts[1]!.high]).toEqual([2, 4]);
  });

  it('ten years by month: one point per month that has data', () => {
    const range = { from: '2016-12-03', to: '2026-12-02' };
    expect(resolutionFor(range)).toBe('month');
    const v = new Map<string, FieldValue>();
    for (const d of eachDate(range.from, range.to)) if (!d.startsWith('2020-03')) v.set(d, 5);
    const pts = seriesPoints('number', v, range, 'month');
    // Dec 2016 .. Dec 2026 is 121 months; March 2020 has no data.
    expect(pts).toHaveLength(120);
    expect(pts[0]).toMatchObject({ from: '2016-12-03', to: '2016-12-31', days: 29 });
    expect(pts.at(-1)).toMatchObject({ from: '2026-12-01', to: '2026-12-02', days: 2 });
  });

  it('clock times: the circular mean, and quartiles that stay in order across midnight', () => {
    const range = span('2026-11-16', 7); // a Monday
    const v = values([
      ['2026-11-16', 23 * 60 + 30],
      ['2026-11-17', 23 * 60 + 30],
      ['2026-11-18', 30],
      ['2026-11-19', 30],
    ]);
    const [p] = seriesPoints('time', v, range, 'week');
    expect(p!.value).toBeCloseTo(0, 6);
    expect(p!.low).toBe(23 * 60 + 30); // 23:30
    expect(p!.high).toBe(30); // 00:30, after it
  });

  it('yes/no: the share of yes days, no band; text: no points', () => {
    const range = span('2026-11-16', 7);
    const v = values([
      ['2026-11-16', 1],
      ['2026-11-17', 0],
      ['2026-11-18', 1],
      ['2026-11-19', 1],
    ]);
    const [p] = seriesPoints('boolean', v, range, 'week');
    expect(p).toEqual({ from: '2026-11-16', to: '2026-11-22', value: 0.75, days: 4 });
    expect(seriesPoints('text', values([['2026-11-16', 'ran']]), range, 'day')).toEqual([]);
  });

  it('property: the points hold every day with data once, and never more points than buckets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2999 }), fc.integer({ min: 0, max: 1000 })), { maxLength: 200 }),
        (days, raw) => {
          const range = span('2018-01-01', days);
          const v = new Map<string, FieldValue>(raw.map(([i, x]) => [addDays(range.from, i), x]));
          const inRange = [...v.keys()].filter((d) => d <= range.to).length;
          const res = resolutionFor(range);
          const pts = seriesPoints('number', v, range, res);
          expect(pts.reduce((n, p) => n + p.days, 0)).toBe(inRange);
          expect(pts.length).toBeLessThanOrEqual(res === 'day' ? days : res === 'week' ? Math.ceil(days / 7) + 1 : 100);
          for (const p of pts) {
            expect(daysBetween(p.from, p.to)).toBeGreaterThanOrEqual(0);
            if (p.low !== undefined) expect(p.low).toBeLessThanOrEqual(p.high!);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('windowAverages', () => {
  it('the week and month so far, the ones before, and the whole range', () => {
    // 2026-11-18 is a Wednesday.
    const range = { from: '2026-10-20', to: '2026-11-18' };
    const v = new Map<string, FieldValue>();
    for (const d of eachDate(range.from, range.to)) v.set(d, Number(d.slice(8)));
    const w = windowAverages('number', v, range);
    expect(w.map((a) => [a.kind, a.from, a.to, a.days])).toEqual([
      ['week', '2026-11-16', '2026-11-18', 3],
      ['previous_week', '2026-11-09', '2026-11-15', 7],
      ['month', '2026-11-01', '2026-11-18', 18],
      ['previous_month', '2026-10-20', '2026-10-31', 12], // clipped to the range
      ['range', '2026-10-20', '2026-11-18', 30],
    ]);
    expect(w[0]!.value).toBe(17);
    expect(w[1]!.value).toBe(12);
    expect(w[3]!.value).toBe(25.5);
  });

  it('leaves out windows before the range and gives no value without data', () => {
    const range = { from: '2026-11-17', to: '2026-11-18' };
    const w = windowAverages('duration', new Map(), range);
    expect(w.map((a) => a.kind)).toEqual(['week', 'month', 'range']);
    expect(w.every((a) => a.value === undefined && a.days === 0)).toBe(true);
  });
});

describe('helpers', () => {
  it('clockFrame puts times after the largest gap on one axis', () => {
    const f = clockFrame([23 * 60, 23 * 60 + 30, 30, 60]);
    expect([f(23 * 60), f(30), f(60)]).toEqual([1380, 1470, 1500]);
    const g = clockFrame([6 * 60, 8 * 60]);
    expect([g(6 * 60), g(8 * 60)]).toEqual([360, 480]);
  });

  it('quantile interpolates', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([5], 0.75)).toBe(5);
  });
});
