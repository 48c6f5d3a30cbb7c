/**
 * Concurrency: 4 `okr sync` and 2 `okr metrics show` processes (the built bin/okr.js) started
 * together on one home, 20 times, against a simulator that ROTATES refresh tokens (each refresh
 * invalidates the previous one, the harshest case for "no lost token") with the stored access
 * token already expired, so every process wants to refresh at once.
 *
 * What is acceptable, from the engine (src/sync/engine.ts, lock.ts, credentials.ts):
 * - `okr sync` exits 0 with status `ok`, or, when another process holds the plugin's sync lock
 *   longer than OKR_LOCK_WAIT_MS, exits 0 with status `skipped` and says who holds it and what to
 *   run ("fitbit is being synced by another okr (pid N, since …); skipped."). Skipping is not an
 *   error: the holder is doing the same work. Half the rounds use the default wait (10 s: the
 *   syncs queue and all end `ok`), half OKR_LOCK_WAIT_MS=0 (the losers skip at once).
 * - `okr metrics show` exits 0 and shows stored values; a live fetch that found the lock held
 *   leaves a note, never an error exit.
 * - Never: another exit code, SQLITE_BUSY / "database is locked", a "bug in okr" message, a
 *   second refresh (the token lock serialises them), a lost refresh token, or a value that
 *   differs from a clean sync of the same range.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, localDate } from '../../src/dates.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import {
  coveredDates,
  integrityCheck,
  percentile,
  refreshWorks,
  simulatorHome,
  spawnOkr,
  syncRunRows,
  valuesByDate,
  withDb,
} from '../helpers/faults.js';
import { storedTokens } from '../sync/helpers.js';

const ROUNDS = 20;
let sim: Simulator;
let today: string;
let from: string;
let reference: Map<string, string[]>;
const homes: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 31, rotateRefreshTokens: true });
  today = localDate(new Date());
  from = addDays(today, -44); // 45 days: one chunk, every data type, several sleep pages
  const ref = await simulatorHome(sim, { prefix: 'okr-conc-ref-' });
  homes.push(ref.home);
  const r = await runCli(['sync', '--from', from, '--to', today, '--json'], { home: ref.home, env: ref.env });
  expect(r.code, r.stderr).toBe(0);
  reference = valuesByDate(ref.dbFile);
});

afterAll(async () => {
  await sim?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const BAD_OUTPUT = /SQLITE_BUSY|database is locked|bug in okr|Error:|at .+\.js:\d+/;

it(`${ROUNDS} rounds of 4 okr sync + 2 okr metrics show at once: clean exits, one refresh, no lost token, correct data`, async () => {
  const t0 = performance.now();
  const failures: string[] = [];
  const counts = { syncOk: 0, syncSkipped: 0, showOk: 0, refreshes: 0 };
  const wall: number[] = [];
  sim.faults.latencyMs = 10; // requests overlap in time

  for (let round = 0; round < ROUNDS; round++) {
    const fail = (what: string) => failures.push(`round ${round}: ${what}`);
    const h = await simulatorHome(sim, { credentials: { ...sim.issueTokens(), expiresAt: Date.now() - 1000 } });
    homes.push(h.home);
    const env = round % 2 === 0 ? h.env : { ...h.env, OKR_LOCK_WAIT_MS: '0' };
    const refreshesBefore = sim.stats['token:refresh_token'] ?? 0;
    const r0 = performance.now();
    const procs = [
      ...[0, 1, 2, 3].map(() => ({
        kind: 'sync' as const,
        p: spawnOkr(['sync', '--from', from, '--to', today, '--json'], { home: h.home, env }),
      })),
      ...[0, 1].map(() => ({
        kind: 'show' as const,
        p: spawnOkr(['metrics', 'show', '--from', from, '--to', today, '--json'], { home: h.home, env }),
      })),
    ];
    const results = await Promise.all(procs.map(async ({ kind, p }) => ({ kind, r: await p.done })));
    wall.push(performance.now() - r0);
    const refreshes = (sim.stats['token:refresh_token'] ?? 0) - refreshesBefore;
    counts.refreshes += refreshes;
    if (refreshes !== 1) fail(`${refreshes} token refreshes (want exactly 1)`);

    for (const { kind, r } of results) {
      const tag = `${kind} (exit ${r.code})`;
      if (BAD_OUTPUT.test(r.stderr)) fail(`${tag}: ${r.stderr.trim()}`);
      if (r.code !== 0) {
        fail(`${tag}: ${r.stderr.trim()}`);
        continue;
      }
      const json = JSON.parse(r.stdout);
      if (kind === 'sync') {
        const p = json.plugins[0];
        if (p.status === 'ok') counts.syncOk++;
        else if (
          p.status === 'skipped' &&
          /^fitbit is being synced by another okr \(pid \d+, since .+\); skipped\.$/.test(p.error) &&
          /okr sync fitbit/.test(p.hint)
        ) {
          counts.syncSkipped++;
        } else fail(`${tag}: status ${p.status}: ${p.error}`);
      } else {
        counts.showOk++;
        // What it shows is what a clean sync stores, for every date it has values for.
        for (const day of json.days as Array<{ date: string; values: Record<string, { value: number } | null> }>) {
          const shown = Object.entries(day.values)
            .filter(([, v]) => v !== null) // no value that day
            .map(([m, v]) => `${m}=${v!.value}`)
            .sort();
          const want = [...(reference.get(day.date) ?? [])].sort();
          if (shown.length > 0 && shown.join(' ') !== want.join(' ')) {
            fail(`show ${day.date}: "${shown.join(' ')}" != "${want.join(' ')}"`);
          }
        }
      }
    }
    // With the default wait the syncs queue: every one of them ends ok.
    if (round % 2 === 0) {
      const notOk = results.filter(
        ({ kind, r }) => kind === 'sync' && r.code === 0 && JSON.parse(r.stdout).plugins[0].status !== 'ok',
      );
      if (notOk.length > 0) fail(`${notOk.length} syncs skipped despite the 10 s lock wait`);
    }

    // The data is the reference's, exactly; no run is left running.
    const got = valuesByDate(h.dbFile);
    if (JSON.stringify([...got]) !== JSON.stringify([...reference])) fail('stored values differ from the reference');
    const rows = syncRunRows(h.dbFile);
    if (rows.some((r) => r.status !== 'ok')) fail(`sync_runs: ${rows.map((r) => r.status).join(',')}`);

    // No lost token: the stored refresh token is the live one. Expire every access token, then
    // a sync must refresh with it and succeed.
    const tokens = await storedTokens(h.home);
    if (!tokens?.refreshToken) fail('no stored refresh token');
    sim.expireAccessTokens();
    const after = await runCli(['sync', '--from', today, '--json'], { home: h.home, env: h.env });
    if (after.code !== 0 || JSON.parse(after.stdout).plugins[0].refreshed !== true) {
      fail(`sync after the round: exit ${after.code} ${after.stderr.trim()}`);
    }
    rmSync(h.home, { recursive: true, force: true });
  }
  sim.faults.latencyMs = 0;

  console.log(
    `concurrency: ${ROUNDS} rounds × (4 sync + 2 metrics show), ${failures.length} failures, ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s; sync ok ${counts.syncOk}, skipped (lock held) ${counts.syncSkipped}, ` +
      `metrics show ok ${counts.showOk}; token refreshes ${counts.refreshes} (one per round); ` +
      `round wall time p50 ${percentile(wall, 50).toFixed(0)} ms, max ${Math.max(...wall).toFixed(0)} ms`,
  );
  expect(failures).toEqual([]);
  expect(counts.syncOk + counts.syncSkipped).toBe(ROUNDS * 4);
  expect(counts.syncSkipped).toBeGreaterThan(0); // the no-wait rounds really contended
}, 600_000);

/**
 * `okr disconnect --purge --yes` started while a real `okr sync` runs (a year: five chunks, three
 * in flight, 30 ms per response), at four moments: together with it, when its token refresh
 * request reaches the provider (the new tokens are on their way), at its first data request, and
 * at a random later one. Whoever gets the plugin's locks first finishes first; afterwards there
 * must be no token in the store, no synced value, no coverage, a disconnected row, and a revoked
 * grant, and a later `okr sync` has nothing to do. Before the fix, disconnect took no lock: the
 * sync saved the refreshed tokens after the deletion and wrote chunks after the purge.
 */
const RACE_ROUNDS = 12;
it(`${RACE_ROUNDS} races of okr disconnect --purge against a running okr sync: the disconnect is never undone`, async () => {
  const t0 = performance.now();
  const failures: string[] = [];
  const outcomes = { syncFirst: 0, disconnectFirst: 0 };
  const yearFrom = addDays(today, -364);
  const points = ['at once', 'refresh request arrived', 'first data request', 'k-th data request'] as const;
  sim.faults.latencyMs = 30;
  try {
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const point = points[round % points.length]!;
      const fail = (what: string) => failures.push(`round ${round} (${point}): ${what}`);
      const initial = { ...sim.issueTokens(), expiresAt: Date.now() - 1000 };
      const h = await simulatorHome(sim, { credentials: initial, prefix: 'okr-race-' });
      homes.push(h.home);
      const counter = point === 'refresh request arrived' ? 'token:refresh_token' : 'api';
      const nth = point === 'k-th data request' ? 2 + Math.floor(Math.random() * 30) : 1;
      const base = sim.stats[counter] ?? 0;

      const sync = spawnOkr(['sync', '--from', yearFrom, '--to', today, '--json'], { home: h.home, env: h.env });
      let disconnect: ReturnType<typeof spawnOkr> | undefined;
      const start = () => {
        disconnect ??= spawnOkr(['disconnect', 'fitbit', '--purge', '--yes'], { home: h.home, env: h.env });
      };
      if (point === 'at once') start();
      const poll = setInterval(() => {
        if ((sim.stats[counter] ?? 0) - base >= nth) start();
      }, 1);
      const s = await sync.done;
      clearInterval(poll);
      start(); // the sync ended before the point was reached: race its very end
      const d = await disconnect!.done;

      if (d.code !== 0) fail(`disconnect exit ${d.code}: ${d.stderr.trim()}`);
      else if (!/Deleted [\d,]+ values? synced from fitbit\./.test(d.stdout)) fail(`disconnect said: ${d.stdout}`);
      // The sync found it connected and finished first; or found it disconnected when it chose
      // what to sync (nothing, exit 0) or once it held the lock (exit 1, "not connected").
      const plugins = s.code === 0 || s.code === 1 ? JSON.parse(s.stdout).plugins : undefined;
      const result = plugins?.[0];
      if (s.code === 0 && result?.status === 'ok') outcomes.syncFirst++;
      else if (s.code === 0 && plugins?.length === 0) outcomes.disconnectFirst++;
      else if (s.code === 1 && result?.error === 'fitbit is not connected.') outcomes.disconnectFirst++;
      else fail(`sync exit ${s.code}: ${s.stdout.trim()} ${s.stderr.trim()}`);

      // Nothing of the connection comes back.
      if ((await storedTokens(h.home)) !== undefined) fail('tokens are back in the store');
      const synced = valuesByDate(h.dbFile, 'fitbit');
      if (synced.size > 0) fail(`${synced.size} days of synced values are back after the purge`);
      if (coveredDates(h.dbFile).size > 0) fail('coverage is back after the purge');
      const row = withDb(h.dbFile, (db) =>
        db.prepare("SELECT enabled, needs_reauth FROM plugins WHERE plugin_id = 'fitbit'").get(),
      ) as { enabled: number; needs_reauth: number };
      if (row.enabled !== 0 || row.needs_reauth !== 0) fail(`connection row ${JSON.stringify(row)}`);
      if (await refreshWorks(sim, initial.refreshToken)) fail('the grant still works at the provider');
      if (integrityCheck(h.dbFile) !== 'ok') fail('integrity_check failed');
      if (syncRunRows(h.dbFile).some((r) => r.status === 'running')) fail('a sync run is left running');
      const later = await runCli(['sync', '--json'], { home: h.home, env: h.env });
      if (later.code !== 0 || JSON.parse(later.stdout).plugins.length !== 0) {
        fail(`a later sync: exit ${later.code} ${later.stdout.trim()}`);
      }
      rmSync(h.home, { recursive: true, force: true });
    }
  } finally {
    sim.faults.latencyMs = 0;
  }
  console.log(
    `disconnect races: ${RACE_ROUNDS} rounds, ${failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
      `sync finished first ${outcomes.syncFirst}, disconnect first ${outcomes.disconnectFirst}`,
  );
  expect(failures).toEqual([]);
  expect(outcomes.syncFirst).toBeGreaterThan(0); // the disconnect really waited for running syncs
}, 600_000);
