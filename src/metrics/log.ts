/**
 * `okr metrics log`: a value typed by hand, for one metric and one day.
 *
 * Which metric: `<metric>` is a metric name (`mood`, `fitbit.steps`) or a template label
 * (`Mood`, `Sleep length`, any case). A plugin field can be logged even when no template shows it,
 * and so can a manual metric a key result measures (`okr kr add … --metric books --type number`):
 * the key result gave it its type.
 *
 * The rule between manual and synced values (README, "Manual and synced values"):
 * - a sync never overwrites a manual value (src/store/values.ts keeps it);
 * - `log` refuses to replace a value a plugin synced unless `--force`; with `--force` the value
 *   becomes manual, so later syncs keep it;
 * - `log` replaces an earlier manual or imported value and says what it replaced;
 * - `log --clear` removes a manual or imported value; a synced value cannot be cleared (the next
 *   sync would bring it back), only replaced with `--force`.
 */
import type { Context } from '../context.js';
import { isCivilDate, localDate } from '../dates.js';
import { OkrError, UsageError } from '../errors.js';
import type { FieldType, FieldValue } from '../plugins/types.js';
import { keyResultMetricType } from '../store/objectives.js';
import { findMetricUses, listTemplates } from '../store/templates.js';
import { getValue, MANUAL_SOURCE, putValue } from '../store/values.js';
import { didYouMean } from '../suggest.js';
import { EARLIEST_DATE, implausibleValue, plausibleMetric, rangeOf, shownRange, shownValue } from './plausible.js';
import { metricSlug, resolveMetric, unknownSourceReason } from './templates.js';
import { formatValue, parseValue } from './values.js';

/** `source` of values from `okr metrics import`. */
export const IMPORT_SOURCE = 'import';

export interface LoggableMetric {
  metricName: string;
  label: string;
  type: FieldType;
  unit?: string;
}

/** Finds the metric `query` names; throws a UsageError that lists the candidates. */
export function findLoggableMetric(ctx: Pick<Context, 'registry' | 'db'>, query: string): LoggableMetric {
  const q = query.trim();
  const field = ctx.registry.findField(q);
  if (field) {
    const label = findMetricUses(ctx.db(), q)[0]?.label ?? field.field.name;
    return { metricName: q, label, type: field.field.type, unit: field.field.unit };
  }
  const templates = listTemplates(ctx.db());
  const byName = new Map<
    string,
    { label: string; metric: (typeof templates)[number]['metrics'][number]; isDefault: boolean }[]
  >();
  const lower = q.toLowerCase();
  const slug = metricSlug(q);
  for (const t of templates) {
    for (const m of t.metrics) {
      if (m.metricName === q || m.label.toLowerCase() === lower || (m.type !== 'external' && m.metricName === slug)) {
        const list = byName.get(m.metricName) ?? [];
        list.push({ label: m.label, metric: m, isDefault: t.isDefault });
        byName.set(m.metricName, list);
      }
    }
  }
  let candidates = [...byName.values()];
  if (candidates.length > 1) {
    const inDefault = candidates.filter((c) => c.some((u) => u.isDefault));
    if (inDefault.length === 1) candidates = inDefault;
  }
  if (candidates.length === 0 && !q.includes('.')) {
    for (const name of new Set([q, slug])) {
      const type = keyResultMetricType(ctx.db(), name);
      if (type) return { metricName: name, label: name, type };
    }
  }
  if (candidates.length === 0 && q.includes('.')) {
    // A plugin's namespace: a typo of one of its fields, never a new manual metric (those have no dot).
    throw new UsageError(
      `No metric is called ${JSON.stringify(q)}: ${unknownSourceReason(q, ctx.registry)}.`,
      'Run `okr metrics fields` for every plugin field.',
    );
  }
  if (candidates.length === 0) {
    const names = [...new Set(templates.flatMap((t) => t.metrics.map((m) => m.label)))];
    const near = didYouMean(q, [...names, ...templates.flatMap((t) => t.metrics.map((m) => m.metricName))]);
    throw new UsageError(
      `No metric is called ${JSON.stringify(q)}${near}.`,
      names.length
        ? `Use a label or a metric name from your templates (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}), or add it: okr metrics template edit <template> --add "${q}:number".`
        : `Create a template first: okr metrics template create daily --metric "${q}:number".`,
    );
  }
  if (candidates.length > 1) {
    throw new UsageError(
      `${JSON.stringify(q)} could mean ${candidates.map((c) => c[0]!.metric.metricName).join(' or ')}.`,
      'Use the metric name instead of the label.',
    );
  }
  const m = candidates[0]![0]!.metric;
  const r = resolveMetric(m, ctx.registry);
  if (r.status === 'unknown') {
    throw new OkrError(`${m.label} reads ${m.source}, but ${r.reason}.`, {
      hint: 'Fix the template with `okr metrics template edit`, or log the metric under its source name.',
    });
  }
  return { metricName: m.metricName, label: m.label, type: r.type, unit: r.unit };
}

export interface LogResult {
  metric: LoggableMetric;
  date: string;
  value: FieldValue | null;
  text: string;
  replaced?: { value: FieldValue; text: string; source: string };
  action: 'logged' | 'replaced' | 'unchanged' | 'cleared';
}

function logDate(ctx: Pick<Context, 'now'>, date: string | undefined): string {
  const today = localDate(ctx.now());
  if (date === undefined) return today;
  const d = date.trim();
  if (!isCivilDate(d))
    throw new UsageError(
      `--date needs a date as YYYY-MM-DD, got ${JSON.stringify(date)}.`,
      `For example --date ${today}`,
    );
  if (d > today)
    throw new UsageError(`--date ${d} is in the future (today is ${today}).`, `Use today or an earlier date.`);
  if (d < EARLIEST_DATE)
    throw new UsageError(
      `--date ${d} is before ${EARLIEST_DATE}: okr stores no values that old.`,
      `Use a date from ${EARLIEST_DATE} to ${today}.`,
    );
  return d;
}

/** A value a plugin wrote (not typed by hand, not imported from a file). */
function isSynced(source: string): boolean {
  return source !== MANUAL_SOURCE && source !== IMPORT_SOURCE;
}

export function logValue(
  ctx: Pick<Context, 'registry' | 'db' | 'now'>,
  query: string,
  input: string,
  opts: { date?: string; force?: boolean } = {},
): LogResult {
  const metric = findLoggableMetric(ctx, query);
  const date = logDate(ctx, opts.date);
  const value = parseValue(metric.type, input);
  refuseImplausible(ctx, metric, value);
  const text = formatValue(metric.type, value, metric.unit && metric.type === 'number' ? metric.unit : undefined);
  const db = ctx.db();
  let result: LogResult | undefined;
  db.transaction(() => {
    const cur = getValue(db, date, metric.metricName);
    const replaced = cur && { value: cur.value, text: formatValue(metric.type, cur.value), source: cur.source };
    if (cur && cur.value === value && cur.source === MANUAL_SOURCE) {
      result = { metric, date, value, text, action: 'unchanged' };
      return;
    }
    if (cur && isSynced(cur.source) && !opts.force) {
      throw new OkrError(
        `${metric.label} on ${date} already has ${replaced!.text}, synced from ${cur.source}; not replaced.`,
        {
          hint: `Add --force to replace it with ${text}: it then counts as yours and later syncs keep it.`,
        },
      );
    }
    putValue(db, {
      date,
      metricName: metric.metricName,
      value,
      source: MANUAL_SOURCE,
      updatedAt: ctx.now().toISOString(),
    });
    result = { metric, date, value, text, replaced, action: cur ? 'replaced' : 'logged' };
  }).immediate();
  return result!;
}

/** A value that cannot be real for this metric (25:00 of sleep in a day) is a usage error; nothing is stored. */
function refuseImplausible(ctx: Pick<Context, 'registry'>, metric: LoggableMetric, value: FieldValue): void {
  const rule = plausibleMetric(ctx.registry, metric.metricName, metric.type, metric.unit);
  const range = rangeOf(rule);
  if (!range || !implausibleValue(rule, value)) return;
  const name = metric.label === metric.metricName ? metric.metricName : `${metric.label} (${metric.metricName})`;
  throw new UsageError(
    `${shownValue(rule, value as number)} is not a possible ${name}: it takes ${shownRange(rule, range)}.`,
    'Check the value and its unit; nothing was stored.',
  );
}

export function clearValue(
  ctx: Pick<Context, 'registry' | 'db' | 'now'>,
  query: string,
  opts: { date?: string } = {},
): LogResult {
  const metric = findLoggableMetric(ctx, query);
  const date = logDate(ctx, opts.date);
  const db = ctx.db();
  const cur = getValue(db, date, metric.metricName);
  if (!cur) throw new OkrError(`${metric.label} has no value on ${date}; nothing to clear.`);
  const replaced = { value: cur.value, text: formatValue(metric.type, cur.value), source: cur.source };
  if (isSynced(cur.source)) {
    throw new OkrError(`${metric.label} on ${date} was synced from ${cur.source}; the next sync would bring it back.`, {
      hint: `Replace it instead: okr metrics log "${metric.metricName}" <value> --date ${date} --force`,
    });
  }
  db.prepare('DELETE FROM daily_metric_values WHERE date = ? AND metric_name = ?').run(date, metric.metricName);
  return { metric, date, value: null, text: '', replaced, action: 'cleared' };
}
