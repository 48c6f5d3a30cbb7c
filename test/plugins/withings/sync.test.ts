/**
 * `okr sync withings` in-process against the Withings simulator: what lands in the database, the
 * calls it takes, and errors inside HTTP 200 handled exactly like the HTTP errors they stand for
 * (the plugin's `answerStatus` read by the sync's fetch): an invalid token refreshes once (the
 * rotated pair saved) and retries, a second failure asks to reconnect; 601 waits and retries; the
 * transient codes retry a bounded number of times; invalid params fail at once. A years-long
 * backfill goes in half-year chunks and resumes after the last one stored.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { addDays, eachDate } from '../../../src/dates.js';
import { startWithingsSimulator, type WithingsSimulator } from '../../../src/simulator/withings/index.js';
import { chunksNewestFirst } from '../../../src/sync/plan.js';
import { runCli } from '../../helpers/cli.js';
import { allValues, type Connected, connectHome, connectionRow, storedTokens, withDb } from '../../sync/helpers.js';

const NOW = new Date('2026-11-10T15:00:00Z');
const TODAY = '2026-11-10';
const ZONE = 'Europe/Paris';
const now = () => NOW;
let sim: WithingsSimulator;

beforeAll(async () => {
  sim = await startWithingsSimulator({
    now: NOW,
    clock: () => NOW.getTime(),
    seed: 11,
    timeZone: ZONE,
    rateLimitPerMinute: null,
  });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.faults = { latencyMs: 0 };
  sim.resetStats();
});

async function connected(): Promise<Connected> {
  const c = await connectHome({
    pluginId: 'withings',
    credentials: sim.issueTokens(),
    env: { ...sim.env, TZ: ZONE },
  });
  // Requests of an earlier test's aborted siblings may still land: count from here.
  await new Promise((r) => setTimeout(r, 20));
  sim.resetStats();
  return c;
}

async function sync(c: Connected, args: string[], extra: { signal?: AbortSignal; fetch?: typeof fetch } = {}) {
  const r = await runCli(['sync', 'withings', ...args, '--json'], { home: c.home, env: c.env, now, ...extra });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

/** The simulator's truth for [from, to]: `date field` → value. */
function truth(from: string, to: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of sim.data.days(from, to)) {
    for (const [f, v] of Object.entries(d.expected)) out.set(`${d.date} withings.${f}`, v);
  }
  return out;
}

function stored(c: Connected): Map<string, number> {
  return new Map(allValues(c.dbFile).map((v) => [`${v.date} ${v.metric_name}`, v.value as number]));
}

describe('sync', () => {
  test('30 days: one call per endpoint, every value equal to the simulator’s truth', async () => {
    const c = await connected();
    const r = await sync(c, ['--since', '30d']);
    expect(r.code).toBe(0);
    const p = r.report.plugins[0];
    expect(p.status).toBe('ok');
    expect(p.calls).toBe(3);
    expect(sim.stats).toMatchObject({ getmeas: 1, getsummary: 1, getactivity: 1 });
    const want = truth(r.report.from, r.report.to);
    expect(want.size).toBeGreaterThan(100);
    expect(stored(c)).toEqual(want);
  });
});

describe('errors inside HTTP 200, as the sync treats them', () => {
  test('an invalid token (status 401): one refresh, the rotated pair saved, the request retried', async () => {
    const c = await connected();
    const before = await storedTokens(c.home, 'withings');
    sim.expireAccessTokens();
    const r = await sync(c, ['--since', '7d']);
    expect(r.code).toBe(0);
    expect(r.report.plugins[0]).toMatchObject({ status: 'ok', refreshed: true });
    expect(sim.stats['token:refresh_token']).toBe(1);
    const after = await storedTokens(c.home, 'withings');
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect(after!.userId).toBe(String(sim.userId));
    // The new pair works on its own, without another refresh.
    sim.resetStats();
    expect((await sync(c, ['--since', '7d'])).code).toBe(0);
    expect(sim.stats['token:refresh_token'] ?? 0).toBe(0);
  });

  test('the access removed at Withings: the one refresh is refused, so re-authentication (exit 3), never a loop', async () => {
    const c = await connected();
    sim.revokeAll();
    const r = await sync(c, ['--since', '7d']);
    expect(r.code).toBe(3);
    expect(r.report.plugins[0].status).toBe('reauth');
    expect(sim.stats['token:refresh_token']).toBe(1);
    expect(r.stderr + r.stdout).toContain('okr connect withings');
    expect(connectionRow(c.dbFile, 'withings')).toMatchObject({ last_sync_status: 'reauth' });
  });

  test('status 601 waits and retries; so does 601 on the token endpoint', async () => {
    const c = await connected();
    sim.faults.failNext = { status: 601, count: 2, action: 'getsummary', error: 'Too Many Requests' };
    const r = await sync(c, ['--since', '7d']);
    expect(r.code).toBe(0);
    expect(r.report.plugins[0].retries).toBe(2);
    expect(sim.stats.getsummary).toBe(3);
    sim.expireAccessTokens();
    sim.faults.failToken = { status: 601, count: 1 };
    const again = await sync(c, ['--since', '7d']);
    expect(again.code).toBe(0);
    expect(sim.stats['token:refresh_token']).toBe(2);
  });

  test('a transient code (522) is retried a bounded number of times, then reported as temporary', async () => {
    const c = await connected();
    sim.faults.failNext = { status: 522, count: 1, action: 'getmeas' };
    expect((await sync(c, ['--since', '7d'])).code).toBe(0);
    sim.resetStats();
    sim.faults.failNext = { status: 522, count: 100, action: 'getmeas' };
    const r = await sync(c, ['--since', '7d']);
    expect(r.code).toBe(1);
    // The first attempt and 3 retries (OKR's transient bound), then the error.
    expect(sim.stats.getmeas).toBe(4);
    expect(r.report.plugins[0].error).toContain('answered status 522');
    expect(r.report.plugins[0].errorKind).toBe('transient');
  });

  test('invalid params (503 inside HTTP 200 is NOT a service outage): fails at once, no retry', async () => {
    const c = await connected();
    sim.faults.failNext = { status: 503, count: 100, action: 'getactivity', error: 'Invalid Params' };
    const r = await sync(c, ['--since', '7d']);
    expect(r.code).toBe(1);
    expect(sim.stats.getactivity).toBe(1);
    expect(r.report.plugins[0].errorKind).toBe('client');
  });
});

describe('backfill', () => {
  test('two years: half-year chunks of one call per endpoint; interrupted, the next run fetches only what is missing', async () => {
    // --since 2y: 730 days, today included.
    const from = addDays(TODAY, -729);
    const chunks = chunksNewestFirst(from, TODAY, 180);
    expect(chunks).toHaveLength(5);
    const c = await connected();
    const ac = new AbortController();
    // Ctrl-C once a request for the 4th chunk (newest first) goes out.
    const chunkStart = String(Date.parse(`${addDays(chunks[3]!.from, -1)}T00:00:00Z`) / 1000);
    const spy: typeof fetch = async (input, init) => {
      if (String(init?.body).includes(`startdate=${chunkStart}`)) ac.abort(new Error('Interrupted.'));
      return fetch(input, init);
    };
    const first = await sync(c, ['--since', '2y'], { signal: ac.signal, fetch: spy });
    expect(first.code).toBe(130);
    const covered = new Set(
      withDb(c.dbFile, (db) => db.prepare('SELECT date FROM sync_coverage').all() as Array<{ date: string }>).map(
        (x) => x.date,
      ),
    );
    const done = chunks.filter((ch) => eachDate(ch.from, ch.to).every((d) => covered.has(d)));
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThanOrEqual(3);

    sim.resetStats();
    const again = await sync(c, ['--since', '2y']);
    expect(again.code).toBe(0);
    const p = again.report.plugins[0];
    // The newest chunk holds the recent days and is always fetched again.
    const skippable = done.filter((ch) => ch !== chunks[0]).length;
    expect(p.chunksSkipped).toBe(skippable);
    expect(p.calls).toBe(3 * (5 - skippable));
    expect(again.report.from).toBe(from);
    expect(stored(c)).toEqual(truth(from, TODAY));

    // Uninterrupted, the whole backfill is 5 chunks × 3 calls: no page beyond the first.
    sim.resetStats();
    const full = await sync(await connected(), ['--since', '2y']);
    expect(full.report.plugins[0].calls).toBe(15);
  });
});
