/**
 * `okr sync` in-process against the simulator: what lands in the database, how many calls it
 * takes, token refresh, provider faults, Ctrl-C, resume, output forms and exit codes.
 */

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createContext } from '../../src/context.js';
import { addDays, eachDate } from '../../src/dates.js';
import { ProviderError } from '../../src/errors.js';
import { FITBIT_DAYS_PER_FETCH, fitbitPlugin } from '../../src/plugins/fitbit/plugin.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { markDisconnected, recordConnected } from '../../src/store/connections.js';
import { deleteCoverage, markCoverage } from '../../src/store/coverage.js';
import { deleteCredentials, saveCredentials } from '../../src/store/tokens.js';
import { deleteValuesBySource, putValue } from '../../src/store/values.js';
import { getFreshCredentials } from '../../src/sync/credentials.js';
import { chunksNewestFirst } from '../../src/sync/plan.js';
import { runCli } from '../helpers/cli.js';
import { makeTestPlugin } from '../helpers/test-plugin.js';
import { allValues, type Connected, connectHome, connectionRow, storedTokens, syncRuns, withDb } from './helpers.js';

// The simulator and okr share one fixed clock: today is 2026-11-10 for both (New York and UTC
// agree at 15:00Z).
const NOW = new Date('2026-11-10T15:00:00Z');
const TODAY = '2026-11-10';
const now = () => NOW;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: NOW, clock: () => NOW.getTime(), seed: 7 });
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.faults, {
    latencyMs: 0,
    status429: 0,
    status500: 0,
    expiredToken: false,
    retryAfterSeconds: undefined,
    endpoints: undefined,
  });
  sim.resetStats();
});

function sync(
  c: Connected,
  args: string[],
  extra: Parameters<typeof runCli>[1] extends infer O ? Partial<O> : never = {},
) {
  return runCli(['sync', ...args], { home: c.home, env: c.env, now, ...extra });
}

/** What the simulator holds for steps and resting heart rate over a range: the truth to compare with. */
function truth(from: string, to: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of sim.data.days(from, to)) {
    if (d.steps !== undefined) out.set(`${d.date} fitbit.steps`, d.steps);
    if (d.restingHeartRate !== undefined) out.set(`${d.date} fitbit.restingHeartRate`, d.restingHeartRate);
  }
  return out;
}

function stored(c: Connected, metrics = ['fitbit.steps', 'fitbit.restingHeartRate']): Map<string, number> {
  return new Map(
    allValues(c.dbFile)
      .filter((v) => metrics.includes(v.metric_name))
      .map((v) => [`${v.date} ${v.metric_name}`, v.value as number]),
  );
}

function coverage(c: Connected): Array<{ date: string; provisional: number }> {
  return withDb(c.dbFile, (db) =>
    db.prepare('SELECT date, provisional FROM sync_coverage ORDER BY date').all(),
  ) as Array<{
    date: string;
    provisional: number;
  }>;
}

describe('a 7-day sync', () => {
  test('imports the 7 days ending today: one call per data type, no refresh, values equal to the provider', async () => {
    const c = await connectHome({ sim });
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ from: '2026-11-04', to: TODAY, trigger: 'manual', dryRun: false, exitCode: 0 });
    expect(report.plugins[0]).toMatchObject({
      plugin: 'fitbit',
      status: 'ok',
      days: 7,
      chunks: 1,
      calls: 5, // steps, zone minutes, resting HR, HRV, sleep: one each
      retries: 0,
      refreshed: false,
      error: null,
    });
    expect(sim.stats['token:refresh_token']).toBeUndefined();
    expect(stored(c)).toEqual(truth('2026-11-04', TODAY));
    // Every value is named pluginId.fieldId with source = pluginId.
    for (const v of allValues(c.dbFile)) {
      expect(v.metric_name).toMatch(/^fitbit\.[A-Za-z]+$/);
      expect(v.source).toBe('fitbit');
    }
    // All 8 dates covered; last night's sleep is not processed yet, so its date is provisional.
    expect(coverage(c).map((x) => x.date)).toEqual(eachDate('2026-11-04', TODAY));
    expect(coverage(c).filter((x) => x.provisional === 1).length).toBeGreaterThan(0);
    expect(report.plugins[0].valuesWritten).toBe(allValues(c.dbFile).length);
    const runs = syncRuns(c.dbFile);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      plugin_id: 'fitbit',
      status: 'ok',
      range_from: '2026-11-04',
      range_to: TODAY,
      api_calls: 5,
      values_written: report.plugins[0].valuesWritten,
      pid: process.pid,
    });
    expect(connectionRow(c.dbFile)).toMatchObject({
      last_sync_at: NOW.toISOString(),
      last_sync_status: 'ok',
      last_error: null,
    });
  });

  test('is idempotent: two syncs of the same range give the same table', async () => {
    const c = await connectHome({ sim });
    expect((await sync(c, ['--since', '30d'])).code).toBe(0);
    const first = allValues(c.dbFile);
    const firstCoverage = coverage(c);
    expect((await sync(c, ['--since', '30d'])).code).toBe(0);
    expect(allValues(c.dbFile)).toEqual(first);
    expect(coverage(c)).toEqual(firstCoverage);
    expect(first.length).toBeGreaterThan(30 * 4);
  });

  test('never overwrites a value logged by hand, and says so', async () => {
    const c = await connectHome({ sim });
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home });
    putValue(ctx.db(), {
      date: '2026-11-05',
      metricName: 'fitbit.steps',
      value: 12345,
      source: 'manual',
      updatedAt: '2026-11-05T20:00:00.000Z',
    });
    ctx.close();
    const r = await sync(c, ['--json']);
    expect(JSON.parse(r.stdout).plugins[0].keptManual).toBe(1);
    const v = allValues(c.dbFile).find((x) => x.date === '2026-11-05' && x.metric_name === 'fitbit.steps');
    expect(v).toEqual({ date: '2026-11-05', metric_name: 'fitbit.steps', value: 12345, source: 'manual' });
  });
});

describe('ranges', () => {
  test.each([
    [['--since', '7x'], 'Not a --since value'],
    [['--since', 'yesterday'], 'Not a --since value'],
    [['--since', '0d'], 'above zero'],
    [['--since', '2026-12-01'], 'in the future'],
    [['--from', '2026-11-08', '--to', '2026-11-01'], 'starts after it ends'],
    [['--to', '2027-01-01'], 'in the future'],
    [['--from', '2026-02-30'], 'needs a date as YYYY-MM-DD'],
    [['--since', '7d', '--from', '2026-11-01'], 'both set the start'],
  ])('okr sync %j is refused with exit code 2', async (args, message) => {
    const c = await connectHome({ sim });
    const r = await sync(c, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/hint: /);
    expect(sim.stats.all).toBeUndefined();
  });

  test('--since 2w, --from/--to give the inclusive ranges', async () => {
    const c = await connectHome({ sim });
    const a = JSON.parse((await sync(c, ['--since', '2w', '--dry-run', '--json'])).stdout);
    expect([a.from, a.to]).toEqual(['2026-10-28', TODAY]);
    const b = JSON.parse((await sync(c, ['--from', '2026-10-01', '--to', '2026-10-03', '--json'])).stdout);
    expect([b.from, b.to, b.plugins[0].days]).toEqual(['2026-10-01', '2026-10-03', 3]);
    expect(coverage(c).map((x) => x.date)).toEqual(['2026-10-01', '2026-10-02', '2026-10-03']);
  });

  test('an unknown plugin is a usage error', async () => {
    const c = await connectHome({ sim });
    const r = await sync(c, ['nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown plugin "nosuch"');
  });

  test('nothing connected: says so and exits 0 (cron after a disconnect is not an error)', async () => {
    const home = (await connectHome({ sim })).home;
    const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home });
    // What `okr disconnect` leaves: the row disabled, the tokens deleted.
    ctx.db().prepare('UPDATE plugins SET enabled = 0').run();
    await deleteCredentials(ctx.secrets, 'fitbit');
    ctx.close();
    const r = await runCli(['sync'], { home, env: { OKR_SECRETS: 'file' }, now });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No connected plugin to sync.');
  });

  test('tokens without an enabled connection (an interrupted connect): reported, with the fix', async () => {
    const home = (await connectHome({ sim })).home;
    const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home });
    ctx.db().prepare('DELETE FROM plugins').run();
    ctx.close();
    for (const args of [[], ['fitbit']]) {
      const r = await runCli(['sync', ...args, '--json'], { home, env: { OKR_SECRETS: 'file' }, now });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).plugins).toEqual([
        expect.objectContaining({
          plugin: 'fitbit',
          status: 'error',
          error:
            'the secrets file holds fitbit tokens, but no connection is recorded (an `okr connect` stopped half-way).',
          hint: 'Run `okr disconnect fitbit` to revoke and delete them, or `okr connect fitbit` to connect again.',
        }),
      ]);
    }
    expect(sim.stats.all).toBeUndefined(); // nothing was fetched with them
  });
});

describe('token refresh', () => {
  test('an expired access token is refreshed once, saved, then used', async () => {
    const creds = sim.issueTokens();
    const c = await connectHome({ sim, credentials: { ...creds, expiresAt: NOW.getTime() - 1000 } });
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(0);
    expect(sim.stats['token:refresh_token']).toBe(1);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p).toMatchObject({ refreshed: true, calls: 6 });
    const after = await storedTokens(c.home);
    expect(after?.accessToken).not.toBe(creds.accessToken);
    expect(after?.refreshToken).toBe(creds.refreshToken); // Google does not rotate: the old one is kept
    expect(after?.expiresAt).toBe(NOW.getTime() + 3599 * 1000);
    expect(connectionRow(c.dbFile)?.access_expires_at).toBe(new Date(NOW.getTime() + 3599 * 1000).toISOString());
    // A second sync uses the saved token: no refresh.
    sim.resetStats();
    expect((await sync(c, [])).code).toBe(0);
    expect(sim.stats['token:refresh_token']).toBeUndefined();
  });

  test('a token expiring within the margin is refreshed before the sync', async () => {
    const c = await connectHome({ sim, credentials: { ...sim.issueTokens(), expiresAt: NOW.getTime() + 60_000 } });
    expect((await sync(c, [])).code).toBe(0);
    expect(sim.stats['token:refresh_token']).toBe(1);
  });

  test('a 401 mid-sync: exactly one refresh, each request retried once', async () => {
    const c = await connectHome({ sim });
    sim.expireAccessTokens(); // the provider dropped the token although okr thinks it is valid
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(0);
    expect(sim.stats['token:refresh_token']).toBe(1);
    // 5 rejected + 1 refresh + 5 retried
    expect(JSON.parse(r.stdout).plugins[0]).toMatchObject({ status: 'ok', calls: 11, refreshed: true });
    expect(stored(c)).toEqual(truth('2026-11-04', TODAY));
  });

  test('a 401 that persists after the refresh is "sign in again", not a loop', async () => {
    const c = await connectHome({ sim });
    sim.faults.expiredToken = true;
    const r = await sync(c, []);
    expect(r.code).toBe(3);
    expect(sim.stats['token:refresh_token']).toBe(1);
    expect(sim.stats.api).toBe(10); // 5 rejected, 5 retried once, then stop
    expect(r.stderr).toContain('okr connect fitbit');
    expect(connectionRow(c.dbFile)).toMatchObject({ last_sync_status: 'reauth', needs_reauth: 1 });
  });

  test('invalid_grant marks the plugin as needing sign-in and says how; later syncs make no calls', async () => {
    const creds = sim.issueTokens();
    const c = await connectHome({ sim, credentials: { ...creds, expiresAt: NOW.getTime() - 1000 } });
    sim.revokeAll();
    const r = await sync(c, []);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('invalid_grant');
    expect(r.stderr).toMatch(/hint: .*okr connect fitbit/);
    expect(connectionRow(c.dbFile)).toMatchObject({ last_sync_status: 'reauth', needs_reauth: 1 });
    expect(syncRuns(c.dbFile)[0]).toMatchObject({ status: 'reauth' });
    expect(allValues(c.dbFile)).toEqual([]);
    // The stored tokens are left as they were (a later `okr connect` replaces them).
    expect((await storedTokens(c.home))?.refreshToken).toBe(creds.refreshToken);
    sim.resetStats();
    const again = await sync(c, ['--json']);
    expect(again.code).toBe(3);
    expect(sim.stats.all).toBeUndefined();
    expect(JSON.parse(again.stdout).plugins[0].hint).toContain('okr connect fitbit');
  });

  test('a rotated refresh token is saved, and the saved one keeps working', async () => {
    const rot = await startSimulator({ now: NOW, clock: () => NOW.getTime(), seed: 7, rotateRefreshTokens: true });
    try {
      const creds = rot.issueTokens();
      const c = await connectHome({ sim: rot, credentials: { ...creds, expiresAt: NOW.getTime() - 1000 } });
      expect((await sync(c, [])).code).toBe(0);
      const after = await storedTokens(c.home);
      expect(after?.refreshToken).toBeDefined();
      expect(after?.refreshToken).not.toBe(creds.refreshToken);
      // Refresh again with what was saved: the provider accepts it (the old one is now invalid).
      rot.expireAccessTokens();
      const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home });
      await saveCredentials(ctx.secrets, 'fitbit', { ...after!, expiresAt: NOW.getTime() - 1 }, 'file');
      ctx.close();
      expect((await sync(c, [])).code).toBe(0);
      expect(rot.stats['token:refresh_token']).toBe(2);
    } finally {
      await rot.close();
    }
  });
});

describe('getFreshCredentials (also used by the read path and doctor)', () => {
  test('valid tokens are returned as stored, without a call', async () => {
    const c = await connectHome({ sim });
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home, now });
    try {
      const stored = await storedTokens(c.home);
      expect(await getFreshCredentials(ctx, fitbitPlugin)).toEqual(stored);
      expect(sim.stats.all).toBeUndefined();
    } finally {
      ctx.close();
    }
  });

  test('after a 401, a token another process already replaced is used as is: no second refresh', async () => {
    const c = await connectHome({ sim });
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home, now });
    try {
      const stored = await storedTokens(c.home);
      const got = await getFreshCredentials(ctx, fitbitPlugin, { force: true, rejectedAccessToken: 'an-older-token' });
      expect(got.accessToken).toBe(stored?.accessToken);
      expect(sim.stats['token:refresh_token']).toBeUndefined();
      // The rejected token is the stored one: now it is refreshed.
      const fresh = await getFreshCredentials(ctx, fitbitPlugin, {
        force: true,
        rejectedAccessToken: stored?.accessToken,
      });
      expect(fresh.accessToken).not.toBe(stored?.accessToken);
      expect(sim.stats['token:refresh_token']).toBe(1);
      expect((await storedTokens(c.home))?.accessToken).toBe(fresh.accessToken);
    } finally {
      ctx.close();
    }
  });

  test('no stored tokens: a re-authentication error naming okr connect', async () => {
    const home = (await connectHome({ sim })).home;
    const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home, now });
    try {
      await expect(getFreshCredentials(ctx, makeTestPlugin())).rejects.toMatchObject({
        category: 'reauth',
        hint: 'Run `okr connect testsvc` to connect it.',
      });
    } finally {
      ctx.close();
    }
  });
});

describe('provider faults', () => {
  test('429s end in success within the retry bounds', async () => {
    const c = await connectHome({ sim });
    sim.faults.status429 = 3;
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).plugins[0]).toMatchObject({ status: 'ok', calls: 8, retries: 3 });
    expect(stored(c)).toEqual(truth('2026-11-04', TODAY));
  });

  test('Retry-After is honoured', async () => {
    const c = await connectHome({ sim });
    Object.assign(sim.faults, { status429: 1, retryAfterSeconds: 1 });
    const t0 = performance.now();
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  test('429s beyond the bounds end in a clear failure, and stop calling', async () => {
    const c = await connectHome({ sim });
    sim.faults.status429 = 1000;
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.error).toContain('429');
    expect(p.hint).toContain("The provider's rate limit held after okr retried");
    expect(p.calls).toBeLessThanOrEqual(5 * 6); // five requests, each at most 1 + 5 retries
    // Nothing keeps retrying in the background: after the requests already on the wire arrive,
    // the provider sees no more.
    await new Promise((res) => setTimeout(res, 50));
    const seen = sim.stats.api ?? 0;
    expect(seen).toBeLessThanOrEqual(p.calls);
    await new Promise((res) => setTimeout(res, 200));
    expect(sim.stats.api).toBe(seen);
    expect(allValues(c.dbFile)).toEqual([]);
    expect(connectionRow(c.dbFile)).toMatchObject({ last_sync_status: 'error', needs_reauth: 0 });
  });

  test('a Retry-After longer than okr waits ends at once, saying when to come back', async () => {
    const c = await connectHome({ sim });
    Object.assign(sim.faults, { status429: 1000, retryAfterSeconds: 3600 });
    const t0 = performance.now();
    const r = await sync(c, ['--json']);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.hint).toContain('The provider asked okr to wait 3600 s before the next request (Retry-After).');
    expect(p.retries).toBe(0);
  });

  test('500s end in success within the bounds, or in a clear failure after them', async () => {
    const ok = await connectHome({ sim });
    sim.faults.status500 = 2;
    expect((await sync(ok, [])).code).toBe(0);
    expect(stored(ok)).toEqual(truth('2026-11-04', TODAY));

    const bad = await connectHome({ sim });
    sim.faults.status500 = 1000;
    const r = await sync(bad, ['--json']);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.status).toBe('error');
    expect(p.error).toContain('500');
    expect(p.hint).toContain('okr sync');
    expect(allValues(bad.dbFile)).toEqual([]);
  });

  test('timeouts are retried; a provider that stays silent fails clearly', async () => {
    const env = { OKR_HTTP_TIMEOUT_MS: '150' };
    const ok = await connectHome({ sim, env });
    sim.faults.latencyMs = 1000;
    setTimeout(() => {
      sim.faults.latencyMs = 0;
    }, 200);
    const r1 = await sync(ok, ['--json']);
    expect(r1.code).toBe(0);
    expect(JSON.parse(r1.stdout).plugins[0].retries).toBeGreaterThan(0);

    const bad = await connectHome({ sim, env });
    sim.faults.latencyMs = 1000;
    const r2 = await sync(bad, []);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('no complete answer within 150 ms');
  });

  test('the failure kind is recorded (last_error_kind), so doctor can tell a retired API', async () => {
    const c = await connectHome({ sim });
    sim.faults.gone = true;
    try {
      const r = await sync(c, ['--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).plugins[0]).toMatchObject({ status: 'error', errorKind: 'retired' });
    } finally {
      sim.faults.gone = false;
    }
    expect(connectionRow(c.dbFile)).toMatchObject({ last_sync_status: 'error', last_error_kind: 'retired' });
    const doctor = await runCli(['doctor', '--json'], { home: c.home, env: c.env, now });
    const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; detail: string }>;
    expect(checks.find((k) => k.id === 'plugin.fitbit.provider')).toMatchObject({ status: 'fail' });
    // A later success clears it.
    expect((await sync(c, [])).code).toBe(0);
    expect(connectionRow(c.dbFile)).toMatchObject({ last_sync_status: 'ok', last_error_kind: null });
  });

  test('a failed sync leaves earlier values as they were', async () => {
    const c = await connectHome({ sim });
    expect((await sync(c, [])).code).toBe(0);
    const before = allValues(c.dbFile);
    sim.faults.status500 = 1000;
    expect((await sync(c, [])).code).toBe(1);
    expect(allValues(c.dbFile)).toEqual(before);
  });
});

describe('several plugins', () => {
  function registryWith(failing: 'error' | 'reauth') {
    const registry = new PluginRegistry();
    registry.register(fitbitPlugin);
    registry.register(
      makeTestPlugin({
        fetchData: async () => {
          if (failing === 'reauth') {
            throw new ProviderError('reauth', 'The test service rejected the grant.', { reason: 'invalid_grant' });
          }
          throw new ProviderError('client', 'The test service is broken.', { hint: 'Try later.' });
        },
      }),
    );
    return registry;
  }

  async function twoPlugins(registry: PluginRegistry) {
    const c = await connectHome({ sim, registry });
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home, registry });
    recordConnected(ctx.db(), {
      pluginId: 'testsvc',
      accountId: 'a',
      connectedAt: NOW.toISOString(),
      tokenStore: 'file',
    });
    await saveCredentials(ctx.secrets, 'testsvc', { accessToken: 't', obtainedAt: 0 }, 'file');
    ctx.close();
    return c;
  }

  test('one plugin failing does not stop the others: exit code 4', async () => {
    const registry = registryWith('error');
    const c = await twoPlugins(registry);
    const r = await sync(c, ['--json'], { registry });
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout);
    expect(report.plugins.map((p: { plugin: string; status: string }) => [p.plugin, p.status])).toEqual([
      ['fitbit', 'ok'],
      ['testsvc', 'error'],
    ]);
    expect(stored(c)).toEqual(truth('2026-11-04', TODAY));
  });

  test('a plugin needing sign-in gives exit code 3 and names the command', async () => {
    const registry = registryWith('reauth');
    const c = await twoPlugins(registry);
    const r = await sync(c, [], { registry });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('okr connect testsvc');
  });

  test('only the named plugins are synced', async () => {
    const registry = registryWith('error');
    const c = await twoPlugins(registry);
    const r = await sync(c, ['fitbit', '--json'], { registry });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).plugins.map((p: { plugin: string }) => p.plugin)).toEqual(['fitbit']);
  });
});

/**
 * What `okr disconnect --purge` does, from outside the sync (as an okr that does not take the
 * sync lock would): the row disabled, the tokens, values and coverage deleted.
 */
async function disconnectBehindItsBack(c: Connected): Promise<void> {
  const ctx = createContext({ env: { OKR_HOME: c.home, OKR_SECRETS: 'file' }, homedir: c.home });
  try {
    await deleteCredentials(ctx.secrets, 'fitbit');
    const db = ctx.db();
    db.transaction(() => {
      markDisconnected(db, 'fitbit');
      deleteCoverage(db, 'fitbit');
      deleteValuesBySource(db, 'fitbit');
    }).immediate();
  } finally {
    ctx.close();
  }
}

describe('a disconnect that lands mid-sync is never undone', () => {
  test('chunks that arrive after it write nothing: no value, no coverage, the row stays disconnected', async () => {
    const c = await connectHome({ sim });
    // The simulator's 800 days: three chunks, fetched at once.
    const chunks = chunksNewestFirst(addDays(TODAY, -799), TODAY, FITBIT_DAYS_PER_FETCH);
    expect(chunks).toHaveLength(3);
    let struck = false;
    const fetchSpy: typeof fetch = async (input, init) => {
      // When the oldest chunk's sleep list starts, no chunk has committed: all arrive after it.
      if (!struck && String(input).includes(chunks[2]!.from)) {
        struck = true;
        await disconnectBehindItsBack(c);
      }
      return fetch(input, init);
    };
    const r = await sync(c, ['--since', '800d', '--json'], { fetch: fetchSpy });
    expect(struck).toBe(true);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p).toMatchObject({
      status: 'error',
      error: 'fitbit was disconnected during the sync; nothing more was written.',
      hint: 'Run `okr connect fitbit` to connect it again.',
    });
    expect(allValues(c.dbFile)).toEqual([]);
    expect(coverage(c)).toEqual([]);
    expect(connectionRow(c.dbFile)).toMatchObject({ enabled: 0, last_sync_status: null, needs_reauth: 0 });
    expect(await storedTokens(c.home)).toBeUndefined();
  });

  test('tokens a refresh brings back after the disconnect are not saved', async () => {
    const creds = sim.issueTokens();
    const c = await connectHome({ sim, credentials: { ...creds, expiresAt: NOW.getTime() - 1000 } });
    const fetchSpy: typeof fetch = async (input, init) => {
      // The disconnect deletes the tokens while the refresh request is on its way.
      if (String(input) === sim.tokenUrl) await disconnectBehindItsBack(c);
      return fetch(input, init);
    };
    const r = await sync(c, ['--json'], { fetch: fetchSpy });
    expect(sim.stats['token:refresh_token']).toBe(1);
    expect(JSON.parse(r.stdout).plugins[0]).toMatchObject({
      status: 'error',
      error: 'fitbit was disconnected during the token refresh; nothing more was written.',
    });
    expect(await storedTokens(c.home)).toBeUndefined();
    expect(allValues(c.dbFile)).toEqual([]);
    expect(connectionRow(c.dbFile)).toMatchObject({ enabled: 0, access_expires_at: null });
  });
});

/** A request's first date: in the URL (list filters) or the body (roll-up ranges). */
function firstDate(input: unknown, init?: RequestInit): string | undefined {
  const url = decodeURIComponent(String(input));
  const inUrl = /\d{4}-\d\d-\d\d/.exec(url)?.[0];
  if (inUrl) return inUrl;
  const d = /"year":(\d+),"month":(\d+),"day":(\d+)/.exec(String(init?.body ?? ''));
  return d ? `${d[1]}-${d[2]!.padStart(2, '0')}-${d[3]!.padStart(2, '0')}` : undefined;
}

describe('backfill, Ctrl-C and resume', () => {
  test('Ctrl-C stops at a safe point: whole chunks only, exit 130; the next run resumes', async () => {
    const c = await connectHome({ sim });
    const ac = new AbortController();
    // The simulator's 800 days: three chunks (366, 366 and 68 days), newest first, one at a time
    // (fitbit's chunksInFlight: 1).
    const from = addDays(TODAY, -799);
    const chunks = chunksNewestFirst(from, TODAY, FITBIT_DAYS_PER_FETCH);
    expect(chunks).toHaveLength(3);
    const oldest = chunks[2]!;
    const newerCovered = () =>
      coverage(c).filter((x) => x.date > oldest.to).length === chunks[0]!.days + chunks[1]!.days;
    let oldestAsked = 0;
    const fetchSpy: typeof fetch = async (input, init) => {
      // The oldest chunk starts only once the two newer ones have committed: Ctrl-C with its
      // requests in flight.
      const date = firstDate(input, init);
      if (date !== undefined && date <= oldest.to) {
        oldestAsked++;
        expect(newerCovered()).toBe(true);
        ac.abort(new Error('Interrupted.'));
      }
      return fetch(input, init);
    };
    const r = await sync(c, ['--since', '800d', '--json'], { signal: ac.signal, fetch: fetchSpy });
    expect(r.code).toBe(130);
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.status).toBe('interrupted');
    expect(p.hint).toBeNull();
    expect(syncRuns(c.dbFile)[0]).toMatchObject({ status: 'interrupted' });
    // Whole chunks only: each chunk is covered entirely or not at all, and holds the provider's values.
    const covered = new Set(coverage(c).map((x) => x.date));
    const done = chunks.filter((ch) => eachDate(ch.from, ch.to).every((d) => covered.has(d)));
    const untouched = chunks.filter((ch) => eachDate(ch.from, ch.to).every((d) => !covered.has(d)));
    expect(done.length + untouched.length).toBe(3);
    expect(done).toEqual([chunks[0], chunks[1]]);
    expect(oldestAsked).toBeGreaterThan(0);
    expect(p.chunksFetched).toBe(2);
    expect(covered.size).toBe(p.days);
    for (const v of allValues(c.dbFile)) expect(covered.has(v.date)).toBe(true);
    const want = new Map([...truth(from, TODAY)].filter(([k]) => covered.has(k.slice(0, 10))));
    expect(stored(c)).toEqual(want);
    // The connection's status says nothing about an interruption.
    expect(connectionRow(c.dbFile)?.last_sync_status).toBeNull();

    // The next run skips the old chunk the interrupted one completed (the newest, holding the
    // last 7 days, is always fetched again).
    sim.resetStats();
    const again = await sync(c, ['--since', '800d', '--json']);
    expect(again.code).toBe(0);
    const q = JSON.parse(again.stdout).plugins[0];
    expect(q.chunksSkipped).toBe(1);
    expect(q.chunksFetched).toBe(2);
    expect(stored(c)).toEqual(truth(from, TODAY));
    // A third run after a complete backfill fetches everything again (the user asked for it).
    const third = JSON.parse((await sync(c, ['--since', '800d', '--json'])).stdout).plugins[0];
    expect(third.chunksSkipped).toBe(0);
  });

  test('a backfill that fails part-way: partial (exit 4), and the hint names the command that resumes it', async () => {
    const c = await connectHome({ sim });
    const from = addDays(TODAY, -799);
    const chunks = chunksNewestFirst(from, TODAY, FITBIT_DAYS_PER_FETCH);
    expect(chunks).toHaveLength(3);
    const oldest = chunks[2]!;
    // The provider starts failing (500, past every retry) once the oldest chunk is asked for.
    const fetchSpy: typeof fetch = async (input, init) => {
      const date = firstDate(input, init);
      if (date !== undefined && date <= oldest.to) sim.faults.status500 = 1000;
      return fetch(input, init);
    };
    const r = await sync(c, ['--since', '800d', '--json'], { fetch: fetchSpy });
    const p = JSON.parse(r.stdout).plugins[0];
    expect(p.chunksFetched).toBe(2);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).exitCode).toBe(4);
    expect(p.status).toBe('partial');
    expect(p.error).toContain('500');
    expect(p.hint).toContain(
      'run `okr sync fitbit --since 800d` again later: it resumes this backfill, fetching only what is missing',
    );
    expect(syncRuns(c.dbFile)[0]).toMatchObject({ status: 'partial' });
    expect(connectionRow(c.dbFile)?.last_sync_status).toBe('partial');

    // Following the hint resumes: the old chunk the failed run stored is skipped.
    sim.faults.status500 = 0;
    const again = JSON.parse((await sync(c, ['--since', '800d', '--json'])).stdout).plugins[0];
    expect(again).toMatchObject({ status: 'ok', chunksSkipped: 1, chunksFetched: 2 });
    expect(stored(c)).toEqual(truth(from, TODAY));
  });

  test('a sync of the default range that fails: the hint is plain `okr sync fitbit`, retried by the schedule', async () => {
    const c = await connectHome({ sim });
    sim.faults.status500 = 1000;
    const r = await sync(c, ['--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).plugins[0].hint).toContain(
      'run `okr sync fitbit` again later (a scheduled sync retries on its own)',
    );
  });

  test('a run left "running" by a killed process is marked interrupted by the next one', async () => {
    const c = await connectHome({ sim });
    const dead = spawn('true');
    await new Promise((res) => dead.on('close', res));
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home });
    ctx
      .db()
      .prepare(
        `INSERT INTO sync_runs (plugin_id, trigger, started_at, status, range_from, range_to, pid)
         VALUES ('fitbit', 'schedule', '2026-11-10T14:00:00.000Z', 'running', '2026-11-03', '2026-11-10', ?)`,
      )
      .run(dead.pid);
    ctx.close();
    expect((await sync(c, [])).code).toBe(0);
    expect(syncRuns(c.dbFile).map((r) => [r.status, r.finished_at !== null])).toEqual([
      ['interrupted', true],
      ['ok', true],
    ]);
  });

  test('a run left "running" whose pid now names a live process (after a reboot) is marked interrupted too', async () => {
    const c = await connectHome({ sim });
    // The pid of a live process that is not a sync: this test's own.
    const ctx = createContext({ env: { ...c.env, OKR_HOME: c.home }, homedir: c.home });
    ctx
      .db()
      .prepare(
        `INSERT INTO sync_runs (plugin_id, trigger, started_at, status, range_from, range_to, pid)
         VALUES ('fitbit', 'schedule', '2026-11-09T14:00:00.000Z', 'running', '2026-11-02', '2026-11-09', ?)`,
      )
      .run(process.pid);
    ctx.close();
    expect((await sync(c, [])).code).toBe(0);
    expect(syncRuns(c.dbFile).map((r) => [r.status, r.finished_at !== null])).toEqual([
      ['interrupted', true],
      ['ok', true],
    ]);
  });
});

describe('locks', () => {
  test('a state folder others may write (0777) is made private by the sync that takes its locks', async () => {
    const c = await connectHome({ sim });
    const state = join(c.home, 'state');
    mkdirSync(join(state, 'locks'), { recursive: true });
    chmodSync(state, 0o777);
    chmodSync(join(state, 'locks'), 0o777);
    expect((await sync(c, [])).code).toBe(0);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(statSync(join(state, 'locks')).mode & 0o777).toBe(0o700);
  });

  test('a plugin locked by a live process: waits a little, names the holder, skips; writes nothing', async () => {
    const c = await connectHome({ sim, env: { OKR_LOCK_WAIT_MS: '300' } });
    const holder = spawn('sleep', ['30']);
    try {
      plantSyncLock(c, holder.pid!, '2026-11-10T14:59:00.000Z');
      const t0 = performance.now();
      const r = await sync(c, []);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `fitbit: skipped: fitbit is being synced by another okr (pid ${holder.pid}, since 2026-11-10T14:59:00.000Z)`,
      );
      expect(sim.stats.all).toBeUndefined();
      expect(allValues(c.dbFile)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((res) => holder.on('close', res));
    }
    // Once the holder is gone its lock is stale: the next sync takes it.
    expect((await sync(c, [])).code).toBe(0);
    expect(readdirSync(join(c.home, 'state', 'locks'))).toEqual([]);
  });

  test('a holder that has kept the lock for more than 30 minutes is probably stuck: a failure, not a skip', async () => {
    const c = await connectHome({ sim, env: { OKR_LOCK_WAIT_MS: '0' } });
    const holder = spawn('sleep', ['30']);
    try {
      plantSyncLock(c, holder.pid!, '2026-11-10T13:00:00.000Z');
      const r = await sync(c, ['--json']);
      expect(r.code).toBe(1);
      const p = JSON.parse(r.stdout).plugins[0];
      expect(p).toMatchObject({
        status: 'error',
        error: `fitbit was not synced: another okr (pid ${holder.pid}, since 2026-11-10T13:00:00.000Z) has held its lock for 2 h without storing anything, and may be stuck.`,
      });
      expect(p.hint).toContain(`end it (\`kill ${holder.pid}\`), then run \`okr sync fitbit\``);
      expect(sim.stats.all).toBeUndefined();
    } finally {
      holder.kill('SIGKILL');
      await new Promise((res) => holder.on('close', res));
    }
  });

  test('a long backfill that keeps storing is not stuck: skipped, exit 0; one quiet for 30 minutes is', async () => {
    const c = await connectHome({ sim, env: { OKR_LOCK_WAIT_MS: '0' } });
    const holder = spawn('sleep', ['30']);
    // What the holder stored, as its chunks write coverage (the clock of these tests is 2026-11-10T15:00Z).
    const storedAt = (at: string) => {
      const ctx = createContext({ env: { OKR_HOME: c.home, OKR_SECRETS: 'file' }, homedir: c.home });
      try {
        markCoverage(ctx.db(), 'fitbit', ['2019-05-01'], new Set(), at);
      } finally {
        ctx.close();
      }
    };
    try {
      plantSyncLock(c, holder.pid!, '2026-11-10T13:00:00.000Z');
      storedAt('2026-11-10T14:58:00.000Z');
      const busy = await sync(c, ['--json']);
      expect(busy.code).toBe(0);
      expect(JSON.parse(busy.stdout).plugins[0].status).toBe('skipped');
      storedAt('2026-11-10T14:15:00.000Z');
      const quiet = await sync(c, ['--json']);
      expect(quiet.code).toBe(1);
      expect(JSON.parse(quiet.stdout).plugins[0].error).toBe(
        `fitbit was not synced: another okr (pid ${holder.pid}, since 2026-11-10T13:00:00.000Z) has held its lock for 2 h and stored nothing for 45 min, and may be stuck.`,
      );
      expect(sim.stats.all).toBeUndefined();
    } finally {
      holder.kill('SIGKILL');
      await new Promise((res) => holder.on('close', res));
    }
  });
});

/** A fitbit sync lock held by `pid` since `startedAt`, as another okr's would be. */
function plantSyncLock(c: Connected, pid: number, startedAt: string): void {
  const lockDir = join(c.home, 'state', 'locks');
  mkdirSync(lockDir, { recursive: true });
  writeFileSync(join(lockDir, 'fitbit.sync.lock'), JSON.stringify({ pid, startedAt }));
}

describe('output', () => {
  test('--dry-run prints the planned calls and writes nothing', async () => {
    const c = await connectHome({ sim });
    const r = await sync(c, ['--since', '1y', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: 2025-11-11..2026-11-10; nothing is fetched or written.');
    expect(r.stdout).toContain('fitbit: 1 chunk to fetch, newest first');
    expect(r.stdout).toContain(
      'data types: sleepLength, wakeUpTime, bedTime, steps, restingHeartRate, hrv, activeZoneMinutes',
    );
    expect(r.stdout).toContain('fetch 2025-11-11..2026-11-10 (365 days)');
    expect(r.stdout).toContain('access token: valid, no refresh');
    expect(sim.stats.all).toBeUndefined();
    expect(allValues(c.dbFile)).toEqual([]);
    expect(syncRuns(c.dbFile)).toEqual([]);
    expect(coverage(c)).toEqual([]);
  });

  test('not a terminal: timestamped lines fit for a log; --quiet keeps only the result', async () => {
    const c = await connectHome({ sim });
    const r = await sync(c, []);
    const lines = r.stdout.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^2026-11-10T15:00:00\.000Z fitbit: /);
    expect(lines[0]).toBe('2026-11-10T15:00:00.000Z fitbit: syncing 2026-11-04..2026-11-10 in 1 chunk');
    expect(lines.at(-1)).toMatch(
      /^2026-11-10T15:00:00\.000Z fitbit: ok, 7 days, \d+ values written, 5 calls, \d+(\.\d)? m?s$/,
    );
    const q = await sync(c, ['--quiet']);
    expect(q.stdout.trim().split('\n')).toHaveLength(1);
    expect(q.stdout).toMatch(/fitbit: ok, 7 days/);
  });

  test('a terminal gets a summary table', async () => {
    const c = await connectHome({ sim });
    const r = await sync(c, [], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plugin.*status.*days.*values written.*calls.*time/);
    expect(r.stdout).toMatch(/fitbit.*ok.*7.*\d+.*5/);
  });

  test('cron passes --trigger schedule; it is recorded on the run', async () => {
    const c = await connectHome({ sim });
    expect((await sync(c, ['--quiet', '--trigger', 'schedule'])).code).toBe(0);
    expect(syncRuns(c.dbFile)[0]).toMatchObject({ trigger: 'schedule', status: 'ok' });
    expect((await sync(c, ['--trigger', 'bogus'])).code).toBe(2);
  });

  test('--json is a stable object', async () => {
    const c = await connectHome({ sim });
    const report = JSON.parse((await sync(c, ['--json'])).stdout);
    expect(Object.keys(report)).toEqual([
      'from',
      'to',
      'trigger',
      'dryRun',
      'startedAt',
      'finishedAt',
      'ms',
      'exitCode',
      'plugins',
    ]);
    expect(Object.keys(report.plugins[0])).toEqual([
      'plugin',
      'status',
      'from',
      'to',
      'days',
      'chunks',
      'chunksFetched',
      'chunksSkipped',
      'valuesWritten',
      'keptManual',
      'refused',
      'calls',
      'retries',
      'refreshed',
      'ms',
      'error',
      'errorKind',
      'hint',
      'notGranted',
    ]);
  });
});
