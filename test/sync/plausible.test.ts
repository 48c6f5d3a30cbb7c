/**
 * A sync stores no value that cannot be real (src/metrics/plausible.ts): a hostile or broken
 * provider's 1e15 steps, 7 bpm resting heart rate or 10^12 kg weighing is not stored and is
 * reported (`refused` in --json, "N values not stored (…)" in the result line), while the rest of
 * the answer is stored and the sync succeeds. A plugin that declares no ranges still gets the
 * date window and its types' ranges.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createContext } from '../../src/context.js';
import { addDays } from '../../src/dates.js';
import { ensureDefaultTemplate } from '../../src/metrics/templates.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { startWithingsSimulator, type WithingsSimulator } from '../../src/simulator/withings/index.js';
import { runCli } from '../helpers/cli.js';
import { makeTestPlugin } from '../helpers/test-plugin.js';
import { allValues, type Connected, connectHome } from './helpers.js';

const NOW = new Date('2026-11-10T15:00:00Z');
const now = () => NOW;

// biome-ignore lint/suspicious/noExplicitAny: the answers' JSON, edited by hand
type Json = any;

/** A fetch that rewrites the JSON of the answers `match` picks, as a hostile provider would. */
function rewriting(match: (url: string, body: string) => boolean, edit: (json: Json) => void): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!match(url, String(init?.body ?? ''))) return res;
    const json = JSON.parse(await res.text());
    edit(json);
    return new Response(JSON.stringify(json), { status: res.status, headers: res.headers });
  };
}

function stored(c: Connected): Map<string, number | string> {
  return new Map(allValues(c.dbFile).map((v) => [`${v.date} ${v.metric_name}`, v.value]));
}

describe('fitbit (Google Health) answers with values that cannot be real', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ now: NOW, clock: () => NOW.getTime(), seed: 7 });
  });
  afterAll(() => sim.close());

  test('1e15 steps and a resting heart rate of 7 are not stored, and reported; the rest is', async () => {
    const c = await connectHome({ sim });
    let stepsDay = '';
    let hrDay = '';
    const fetchSpy = rewriting(
      (url) => url.includes('/dataTypes/steps/dataPoints:dailyRollUp') || url.includes('daily-resting-heart-rate'),
      (json) => {
        const roll = json.rollupDataPoints?.[0];
        if (roll) {
          roll.steps.countSum = '1000000000000000';
          const d = roll.civilStartTime.date;
          stepsDay = `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
        }
        const hr = json.dataPoints?.[0]?.dailyRestingHeartRate;
        if (hr) {
          hr.beatsPerMinute = '7';
          hrDay = `${hr.date.year}-${String(hr.date.month).padStart(2, '0')}-${String(hr.date.day).padStart(2, '0')}`;
        }
      },
    );
    const r = await runCli(['sync', '--json'], { home: c.home, env: c.env, now, fetch: fetchSpy });
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.status).toBe('ok');
    expect(p.refused).toHaveLength(2);
    expect(p.refused).toEqual(
      expect.arrayContaining([
        { kind: 'fitbit.steps values outside 0–200,000 steps', count: 1 },
        { kind: 'fitbit.restingHeartRate values outside 20–250 bpm', count: 1 },
      ]),
    );
    expect(stepsDay).not.toBe('');
    expect(hrDay).not.toBe('');
    const values = stored(c);
    expect(values.has(`${stepsDay} fitbit.steps`)).toBe(false);
    expect(values.has(`${hrDay} fitbit.restingHeartRate`)).toBe(false);
    // The other days' steps, and the other fields of those days, are stored.
    const steps = [...values.keys()].filter((k) => k.endsWith(' fitbit.steps'));
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const [k, v] of values) if (k.endsWith(' fitbit.steps')) expect(v).toBeLessThanOrEqual(200_000);

    // The plain result line says so, in okr's words.
    const again = await runCli(['sync', '--quiet'], { home: c.home, env: c.env, now, fetch: fetchSpy });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/ fitbit: ok, .*, 2 values not stored \(/);
    expect(again.stdout).toContain('fitbit.steps values outside 0–200,000 steps: 1');
    expect(again.stdout).toContain('fitbit.restingHeartRate values outside 20–250 bpm: 1');
  });

  test("metrics show's live fetch says so under the table too", async () => {
    const c = await connectHome({ sim });
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home, now });
    ensureDefaultTemplate(ctx, 'fitbit');
    ctx.close();
    const fetchSpy = rewriting(
      (url) => url.includes('/dataTypes/steps/dataPoints:dailyRollUp'),
      (json) => {
        const roll = json.rollupDataPoints?.[0];
        if (roll) roll.steps.countSum = '1000000000000000';
      },
    );
    const r = await runCli(['metrics', 'show', '--from', '2026-11-01', '--to', '2026-11-03', '--json'], {
      home: c.home,
      env: c.env,
      now,
      fetch: fetchSpy,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).notes).toEqual([
      'Fetched 3 unsynced days (2026-11-01..2026-11-03) from fitbit; values that cannot be real: 1 value not stored (fitbit.steps values outside 0–200,000 steps).',
    ]);
  });
});

describe('withings answers with a weighing that cannot be real', () => {
  let sim: WithingsSimulator;
  beforeAll(async () => {
    sim = await startWithingsSimulator({
      now: NOW,
      clock: () => NOW.getTime(),
      seed: 11,
      timeZone: 'Europe/Paris',
      rateLimitPerMinute: null,
    });
  });
  afterAll(() => sim.close());

  test('10^12 kg is not stored and is reported; the sync succeeds', async () => {
    const c = await connectHome({
      pluginId: 'withings',
      credentials: sim.issueTokens(),
      env: { ...sim.env, TZ: 'Europe/Paris' },
    });
    let hostile = 0;
    const fetchSpy = rewriting(
      (_url, body) => body.includes('action=getmeas'),
      (json) => {
        for (const g of json.body?.measuregrps ?? []) {
          for (const m of g.measures) {
            if (m.type === 1) {
              m.value = 1_000_000_000_000;
              m.unit = 0;
              hostile++;
            }
          }
        }
      },
    );
    const r = await runCli(['sync', 'withings', '--json'], { home: c.home, env: c.env, now, fetch: fetchSpy });
    expect(r.code, r.stderr).toBe(0);
    expect(hostile).toBeGreaterThan(0);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.status).toBe('ok');
    expect(p.refused).toEqual([
      { kind: 'withings.weight values outside 0.1–700 kg', count: expect.any(Number) as number },
    ]);
    expect(p.refused[0].count).toBeGreaterThan(0);
    expect([...stored(c).keys()].filter((k) => k.endsWith(' withings.weight'))).toEqual([]);
    expect(p.valuesWritten).toBeGreaterThan(0);
  });
});

describe('a plugin that declares no ranges', () => {
  test('gets the date window and its types’ ranges for free', async () => {
    const registry = new PluginRegistry();
    registry.register(
      makeTestPlugin({
        fetchData: async (_rt, _c, from, to) => ({
          provisionalDates: [],
          records: [
            { date: from, fields: { score: 5, sleep: 8 * 1440 } }, // a duration over a week
            { date: addDays(from, 1), fields: { score: Number.NaN, sleep: 'long' } }, // a plugin bug
            { date: to, fields: { score: 6, sleep: 420 } },
          ],
        }),
      }),
    );
    const c = await connectHome({ pluginId: 'testsvc', credentials: { accessToken: 't', obtainedAt: 0 }, registry });
    const r = await runCli(['sync', 'testsvc', '--from', '1969-12-30', '--to', '1970-01-01', '--json'], {
      home: c.home,
      env: c.env,
      now,
      registry,
    });
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.refused).toEqual([
      { kind: 'testsvc.score values dated before 1970-01-01 or after tomorrow', count: 2 },
      { kind: 'testsvc.sleep values dated before 1970-01-01 or after tomorrow', count: 2 },
    ]);
    expect(stored(c)).toEqual(
      new Map<string, number>([
        ['1970-01-01 testsvc.score', 6],
        ['1970-01-01 testsvc.sleep', 420],
      ]),
    );

    const week = await runCli(['sync', 'testsvc', '--from', '2026-11-01', '--to', '2026-11-03', '--json'], {
      home: c.home,
      env: c.env,
      now,
      registry,
    });
    expect(week.code, week.stderr).toBe(0);
    expect(JSON.parse(week.stdout).plugins[0].refused).toEqual([
      { kind: 'testsvc.sleep values outside 0:00–168:00', count: 1 },
      { kind: 'testsvc.score values that are not finite numbers', count: 1 },
      { kind: 'testsvc.sleep values that are not finite numbers', count: 1 },
    ]);
    expect(stored(c).has('2026-11-02 testsvc.score')).toBe(false);
    expect(stored(c).has('2026-11-02 testsvc.sleep')).toBe(false);
    expect(stored(c).get('2026-11-01 testsvc.score')).toBe(5);
    expect(stored(c).has('2026-11-01 testsvc.sleep')).toBe(false);
  });
});
