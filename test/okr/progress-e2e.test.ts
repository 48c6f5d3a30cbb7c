/**
 * `okr progress` on the simulator's data, end to end: fitbit configured against the simulator
 * (config keys, secrets in the file store), tokens from the simulator's OAuth server, `okr sync`
 * of the quarter so far (41 days), objectives and key results added with the CLI, then
 * `okr progress`. The expected figures are recomputed here from the rows the sync stored.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { simulatorHome } from '../helpers/faults.js';
import { expectFits, type Home, newHome } from './commands-helpers.js';

// The simulator and okr share one clock. At 15:00Z it is 2026-11-10 in New York (the simulated
// user's zone) and in every zone from UTC-11 to UTC+8, where tests run.
const NOW = new Date('2026-11-10T15:00:00Z');
const now = () => NOW;
const FROM = '2026-10-01';
const TODAY = '2026-11-10';
const SYNCED_DAYS = 41; // Oct 1 .. Nov 10

let sim: Simulator;
let h: Home;
const env = { OKR_SECRETS: 'file' };

function rows(metric: string, from: string, to: string): Array<{ date: string; value: number }> {
  const db = new Database(join(h.home, 'data', 'okr.db'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT date, value FROM daily_metric_values WHERE metric_name = ? AND date BETWEEN ? AND ? ORDER BY date',
      )
      .all(metric, from, to) as Array<{ date: string; value: number }>;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  sim = await startSimulator({ now: NOW, clock: () => NOW.getTime(), seed: 11 });
  // Configured and connected as `okr config setup` and `okr connect fitbit` leave a home, with
  // tokens the simulator issued as if the user had consented in a browser.
  h = newHome({ home: (await simulatorHome(sim, { prefix: 'okr-progress-e2e-' })).home, now });
  const sync = await h.run(['sync', '--from', FROM, '--json']);
  expect(sync.code).toBe(0);
  expect(JSON.parse(sync.stdout).plugins[0]).toMatchObject({ plugin: 'fitbit', status: 'ok', days: SYNCED_DAYS });

  await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-Q4']);
  await h.ok(['objective', 'add', 'Move more', '--period', '2026-Q4']);
  const kr = (...args: string[]) => h.ok(['kr', 'add', ...args]);
  await kr(
    'Sleep 7h on average',
    '--objective',
    '1',
    '--metric',
    'fitbit.sleepLength',
    '--agg',
    'avg',
    '--target',
    '>= 7:00',
  );
  await kr(
    'In bed by 23:30',
    '--objective',
    '1',
    '--metric',
    'fitbit.bedTime',
    '--agg',
    'avg',
    '--target',
    '<= 23:30',
    '--baseline',
    '00:30',
  );
  await kr(
    'Resting HR at most 60',
    '--objective',
    '1',
    '--metric',
    'fitbit.restingHeartRate',
    '--agg',
    'avg',
    '--target',
    '<= 60',
  );
  await kr(
    '10k steps on 5 days a week',
    '--objective',
    '2',
    '--metric',
    'fitbit.steps',
    '--agg',
    'days',
    '--where',
    '>= 10000',
    '--per',
    'week',
    '--target',
    '>= 5',
  );
  await kr('A million steps', '--objective', '2', '--metric', 'fitbit.steps', '--agg', 'sum', '--target', '1000000');
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

interface KrJson {
  title: string;
  metric: string;
  progress: {
    value: number | null;
    valueText: string | null;
    percent: number | null;
    expected: number;
    status: string;
    daysWithData: number;
    daysElapsed: number;
    buckets: Array<{ from: string; to: string; value: number | null; used: boolean }> | null;
  };
}

describe('okr progress on synced simulator data', () => {
  it('computes every key result from the synced values', async () => {
    const j = JSON.parse(await h.ok(['progress', '--json'])) as {
      date: string;
      objectives: Array<{ id: number; day: number; state: string; keyResults: KrJson[] }>;
    };
    expect(j.date).toBe(TODAY);
    // Oct 1 .. Nov 10 is day 41 of the 92-day quarter.
    expect(j.objectives.map((o) => [o.id, o.state, o.day])).toEqual([
      [1, 'running', 41],
      [2, 'running', 41],
    ]);
    const [sleep, bed, rhr] = j.objectives[0]!.keyResults;
    const [weekly, million] = j.objectives[1]!.keyResults;

    // Average sleep: the mean of the stored nights; a plausible night's sleep.
    const nights = rows('fitbit.sleepLength', FROM, TODAY);
    expect(nights.length).toBeGreaterThanOrEqual(30); // a few days without wear at most
    expect(sleep!.progress.daysWithData).toBe(nights.length);
    expect(sleep!.progress.daysElapsed).toBe(SYNCED_DAYS);
    expect(sleep!.progress.value!).toBeCloseTo(nights.reduce((a, r) => a + r.value, 0) / nights.length, 9);
    expect(sleep!.progress.value!).toBeGreaterThan(5 * 60);
    expect(sleep!.progress.value!).toBeLessThan(9 * 60);
    expect(sleep!.progress.percent!).toBeCloseTo((sleep!.progress.value! / 420) * 100, 1);
    expect(sleep!.progress.valueText).toMatch(/^[5-8]:[0-5]\d$/);

    // Bedtimes cross midnight: the mean is a clock time in the evening or small hours, never
    // the afternoon a plain average of minutes would give.
    const beds = rows('fitbit.bedTime', FROM, TODAY);
    expect(beds.some((r) => r.value < 12 * 60) && beds.some((r) => r.value >= 12 * 60)).toBe(true);
    expect(bed!.progress.daysWithData).toBe(beds.length);
    const bedValue = bed!.progress.value!;
    expect(bedValue >= 20 * 60 || bedValue <= 3 * 60).toBe(true);

    const hr = rows('fitbit.restingHeartRate', FROM, TODAY);
    expect(rhr!.progress.daysWithData).toBe(hr.length);
    expect(rhr!.progress.value!).toBeCloseTo(hr.reduce((a, r) => a + r.value, 0) / hr.length, 9);
    expect(rhr!.progress.value!).toBeGreaterThan(40);
    expect(rhr!.progress.value!).toBeLessThan(90);

    // Steps per week: every ended week, its qualifying days counted from the stored rows.
    const steps = rows('fitbit.steps', FROM, TODAY);
    const used = weekly!.progress.buckets!.filter((b) => b.used);
    // Oct 1-4 (Thu-Sun, the quarter's edge week), then Oct 5 .. Nov 8 in five full weeks; the
    // week of Nov 9 is still running.
    expect(used.map((b) => [b.from, b.to])).toEqual([
      ['2026-10-01', '2026-10-04'],
      ['2026-10-05', '2026-10-11'],
      ['2026-10-12', '2026-10-18'],
      ['2026-10-19', '2026-10-25'],
      ['2026-10-26', '2026-11-01'],
      ['2026-11-02', '2026-11-08'],
    ]);
    const qualifying = (from: string, to: string) =>
      steps.filter((r) => r.date >= from && r.date <= to && r.value >= 10000).length;
    const perWeek = used.map((b, i) => qualifying(b.from, b.to) * (i === 0 ? 7 / 4 : 1));
    expect(used.map((b) => b.value)).toEqual(perWeek.map((v) => expect.closeTo(v, 9)));
    const weighted = (perWeek[0]! * 4 + perWeek.slice(1).reduce((a, v) => a + v * 7, 0)) / (4 + 5 * 7);
    expect(weekly!.progress.value!).toBeCloseTo(weighted, 9);
    expect(weekly!.progress.value!).toBeGreaterThanOrEqual(0);
    expect(weekly!.progress.value!).toBeLessThanOrEqual(7);

    // The sum of steps includes today's partial count; the pace is the million spread over the
    // 40 finished days of 92.
    expect(million!.progress.value).toBe(steps.reduce((a, r) => a + r.value, 0));
    expect(million!.progress.expected).toBeCloseTo((1_000_000 * 40) / 92, 6);

    for (const k of [sleep, bed, rhr, weekly, million]) {
      expect(['on_track', 'at_risk', 'off_track']).toContain(k!.progress.status);
    }
  });

  it('prints it in 80 columns, saying how many days of data each value rests on', async () => {
    const out = await h.ok(['progress']);
    expectFits(out);
    const nights = rows('fitbit.sleepLength', FROM, TODAY).length;
    const missing = SYNCED_DAYS - nights;
    expect(out).toContain('Objective 1: Sleep better');
    expect(out).toContain('2026-Q4 · day 41 of 92');
    expect(out).toContain(
      `fitbit.sleepLength avg · from ${nights} days of data${missing > 0 ? ` (${missing} missing)` : ''}`,
    );
    expect(out).toMatch(/of 6 weeks met/);
    expect(out).toMatch(/[█░]{20}/);
    const tty = (await h.run(['progress'], { tty: true, env: { ...env, NO_COLOR: undefined, TERM: 'xterm' } })).stdout;
    expectFits(tty);
    expect(tty).toContain('\u001b[');
  });

  it('keeps manual values apart from synced ones', async () => {
    // A value typed by hand for a synced day replaces it (and a later sync keeps it).
    const nights = rows('fitbit.sleepLength', FROM, TODAY);
    const before = JSON.parse(await h.ok(['progress', '--objective', '1', '--json'])).objectives[0].keyResults[0]
      .progress as KrJson['progress'];
    const day = nights[5]!;
    const ctx = createContext({ env: { ...env, OKR_HOME: h.home }, homedir: h.home, now });
    const { putValue } = await import('../../src/store/values.js');
    putValue(ctx.db(), {
      date: day.date,
      metricName: 'fitbit.sleepLength',
      value: day.value + 60 * nights.length,
      source: 'manual',
      updatedAt: NOW.toISOString(),
    });
    ctx.close();
    expect((await h.run(['sync', '--from', FROM, '--json'])).code).toBe(0);
    const after = JSON.parse(await h.ok(['progress', '--objective', '1', '--json'])).objectives[0].keyResults[0]
      .progress as KrJson['progress'];
    // One night longer by 60 × n minutes moves the mean of n nights by exactly an hour.
    expect(after.value! - before.value!).toBeCloseTo(60, 9);
    expect(after.daysWithData).toBe(before.daysWithData);
  });
});
