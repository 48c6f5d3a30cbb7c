/**
 * `okr sync` as real processes (the built bin/okr.js) against the simulator: two runs started
 * together, and runs killed with SIGKILL at points spread over the whole sync. The 200-run
 * version of the kill test lives in test/faults.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eachDate, localDate } from '../../src/dates.js';
import { FITBIT_DAYS_PER_FETCH } from '../../src/plugins/fitbit/plugin.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { chunksNewestFirst } from '../../src/sync/plan.js';
import { BIN, runBin, runCli } from '../helpers/cli.js';
import { allValues, type Connected, connectHome, storedTokens, syncRuns, withDb } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  // The real clock: the subprocesses cannot be given a fake one.
  sim = await startSimulator({ seed: 11 });
});
afterAll(() => sim.close());

function steps(c: Connected): Map<string, number> {
  return new Map(
    allValues(c.dbFile)
      .filter((v) => v.metric_name === 'fitbit.steps')
      .map((v) => [v.date, v.value as number]),
  );
}

function truthSteps(from: string, to: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of sim.data.days(from, to)) if (d.steps !== undefined) out.set(d.date, d.steps);
  return out;
}

test('two okr sync processes started together: both exit cleanly, data correct, tokens still valid', async () => {
  const rot = await startSimulator({ seed: 11, rotateRefreshTokens: true });
  try {
    rot.faults.latencyMs = 20;
    // Expired locally, so both processes want to refresh a single-use (rotating) refresh token.
    const creds = rot.issueTokens();
    const c = await connectHome({ sim: rot, credentials: { ...creds, expiresAt: Date.now() - 1000 } });
    const [a, b] = await Promise.all([
      runBin(['sync', '--since', '3m', '--json'], { home: c.home, env: c.env }),
      runBin(['sync', '--since', '3m', '--json'], { home: c.home, env: c.env }),
    ]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const reports = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(reports.map((r) => r.plugins[0].status)).toEqual(['ok', 'ok']);
    // One refresh in all: the second process found the first one's new tokens.
    expect(rot.stats['token:refresh_token']).toBe(1);
    expect(reports.filter((r) => r.plugins[0].refreshed)).toHaveLength(1);
    // The data is the provider's, once.
    const { from, to } = reports[0];
    const expected = new Map<string, number>();
    for (const d of rot.data.days(from, to)) if (d.steps !== undefined) expected.set(d.date, d.steps);
    expect(steps(c)).toEqual(expected);
    expect(syncRuns(c.dbFile).map((r) => r.status)).toEqual(['ok', 'ok']);
    // The saved tokens work: the access token reads the API, the refresh token refreshes.
    const saved = await storedTokens(c.home);
    const who = await fetch(`${rot.apiBaseUrl}/users/me/identity`, {
      headers: { Authorization: `Bearer ${saved?.accessToken}` },
    });
    expect(who.status).toBe(200);
    const refreshed = await fetch(rot.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: saved?.refreshToken ?? '',
        client_id: rot.clientId,
        client_secret: rot.clientSecret,
      }).toString(),
    });
    expect(refreshed.status).toBe(200);
  } finally {
    await rot.close();
  }
});

test('a reader that closes the pipe early (`okr sync | head -1`): the sync still ends, stored, unlocked, ok', async () => {
  sim.faults.latencyMs = 10;
  const c = await connectHome({ sim });
  try {
    // Not spawnSync: the simulator answers from this process's event loop.
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        'bash',
        ['-c', `"${process.execPath}" "${BIN}" sync --since 1y | head -1; echo "okr exit \${PIPESTATUS[0]}" >&2`],
        { env: { ...process.env, ...c.env, OKR_HOME: c.home }, timeout: 60_000 },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', () => resolve({ stdout, stderr }));
    });
    // head got its line; the sync went on writing into the closed pipe, quietly, to its end.
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('okr exit 0\n');
    const runs = syncRuns(c.dbFile);
    expect(runs.map((x) => x.status)).toEqual(['ok']);
    expect(steps(c)).toEqual(truthSteps(String(runs[0]!.range_from), String(runs[0]!.range_to)));
    expect(steps(c).size).toBeGreaterThan(300);
    expect(readdirSync(join(c.home, 'state', 'locks'))).toEqual([]);
  } finally {
    sim.faults.latencyMs = 0;
  }
});

/**
 * Starts `okr sync` and kills it with SIGKILL `delayMs` after it has printed `afterChunks` chunk
 * lines (0: after the start). Resolves when it is gone.
 */
function killDuring(
  args: string[],
  c: Connected,
  afterChunks: number,
  delayMs: number,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...c.env, OKR_HOME: c.home } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    if (afterChunks === 0) arm();
    let seen = 0;
    child.stdout.on('data', (d: Buffer) => {
      seen += (String(d).match(/: chunk \d+\/\d+ /g) ?? []).length;
      if (afterChunks > 0 && seen >= afterChunks) arm();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

test('SIGKILL at 30 points of a sync: integrity ok, whole chunks only, the next sync completes', async () => {
  sim.faults.latencyMs = 40;
  // Tokens live one second, so every run refreshes and saves them: kills land in that too.
  sim.setTokenTtl(1);
  const outcomes: number[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      const c = await connectHome({ sim });
      const today = localDate(new Date());
      // The 800 days ending today (`--since 800d`, all of the simulator's history): three chunks.
      const from = eachDate('2000-01-01', today).at(-800)!;
      const chunks = chunksNewestFirst(from, today, FITBIT_DAYS_PER_FETCH);
      expect(chunks).toHaveLength(3);
      // Kill points: a third at a random time from start-up (node, imports, database, token
      // refresh and save) to the first chunk; the others a random few milliseconds after the
      // k-th chunk committed, while the next ones are in flight or being written.
      const afterChunks = i % 3 === 0 ? 0 : 1 + (i % 2);
      const delayMs = afterChunks === 0 ? 50 + Math.floor(Math.random() * 400) : Math.floor(Math.random() * 40);
      const run = await killDuring(['sync', '--since', '800d'], c, afterChunks, delayMs);

      const db = new Database(c.dbFile);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
      // Whole chunks only: each chunk is covered entirely or not at all (a few are fetched at
      // once, so any of them may be the ones that committed); nothing outside them was written.
      const covered = new Set(
        withDb(c.dbFile, (d) => d.prepare('SELECT date FROM sync_coverage').pluck().all()) as string[],
      );
      let done = 0;
      for (const ch of chunks) {
        const dates = eachDate(ch.from, ch.to);
        const n = dates.filter((d) => covered.has(d)).length;
        expect(n === 0 || n === dates.length).toBe(true);
        if (n > 0) done++;
      }
      for (const d of covered) expect(d >= from && d <= today).toBe(true);
      const got = steps(c);
      for (const date of got.keys()) expect(covered.has(date)).toBe(true);
      const want = new Map([...truthSteps(from, today)].filter(([d]) => covered.has(d)));
      expect(got).toEqual(want);
      outcomes.push(run.killed ? done : chunks.length + 1);

      // The next sync completes, resuming what the killed one finished (no latency: it is not
      // what this test measures).
      // Nor with one-second tokens: on a busy machine this sync outlasts them, and a token that
      // expires after the one refresh a sync allows is a re-authentication (exit 3).
      sim.faults.latencyMs = 0;
      sim.setTokenTtl(3599);
      const next = await runCli(['sync', '--since', '800d', '--json'], { home: c.home, env: c.env });
      sim.faults.latencyMs = 40;
      sim.setTokenTtl(1);
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(steps(c)).toEqual(truthSteps(from, today));
      expect(syncRuns(c.dbFile).some((r) => r.status === 'running')).toBe(false);
    }
  } finally {
    sim.faults.latencyMs = 0;
    sim.setTokenTtl(3599);
  }
  console.log('kill outcomes (chunks done; 4 = not killed):', outcomes.join(' '));
  // The kill points really spread over the sync: some before any chunk, some between chunks.
  expect(outcomes.filter((n) => n === 0).length).toBeGreaterThan(0);
  expect(outcomes.filter((n) => n > 0 && n < 3).length).toBeGreaterThan(0);
}, 120_000);
