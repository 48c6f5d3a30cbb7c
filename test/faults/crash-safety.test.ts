/**
 * Crash safety: real `okr sync` processes (the built bin/okr.js) against the simulator, each
 * SIGKILLed at a random moment (200 runs), then at injected protocol points (60 runs, see the
 * second test). The random kill delays are spread over a whole sync, measured first at
 * each injected latency, so kills land in start-up, in the token refresh and its save, in
 * requests (latency keeps requests in flight), in chunk transactions and after the last commit.
 *
 * After every run:
 * - `PRAGMA integrity_check` is ok;
 * - no sync is half-recorded: each chunk is covered entirely or not at all, and covered dates
 *   hold exactly what a clean reference sync of the same range stored (nothing else anywhere);
 * - every sync_runs row is finished, or `running` with the dead pid of the killed process;
 * - the stored tokens still work, and the next sync completes without re-authentication: it
 *   exits 0, marks the killed run `interrupted`, and the database then equals the reference.
 *
 * The simulator does not rotate refresh tokens (Google does not), so a kill between the token
 * endpoint's answer and the save costs only the new access token; the saved one stays valid.
 * Knobs for local runs: OKR_CRASH_RUNS (default 200), OKR_CRASH_POINT_RUNS (default 12 per point).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, localDate } from '../../src/dates.js';
import { pidAlive } from '../../src/lock.js';
import { FITBIT_DAYS_PER_FETCH } from '../../src/plugins/fitbit/plugin.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { chunksNewestFirst } from '../../src/sync/plan.js';
import { runBin, runCli } from '../helpers/cli.js';
import {
  halfRecorded,
  integrityCheck,
  percentile,
  refreshWorks,
  type Spawned,
  simulatorHome,
  spawnOkr,
  syncRunRows,
  valuesByDate,
  withDb,
} from '../helpers/faults.js';
import { storedTokens } from '../sync/helpers.js';

const RUNS = Number(process.env.OKR_CRASH_RUNS ?? 200);
/** Injected per-response latencies (ms): 0 for kills in the writes, more for kills mid-request. */
const LATENCIES = [0, 5, 20, 40];
// All of the simulator's history: three fitbit chunks (366, 366 and 68 days), one after the other.
const DAYS = 800;

let sim: Simulator;
let today: string;
let from: string;
let reference: Map<string, string[]>;
const chunks = () => chunksNewestFirst(from, today, FITBIT_DAYS_PER_FETCH);
const homes: string[] = [];

beforeAll(async () => {
  // The real clock: the subprocesses cannot be given a fake one. The range is fixed once, so a
  // date change during the test cannot move the chunks.
  sim = await startSimulator({ seed: 21 });
  today = localDate(new Date());
  from = addDays(today, -(DAYS - 1));
  const ref = await simulatorHome(sim, { prefix: 'okr-crash-ref-' });
  homes.push(ref.home);
  const r = await runCli(['sync', '--from', from, '--to', today, '--json'], { home: ref.home, env: ref.env });
  expect(r.code, r.stderr).toBe(0);
  reference = valuesByDate(ref.dbFile);
  expect(reference.size).toBeGreaterThan(300);
});

afterAll(async () => {
  await sim?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function syncArgs(): string[] {
  return ['sync', '--from', from, '--to', today, '--quiet'];
}

/**
 * How long a whole sync takes at each latency: the faster of two unkilled runs (after a warm-up
 * run, so the first measurement does not include a cold file cache).
 */
async function measureFullRuns(): Promise<{ ms: Map<number, number>; apiCalls: number }> {
  const out = new Map<number, number>();
  let apiCalls = 0;
  for (const latency of [LATENCIES[0]!, ...LATENCIES, ...LATENCIES]) {
    sim.faults.latencyMs = latency;
    const h = await simulatorHome(sim, { credentials: expiredTokens() });
    homes.push(h.home);
    const api0 = sim.stats.api ?? 0;
    const r = await spawnOkr(syncArgs(), { home: h.home, env: h.env }).done;
    expect(r.code, r.stderr).toBe(0);
    apiCalls = (sim.stats.api ?? 0) - api0;
    out.set(latency, Math.min(out.get(latency) ?? Number.POSITIVE_INFINITY, r.ms));
  }
  sim.faults.latencyMs = 0;
  return { ms: out, apiCalls };
}

function expiredTokens() {
  return { ...sim.issueTokens(), expiresAt: Date.now() - 1000 };
}

type Phase = 'before-run' | 'no-chunk' | 'some-chunks' | 'all-chunks' | 'not-killed';

interface RunOutcome {
  failures: string[];
  phase: Phase;
  /** The killed process had saved refreshed tokens. */
  refreshed: boolean;
  nextMs: number;
}

/**
 * One run: a fresh home, `okr sync` started and killed by `arm` (which returns a disarm function),
 * then every check of the file comment, and the next sync.
 */
async function killAndCheck(opts: {
  label: string;
  latency: number;
  expired: boolean;
  arm: (proc: Spawned) => () => void;
}): Promise<RunOutcome> {
  const failures: string[] = [];
  const fail = (what: string) => failures.push(`${opts.label}: ${what}`);
  const initial = opts.expired ? expiredTokens() : sim.issueTokens();
  const h = await simulatorHome(sim, { credentials: initial });
  homes.push(h.home);
  sim.faults.latencyMs = opts.latency;
  const proc: Spawned = spawnOkr(syncArgs(), { home: h.home, env: h.env });
  const disarm = opts.arm(proc);
  const run = await proc.done;
  disarm();
  sim.faults.latencyMs = 0;
  const killed = run.signal === 'SIGKILL';
  if (!killed && run.code !== 0) fail(`exit ${run.code}: ${run.stderr.trim()}`);

  // 1. Integrity, whole chunks, run rows.
  let phase: Phase = 'not-killed';
  const ic = integrityCheck(h.dbFile);
  if (ic !== 'ok') fail(`integrity_check: ${ic}`);
  const { problems, chunksDone } = halfRecorded(h.dbFile, chunks(), reference);
  for (const p of problems) fail(p);
  const before = syncRunRows(h.dbFile);
  for (const r of before) {
    if (r.status === 'running' && (r.pid !== proc.pid || pidAlive(proc.pid))) {
      fail(`sync_runs ${r.id} is running with pid ${r.pid} (killed: ${proc.pid})`);
    }
  }
  if (killed) {
    phase =
      before.length === 0
        ? 'before-run'
        : chunksDone === 0
          ? 'no-chunk'
          : chunksDone < chunks().length
            ? 'some-chunks'
            : 'all-chunks';
  }

  // 2. The stored tokens still work: they parse, and the refresh token is accepted.
  let refreshed = false;
  try {
    const tokens = await storedTokens(h.home);
    if (!tokens) fail('no stored tokens');
    else {
      refreshed = tokens.accessToken !== initial.accessToken;
      if (!(await refreshWorks(sim, tokens.refreshToken))) fail('the stored refresh token is refused');
    }
  } catch (err) {
    fail(`stored tokens unreadable: ${(err as Error).message}`);
  }

  // 3. The next sync completes without re-authentication and leaves the reference data.
  const authBefore = sim.stats.authorize ?? 0;
  const n0 = performance.now();
  const next = await runCli(['sync', '--from', from, '--to', today, '--json'], { home: h.home, env: h.env });
  const nextMs = performance.now() - n0;
  if (next.code !== 0) fail(`next sync exit ${next.code}: ${next.stderr.trim()}`);
  else if (JSON.parse(next.stdout).plugins[0].status !== 'ok') fail(`next sync: ${next.stdout}`);
  if ((sim.stats.authorize ?? 0) !== authBefore) fail('the next sync needed a browser sign-in');
  const after = halfRecorded(h.dbFile, chunks(), reference);
  if (after.chunksDone !== chunks().length || after.problems.length > 0) {
    fail(`after the next sync: ${after.chunksDone} chunks, ${after.problems.join('; ')}`);
  }
  const rows = syncRunRows(h.dbFile);
  if (rows.some((r) => r.status === 'running')) fail('a run is still marked running after the next sync');
  // The killed run's row was finished by it, or is now marked interrupted by the next sync.
  const mine = rows.find((r) => r.pid === proc.pid);
  if (killed && mine && !['ok', 'interrupted'].includes(mine.status)) fail(`killed run ended as ${mine.status}`);
  rmSync(h.home, { recursive: true, force: true });
  return { failures, phase, refreshed, nextMs };
}

function tallyPhases(outcomes: RunOutcome[]): string {
  const phases: Record<Phase, number> = {
    'before-run': 0,
    'no-chunk': 0,
    'some-chunks': 0,
    'all-chunks': 0,
    'not-killed': 0,
  };
  for (const o of outcomes) phases[o.phase]++;
  return Object.entries(phases)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

it(`SIGKILL at ${RUNS} random moments of a sync: integrity, whole chunks, tokens, next sync`, async () => {
  const t0 = performance.now();
  const { ms: full } = await measureFullRuns();
  const outcomes: RunOutcome[] = [];
  for (let i = 0; i < RUNS; i++) {
    const latency = LATENCIES[i % LATENCIES.length]!;
    // Anywhere from the spawn to the end of a typical whole sync (a few runs are faster and finish).
    const delay = Math.floor(Math.random() * full.get(latency)!);
    outcomes.push(
      await killAndCheck({
        label: `run ${i} (latency ${latency} ms, kill at ${delay} ms)`,
        latency,
        // Half the runs start with an expired access token: they refresh and save tokens first.
        expired: i % 2 === 1,
        arm: (proc) => {
          const timer = setTimeout(() => proc.child.kill('SIGKILL'), delay);
          return () => clearTimeout(timer);
        },
      }),
    );
  }
  const failures = outcomes.flatMap((o) => o.failures);
  const nextMs = outcomes.map((o) => o.nextMs);
  const refreshedBeforeKill = outcomes.filter((o) => o.refreshed && o.phase !== 'not-killed').length;
  const phasesText = tallyPhases(outcomes);

  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  const fullText = [...full].map(([l, ms]) => `${l} ms latency: ${ms} ms`).join(', ');
  console.log(
    `crash-safety: ${RUNS} runs, ${failures.length} failures, ${seconds} s; kill phases: ${phasesText}` +
      `; ${refreshedBeforeKill} runs had saved refreshed tokens before the kill; ` +
      `full sync ${fullText}; next sync p50 ${percentile(nextMs, 50).toFixed(0)} ms, p95 ${percentile(nextMs, 95).toFixed(0)} ms`,
  );
  expect(failures).toEqual([]);
  // The kills really spread over the sync.
  expect(outcomes.filter((o) => o.phase === 'no-chunk' || o.phase === 'before-run').length).toBeGreaterThan(0);
  expect(outcomes.filter((o) => o.phase === 'some-chunks').length).toBeGreaterThan(0);
}, 900_000);

/**
 * Kills at injected points of the protocol, found by watching the simulator's request counters
 * every millisecond (responses wait `latency` ms, so a request is seen before it is answered):
 * - the token refresh request has arrived: before the new tokens exist, so before their save;
 * - the token response has just been sent (+0–19 ms): around the save of the new tokens;
 * - the first data request has arrived: the run row is written, no chunk yet;
 * - the k-th data response has just been sent (+0–4 ms): in the parsing, mapping and the chunk
 *   transactions that follow responses;
 * - the last data response has just been sent (+0–10 ms): the last commit and the run's finish.
 */
const POINT_RUNS = Number(process.env.OKR_CRASH_POINT_RUNS ?? 12);
it(`SIGKILL at injected points (${POINT_RUNS} runs each): before/around the token save, in and after the chunk commits`, async () => {
  const t0 = performance.now();
  const { apiCalls } = await measureFullRuns();
  const latency = 25;
  type Point = { name: string; expired: boolean; counter: string; nth: () => number; after: () => number };
  const points: Point[] = [
    { name: 'token request arrived', expired: true, counter: 'token:refresh_token', nth: () => 1, after: () => 0 },
    {
      name: 'token response sent',
      expired: true,
      counter: 'token:refresh_token',
      nth: () => 1,
      after: () => latency + Math.floor(Math.random() * 20),
    },
    { name: 'first data request arrived', expired: false, counter: 'api', nth: () => 1, after: () => 0 },
    {
      name: 'k-th data response sent',
      expired: false,
      counter: 'api',
      nth: () => 1 + Math.floor(Math.random() * apiCalls),
      after: () => latency + Math.floor(Math.random() * 5),
    },
    {
      name: 'last data response sent',
      expired: false,
      counter: 'api',
      nth: () => apiCalls,
      after: () => latency + Math.floor(Math.random() * 11),
    },
  ];
  const lines: string[] = [];
  const all: RunOutcome[] = [];
  for (const point of points) {
    const outcomes: RunOutcome[] = [];
    for (let i = 0; i < POINT_RUNS; i++) {
      const nth = point.nth();
      const after = point.after();
      outcomes.push(
        await killAndCheck({
          label: `${point.name} #${i} (request ${nth}, +${after} ms)`,
          latency,
          expired: point.expired,
          arm: (proc) => {
            const base = sim.stats[point.counter] ?? 0;
            let timer: NodeJS.Timeout | undefined;
            const poll = setInterval(() => {
              if ((sim.stats[point.counter] ?? 0) - base >= nth) {
                clearInterval(poll);
                timer = setTimeout(() => proc.child.kill('SIGKILL'), after);
              }
            }, 1);
            return () => {
              clearInterval(poll);
              clearTimeout(timer);
            };
          },
        }),
      );
    }
    const refreshed = outcomes.filter((o) => o.refreshed && o.phase !== 'not-killed').length;
    lines.push(
      `  ${point.name}: ${POINT_RUNS} runs, ${outcomes.reduce((n, o) => n + o.failures.length, 0)} failures; ${tallyPhases(outcomes)}` +
        (point.expired ? `; new tokens saved before the kill in ${refreshed}` : ''),
    );
    all.push(...outcomes);
  }
  const failures = all.flatMap((o) => o.failures);
  console.log(
    `crash-safety (injected points): ${all.length} runs, ${failures.length} failures, ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s; a full sync makes ${apiCalls} data requests\n${lines.join('\n')}`,
  );
  expect(failures).toEqual([]);
  // The points were really reached: most runs were killed.
  expect(all.filter((o) => o.phase !== 'not-killed').length).toBeGreaterThan(all.length * 0.8);
}, 900_000);

/**
 * `okr connect` SIGKILLed after the code exchange, between saving the tokens and recording the
 * connection: the test holds the database's write lock (as a long sync transaction would), so the
 * connect blocks right after the tokens land in the secrets file, and is killed there. The tokens
 * are valid and orphaned; `okr status`, `okr sync` and `okr doctor` (the built binary) must say so
 * and name `okr disconnect fitbit`, which then revokes and deletes them.
 */
const CONNECT_KILLS = 3;
it(`okr connect SIGKILLed after the code exchange (${CONNECT_KILLS} runs): status, sync and doctor notice the orphaned tokens; disconnect removes them`, async () => {
  const auto = await startSimulator({ seed: 22, autoApprove: true });
  const failures: string[] = [];
  try {
    for (let run = 0; run < CONNECT_KILLS; run++) {
      const fail = (what: string) => failures.push(`run ${run}: ${what}`);
      const h = await simulatorHome(auto, { connected: false, prefix: 'okr-crash-connect-' });
      homes.push(h.home);
      const secretsFile = join(h.home, 'config', 'secrets.json');
      const tokensSaved = () =>
        existsSync(secretsFile) && 'tokens.fitbit' in JSON.parse(readFileSync(secretsFile, 'utf8'));
      const blocker = new Database(h.dbFile);
      blocker.exec('BEGIN IMMEDIATE');
      const connect = spawnOkr(['connect', 'fitbit', '--no-browser'], { home: h.home, env: h.env });
      let killedAfterSave = false;
      try {
        // The consent URL it prints; the simulator approves at once and redirects to the callback.
        let url: string | undefined;
        for (let t = performance.now(); !url && performance.now() - t < 15_000; await sleep(10)) {
          url = connect.stderr().match(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m)?.[1];
        }
        if (!url) throw new Error(`no consent URL: ${connect.stderr()}`);
        void fetch(url).catch(() => undefined); // answered only when the connect ends (here: never)
        for (let t = performance.now(); performance.now() - t < 8_000 && !tokensSaved(); ) await sleep(2);
        killedAfterSave = tokensSaved();
        connect.child.kill('SIGKILL');
        await connect.done;
      } finally {
        connect.child.kill('SIGKILL');
        blocker.exec('ROLLBACK');
        blocker.close();
      }
      if (!killedAfterSave) {
        fail(`the tokens were never saved: ${connect.stderr()}`);
        continue;
      }
      const rows = withDb(h.dbFile, (db) => db.prepare('SELECT COUNT(*) FROM plugins').pluck().get()) as number;
      if (rows !== 0) fail(`${rows} connection rows: the kill came too late`);
      const tokens = await storedTokens(h.home);
      if (!(await refreshWorks(auto, tokens?.refreshToken))) fail('the orphaned tokens do not work (not a real leak)');

      const want =
        'the secrets file holds fitbit tokens, but no connection is recorded (an `okr connect` stopped half-way)';
      const status = await runBin(['status', '--json'], { home: h.home, env: h.env });
      const plugin = JSON.parse(status.stdout).plugins[0];
      if (
        !plugin.orphanedTokens ||
        !plugin.problems.some(
          (p: { problem: string; fix: string }) => p.problem === want && p.fix === 'okr disconnect fitbit',
        )
      ) {
        fail(`status: ${status.stdout}`);
      }
      for (const args of [['sync'], ['sync', 'fitbit']]) {
        const sync = await runBin([...args, '--json'], { home: h.home, env: h.env });
        const p = sync.code === 1 ? JSON.parse(sync.stdout).plugins[0] : undefined;
        if (p?.error !== `${want}.` || !p?.hint?.includes('okr disconnect fitbit'))
          fail(`${args.join(' ')}: exit ${sync.code} ${sync.stdout}`);
      }
      const doctor = await runBin(['doctor', '--json'], { home: h.home, env: h.env });
      const check = JSON.parse(doctor.stdout).checks.find((c: { id: string }) => c.id === 'plugin.fitbit.tokens');
      if (
        doctor.code !== 1 ||
        check?.status !== 'fail' ||
        check.detail !== want ||
        !check.fix.startsWith('okr disconnect fitbit')
      ) {
        fail(`doctor: exit ${doctor.code} ${JSON.stringify(check)}`);
      }

      // The fix doctor names: revokes and deletes them.
      const fix = await runBin(['disconnect', 'fitbit'], { home: h.home, env: h.env });
      if (fix.code !== 0 || !fix.stdout.includes('Disconnected fitbit; its tokens are deleted.'))
        fail(`disconnect: ${fix.stdout} ${fix.stderr}`);
      if ((await storedTokens(h.home)) !== undefined) fail('disconnect left the tokens');
      if (await refreshWorks(auto, tokens?.refreshToken)) fail('disconnect did not revoke the orphaned grant');
      const after = await runBin(['status', '--json'], { home: h.home, env: h.env });
      if (JSON.parse(after.stdout).plugins[0].orphanedTokens !== false) fail(`status after the fix: ${after.stdout}`);
      rmSync(h.home, { recursive: true, force: true });
    }
  } finally {
    await auto.close();
  }
  console.log(
    `crash-safety (connect killed after the code exchange): ${CONNECT_KILLS} runs, ${failures.length} failures`,
  );
  expect(failures).toEqual([]);
}, 300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
