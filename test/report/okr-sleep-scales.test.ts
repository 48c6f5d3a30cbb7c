/**
 * Key result curves and pace lines, sleep bands, chart scales and ticks, and HTML escaping: the
 * pure pieces of the report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, eachDate } from '../../src/dates.js';
import { parsePeriod } from '../../src/okr/period.js';
import { defineKeyResult } from '../../src/okr/progress.js';
import type { FieldValue } from '../../src/plugins/types.js';
import { stepPath } from '../../src/report/chart.js';
import { html } from '../../src/report/escape.js';
import { keyResultCurve, MAX_KR_SAMPLES, paceLine, sampleDays } from '../../src/report/okr.js';
import { compactNumber, dateTicks, VIEW_H, yAxis } from '../../src/report/scales.js';
import { sinceNoon, sleepPairs, sleepPoints, sleepSpan } from '../../src/report/sleep.js';
import { newHome } from '../okr/commands-helpers.js';

describe('key result curves', () => {
  it('samples every day of a short period up to today', () => {
    const q4 = parsePeriod('2026-Q4');
    const days = sampleDays(q4, '2026-10-10');
    expect(days).toEqual(eachDate('2026-10-01', '2026-10-10'));
    expect(sampleDays(q4, '2026-09-30')).toEqual([]);
    expect(sampleDays(q4, '2027-02-01').at(-1)).toBe('2026-12-31');
  });

  it('samples a long period at a bounded number of days, the last one always', () => {
    const p = parsePeriod('2007-01-01..2026-12-31');
    const days = sampleDays(p, '2026-12-31');
    const elapsed = daysBetween(p.from, p.to) + 1;
    const step = Math.ceil(elapsed / MAX_KR_SAMPLES);
    expect(days.length).toBeLessThanOrEqual(MAX_KR_SAMPLES + 1);
    // Every step-th day from the start, then the last day when the steps miss it.
    expect(days.length).toBe(Math.floor(elapsed / step) + (elapsed % step === 0 ? 0 : 1));
    expect(days[0]).toBe(addDays(p.from, step - 1));
    expect(days.at(-1)).toBe(p.to);
  });

  it('a sum: the running total by day, and a pace from 0 to the target', () => {
    const period = parsePeriod('2026-11');
    const spec = defineKeyResult({ metricType: 'number', agg: 'sum', target: '12' });
    const values = new Map<string, FieldValue>([
      ['2026-11-02', 1],
      ['2026-11-05', 2],
      ['2026-10-31', 50], // before the period: not counted
    ]);
    const curve = keyResultCurve(spec, values, period, '2026-11-06');
    expect(curve.map((c) => c.value)).toEqual([0, 1, 1, 1, 3, 3]);
    expect(curve.map((c) => c.date)).toEqual(eachDate('2026-11-01', '2026-11-06'));
    expect(paceLine(spec, period)).toEqual([
      { date: '2026-11-01', value: 12 / 30 },
      { date: '2026-11-30', value: 12 },
    ]);
  });

  it('a level: the running average, days without a value yet left out; the pace is the target', () => {
    const period = parsePeriod('2026-11');
    const spec = defineKeyResult({ metricType: 'duration', agg: 'avg', target: '>= 7:00' });
    const values = new Map<string, FieldValue>([
      ['2026-11-02', 400],
      ['2026-11-03', 500],
    ]);
    const curve = keyResultCurve(spec, values, period, '2026-11-04');
    expect(curve).toEqual([
      { date: '2026-11-02', value: 400 },
      { date: '2026-11-03', value: 450 },
      { date: '2026-11-04', value: 450 },
    ]);
    expect(paceLine(spec, period).map((p) => p.value)).toEqual([420, 420]);
  });
});

describe('sleep timing', () => {
  it('pairs each plugin bed time with its wake-up time', () => {
    const pairs = sleepPairs([
      { label: 'Bed', metricName: 'fitbit.bedTime', type: 'time' },
      { label: 'Steps', metricName: 'fitbit.steps', type: 'number' },
      { label: 'Oura bed', metricName: 'oura.bedTime', type: 'time' },
      { label: 'Wake', metricName: 'fitbit.wakeUpTime', type: 'time' },
    ]);
    expect(pairs).toEqual([
      {
        pluginId: 'fitbit',
        bed: { label: 'Bed', metricName: 'fitbit.bedTime', type: 'time' },
        wake: { label: 'Wake', metricName: 'fitbit.wakeUpTime', type: 'time' },
      },
    ]);
  });

  it('a band needs both times; a week averages its nights on the clock', () => {
    const bed = new Map<string, FieldValue>([
      ['2026-11-16', 23 * 60 + 30],
      ['2026-11-17', 30],
      ['2026-11-18', 22 * 60],
    ]);
    const wake = new Map<string, FieldValue>([
      ['2026-11-16', 7 * 60],
      ['2026-11-17', 8 * 60],
    ]);
    const range = { from: '2026-11-16', to: '2026-11-22' };
    expect(sleepPoints(bed, wake, range, 'day').map((p) => p.from)).toEqual(['2026-11-16', '2026-11-17']);
    const [w] = sleepPoints(bed, wake, range, 'week');
    expect(w!.nights).toBe(2);
    expect(w!.bed).toBeCloseTo(0, 6);
    expect(w!.wake).toBeCloseTo(7 * 60 + 30, 6);
    expect([sinceNoon(23 * 60), sinceNoon(30), sinceNoon(7 * 60)]).toEqual([660, 750, 1140]);
  });
});

describe('sleep bands', () => {
  const hm = (h: number, m = 0) => h * 60 + m;

  it('run from bed time to wake-up time, the sleep length later, by night and by day', () => {
    expect(sleepSpan(hm(23), hm(7))).toEqual({ bed: 660, wake: 1140 });
    expect(sleepSpan(hm(0, 30), hm(8))).toEqual({ bed: 750, wake: 1200 });
    // Asleep by day, across noon: 8 hours, not a point at the bed time.
    expect(sleepSpan(hm(9), hm(17))).toEqual({ bed: 1260, wake: 1740 });
    // A nap after noon, and one across it.
    expect(sleepSpan(hm(13), hm(15))).toEqual({ bed: 60, wake: 180 });
    expect(sleepSpan(hm(11), hm(13))).toEqual({ bed: 1380, wake: 1500 });
    expect(sleepSpan(hm(22), hm(22))).toEqual({ bed: 600, wake: 600 });
  });

  it('in the page: a sleep by day is as tall as a night of the same length', async () => {
    const h = newHome();
    await h.ok([
      'metrics',
      'template',
      'create',
      'sleep',
      '--metric',
      'Bed=fitbit.bedTime',
      '--metric',
      'Wake=fitbit.wakeUpTime',
    ]);
    h.put('fitbit.bedTime', { '2026-11-09': hm(23), '2026-11-10': hm(9) });
    h.put('fitbit.wakeUpTime', { '2026-11-09': hm(7), '2026-11-10': hm(17) });
    const file = join(h.home, 'report.html');
    await h.ok(['report', '--period', '2026-11-09..2026-11-10', '-o', file]);
    const page = readFileSync(file, 'utf8');
    const bands = [
      ...page.matchAll(/<rect class="band-cell" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"><title>([^<]+)</g),
    ].map((m) => ({ y: Number(m[1]), height: Number(m[2]), title: m[3] }));
    expect(bands.map((b) => b.title)).toEqual(['2026-11-09: 23:00 to 07:00', '2026-11-10: 09:00 to 17:00']);
    const [night, day] = bands as [(typeof bands)[0], (typeof bands)[0]];
    expect(night.height).toBeGreaterThan(10);
    expect(day.height).toBeCloseTo(night.height, 0);
    // The day's sleep begins after the night's ended: further down the axis.
    expect(day.y).toBeGreaterThan(night.y + night.height);
  });
});

describe('scales', () => {
  it('a y axis covers every value with round ticks; near-zero numbers start at zero', () => {
    const a = yAxis([3000, 13_980], 'number');
    expect(a.lo).toBe(0);
    expect(a.hi).toBeGreaterThanOrEqual(13_980);
    expect(a.ticks[0]).toBe(a.lo);
    expect(a.ticks.at(-1)).toBe(a.hi);
    expect(a.y(a.lo)).toBe(VIEW_H);
    expect(a.y(a.hi)).toBe(0);
    const w = yAxis([79.2, 82.4], 'number');
    expect(w.lo).toBeGreaterThan(70);
    const t = yAxis([1380, 1470], 'minutes');
    expect(t.ticks.every((v) => v % 15 === 0)).toBe(true);
    expect(yAxis([0.2], 'fraction').ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('date ticks: at most 4 labels on a phone and 12 on a wide screen (8 dates), evenly spaced', () => {
    for (const [from, to] of [
      ['2026-11-01', '2026-11-14'],
      ['2026-08-01', '2026-11-14'],
      ['2025-11-15', '2026-11-14'],
      ['2016-11-15', '2026-11-14'],
      ['2006-11-15', '2026-11-14'],
    ] as const) {
      const ticks = dateTicks({ from, to });
      const narrow = ticks.filter((t) => t.level === 0);
      const wide = ticks.filter((t) => t.level <= 1);
      expect(narrow.length, `${from}..${to}`).toBeGreaterThanOrEqual(1);
      expect(narrow.length).toBeLessThanOrEqual(4);
      expect(wide.length).toBeLessThanOrEqual(wide.some((t) => t.label.length > 4) ? 8 : 12);
      const gaps = wide.slice(1).map((t, i) => ticks.indexOf(t) - ticks.indexOf(wide[i]!));
      expect(new Set(gaps).size).toBeLessThanOrEqual(1);
      for (const t of ticks) expect(t.date >= from && t.date <= to).toBe(true);
    }
    expect(dateTicks({ from: '2025-12-03', to: '2026-12-02' }).map((t) => t.label)).toEqual([
      '2026',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ]);
  });

  it('axis numbers are short', () => {
    expect([950, 9500, 12_000, 1_250_000, 2.345].map(compactNumber)).toEqual(['950', '9,500', '12k', '1.3M', '2.35']);
  });
});

describe('chart paths', () => {
  it('a step line holds each level across its span, rises where spans touch, breaks at a gap', () => {
    expect(
      stepPath([
        { x0: 0, x1: 100, y: 50 },
        { x0: 100, x1: 200, y: 80.04 },
        { x0: 300, x1: 400, y: 20, breakBefore: true },
      ]),
    ).toBe('M0 50H100L100 80H200M300 20H400');
    expect(stepPath([])).toBe('');
  });
});

describe('html escaping', () => {
  it('escapes markup and quotes, shows control characters and bidi overrides, cuts long text', () => {
    expect(html('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html("it's & <b>")).toBe('it&#39;s &amp; &lt;b&gt;');
    expect(html('a\u001b[2Jb\nc\u202ed')).toBe('a\\x1b[2Jb\\x0ac\\u202ed');
    expect(html('x'.repeat(500))).toHaveLength(201);
  });
});
