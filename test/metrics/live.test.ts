/**
 * The read path of `okr metrics show` against the simulator (real HTTP on 127.0.0.1): dates a
 * connected plugin never synced are fetched live and stored, synced dates are read from the
 * database only, --offline never calls out, and a failed fetch is a note under the table.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { ensureDefaultTemplate } from '../../src/metrics/templates.js';
import { noFaults } from '../../src/simulator/faults.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { allValues, type Connected, connectHome, syncRuns, withDb } from '../sync/helpers.js';

const NOW = new Date('2026-11-20T15:30:00Z');
const now = () => NOW;

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, now: NOW });
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.faults, noFaults());
  sim.resetStats();
});

async function connected(): Promise<Connected> {
  const c = await connectHome({ sim });
  const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home, now });
  ensureDefaultTemplate(ctx, 'fitbit');
  ctx.close();
  return c;
}

function show(c: Connected, ...args: string[]) {
  return runCli(['metrics', 'show', ...args], { home: c.home, env: c.env, now });
}

function coveredDates(c: Connected): string[] {
  return withDb(c.dbFile, (db) =>
    (db.prepare('SELECT date FROM sync_coverage ORDER BY date').all() as Array<{ date: string }>).map((r) => r.date),
  );
}

describe('live fallback', () => {
  it('fetches the dates never synced, stores them, and shows the provider values', async () => {
    const c = await connected();
    const r = await show(c, '--from', '2026-11-01', '--to', '2026-11-07', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.live).toEqual([{ pluginId: 'fitbit', from: '2026-11-01', to: '2026-11-07', days: 7, ok: true }]);
    expect(json.notes).toEqual([]);
    expect(sim.stats.api).toBeGreaterThan(0);

    // What the table shows is the simulator's ground truth.
    for (const day of json.days as Array<{ date: string; values: Record<string, { value: number } | null> }>) {
      const truth = sim.data.day(day.date)!;
      expect(day.values['fitbit.steps']?.value, day.date).toBe(truth.steps);
      expect(day.values['fitbit.restingHeartRate']?.value, day.date).toBe(truth.restingHeartRate);
    }
    // ...and it was stored, with coverage, by a sync run marked `live`.
    expect(coveredDates(c)).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
      '2026-11-06',
      '2026-11-07',
    ]);
    expect(syncRuns(c.dbFile).map((run) => [run.trigger, run.status, run.range_from, run.range_to])).toEqual([
      ['live', 'ok', '2026-11-01', '2026-11-07'],
    ]);
    const stored = allValues(c.dbFile).filter((v) => v.metric_name === 'fitbit.steps');
    expect(stored.length).toBe(
      json.days.filter((d: { values: Record<string, unknown> }) => d.values['fitbit.steps']).length,
    );
  });

  it('synced dates come from the database alone; only the new dates are fetched', async () => {
    const c = await connected();
    await show(c, '--from', '2026-11-01', '--to', '2026-11-07');
    sim.resetStats();
    const again = await show(c, '--from', '2026-11-01', '--to', '2026-11-07', '--json');
    expect(JSON.parse(again.stdout).live).toEqual([]);
    expect(sim.stats.api ?? 0).toBe(0);

    const wider = await show(c, '--from', '2026-11-01', '--to', '2026-11-10', '--json');
    expect(JSON.parse(wider.stdout).live).toEqual([
      { pluginId: 'fitbit', from: '2026-11-08', to: '2026-11-10', days: 3, ok: true },
    ]);
    expect(syncRuns(c.dbFile).map((run) => [run.range_from, run.range_to])).toEqual([
      ['2026-11-01', '2026-11-07'],
      ['2026-11-08', '2026-11-10'],
    ]);
  });

  it('--offline never calls the provider and shows what is stored', async () => {
    const c = await connected();
    await runCli(['metrics', 'log', 'fitbit.steps', '1234', '--date', '2026-11-02'], { home: c.home, env: c.env, now });
    const r = await show(c, '--from', '2026-11-01', '--to', '2026-11-03', '--offline');
    expect(r.code).toBe(0);
    expect(sim.stats.all ?? 0).toBe(0);
    expect(coveredDates(c)).toEqual([]);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('2026-11-02'))).toMatch(/^2026-11-02(\s+·){3}\s+1,234(\s+·){3}$/);
    expect(lines.find((l) => l.startsWith('2026-11-01'))).toMatch(/^2026-11-01(\s+·){7}$/);
  });

  it('a failed fetch is a note under the table, not a crash', async () => {
    const c = await connected();
    await runCli(['metrics', 'log', 'fitbit.steps', '4321', '--date', '2026-11-03'], { home: c.home, env: c.env, now });
    sim.faults.serviceDisabled = true;
    const r = await show(c, '--from', '2026-11-02', '--to', '2026-11-04');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('2026-11-03'))).toMatch(/\s4,321\s/);
    const notes = r.stdout.slice(r.stdout.indexOf('\nnote: ') + 1);
    expect(notes.startsWith('note: Could not fetch 3 unsynced days (2026-11-02..2026-11-04) from fitbit:')).toBe(true);
    expect(notes).toContain('Google Health API answered 403 PERMISSION_DENIED');
    expect(notes).toContain('Enable the Google Health API for');
    expect(coveredDates(c)).toEqual([]);

    const json = JSON.parse((await show(c, '--from', '2026-11-02', '--to', '2026-11-04', '--json')).stdout);
    expect(json.live).toHaveLength(1);
    expect(json.live[0]).toMatchObject({ pluginId: 'fitbit', ok: false });
    expect(json.notes[0]).toMatch(/^Could not fetch 3 unsynced days/);
  });

  it('a plugin that is not connected is not fetched; the note says how to connect', async () => {
    const c = await connected();
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home, now });
    ctx.db().prepare('UPDATE plugins SET enabled = 0').run();
    ctx.close();
    const r = await show(c, '--from', '2026-11-01', '--to', '2026-11-02', '--json');
    expect(sim.stats.all ?? 0).toBe(0);
    expect(JSON.parse(r.stdout).notes).toEqual([
      'fitbit is not connected: its columns show stored values only. Run `okr connect fitbit`.',
    ]);
  });
});
