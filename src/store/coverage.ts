/**
 * `sync_coverage`: which dates of a plugin have been synced, when, and whether the provider
 * called them provisional (e.g. a sleep not yet processed). "Synced" means the provider was asked
 * and answered, with or without values: a day with no data is covered yet has no value.
 *
 * Rows are written in the same transaction as the chunk's values, so a covered date always has
 * every value the provider sent for it. Two readers:
 * - the sync engine, to resume an interrupted backfill (src/sync/plan.ts);
 * - the metrics read path, to tell "no data" (covered, no value) from "never synced" (no row).
 */
import type { Db } from './db.js';

export interface CoverageRow {
  date: string;
  syncedAt: string;
  provisional: boolean;
}

/** Records that `dates` were synced at `syncedAt`; dates in `provisional` are marked provisional. */
export function markCoverage(
  db: Db,
  pluginId: string,
  dates: Iterable<string>,
  provisional: ReadonlySet<string>,
  syncedAt: string,
): void {
  const stmt = db.prepare(
    `INSERT INTO sync_coverage (plugin_id, date, synced_at, provisional) VALUES (?, ?, ?, ?)
     ON CONFLICT (plugin_id, date) DO UPDATE SET synced_at = excluded.synced_at, provisional = excluded.provisional`,
  );
  for (const d of dates) stmt.run(pluginId, d, syncedAt, provisional.has(d) ? 1 : 0);
}

/**
 * When the plugin's coverage was last written (ISO), if ever: a running sync writes it with every
 * chunk it stores, so it tells a long backfill that makes progress from a stuck one.
 */
export function lastCoveredAt(db: Db, pluginId: string): string | undefined {
  const row = db.prepare('SELECT max(synced_at) AS at FROM sync_coverage WHERE plugin_id = ?').get(pluginId) as {
    at: string | null;
  };
  return row.at ?? undefined;
}

/** Coverage rows of an inclusive range, ordered by date. */
export function getCoverage(db: Db, pluginId: string, from: string, to: string): CoverageRow[] {
  const rows = db
    .prepare(
      `SELECT date, synced_at AS syncedAt, provisional FROM sync_coverage
       WHERE plugin_id = ? AND date >= ? AND date <= ? ORDER BY date`,
    )
    .all(pluginId, from, to) as Array<{ date: string; syncedAt: string; provisional: number }>;
  return rows.map((r) => ({ date: r.date, syncedAt: r.syncedAt, provisional: r.provisional === 1 }));
}

/**
 * How many dates of `from..to` are covered non-provisionally by a sync at or after `since`
 * (an ISO timestamp). The resume rule compares it with the chunk's length.
 */
export function countSettledSince(db: Db, pluginId: string, from: string, to: string, since: string): number {
  const row = db
    .prepare(
      `SELECT count(*) AS n FROM sync_coverage
       WHERE plugin_id = ? AND date >= ? AND date <= ? AND provisional = 0 AND synced_at >= ?`,
    )
    .get(pluginId, from, to, since) as { n: number };
  return row.n;
}

/**
 * Dates of `from..to` (given as the full list `dates`) that need the provider: never synced, and
 * also provisional ones unless `provisionalIsCovered`. For the metrics read path's live fallback.
 */
export function unsyncedDates(
  db: Db,
  pluginId: string,
  dates: string[],
  opts: { provisionalIsCovered?: boolean } = {},
): string[] {
  if (dates.length === 0) return [];
  const sorted = [...dates].sort();
  const covered = new Map(getCoverage(db, pluginId, sorted[0]!, sorted[sorted.length - 1]!).map((r) => [r.date, r]));
  return dates.filter((d) => {
    const c = covered.get(d);
    return !c || (c.provisional && !opts.provisionalIsCovered);
  });
}

export function deleteCoverage(db: Db, pluginId: string): number {
  return db.prepare('DELETE FROM sync_coverage WHERE plugin_id = ?').run(pluginId).changes;
}
