/**
 * Which chunks a sync fetches, in which order, and which it may skip, whatever the provider's
 * limits:
 * - a range cap (`maxDaysPerFetch`, Google Health: 90 days): chunks of at most that;
 * - page tokens (`pagesLongRanges`, Oura): ONE chunk for the whole range, since the provider pages
 *   it in as few calls as it allows; the plugin hands over finished days as pages arrive
 *   (`rt.commitDays`), so an interrupted backfill resumes after the last committed day (the
 *   chunk is trimmed to the dates still missing);
 * - neither: chunks of DEFAULT_CHUNK_DAYS, so every long sync is still resumable.
 *
 * Chunks are aligned on the range's END and fetched NEWEST FIRST. The recent days are what `okr metrics show` and the OKRs
 * look at, so they land first; an interrupted backfill has still delivered them.
 *
 * Each chunk commits in one transaction together with its `sync_coverage` rows, so "covered"
 * always means "every value the provider sent for that date is stored".
 *
 * Resuming a backfill: a run is a backfill when it spans more than one chunk (for a paged plugin:
 * more than its recent days). When the latest
 * backfills of the plugin did not finish (status other than ok: killed, interrupted, failed,
 * needing re-auth; any number of them in a row), their chain's earliest start is the anchor.
 * A chunk is then skipped when ALL of its dates were covered non-provisionally by a sync that
 * started at or after the anchor, and none of its dates is within the plugin's recent days
 * (`recentDays`, default RECENT_DAYS); a paged plugin's chunk is trimmed to the dates that are not.
 * So a `--since 2y` killed halfway fetches only what is missing on the next run, while:
 * - a completed backfill is never resumed: asking again fetches everything again (the user asked);
 * - a sync of the recent days only (the default 7 days, hourly from cron) always refetches its
 *   whole window, since recent values change (late heart-rate data, sleeps being processed);
 * - provisional dates are always fetched again;
 * - chunk boundaries may move from day to day (the range ends today); the rule is per date, so a
 *   shifted chunk is still skipped when every date in it was covered.
 */
import { addDays, daysBetween, eachDate, lastDays } from '../dates.js';
import { countSettledSince, getCoverage } from '../store/coverage.js';
import type { Db } from '../store/db.js';
import { listSyncRuns } from '../store/sync-runs.js';

/** The last this many days (today included) are always fetched again, even by a resumed backfill
 * (a plugin's `recentDays` replaces it). */
export const RECENT_DAYS = 7;
/** The chunk of a plugin that declares neither a range cap nor paging: resumable, and few calls. */
export const DEFAULT_CHUNK_DAYS = 90;

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

/** What the planner needs to know of a plugin (its declarations). */
export interface PlanLimits {
  maxDaysPerFetch?: number;
  pagesLongRanges?: boolean;
  recentDays?: number;
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

/** The largest range one fetchData call gets. */
export function chunkDays(limits: PlanLimits, totalDays: number): number {
  if (limits.maxDaysPerFetch && limits.maxDaysPerFetch > 0) return limits.maxDaysPerFetch;
  return limits.pagesLongRanges ? Math.max(1, totalDays) : DEFAULT_CHUNK_DAYS;
}

/**
 * Runs longer than this many days are backfills, worth resuming: more than one chunk, or, for a
 * paged plugin (one chunk), more than its recent days.
 */
export function backfillThreshold(limits: PlanLimits, totalDays: number): number {
  return limits.pagesLongRanges ? (limits.recentDays ?? RECENT_DAYS) : chunkDays(limits, totalDays);
}

/**
 * The start of the unfinished backfill chain to resume, or undefined: runs of more than
 * `thresholdDays` count. `excludeRunId` is the current run's own row.
 */
export function resumeAnchor(
  db: Db,
  pluginId: string,
  thresholdDays: number,
  excludeRunId?: number,
): string | undefined {
  let anchor: string | undefined;
  for (const run of listSyncRuns(db, { pluginId, limit: 200 })) {
    if (run.id === excludeRunId || !run.rangeFrom || !run.rangeTo) continue;
    // Hourly syncs between backfill attempts do not break the chain.
    if (daysBetween(run.rangeFrom, run.rangeTo) + 1 <= thresholdDays) continue;
    if (run.status === 'ok') break;
    anchor = run.startedAt;
  }
  return anchor;
}

/** The dates of a chunk still to fetch: not settled since the anchor, or recent. */
function missingDates(db: Db, pluginId: string, c: Chunk, anchor: string, recentStart: string): string[] {
  const settled = new Set(
    getCoverage(db, pluginId, c.from, c.to)
      .filter((r) => !r.provisional && r.syncedAt >= anchor)
      .map((r) => r.date),
  );
  return eachDate(c.from, c.to).filter((d) => d >= recentStart || !settled.has(d));
}

export function planSync(
  db: Db,
  opts: PlanLimits & { pluginId: string; from: string; to: string; today: string; excludeRunId?: number },
): SyncPlan {
  const total = daysBetween(opts.from, opts.to) + 1;
  const recentDays = opts.recentDays ?? RECENT_DAYS;
  const chunks = chunksNewestFirst(opts.from, opts.to, chunkDays(opts, total));
  const threshold = backfillThreshold(opts, total);
  const backfill = total > threshold;
  const anchor = backfill ? resumeAnchor(db, opts.pluginId, threshold, opts.excludeRunId) : undefined;
  const recentStart = lastDays(opts.today, recentDays);
  return {
    backfill,
    resumeAnchor: anchor,
    chunks: chunks.map((c) => {
      if (anchor === undefined) return { ...c, skip: false };
      if (opts.pagesLongRanges) {
        // Its calls grow with the days asked for: ask only for the span still missing.
        const missing = missingDates(db, opts.pluginId, c, anchor, recentStart);
        if (missing.length === 0) return { ...c, skip: true };
        const from = missing[0]!;
        const to = missing[missing.length - 1]!;
        return { from, to, days: daysBetween(from, to) + 1, skip: false };
      }
      const skip = c.to < recentStart && countSettledSince(db, opts.pluginId, c.from, c.to, anchor) === c.days;
      return { ...c, skip };
    }),
  };
}
