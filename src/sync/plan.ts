/**
 * Which chunks a sync fetches, in which order, and which it may skip.
 *
 * Chunks: the range is cut into pieces of at most `plugin.maxDaysPerFetch` days, aligned on the
 * range's END and fetched NEWEST FIRST. The recent days are what `okr metrics show` and the OKRs
 * look at, so they land first; an interrupted backfill has still delivered them.
 *
 * Each chunk commits in one transaction together with its `sync_coverage` rows, so "covered"
 * always means "every value the provider sent for that date is stored".
 *
 * Resuming a backfill: a run is a backfill when it spans more than one chunk. When the latest
 * backfills of the plugin did not finish (status other than ok: killed, interrupted, failed,
 * needing re-auth; any number of them in a row), their chain's earliest start is the anchor.
 * A chunk is then skipped when ALL of its dates were covered non-provisionally by a sync that
 * started at or after the anchor, and none of its dates is within the last `RECENT_DAYS` days.
 * So a `--since 2y` killed halfway fetches only what is missing on the next run, while:
 * - a completed backfill is never resumed: asking again fetches everything again (the user asked);
 * - a sync that fits in one chunk (the default 7 days, hourly from cron) always refetches its
 *   whole window, since recent values change (late heart-rate data, sleeps being processed);
 * - provisional dates are always fetched again;
 * - chunk boundaries may move from day to day (the range ends today); the rule is per date, so a
 *   shifted chunk is still skipped when every date in it was covered.
 */
import { addDays, daysBetween, lastDays } from '../dates.js';
import { countSettledSince } from '../store/coverage.js';
import type { Db } from '../store/db.js';
import { listSyncRuns } from '../store/sync-runs.js';

/** The last this many days (today included) are always fetched again, even by a resumed backfill. */
export const RECENT_DAYS = 7;

export interface Chunk {
  from: string;
  to: string;
  days: number;
}

export interface PlannedChunk extends Chunk {
  skip: boolean;
}

export interface SyncPlan {
  chunks: PlannedChunk[];
  /** Start of the interrupted backfill being resumed, if any. */
  resumeAnchor?: string;
  backfill: boolean;
}

/** Inclusive chunks of at most `maxDays`, newest first, the newest ending on `to`. */
export function chunksNewestFirst(from: string, to: string, maxDays: number): Chunk[] {
  const out: Chunk[] = [];
  if (daysBetween(from, to) < 0) return out;
  const size = Math.max(1, Math.floor(maxDays));
  for (let end = to; daysBetween(from, end) >= 0; end = addDays(end, -size)) {
    const start = daysBetween(from, addDays(end, -(size - 1))) >= 0 ? addDays(end, -(size - 1)) : from;
    out.push({ from: start, to: end, days: daysBetween(start, end) + 1 });
  }
  return out;
}

/**
 * The start of the unfinished backfill chain to resume, or undefined. `excludeRunId` is the
 * current run's own row.
 */
export function resumeAnchor(db: Db, pluginId: string, maxDays: number, excludeRunId?: number): string | undefined {
  let anchor: string | undefined;
  for (const run of listSyncRuns(db, { pluginId, limit: 200 })) {
    if (run.id === excludeRunId || !run.rangeFrom || !run.rangeTo) continue;
    const isBackfill = daysBetween(run.rangeFrom, run.rangeTo) + 1 > maxDays;
    if (!isBackfill) continue; // hourly syncs between backfill attempts do not break the chain
    if (run.status === 'ok') break;
    anchor = run.startedAt;
  }
  return anchor;
}

export function planSync(
  db: Db,
  opts: { pluginId: string; from: string; to: string; today: string; maxDaysPerFetch?: number; excludeRunId?: number },
): SyncPlan {
  const total = daysBetween(opts.from, opts.to) + 1;
  const maxDays = opts.maxDaysPerFetch && opts.maxDaysPerFetch > 0 ? opts.maxDaysPerFetch : total;
  const chunks = chunksNewestFirst(opts.from, opts.to, maxDays);
  const backfill = chunks.length > 1;
  const anchor = backfill ? resumeAnchor(db, opts.pluginId, maxDays, opts.excludeRunId) : undefined;
  const recentStart = lastDays(opts.today, RECENT_DAYS);
  return {
    backfill,
    resumeAnchor: anchor,
    chunks: chunks.map((c) => ({
      ...c,
      skip:
        anchor !== undefined &&
        c.to < recentStart &&
        countSettledSince(db, opts.pluginId, c.from, c.to, anchor) === c.days,
    })),
  };
}
