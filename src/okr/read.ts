/**
 * What the OKR commands read: which metric a key result measures (and its type), the metric's
 * daily values over a period, and the progress of objectives at a date.
 *
 * Which metric `--metric` names, and its type:
 * - `plugin.field` (`fitbit.sleepLength`): a plugin field; its type is the one the plugin
 *   declares. A field the provider does not offer is refused (its values would never come).
 * - anything else: a metric from the metric templates, by metric name or label, the way
 *   `okr metrics log` finds it (`books`, `Books`, or `Sleep` for a template's external metric).
 * - a manual metric that no template holds: unless another key result already measures it, its
 *   type cannot be known, so `--type` is required, and the name is stored as its slug
 *   (`Books read` → `books_read`), the name `okr metrics log` and templates give it. From then
 *   on `okr metrics log books 1` and `okr metrics import` know it by that type.
 * The type is stored with the key result: its target was parsed by that type, and keeps meaning
 * the same thing if a template is edited later.
 */
import type { Context } from '../context.js';
import { daysBetween } from '../dates.js';
import { UsageError } from '../errors.js';
import { findLoggableMetric } from '../metrics/log.js';
import { metricSlug, resolveMetric } from '../metrics/templates.js';
import { TYPE_NAMES } from '../metrics/values.js';
import type { FieldType, FieldValue } from '../plugins/types.js';
import type { Db } from '../store/db.js';
import { type KeyResultRecord, keyResultMetricType, listKeyResults, type Objective } from '../store/objectives.js';
import { listTemplates } from '../store/templates.js';
import { getValues } from '../store/values.js';
import { isCumulative } from './aggregate.js';
import { periodDays } from './period.js';
import { computeKeyResult, defineKeyResult } from './progress.js';
import { direction } from './target.js';
import type { KeyResultProgress, KeyResultSpec } from './types.js';

export const FIELD_TYPES: readonly FieldType[] = ['number', 'duration', 'time', 'boolean', 'text'];

export interface KrMetric {
  metricName: string;
  type: FieldType;
  /** A plugin field, or a metric logged by hand. */
  source: 'external' | 'manual';
  /** How people call it: the template label or field name; the metric name otherwise. */
  label: string;
  /** A manual metric no template holds (its type came from `--type`). */
  untemplated: boolean;
}

export function parseFieldType(input: string): FieldType {
  const t = TYPE_NAMES[input.trim().toLowerCase()];
  if (!t) throw new UsageError(`Unknown type: ${JSON.stringify(input)}`, `Use one of ${FIELD_TYPES.join(', ')}`);
  return t;
}

/** Resolves `--metric` (and `--type`) for `okr kr add` / `kr edit`; see the file comment. */
export function resolveKrMetric(ctx: Pick<Context, 'registry' | 'db'>, input: string, typeFlag?: string): KrMetric {
  const q = input.trim();
  if (q === '') throw new UsageError('--metric is empty', 'For example --metric fitbit.steps, or --metric books');
  const given = typeFlag === undefined ? undefined : parseFieldType(typeFlag);
  let metric: KrMetric;
  if (q.includes('.')) {
    metric = externalMetric(ctx, q);
  } else if (inAnyTemplate(ctx.db(), q)) {
    const m = findLoggableMetric(ctx, q);
    const external = m.metricName.includes('.');
    metric = {
      metricName: m.metricName,
      type: m.type,
      source: external ? 'external' : 'manual',
      label: m.label,
      untemplated: false,
    };
    if (external) metric = { ...externalMetric(ctx, m.metricName), label: m.label };
  } else {
    const name = metricSlug(q);
    if (name === '') {
      throw new UsageError(`Not a metric name: ${JSON.stringify(q)}`, 'Use letters, digits and _, e.g. --metric books');
    }
    // Another key result already measures it: it gave the type.
    const known = keyResultMetricType(ctx.db(), name);
    if (given && known && given !== known) {
      throw new UsageError(
        `${name} is a ${known} metric (another key result measures it), not ${given}`,
        `Drop --type: the type of ${name} is known`,
      );
    }
    if (!given && known) return { metricName: name, type: known, source: 'manual', label: q, untemplated: true };
    if (!given) {
      throw new UsageError(
        `"${q}" is not a plugin field or in any metric template, so its type is unknown`,
        `Say what it holds: --type number (or ${FIELD_TYPES.slice(1).join(', ')}), or add it to a template: okr metrics template edit <template> --add "${q}:number"`,
      );
    }
    return { metricName: name, type: given, source: 'manual', label: q, untemplated: true };
  }
  if (given && given !== metric.type) {
    throw new UsageError(
      `${metric.metricName} is a ${metric.type} metric, not ${given}`,
      `Drop --type: the type of ${metric.metricName} is known`,
    );
  }
  return metric;
}

function externalMetric(ctx: Pick<Context, 'registry'>, source: string): KrMetric {
  const r = resolveMetric({ label: source, type: 'external', source, metricName: source }, ctx.registry);
  if (r.status === 'unknown') {
    throw new UsageError(`Unknown metric ${source}: ${r.reason}`, 'Run `okr metrics fields` for the plugin fields');
  }
  if (r.status === 'unavailable') {
    const alt = r.alternatives?.length ? `Use ${r.alternatives.join(' or ')} instead` : 'Pick another field';
    throw new UsageError(`${source} is not offered by the provider: ${r.reason}`, `${alt} (okr metrics fields)`);
  }
  const field = ctx.registry.findField(source)!;
  return { metricName: source, type: r.type, source: 'external', label: field.field.name, untemplated: false };
}

function inAnyTemplate(db: Db, q: string): boolean {
  const lower = q.toLowerCase();
  const slug = metricSlug(q);
  return listTemplates(db).some((t) =>
    t.metrics.some(
      (m) => m.metricName === q || m.label.toLowerCase() === lower || (m.type !== 'external' && m.metricName === slug),
    ),
  );
}

/** Whether any value at all is stored under a metric name (to tell people how to add some). */
export function hasAnyValue(db: Db, metricName: string): boolean {
  return db.prepare('SELECT 1 FROM daily_metric_values WHERE metric_name = ? LIMIT 1').get(metricName) !== undefined;
}

/** The stored definition, parsed; a UsageError when it no longer parses (see the store's comment). */
export function keyResultSpec(kr: KeyResultRecord): KeyResultSpec {
  return defineKeyResult({
    metricType: kr.metricType,
    agg: kr.agg,
    where: kr.where,
    per: kr.per,
    target: kr.target,
    baseline: kr.baseline,
  });
}

/** The parsed definition, or why it cannot be parsed, for commands that list definitions. */
export function keyResultSpecOrError(kr: KeyResultRecord): { spec?: KeyResultSpec; error?: string } {
  try {
    return { spec: keyResultSpec(kr) };
  } catch (err) {
    if (err instanceof UsageError) return { error: err.message };
    throw err;
  }
}

/**
 * A metric's values from the first day of the period to `today` (or the period's end), by date.
 * Days without a row are simply absent: the engine treats them as missing, never as zero.
 */
export function loadPeriodValues(
  db: Db,
  metricName: string,
  period: { from: string; to: string },
  today: string,
): Map<string, FieldValue> {
  const last = today < period.to ? today : period.to;
  const out = new Map<string, FieldValue>();
  if (last < period.from) return out;
  for (const v of getValues(db, [metricName], period.from, last)) out.set(v.date, v.value);
  return out;
}

export interface KeyResultReport {
  record: KeyResultRecord;
  spec?: KeyResultSpec;
  progress?: KeyResultProgress;
  /** Why the stored definition could not be computed (it no longer parses). */
  error?: string;
}

export type PeriodState = 'not_started' | 'running' | 'ended';

export interface ObjectiveReport {
  objective: Objective;
  state: PeriodState;
  /** Day of the period `today` is (1-based), 0 before it starts, all of them after it ends. */
  day: number;
  daysInPeriod: number;
  keyResults: KeyResultReport[];
  /**
   * The mean of the key results' percents, each capped to 0..100 (beating one target does not
   * make up for another); a key result without a percent counts 0, a budget 100 while kept and 0
   * once blown (`share`). Undefined without key results.
   */
  percent?: number;
}

/**
 * What a key result adds to its objective's percent, 0..100: its percent, capped. A budget (a
 * cumulative `<=` target) is the exception: its percent is the share of the allowance used, which
 * grows as the budget is spent, so it adds 100 while kept and 0 once blown.
 */
function share(k: KeyResultReport): number {
  const p = k.progress;
  if (!k.spec || !p) return 0;
  if (isCumulative(k.spec.agg) && !k.spec.per && direction(k.spec.target.op) < 0) return p.met ? 100 : 0;
  return Math.min(100, Math.max(0, p.percent ?? 0));
}

export function periodState(period: { from: string; to: string }, today: string): PeriodState {
  return today < period.from ? 'not_started' : today > period.to ? 'ended' : 'running';
}

/** Progress of each objective's key results at `today`. */
export function objectiveReports(db: Db, objectives: Objective[], today: string): ObjectiveReport[] {
  return objectives.map((objective) => {
    const period = objective.period;
    const daysInPeriod = periodDays(period);
    const state = periodState(period, today);
    const day = state === 'not_started' ? 0 : state === 'ended' ? daysInPeriod : daysBetween(period.from, today) + 1;
    const keyResults = listKeyResults(db, objective.id).map((record): KeyResultReport => {
      const { spec, error } = keyResultSpecOrError(record);
      if (!spec) return { record, error };
      const values = loadPeriodValues(db, record.metricName, period, today);
      return { record, spec, progress: computeKeyResult({ kr: spec, values, period, today }) };
    });
    const percent =
      keyResults.length === 0 ? undefined : keyResults.reduce((acc, k) => acc + share(k), 0) / keyResults.length;
    return { objective, state, day, daysInPeriod, keyResults, ...(percent === undefined ? {} : { percent }) };
  });
}
