/** What an import left in a home's database, read with a separate read-only connection. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

function withDb<T>(home: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(home, 'data', 'okr.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A plugin's values on one date, by field id. */
export function storedDay(home: string, pluginId: string, date: string): Record<string, number> {
  return withDb(home, (db) => {
    const rows = db
      .prepare('SELECT metric_name AS m, value AS v FROM daily_metric_values WHERE date = ? AND metric_name LIKE ?')
      .all(date, `${pluginId}.%`) as Array<{ m: string; v: number }>;
    return Object.fromEntries(rows.map((r) => [r.m.slice(pluginId.length + 1), r.v]));
  });
}

export function storedRow(home: string, date: string, metric: string): { value: number; source: string } | undefined {
  return withDb(home, (db) =>
    db.prepare('SELECT value, source FROM daily_metric_values WHERE date = ? AND metric_name = ?').get(date, metric),
  ) as { value: number; source: string } | undefined;
}

/** How many values, by source; {} when there is no database yet. */
export function storedSources(home: string): Record<string, number> {
  if (!existsSync(join(home, 'data', 'okr.db'))) return {};
  return withDb(home, (db) => {
    const rows = db.prepare('SELECT source, count(*) AS n FROM daily_metric_values GROUP BY source').all() as Array<{
      source: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.source, r.n]));
  });
}
