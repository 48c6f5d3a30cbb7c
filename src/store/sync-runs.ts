/**
 * `sync_runs`: one row per plugin per `okr sync` (or live/demo sync). A run starts as `running`
 * with the process id; it ends as ok / partial / error / reauth / interrupted. A process killed
 * mid-sync leaves its row `running`: the next sync of that plugin (holding the plugin's lock, so
 * no other sync of it can be running) turns it into `interrupted`, whatever its pid is now. The rows are also what lets an interrupted backfill
 * resume (see src/sync/plan.ts).
 */
import type { Db } from './db.js';

export type SyncTrigger = 'manual' | 'schedule' | 'live' | 'demo';
export type SyncRunStatus = 'running' | 'ok' | 'partial' | 'error' | 'reauth' | 'interrupted';

export interface SyncRun {
  id: number;
  pluginId: string;
  trigger: SyncTrigger;
  startedAt: string;
  finishedAt: string | null;
  status: SyncRunStatus;
  rangeFrom: string | null;
  rangeTo: string | null;
  valuesWritten: number;
  apiCalls: number;
  error: string | null;
  pid: number | null;
}

const COLUMNS = `id, plugin_id AS pluginId, trigger, started_at AS startedAt, finished_at AS finishedAt, status,
  range_from AS rangeFrom, range_to AS rangeTo, values_written AS valuesWritten, api_calls AS apiCalls, error, pid`;

export function startSyncRun(
  db: Db,
  r: { pluginId: string; trigger: SyncTrigger; startedAt: string; rangeFrom: string; rangeTo: string; pid: number },
): number {
  const info = db
    .prepare(
      `INSERT INTO sync_runs (plugin_id, trigger, started_at, status, range_from, range_to, pid)
       VALUES (?, ?, ?, 'running', ?, ?, ?)`,
    )
    .run(r.pluginId, r.trigger, r.startedAt, r.rangeFrom, r.rangeTo, r.pid);
  return Number(info.lastInsertRowid);
}

/** Progress of a running sync; called inside each chunk's transaction so it matches the data. */
export function updateSyncRunProgress(db: Db, id: number, p: { valuesWritten: number; apiCalls: number }): void {
  db.prepare('UPDATE sync_runs SET values_written = ?, api_calls = ? WHERE id = ?').run(
    p.valuesWritten,
    p.apiCalls,
    id,
  );
}

export function finishSyncRun(
  db: Db,
  id: number,
  r: {
    finishedAt: string;
    status: Exclude<SyncRunStatus, 'running'>;
    valuesWritten: number;
    apiCalls: number;
    error: string | null;
  },
): void {
  db.prepare(
    'UPDATE sync_runs SET finished_at = ?, status = ?, values_written = ?, api_calls = ?, error = ? WHERE id = ?',
  ).run(r.finishedAt, r.status, r.valuesWritten, r.apiCalls, r.error, id);
}

/**
 * Marks every `running` row of a plugin as `interrupted` (left by a SIGKILL, a power cut, a
 * second Ctrl-C). Call it only while holding the plugin's sync lock, before starting a run: every
 * run row is written under that lock (src/sync/engine.ts), so while we hold it no other sync of
 * the plugin can be running, and any `running` row is one whose process stopped without finishing
 * it. Its pid says nothing: after a reboot the number may well belong to a live process again
 * (the lock itself is judged by the process's identity, src/lock.ts). Returns how many were
 * marked.
 */
export function markLeftRunsInterrupted(db: Db, pluginId: string, at: string): number {
  return db
    .prepare(
      `UPDATE sync_runs SET status = 'interrupted', finished_at = ?,
         error = coalesce(error, 'the process stopped before the sync finished')
       WHERE plugin_id = ? AND status = 'running'`,
    )
    .run(at, pluginId).changes;
}

/** Newest first. */
export function listSyncRuns(db: Db, opts: { pluginId?: string; limit?: number } = {}): SyncRun[] {
  const limit = opts.limit ?? 50;
  if (opts.pluginId !== undefined) {
    return db
      .prepare(`SELECT ${COLUMNS} FROM sync_runs WHERE plugin_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`)
      .all(opts.pluginId, limit) as SyncRun[];
  }
  return db
    .prepare(`SELECT ${COLUMNS} FROM sync_runs ORDER BY started_at DESC, id DESC LIMIT ?`)
    .all(limit) as SyncRun[];
}

/** Provider calls the plugin's syncs started since `sinceIso` made (for a per-day quota). */
export function callsSince(db: Db, pluginId: string, sinceIso: string): number {
  const n = db
    .prepare('SELECT COALESCE(SUM(api_calls), 0) FROM sync_runs WHERE plugin_id = ? AND started_at >= ?')
    .pluck()
    .get(pluginId, sinceIso);
  return Number(n) || 0;
}
