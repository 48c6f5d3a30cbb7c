/**
 * `daily_metric_values`: one value per (date, metric_name). Synced values are named
 * `pluginId.fieldId` with `source = pluginId`; values logged by hand have `source = 'manual'`,
 * values from `okr metrics import` have `source = 'import'`.
 *
 * The rule between manual and synced values (README, "Manual and synced values"):
 * - a sync never overwrites a manual value: it keeps it and counts it as `keptManual`;
 * - `okr metrics log` refuses to overwrite a synced value unless `--force` is given.
 */
import type { FieldValue, ImportedDataRecord } from '../plugins/types.js';
import type { Db } from './db.js';

export const MANUAL_SOURCE = 'manual';

export interface StoredValue {
  date: string;
  metricName: string;
  value: FieldValue;
  source: string;
  updatedAt: string;
}

export interface UpsertResult {
  written: number;
  keptManual: number;
}

/** Writes a plugin's records. Call inside the sync's transaction (or it makes its own). */
export function upsertSyncedRecords(
  db: Db,
  pluginId: string,
  records: ImportedDataRecord[],
  now: string,
): UpsertResult {
  const stmt = db.prepare(
    `INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (date, metric_name) DO UPDATE SET
       value = excluded.value, source = excluded.source, updated_at = excluded.updated_at
     WHERE daily_metric_values.source <> 'manual'`,
  );
  let written = 0;
  let attempted = 0;
  const run = db.transaction(() => {
    for (const rec of records) {
      for (const fieldId in rec.fields) {
        attempted++;
        written += stmt.run(rec.date, `${pluginId}.${fieldId}`, rec.fields[fieldId], pluginId, now).changes;
      }
    }
  });
  run();
  return { written, keptManual: attempted - written };
}

export function getValue(db: Db, date: string, metricName: string): StoredValue | undefined {
  const row = db
    .prepare(
      'SELECT date, metric_name AS metricName, value, source, updated_at AS updatedAt FROM daily_metric_values WHERE date = ? AND metric_name = ?',
    )
    .get(date, metricName) as StoredValue | undefined;
  return row;
}

/** Values of the given metrics in an inclusive date range, ordered by date. */
export function getValues(db: Db, metricNames: string[], from: string, to: string): StoredValue[] {
  if (metricNames.length === 0) return [];
  const placeholders = metricNames.map(() => '?').join(', ');
  // SQLite (with no statistics) always picks the (metric_name, date) index here. That suits one
  // metric over a long period (a key result); for a template's many metrics, walking the primary
  // key (date, metric_name) over the range reads each day once, in order, with no lookups back
  // into the table: 30 metrics x 31 days of a 10-year file, cold, took 1.5 ms instead of 2.0 ms
  // (3 metrics x 1 year: 3.0 ms either way; 1 metric x 1 year: 1.4 ms by the index, 1.7 ms not).
  // `+metric_name` tells the planner not to use the index.
  const column = metricNames.length > 2 ? '+metric_name' : 'metric_name';
  return db
    .prepare(
      `SELECT date, metric_name AS metricName, value, source, updated_at AS updatedAt FROM daily_metric_values
       WHERE ${column} IN (${placeholders}) AND date >= ? AND date <= ? ORDER BY date, metric_name`,
    )
    .all(...metricNames, from, to) as StoredValue[];
}

export function putValue(db: Db, v: StoredValue): void {
  db.prepare(
    `INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (date, metric_name) DO UPDATE SET value = excluded.value, source = excluded.source, updated_at = excluded.updated_at`,
  ).run(v.date, v.metricName, v.value, v.source, v.updatedAt);
}

export function countValuesBySource(db: Db, source: string): number {
  return (db.prepare('SELECT count(*) AS n FROM daily_metric_values WHERE source = ?').get(source) as { n: number }).n;
}

export function deleteValuesBySource(db: Db, source: string): number {
  return db.prepare('DELETE FROM daily_metric_values WHERE source = ?').run(source).changes;
}
