/**
 * Writing imported history under the rules between sources (README, "Importing history"):
 * - a value you logged (`manual`) or imported from a CSV of your own (`import`) is never
 *   overwritten: it is kept and listed;
 * - a value written by an earlier import of the same kind (the importer's `source`) is replaced
 *   when the new export says otherwise, so a fuller export corrects an older one;
 * - a value from a sync (or another importer): "the newer source wins", where newer means the
 *   later of two moments: when the export was made (`exportedAt`) and when the stored value was
 *   written (`updated_at`). A value synced after the export was made is newer, and kept; one
 *   written before it is replaced. An export of unknown age never replaces a synced value.
 *   Either way the report lists the day;
 * - an equal value is left alone (its source and time too): importing the same export twice
 *   changes nothing.
 * Values are written in batches of BATCH_DATES dates, one transaction each; Ctrl-C stops between
 * batches, and what was committed stays. Running the import again writes the rest.
 */

import { IMPORT_SOURCE } from '../metrics/log.js';
import type { FieldValue, ImportedDataRecord } from '../plugins/types.js';
import type { Db } from '../store/db.js';
import { getValues, MANUAL_SOURCE, type StoredValue } from '../store/values.js';

export const BATCH_DATES = 200;
/** The report lists at most this many kept or replaced days (the counts are always complete). */
export const MAX_LISTED = 50;

export interface MetricCounts {
  added: number;
  updated: number;
  unchanged: number;
  keptYours: number;
  keptSynced: number;
  replacedSynced: number;
}

export interface Conflict {
  date: string;
  metric: string;
  action: 'kept' | 'replaced';
  stored: FieldValue;
  storedSource: string;
  imported: FieldValue;
  why: string;
}

export interface WriteResult {
  metrics: Record<string, MetricCounts>;
  conflicts: Conflict[];
  conflictsTotal: number;
  written: number;
  interrupted: boolean;
}

export interface WriteOptions {
  pluginId: string;
  source: string;
  exportedAt?: number;
  now: Date;
  dryRun: boolean;
  signal: AbortSignal;
  onBatch?(datesDone: number, datesTotal: number): void;
}

const emptyCounts = (): MetricCounts => ({
  added: 0,
  updated: 0,
  unchanged: 0,
  keptYours: 0,
  keptSynced: 0,
  replacedSynced: 0,
});

type Decision = { kind: keyof MetricCounts; write: boolean; why?: string };

function decide(
  stored: { value: FieldValue; source: string; updatedAt: string } | undefined,
  value: FieldValue,
  opts: WriteOptions,
): Decision {
  if (!stored) return { kind: 'added', write: true };
  if (stored.value === value) return { kind: 'unchanged', write: false };
  if (stored.source === MANUAL_SOURCE || stored.source === IMPORT_SOURCE) {
    return {
      kind: 'keptYours',
      write: false,
      why: stored.source === MANUAL_SOURCE ? 'you logged it' : 'you imported it from a CSV',
    };
  }
  if (stored.source === opts.source) return { kind: 'updated', write: true };
  const storedAt = Date.parse(stored.updatedAt);
  if (opts.exportedAt !== undefined && Number.isFinite(storedAt) && opts.exportedAt > storedAt) {
    return {
      kind: 'replacedSynced',
      write: true,
      why: `the export (${iso(opts.exportedAt)}) is newer than the value (${stored.updatedAt})`,
    };
  }
  return {
    kind: 'keptSynced',
    write: false,
    why:
      opts.exportedAt === undefined
        ? 'the export does not say when it was made'
        : `the value (${stored.updatedAt}) is newer than the export (${iso(opts.exportedAt)})`,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function writeImported(db: Db, records: ImportedDataRecord[], opts: WriteOptions): Promise<WriteResult> {
  const result: WriteResult = { metrics: {}, conflicts: [], conflictsTotal: 0, written: 0, interrupted: false };
  const upsert = db.prepare(
    `INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (date, metric_name) DO UPDATE SET
       value = excluded.value, source = excluded.source, updated_at = excluded.updated_at`,
  );
  const now = opts.now.toISOString();
  const batch = (slice: ImportedDataRecord[]) => {
    // The stored values of the whole batch in one query: a statement per value (getValue) left
    // tens of thousands of statements for V8 to collect, whose native memory it does not see, and
    // peak RSS grew with the number of values imported (~90 MB for ten years of Apple Health).
    const metrics = [...new Set(slice.flatMap((rec) => Object.keys(rec.fields)))].map((f) => `${opts.pluginId}.${f}`);
    let from = slice[0]!.date;
    let to = from;
    for (const rec of slice) {
      if (rec.date < from) from = rec.date;
      if (rec.date > to) to = rec.date;
    }
    const stored = new Map<string, StoredValue>();
    for (const v of getValues(db, metrics, from, to)) stored.set(`${v.date}|${v.metricName}`, v);
    for (const rec of slice) {
      for (const [field, value] of Object.entries(rec.fields)) {
        const metric = `${opts.pluginId}.${field}`;
        const before = stored.get(`${rec.date}|${metric}`);
        const d = decide(before, value, opts);
        result.metrics[metric] ??= emptyCounts();
        result.metrics[metric][d.kind]++;
        if (d.why && before) {
          result.conflictsTotal++;
          if (result.conflicts.length < MAX_LISTED) {
            result.conflicts.push({
              date: rec.date,
              metric,
              action: d.write ? 'replaced' : 'kept',
              stored: before.value,
              storedSource: before.source,
              imported: value,
              why: d.why,
            });
          }
        }
        if (d.write && !opts.dryRun) {
          upsert.run(rec.date, metric, value, opts.source, now);
          result.written++;
        } else if (d.write) result.written++;
      }
    }
  };
  const run = db.transaction(batch);
  for (let i = 0; i < records.length; i += BATCH_DATES) {
    // A safe point: after Ctrl-C no new transaction starts; the committed ones stay. The event
    // loop runs first, or the SIGINT handler that aborts the signal never would: the batches ran
    // back to back and an interrupted import ended with exit 0, every batch written.
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (opts.signal.aborted) {
      result.interrupted = true;
      break;
    }
    const slice = records.slice(i, i + BATCH_DATES);
    if (opts.dryRun) batch(slice);
    else run.immediate(slice);
    opts.onBatch?.(Math.min(i + BATCH_DATES, records.length), records.length);
  }
  return result;
}
