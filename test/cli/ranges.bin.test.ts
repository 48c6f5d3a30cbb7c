/**
 * One meaning of "the last N days" everywhere: the N days ending today, today included. The built
 * `okr metrics show` and `okr sync` are asked for their defaults and for `--since`, and the days
 * they cover are counted. Needs `npm run build` first (npm test does it).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween, localDate } from '../../src/dates.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runBin } from '../helpers/cli.js';
import { type Home, simulatorHome } from '../helpers/faults.js';

let sim: Simulator;
let h: Home;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3 });
  h = await simulatorHome(sim, { prefix: 'okr-ranges-' });
});
afterAll(async () => {
  await sim.close();
  rmSync(h.home, { recursive: true, force: true });
});

async function json(args: string[]): Promise<{
  from: string;
  to: string;
  days?: unknown[];
  plugins?: Array<{ days: number; plan: Array<{ days: number }> }>;
}> {
  const r = await runBin([...args, '--json'], { home: h.home, env: h.env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('"N days" means the N days ending today', () => {
  it.each([
    [[], 14],
    [['--since', '14d'], 14],
    [['--since', '2w'], 14],
    [['--since', '7d'], 7],
    [['--since', '1d'], 1],
  ])('okr metrics show %j has %i rows, the last one today', async (args, rows) => {
    const show = await json(['metrics', 'show', '--offline', ...args]);
    expect(show.days).toHaveLength(rows);
    expect(show.to).toBe(localDate(new Date()));
    expect(daysBetween(show.from, show.to) + 1).toBe(rows);
  });

  it.each([
    [[], 7],
    [['--since', '7d'], 7],
    [['--since', '1w'], 7],
    [['--since', '30d'], 30],
  ])('okr sync %j covers %i days', async (args, days) => {
    const plan = await json(['sync', '--dry-run', ...args]);
    expect(daysBetween(plan.from, plan.to) + 1).toBe(days);
    expect(plan.plugins![0]!.days).toBe(days);
    expect(plan.plugins![0]!.plan.reduce((n, c) => n + c.days, 0)).toBe(days);
  });

  it('a real sync of the default range stores coverage for 7 days', async () => {
    const r = await json(['sync']);
    expect(r.plugins![0]!.days).toBe(7);
  });
});
