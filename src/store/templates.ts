/**
 * `metric_templates` and `template_metrics`: named, ordered lists of metrics. This module only
 * stores and loads; validation (known sources, duplicate labels, types, targets) lives in
 * src/metrics/templates.ts, so a template that names a source no plugin declares still loads.
 *
 * At most one template is the default (a partial unique index enforces it); the first template
 * saved becomes the default, and deleting the default promotes nothing: `okr metrics show` then
 * uses the only template left or asks for `--template`.
 */

import { safeText } from '../safe-text.js';
import type { Db } from './db.js';

export type MetricKind = 'external' | 'number' | 'duration' | 'time' | 'boolean' | 'text';
export const METRIC_KINDS: readonly MetricKind[] = ['external', 'number', 'duration', 'time', 'boolean', 'text'];

export interface TemplateMetric {
  label: string;
  type: MetricKind;
  /** `pluginId.fieldId` for external metrics; undefined otherwise. */
  source?: string;
  /** The `daily_metric_values.metric_name` the values live under (the source, or a slug such as `mood`). */
  metricName: string;
  unit?: string;
  /** As the user wrote it, e.g. `>=10000`, `<=23:00`, `yes`. */
  target?: string;
}

export interface Template {
  id: number;
  name: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
  metrics: TemplateMetric[];
}

interface TemplateRow {
  id: number;
  name: string;
  is_default: number;
  created_at: string;
  updated_at: string;
}

interface MetricRow {
  template_id: number;
  label: string;
  type: MetricKind;
  source: string | null;
  metric_name: string | null;
  unit: string | null;
  target: string | null;
}

function metricFromRow(r: MetricRow): TemplateMetric {
  return {
    // Checked when written (checkLabel); a row from an older okr or a hand edit is made safe here.
    label: safeText(r.label),
    type: r.type,
    source: r.source ?? undefined,
    metricName: r.metric_name ?? r.source ?? r.label.toLowerCase(),
    unit: r.unit ?? undefined,
    target: r.target ?? undefined,
  };
}

function load(db: Db, rows: TemplateRow[]): Template[] {
  if (rows.length === 0) return [];
  const metrics = db
    .prepare(
      `SELECT template_id, label, type, source, metric_name, unit, target FROM template_metrics
       WHERE template_id IN (${rows.map(() => '?').join(', ')}) ORDER BY template_id, position`,
    )
    .all(...rows.map((r) => r.id)) as MetricRow[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    isDefault: r.is_default === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    metrics: metrics.filter((m) => m.template_id === r.id).map(metricFromRow),
  }));
}

export function listTemplates(db: Db): Template[] {
  return load(db, db.prepare('SELECT * FROM metric_templates ORDER BY is_default DESC, name').all() as TemplateRow[]);
}

export function getTemplate(db: Db, name: string): Template | undefined {
  const row = db.prepare('SELECT * FROM metric_templates WHERE name = ?').get(name) as TemplateRow | undefined;
  return row ? load(db, [row])[0] : undefined;
}

export function getDefaultTemplate(db: Db): Template | undefined {
  const row = db.prepare('SELECT * FROM metric_templates WHERE is_default = 1').get() as TemplateRow | undefined;
  return row ? load(db, [row])[0] : undefined;
}

export function countTemplates(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM metric_templates').get() as { n: number }).n;
}

/**
 * Creates a template, or replaces the metrics of an existing one (keeping its id, default flag
 * and creation time). The first template ever saved becomes the default. One transaction.
 */
export function saveTemplate(
  db: Db,
  t: { name: string; metrics: TemplateMetric[]; makeDefault?: boolean; renameTo?: string },
  now: string,
): Template {
  const run = db.transaction(() => {
    const existing = db.prepare('SELECT id FROM metric_templates WHERE name = ?').get(t.name) as
      | { id: number }
      | undefined;
    let id: number;
    if (existing) {
      id = existing.id;
      db.prepare('UPDATE metric_templates SET name = ?, updated_at = ? WHERE id = ?').run(
        t.renameTo ?? t.name,
        now,
        id,
      );
      db.prepare('DELETE FROM template_metrics WHERE template_id = ?').run(id);
    } else {
      const first = countTemplates(db) === 0;
      id = Number(
        db
          .prepare('INSERT INTO metric_templates (name, is_default, created_at, updated_at) VALUES (?, ?, ?, ?)')
          .run(t.renameTo ?? t.name, first ? 1 : 0, now, now).lastInsertRowid,
      );
    }
    const insert = db.prepare(
      `INSERT INTO template_metrics (template_id, position, label, type, source, metric_name, unit, target)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    t.metrics.forEach((m, i) => {
      insert.run(id, i, m.label, m.type, m.source ?? null, m.metricName, m.unit ?? null, m.target ?? null);
    });
    if (t.makeDefault) setDefaultById(db, id);
    return id;
  });
  const id = run.immediate();
  const row = db.prepare('SELECT * FROM metric_templates WHERE id = ?').get(id) as TemplateRow;
  return load(db, [row])[0]!;
}

function setDefaultById(db: Db, id: number): void {
  db.prepare('UPDATE metric_templates SET is_default = 0 WHERE is_default = 1 AND id <> ?').run(id);
  db.prepare('UPDATE metric_templates SET is_default = 1 WHERE id = ?').run(id);
}

/** Makes `name` the default template. Returns false when there is no such template. */
export function setDefaultTemplate(db: Db, name: string): boolean {
  const row = db.prepare('SELECT id FROM metric_templates WHERE name = ?').get(name) as { id: number } | undefined;
  if (!row) return false;
  db.transaction(() => setDefaultById(db, row.id))();
  return true;
}

/**
 * Deletes a template (its metrics go with it; stored values are untouched). When it was the
 * default, the oldest template left becomes the default, in the same transaction: with none,
 * `metrics show` and `report` would refuse to guess once a second template exists. Returns that
 * new default's name.
 */
export function deleteTemplate(db: Db, name: string): { deleted: boolean; newDefault?: string } {
  return db.transaction(() => {
    const row = db.prepare('SELECT is_default FROM metric_templates WHERE name = ?').get(name) as
      | { is_default: number }
      | undefined;
    if (!row) return { deleted: false };
    db.prepare('DELETE FROM metric_templates WHERE name = ?').run(name);
    if (row.is_default !== 1) return { deleted: true };
    const next = db.prepare('SELECT id, name FROM metric_templates ORDER BY id LIMIT 1').get() as
      | { id: number; name: string }
      | undefined;
    if (!next) return { deleted: true };
    setDefaultById(db, next.id);
    return { deleted: true, newDefault: next.name };
  })();
}

/** Every template metric stored under `metricName`, with its template's name. */
export function findMetricUses(db: Db, metricName: string): Array<TemplateMetric & { template: string }> {
  const rows = db
    .prepare(
      `SELECT m.template_id, m.label, m.type, m.source, m.metric_name, m.unit, m.target, t.name AS template
       FROM template_metrics m JOIN metric_templates t ON t.id = m.template_id
       WHERE m.metric_name = ? ORDER BY t.is_default DESC, t.name`,
    )
    .all(metricName) as Array<MetricRow & { template: string }>;
  return rows.map((r) => ({ ...metricFromRow(r), template: r.template }));
}
