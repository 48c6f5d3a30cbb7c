/**
 * `objectives` and `key_results` (migration 3). This module only stores and loads rows;
 * validation (periods, metrics, aggregations, targets) happens before, in src/okr/ and the
 * commands, so every write here is of an already checked definition.
 *
 * A key result keeps its target, `--where` condition and baseline as the user wrote them, with
 * the metric type they were parsed by: re-parsing them (`defineKeyResult`) gives exactly the
 * definition that was checked, and `sqlite3` shows them as people wrote them.
 */
import type { Aggregation, Bucket, Period } from '../okr/types.js';
import type { FieldType } from '../plugins/types.js';
import { safeText } from '../safe-text.js';
import type { Db } from './db.js';

export interface Objective {
  id: number;
  title: string;
  period: Period;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface KeyResultRecord {
  id: number;
  objectiveId: number;
  position: number;
  title: string;
  metricName: string;
  metricType: FieldType;
  agg: Aggregation;
  where?: string;
  per?: Bucket;
  target: string;
  baseline?: string;
  createdAt: string;
  updatedAt: string;
}

/** The fields of a key result a command sets (the rest is bookkeeping). */
export type KeyResultFields = Pick<
  KeyResultRecord,
  'title' | 'metricName' | 'metricType' | 'agg' | 'where' | 'per' | 'target' | 'baseline'
>;

interface ObjectiveRow {
  id: number;
  title: string;
  period_label: string;
  period_from: string;
  period_to: string;
  archived: number;
  created_at: string;
  updated_at: string;
}

interface KeyResultRow {
  id: number;
  objective_id: number;
  position: number;
  title: string;
  metric_name: string;
  metric_type: FieldType;
  agg: Aggregation;
  where_cond: string | null;
  per: Bucket | null;
  target: string;
  baseline: string | null;
  created_at: string;
  updated_at: string;
}

function objectiveFromRow(r: ObjectiveRow): Objective {
  return {
    id: r.id,
    // Checked when written (checkTitle); a row from an older okr or a hand edit is made safe here.
    title: safeText(r.title),
    period: { label: r.period_label, from: r.period_from, to: r.period_to },
    archived: r.archived === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function keyResultFromRow(r: KeyResultRow): KeyResultRecord {
  return {
    id: r.id,
    objectiveId: r.objective_id,
    position: r.position,
    title: safeText(r.title),
    metricName: r.metric_name,
    metricType: r.metric_type,
    agg: r.agg,
    ...(r.where_cond === null ? {} : { where: r.where_cond }),
    ...(r.per === null ? {} : { per: r.per }),
    target: r.target,
    ...(r.baseline === null ? {} : { baseline: r.baseline }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function createObjective(db: Db, o: { title: string; period: Period }, now: string): Objective {
  const id = Number(
    db
      .prepare(
        `INSERT INTO objectives (title, period_label, period_from, period_to, archived, created_at, updated_at)
         VALUES (?, ?, ?, ?, 0, ?, ?)`,
      )
      .run(o.title, o.period.label, o.period.from, o.period.to, now, now).lastInsertRowid,
  );
  return getObjective(db, id)!;
}

export function getObjective(db: Db, id: number): Objective | undefined {
  const row = db.prepare('SELECT * FROM objectives WHERE id = ?').get(id) as ObjectiveRow | undefined;
  return row && objectiveFromRow(row);
}

/** Objectives by start of period, then id; archived ones only when asked for. */
export function listObjectives(db: Db, opts: { includeArchived?: boolean } = {}): Objective[] {
  const where = opts.includeArchived ? '' : 'WHERE archived = 0';
  return (db.prepare(`SELECT * FROM objectives ${where} ORDER BY period_from, id`).all() as ObjectiveRow[]).map(
    objectiveFromRow,
  );
}

export function updateObjective(
  db: Db,
  id: number,
  change: { title?: string; period?: Period; archived?: boolean },
  now: string,
): Objective | undefined {
  const cur = getObjective(db, id);
  if (!cur) return undefined;
  const title = change.title ?? cur.title;
  const period = change.period ?? cur.period;
  const archived = change.archived ?? cur.archived;
  db.prepare(
    `UPDATE objectives SET title = ?, period_label = ?, period_from = ?, period_to = ?, archived = ?, updated_at = ?
     WHERE id = ?`,
  ).run(title, period.label, period.from, period.to, archived ? 1 : 0, now, id);
  return getObjective(db, id);
}

/** Deletes an objective; its key results go with it (ON DELETE CASCADE). */
export function deleteObjective(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM objectives WHERE id = ?').run(id).changes > 0;
}

/** The position after the last key result of an objective. */
function nextPosition(db: Db, objectiveId: number): number {
  return (
    db
      .prepare('SELECT coalesce(max(position), 0) + 1 AS next FROM key_results WHERE objective_id = ?')
      .get(objectiveId) as { next: number }
  ).next;
}

/** A key result's definition as named SQL parameters (shared by insert and update). */
function keyResultParams(kr: KeyResultFields, objectiveId: number, position: number, now: string) {
  return {
    objectiveId,
    position,
    title: kr.title,
    metricName: kr.metricName,
    metricType: kr.metricType,
    agg: kr.agg,
    where: kr.where ?? null,
    per: kr.per ?? null,
    target: kr.target,
    baseline: kr.baseline ?? null,
    now,
  };
}

export function createKeyResult(db: Db, objectiveId: number, kr: KeyResultFields, now: string): KeyResultRecord {
  const run = db.transaction(() =>
    Number(
      db
        .prepare(
          `INSERT INTO key_results (objective_id, position, title, metric_name, metric_type, agg, where_cond, per,
                                    target, baseline, created_at, updated_at)
           VALUES (@objectiveId, @position, @title, @metricName, @metricType, @agg, @where, @per,
                   @target, @baseline, @now, @now)`,
        )
        .run(keyResultParams(kr, objectiveId, nextPosition(db, objectiveId), now)).lastInsertRowid,
    ),
  );
  return getKeyResult(db, run.immediate())!;
}

export function getKeyResult(db: Db, id: number): KeyResultRecord | undefined {
  const row = db.prepare('SELECT * FROM key_results WHERE id = ?').get(id) as KeyResultRow | undefined;
  return row && keyResultFromRow(row);
}

/**
 * The type the key results give a metric they measure (the oldest one's), or undefined when none
 * does. A manual metric named only by a key result (`okr kr add … --metric books --type number`)
 * is known by it: it can be logged and imported without a template.
 */
export function keyResultMetricType(db: Db, metricName: string): KeyResultRecord['metricType'] | undefined {
  const row = db
    .prepare('SELECT metric_type FROM key_results WHERE metric_name = ? ORDER BY id LIMIT 1')
    .get(metricName) as { metric_type: KeyResultRecord['metricType'] } | undefined;
  return row?.metric_type;
}

/** Key results in objective order, then by position; of one objective when `objectiveId` is given. */
export function listKeyResults(db: Db, objectiveId?: number): KeyResultRecord[] {
  const rows =
    objectiveId === undefined
      ? db.prepare('SELECT * FROM key_results ORDER BY objective_id, position, id').all()
      : db.prepare('SELECT * FROM key_results WHERE objective_id = ? ORDER BY position, id').all(objectiveId);
  return (rows as KeyResultRow[]).map(keyResultFromRow);
}

/** Replaces a key result's definition; moving it to another objective puts it last there. */
export function updateKeyResult(
  db: Db,
  id: number,
  kr: KeyResultFields & { objectiveId: number },
  now: string,
): KeyResultRecord | undefined {
  const run = db.transaction(() => {
    const cur = getKeyResult(db, id);
    if (!cur) return false;
    const position = kr.objectiveId === cur.objectiveId ? cur.position : nextPosition(db, kr.objectiveId);
    db.prepare(
      `UPDATE key_results SET objective_id = @objectiveId, position = @position, title = @title,
         metric_name = @metricName, metric_type = @metricType, agg = @agg, where_cond = @where, per = @per,
         target = @target, baseline = @baseline, updated_at = @now
       WHERE id = @id`,
    ).run({ ...keyResultParams(kr, kr.objectiveId, position, now), id });
    return true;
  });
  return run.immediate() ? getKeyResult(db, id) : undefined;
}

export function deleteKeyResult(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM key_results WHERE id = ?').run(id).changes > 0;
}

export function countKeyResults(db: Db, objectiveId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM key_results WHERE objective_id = ?').get(objectiveId) as { n: number })
    .n;
}
