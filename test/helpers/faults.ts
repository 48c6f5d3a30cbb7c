/**
 * Shared helpers for the fault, fuzz and security tests (test/faults, test/fuzz, test/security):
 * the built `okr` as a subprocess that can be killed or inspected while it runs, database checks
 * (integrity, whole chunks, a snapshot of the values), and a home configured for the simulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createContext } from '../../src/context.js';
import { eachDate } from '../../src/dates.js';
import { ensureDefaultTemplate } from '../../src/metrics/templates.js';
import type { OAuthCredentials } from '../../src/plugins/types.js';
import type { Simulator } from '../../src/simulator/index.js';
import { recordConnected } from '../../src/store/connections.js';
import { saveCredentials } from '../../src/store/tokens.js';
import { BIN } from './cli.js';
import { tempHome } from './home.js';

export interface Spawned {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process is gone (never rejects). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

/** Starts the built `okr` (bin/okr.js) with OKR_HOME=home; output is captured. */
export function spawnOkr(
  args: string[],
  opts: { home: string; env?: Record<string, string | undefined>; stdin?: string | 'keep-open' },
): Spawned {
  const t0 = performance.now();
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env, OKR_HOME: opts.home };
  const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  if (opts.stdin !== 'keep-open') child.stdin?.end(opts.stdin ?? '');
  child.stdin?.on('error', () => {});
  const done = new Promise<Awaited<Spawned['done']>>((resolve) => {
    child.on('error', (e) => {
      err += String(e);
      resolve({ code: -1, signal: null, stdout: out, stderr: err, ms: performance.now() - t0 });
    });
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: out, stderr: err, ms: Math.round(performance.now() - t0) }),
    );
  });
  return { child, pid: child.pid ?? -1, stdout: () => out, stderr: () => err, done };
}

/**
 * The argument list of a live process as `ps` shows it ('' once it is gone). Unlike the
 * environment (0400 in /proc), it is readable by every user of the machine.
 */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** `PRAGMA integrity_check` of a database file: 'ok' when it is sound. */
export function integrityCheck(dbFile: string): string {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

export function withDb<T>(dbFile: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every stored value as `date metric=value`, keyed by date. */
export function valuesByDate(dbFile: string, source?: string): Map<string, string[]> {
  const rows = withDb(
    dbFile,
    (db) =>
      db
        .prepare(
          `SELECT date, metric_name, value FROM daily_metric_values ${source ? 'WHERE source = ?' : ''} ORDER BY date, metric_name`,
        )
        .all(...(source ? [source] : [])) as Array<{ date: string; metric_name: string; value: number | string }>,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.date) ?? [];
    list.push(`${r.metric_name}=${r.value}`);
    out.set(r.date, list);
  }
  return out;
}

export function coveredDates(dbFile: string): Set<string> {
  return new Set(withDb(dbFile, (db) => db.prepare('SELECT date FROM sync_coverage').pluck().all() as string[]));
}

export function syncRunRows(dbFile: string): Array<{ id: number; status: string; pid: number | null; error: string }> {
  return withDb(dbFile, (db) => db.prepare('SELECT id, status, pid, error FROM sync_runs ORDER BY id').all() as never);
}

/**
 * "No half-recorded sync": every chunk is covered entirely or not at all, and the values of the
 * covered dates are exactly the reference's (a clean sync of the same range), while uncovered
 * dates hold nothing. Returns the problems found (empty when all is well) and the chunks done.
 */
export function halfRecorded(
  dbFile: string,
  chunks: Array<{ from: string; to: string }>,
  reference: Map<string, string[]>,
): { problems: string[]; chunksDone: number } {
  const problems: string[] = [];
  const covered = coveredDates(dbFile);
  const got = valuesByDate(dbFile);
  let chunksDone = 0;
  for (const ch of chunks) {
    const dates = eachDate(ch.from, ch.to);
    const n = dates.filter((d) => covered.has(d)).length;
    if (n !== 0 && n !== dates.length)
      problems.push(`chunk ${ch.from}..${ch.to}: ${n} of ${dates.length} dates covered`);
    if (n === dates.length) chunksDone++;
    for (const d of dates) {
      const have = (got.get(d) ?? []).join(' ');
      const want = covered.has(d) ? (reference.get(d) ?? []).join(' ') : '';
      if (have !== want) problems.push(`${d}: stored "${have}", expected "${want}"`);
    }
  }
  const inRange = new Set(chunks.flatMap((c) => eachDate(c.from, c.to)));
  for (const d of got.keys()) if (!inRange.has(d)) problems.push(`${d}: a value outside the synced range`);
  return { problems: problems.slice(0, 10), chunksDone };
}

export interface Home {
  home: string;
  dbFile: string;
  env: Record<string, string>;
}

/** Small retry delays so fault tests take milliseconds, not seconds; secrets in the 0600 file. */
export const FAST_ENV = { OKR_RETRY_BASE_MS: '5', OKR_RETRY_MAX_MS: '40', OKR_SECRETS: 'file' };

/**
 * A home where fitbit is configured for the simulator (config keys, client secret in the file
 * store, as `okr config setup` leaves them) and connected (tokens the simulator issued, as
 * `okr connect` leaves them). Nothing about the simulator is passed through the environment.
 */
export async function simulatorHome(
  sim: Simulator,
  opts: {
    credentials?: OAuthCredentials;
    env?: Record<string, string>;
    prefix?: string;
    /** false: configured only, with an empty database, as before the first `okr connect`. */
    connected?: boolean;
  } = {},
): Promise<Home> {
  const home = tempHome(opts.prefix ?? 'okr-faults-');
  const env = { ...FAST_ENV, ...opts.env };
  const ctx = createContext({ env: { ...env, OKR_HOME: home }, homedir: home });
  try {
    for (const [key, value] of Object.entries({
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      auth_url: sim.authUrl,
      token_url: sim.tokenUrl,
      revoke_url: sim.revokeUrl,
      api_base_url: sim.apiBaseUrl,
    })) {
      await ctx.config.set(`plugin.fitbit.${key}`, value);
    }
    if (opts.connected === false) {
      ctx.db();
      return { home, env, dbFile: join(home, 'data', 'okr.db') };
    }
    const store = await saveCredentials(ctx.secrets, 'fitbit', opts.credentials ?? sim.issueTokens(), 'file');
    recordConnected(ctx.db(), {
      pluginId: 'fitbit',
      accountId: sim.healthUserId,
      connectedAt: new Date().toISOString(),
      tokenStore: store,
    });
    // As the first `okr connect` does: a default template with the plugin's fields.
    ensureDefaultTemplate(ctx, 'fitbit');
  } finally {
    ctx.close();
  }
  return { home, env, dbFile: join(home, 'data', 'okr.db') };
}

/** A refresh grant straight at the simulator's token endpoint: do these stored tokens still work? */
export async function refreshWorks(sim: Simulator, refreshToken: string | undefined): Promise<boolean> {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken ?? '',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }).toString(),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
