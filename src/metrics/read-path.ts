/**
 * The read path of `okr metrics show` (the seed's flexible metrics endpoint, for a terminal):
 *
 * 1. For each connected plugin a template reads from, the dates of the range that were never
 *    synced (no `sync_coverage` row) are fetched live through the sync engine, which stores them.
 *    Provisional dates count as synced here: the hourly sync fetches them again, and a table
 *    should not wait on the provider for a day it already has.
 * 2. Every value then comes from the database.
 *
 * `--offline` skips step 1. A failed fetch never fails the command: the table shows what is
 * stored and a note under it says what went wrong and what to run. At most `MAX_LIVE_DAYS` of
 * the most recent unsynced dates are fetched per plugin; a note names the `okr sync` command for
 * older ones (a ten-year range should not turn a table into a long backfill), and the whole live
 * fetch ends within `LIVE_DEADLINE_MS` (OKR_LIVE_DEADLINE_MS), retries included: a
 * hung provider costs the table seconds, not the minutes a scheduled sync may spend retrying.
 */
import type { Context } from '../context.js';
import { addDays, eachDate } from '../dates.js';
import { OkrError } from '../errors.js';
import { getConnection } from '../store/connections.js';
import { unsyncedDates } from '../store/coverage.js';
import { getValues, type StoredValue } from '../store/values.js';
import { plural, sentences } from '../text.js';
import type { ResolvedMetric } from './templates.js';

export const MAX_LIVE_DAYS = 92;
/** A running hourly sync fetches the same days anyway: do not keep a table waiting on it. */
const LIVE_LOCK_WAIT_MS = 2_000;
export const LIVE_DEADLINE_MS = 15_000;

function liveDeadline(env: Record<string, string | undefined>): number {
  const n = Number(env.OKR_LIVE_DEADLINE_MS);
  return env.OKR_LIVE_DEADLINE_MS?.trim() && Number.isFinite(n) && n > 0 ? n : LIVE_DEADLINE_MS;
}

export interface ReadOptions {
  from: string;
  to: string;
  offline?: boolean;
}

export interface LiveFetch {
  pluginId: string;
  from: string;
  to: string;
  days: number;
  ok: boolean;
  error?: string;
}

export interface ReadResult {
  /** metric name → date → stored value. */
  values: Map<string, Map<string, StoredValue>>;
  /** Lines to print under the table. */
  notes: string[];
  live: LiveFetch[];
}

/** Groups sorted dates into runs of consecutive days. */
export function consecutiveRuns(dates: string[]): Array<{ from: string; to: string; days: number }> {
  const runs: Array<{ from: string; to: string; days: number }> = [];
  for (const d of dates) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, 1) === d) {
      last.to = d;
      last.days++;
    } else runs.push({ from: d, to: d, days: 1 });
  }
  return runs;
}

export async function readMetrics(ctx: Context, metrics: ResolvedMetric[], opts: ReadOptions): Promise<ReadResult> {
  const db = ctx.db();
  const notes: string[] = [];
  const live: LiveFetch[] = [];
  const pluginIds = [...new Set(metrics.filter((m) => m.status === 'ok' && m.pluginId).map((m) => m.pluginId!))];
  const dates = eachDate(opts.from, opts.to);
  // The live fetches share one deadline, set when the first starts: reading `performance` loads
  // ~10 modules (~0.8 ms) that a table of stored values does not need.
  let liveUntil: number | undefined;
  const timeLeft = () => {
    liveUntil ??= performance.now() + liveDeadline(ctx.env);
    return liveUntil - performance.now();
  };

  for (const pluginId of pluginIds) {
    const conn = getConnection(db, pluginId);
    if (!conn?.enabled) {
      notes.push(`${pluginId} is not connected: its columns show stored values only. Run \`okr connect ${pluginId}\`.`);
      continue;
    }
    if (opts.offline) continue;
    if (conn.needsReauth) {
      notes.push(
        `${pluginId} needs you to sign in again, so unsynced days were not fetched. Run \`okr connect ${pluginId}\`.`,
      );
      continue;
    }
    const missing = unsyncedDates(db, pluginId, dates, { provisionalIsCovered: true });
    if (missing.length === 0) continue;
    const fetchNow = missing.slice(-MAX_LIVE_DAYS);
    if (missing.length > fetchNow.length) {
      const older = missing.slice(0, missing.length - fetchNow.length);
      notes.push(
        `${older.length} older days were never synced from ${pluginId} and were not fetched now. Run \`okr sync ${pluginId} --from ${older[0]} --to ${older[older.length - 1]}\`.`,
      );
    }
    let runs = consecutiveRuns(fetchNow);
    // Many small holes: one request over their span is cheaper than one per hole.
    if (runs.length > 3) runs = [{ from: runs[0]!.from, to: runs[runs.length - 1]!.to, days: fetchNow.length }];
    for (const run of runs) live.push(await fetchLive(ctx, pluginId, run, notes, timeLeft()));
  }

  const values = new Map<string, Map<string, StoredValue>>();
  for (const m of metrics) values.set(m.metricName, new Map());
  for (const v of getValues(db, [...values.keys()], opts.from, opts.to)) values.get(v.metricName)?.set(v.date, v);
  return { values, notes, live };
}

async function fetchLive(
  ctx: Context,
  pluginId: string,
  run: { from: string; to: string; days: number },
  notes: string[],
  deadlineMs: number,
): Promise<LiveFetch> {
  const what = `${plural(run.days, 'unsynced day')} (${run.from === run.to ? run.from : `${run.from}..${run.to}`})`;
  if (deadlineMs <= 0) {
    const message = `the time okr gives a live fetch ran out. Run \`okr sync ${pluginId} --from ${run.from} --to ${run.to}\`.`;
    notes.push(`Did not fetch ${what} from ${pluginId}: ${message}`);
    return { pluginId, ...run, ok: false, error: message };
  }
  if (ctx.io.isTTY) ctx.io.err(`Fetching ${what} from ${pluginId}…`);
  try {
    // Loaded only here: the engine pulls in the plugin's HTTP code and the OAuth library.
    const { runSync } = await import('../sync/engine.js');
    const report = await runSync(ctx, {
      pluginIds: [pluginId],
      from: run.from,
      to: run.to,
      trigger: 'live',
      lockWaitMs: LIVE_LOCK_WAIT_MS,
      deadlineMs,
    });
    // The engine reports failures per plugin instead of throwing.
    const r = report.plugins.find((p) => p.plugin === pluginId);
    if (r && r.status !== 'ok') {
      const message = [r.error ?? `the sync ended with status ${r.status}`, r.hint].filter(Boolean).join(' ');
      notes.push(`Could not fetch ${what} from ${pluginId}: ${message}`);
      return { pluginId, ...run, ok: false, error: message };
    }
    if (r && r.refused.length > 0) {
      const { refusedSummary } = await import('../sync/render.js');
      notes.push(`Fetched ${what} from ${pluginId}; values that cannot be real: ${refusedSummary(r.refused)}.`);
    }
    return { pluginId, ...run, ok: true };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const message = describe(err);
    notes.push(`Could not fetch ${what} from ${pluginId}: ${message}`);
    return { pluginId, ...run, ok: false, error: message };
  }
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof OkrError) return sentences(err.message, err.hint);
  if (err instanceof Error) return err.message;
  return String(err);
}
