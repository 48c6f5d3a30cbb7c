/**
 * Metric templates: the `--metric` grammar, validation, and resolving a stored template against
 * the plugin registry.
 *
 * The grammar of one metric (README, "Metric templates"):
 *
 *   Label=plugin.field[unit]@target     an external value, e.g. "Steps=fitbit.steps@>=10000"
 *   Label:type[unit]@target             a value logged by hand, e.g. "Weight:number[kg]@<=80"
 *   Label=name:type[unit]@target        the same, stored under an explicit metric name
 *   plugin.field                        an external value labelled with the field's name
 *
 * - type is number, duration (7:30), time (23:15), boolean (yes/no) or text;
 * - `[unit]` and `@target` are optional; a target is a comparison and a value of the metric's
 *   type (`>=7:30`, `<=23:00`, `yes`); a bare value means `>=` (`=` for yes/no);
 * - a manual metric's values are stored under its metric name: the label as a slug (`Mood` →
 *   `mood`, `Weight (kg)` → `weight_kg`) unless one is given. Names never contain a dot, so they
 *   cannot collide with `pluginId.fieldId`. Two templates may share a manual metric by using the
 *   same name, but only with the same type.
 *
 * Creating or editing a template validates everything (unknown sources, duplicate labels, bad
 * types, targets that do not parse). Loading does not: a template naming a source that no
 * installed plugin declares still loads, and `resolveMetric` says why its column is empty.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { type Condition, compare, formatCondition, parseCondition } from '../okr/target.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { FieldType } from '../plugins/types.js';
import { hasUnsafeChar } from '../safe-text.js';
import {
  countTemplates,
  findMetricUses,
  getTemplate,
  METRIC_KINDS,
  type MetricKind,
  saveTemplate,
  type Template,
  type TemplateMetric,
} from '../store/templates.js';
import { closest } from '../suggest.js';
import { TYPE_NAMES } from './values.js';

export const DEFAULT_TEMPLATE_NAME = 'default';
export const MAX_LABEL_LENGTH = 40;
export const MAX_UNIT_LENGTH = 16;
export const MAX_TEMPLATE_NAME_LENGTH = 40;
/**
 * Longest metric name (`daily_metric_values.metric_name`): room for a plugin's `pluginId.fieldId`
 * and a manual name, which comes from a label of at most MAX_LABEL_LENGTH characters, and short
 * enough to keep tables and errors readable. `okr metrics import` refuses longer ones.
 */
export const MAX_METRIC_NAME_LENGTH = 64;

const SOURCE_RE = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9_]*)$/;
/** Manual metric names: lower-case letters (any script), digits and `_`; no dots. */
const NAME_RE = /^[\p{Ll}\p{Lo}\p{Nd}_]+$/u;
const MANUAL_TYPES = 'number, duration, time, boolean or text';
const SPEC_HINT =
  'Write Label=plugin.field or Label:type, e.g. --metric "Sleep=fitbit.sleepLength@>=7:30" --metric "Mood:number"';

export function isExternalName(name: string): boolean {
  return name.includes('.');
}

/** The metric name a manual metric's label is stored under: `Weight (kg)` → `weight_kg`. */
export function metricSlug(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{Ll}\p{Lo}\p{Nd}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** Parses one `--metric` value (see the file comment). Checks syntax and types, not the registry. */
export function parseMetricSpec(spec: string, registry?: PluginRegistry): TemplateMetric {
  let s = spec.trim();
  if (s === '') throw new UsageError('Empty --metric value.', SPEC_HINT);
  let target: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    target = s.slice(at + 1).trim();
    s = s.slice(0, at).trim();
    if (target === '') throw new UsageError(`Empty target after "@" in ${JSON.stringify(spec)}.`, SPEC_HINT);
  }
  let unit: string | undefined;
  if (s.endsWith(']')) {
    const open = s.lastIndexOf('[');
    if (open < 0) throw new UsageError(`Unbalanced "]" in ${JSON.stringify(spec)}.`, 'Write a unit as [kg].');
    unit = s.slice(open + 1, -1).trim() || undefined;
    s = s.slice(0, open).trim();
  }

  let metric: TemplateMetric;
  const eq = s.indexOf('=');
  if (eq >= 0) {
    const label = s.slice(0, eq).trim();
    const rhs = s.slice(eq + 1).trim();
    const colon = rhs.lastIndexOf(':');
    if (colon >= 0) {
      const name = rhs.slice(0, colon).trim();
      if (!NAME_RE.test(name) || name.length > MAX_METRIC_NAME_LENGTH) {
        throw new UsageError(
          `Bad metric name ${JSON.stringify(name)} in ${JSON.stringify(spec)}: use up to ${MAX_METRIC_NAME_LENGTH} lower-case letters, digits and _ (no dots).`,
          'For example --metric "Humeur=mood:number".',
        );
      }
      metric = { label, type: parseType(rhs.slice(colon + 1), spec), metricName: name };
    } else if (SOURCE_RE.test(rhs)) {
      metric = { label, type: 'external', source: rhs, metricName: rhs };
    } else {
      throw new UsageError(
        `After "=" in ${JSON.stringify(spec)} comes a source (plugin.field) or a name:type.`,
        'Run `okr metrics fields` for the sources, e.g. --metric "Sleep=fitbit.sleepLength".',
      );
    }
  } else {
    const colon = s.lastIndexOf(':');
    if (colon >= 0) {
      const label = s.slice(0, colon).trim();
      metric = { label, type: parseType(s.slice(colon + 1), spec), metricName: metricSlug(label) };
    } else if (SOURCE_RE.test(s)) {
      const field = registry?.findField(s)?.field;
      metric = { label: field?.name ?? s, type: 'external', source: s, metricName: s };
    } else {
      throw new UsageError(
        `No type or source in ${JSON.stringify(spec)}.`,
        `Add a type (${MANUAL_TYPES}), e.g. "${s}:number", or a source, e.g. "${s}=fitbit.steps".`,
      );
    }
  }
  checkLabel(metric.label, spec);
  if (metric.metricName === '') {
    throw new UsageError(
      `The label "${metric.label}" has no letters or digits to name its values by.`,
      `Give a name: --metric "${metric.label}=my_metric:${metric.type}".`,
    );
  }
  if (unit !== undefined) {
    if (unit.length > MAX_UNIT_LENGTH || /[\p{Cc}]/u.test(unit)) {
      throw new UsageError(`Bad unit ${JSON.stringify(unit)}: at most ${MAX_UNIT_LENGTH} printable characters.`);
    }
    metric.unit = unit;
  }
  if (target !== undefined) metric.target = target;
  return metric;
}

// User text in these messages is JSON-quoted: a pasted newline or escape sequence must not break
// the one-line error or reach the terminal raw.
function parseType(raw: string, spec: string): Exclude<MetricKind, 'external'> {
  const t = TYPE_NAMES[raw.trim().toLowerCase()];
  if (!t) {
    const hint =
      raw.trim() === 'external'
        ? 'An external metric names its source: --metric "Steps=fitbit.steps".'
        : `Use ${MANUAL_TYPES}, e.g. --metric "Mood:number".`;
    throw new UsageError(`Bad type ${JSON.stringify(raw.trim())} in ${JSON.stringify(spec)}.`, hint);
  }
  return t;
}

function checkLabel(label: string, spec: string): void {
  if (label === '') throw new UsageError(`No label in ${JSON.stringify(spec)}.`, SPEC_HINT);
  if (label.length > MAX_LABEL_LENGTH) {
    throw new UsageError(`The label ${JSON.stringify(label)} is longer than ${MAX_LABEL_LENGTH} characters.`);
  }
  // Bidi overrides too (the set safe-text.ts escapes): a label is printed in every table.
  if (/[=@[\]]/.test(label) || hasUnsafeChar(label)) {
    throw new UsageError(
      `The label ${JSON.stringify(label)} contains a control or bidi character, or one of = @ [ ].`,
      SPEC_HINT,
    );
  }
}

/** The canonical `--metric` text of a metric: what `template show` prints and `delete` offers to re-run. */
export function formatMetricSpec(m: TemplateMetric): string {
  let s: string;
  if (m.type === 'external') s = `${m.label}=${m.source}`;
  else if (m.metricName !== metricSlug(m.label)) s = `${m.label}=${m.metricName}:${m.type}`;
  else s = `${m.label}:${m.type}`;
  if (m.unit) s += `[${m.unit}]`;
  if (m.target) s += `@${m.target}`;
  return s;
}

export function validateTemplateName(name: string): string {
  const n = name.trim();
  if (n === '' || n.length > MAX_TEMPLATE_NAME_LENGTH || /\p{Cc}/u.test(n)) {
    throw new UsageError(
      `Bad template name ${JSON.stringify(name)}: 1 to ${MAX_TEMPLATE_NAME_LENGTH} printable characters.`,
      'For example `okr metrics template create daily`.',
    );
  }
  return n;
}

/** A metric resolved against the registry: how to read, format and explain its column. */
export interface ResolvedMetric {
  label: string;
  metricName: string;
  kind: MetricKind;
  /** The type values are stored and shown as (an unknown source is shown as a number). */
  type: FieldType;
  unit?: string;
  source?: string;
  pluginId?: string;
  target?: Condition;
  /** The target as stored, when it does not parse for this type (shown, not used). */
  targetText?: string;
  /** `unavailable`: the plugin declares the field but the provider does not offer it;
   * `unknown`: no installed plugin declares the source. Both columns stay empty. */
  status: 'ok' | 'unavailable' | 'unknown';
  reason?: string;
  alternatives?: string[];
}

export function resolveMetric(m: TemplateMetric, registry: PluginRegistry): ResolvedMetric {
  const base = { label: m.label, metricName: m.metricName, kind: m.type, unit: m.unit, source: m.source };
  let r: ResolvedMetric;
  if (m.type !== 'external') {
    r = { ...base, type: m.type, status: 'ok' };
  } else {
    const source = m.source ?? m.metricName;
    const pluginId = source.split('.')[0]!;
    const found = registry.findField(source);
    if (!found) {
      r = { ...base, type: 'number', pluginId, status: 'unknown', reason: unknownSourceReason(source, registry) };
    } else {
      const f = found.field;
      r = { ...base, type: f.type, unit: m.unit ?? f.unit, pluginId, status: 'ok' };
      if (f.availability) {
        r.status = 'unavailable';
        r.reason = f.availability.reason;
        r.alternatives = f.availability.alternatives.map((a) => `${pluginId}.${a}`);
      }
    }
  }
  if (m.target !== undefined) {
    r.targetText = m.target;
    if (r.status !== 'unknown') {
      try {
        r.target = parseCondition(m.target, r.type);
      } catch {
        // A target that no longer parses (the field changed type) is shown but not applied.
      }
    }
  }
  return r;
}

export function resolveTemplate(t: Template, registry: PluginRegistry): ResolvedMetric[] {
  return t.metrics.map((m) => resolveMetric(m, registry));
}

/** Whether a value meets a metric's target; undefined when there is no target. */
export function meetsTarget(m: ResolvedMetric, value: number): boolean | undefined {
  if (!m.target) return undefined;
  return compare(m.target.op, value, m.target.value, m.type === 'time');
}

export function describeTarget(m: ResolvedMetric): string | undefined {
  // A yes/no target reads better as the answer wanted: `yes`, not `= yes`.
  if (m.target && m.type === 'boolean' && m.target.op === '=') return m.target.value === 1 ? 'yes' : 'no';
  if (m.target) return formatCondition(m.target, m.type);
  return m.targetText;
}

/**
 * Why a name in an installed plugin's namespace (`fitbit.stepz`, `Fitbit.Steps`) cannot name a
 * metric of its own: the plugin's fields are its own, so such a name is a typo of one, or (when
 * `field` is true, for a manual metric's label) the field itself. Undefined for other names,
 * including those of plugins not installed here, which an import may bring with a type column.
 */
export function pluginNamespaceProblem(name: string, registry: PluginRegistry, field = false): string | undefined {
  const dotted = /^([\w-]+)\.(\S+)$/.exec(name);
  const pluginId = dotted?.[1]?.toLowerCase();
  if (!dotted || !pluginId || !registry.has(pluginId)) return undefined;
  const source = `${pluginId}.${dotted[2]}`;
  if (!registry.findField(source)) return unknownSourceReason(source, registry);
  if (source !== name || field) return `that is the synced field ${source}; write --metric "${source}"`;
  return undefined;
}

/** Why `plugin.field` names nothing: no such plugin, or no such field (with the nearest one). */
export function unknownSourceReason(source: string, registry: PluginRegistry): string {
  const m = SOURCE_RE.exec(source);
  const pluginId = m?.[1] ?? source.split('.')[0] ?? source;
  if (!registry.has(pluginId)) {
    const known = registry
      .list()
      .map((p) => p.id)
      .join(', ');
    return `no installed plugin is called "${pluginId}" (installed: ${known || 'none'})`;
  }
  const fields = registry.get(pluginId).getAvailableFields();
  const near = closest(
    m?.[2] ?? '',
    fields.map((f) => f.id),
  );
  return `the ${pluginId} plugin declares no field "${m?.[2] ?? source}"${near ? ` (did you mean ${pluginId}.${near}?)` : ''}`;
}

/**
 * Validates a template's metrics before saving; throws one UsageError listing every problem.
 * Returns warnings that do not block saving (fields the provider does not offer).
 */
export function validateTemplate(
  ctx: Pick<Context, 'registry' | 'db'>,
  templateName: string,
  metrics: TemplateMetric[],
): string[] {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (metrics.length === 0) problems.push('a template needs at least one metric');
  const labels = new Map<string, number>();
  const names = new Map<string, number>();
  metrics.forEach((m, i) => {
    const n = i + 1;
    const key = m.label.toLowerCase();
    if (labels.has(key)) problems.push(`duplicate label "${m.label}" (metrics ${labels.get(key)} and ${n})`);
    else labels.set(key, n);
    if (names.has(m.metricName)) {
      problems.push(`"${m.metricName}" appears twice (metrics ${names.get(m.metricName)} and ${n})`);
    } else names.set(m.metricName, n);
    if (!METRIC_KINDS.includes(m.type)) {
      problems.push(`bad type "${m.type}" for "${m.label}": use external, ${MANUAL_TYPES}`);
      return;
    }
    const r = resolveMetric(m, ctx.registry);
    if (r.status === 'unknown') problems.push(`unknown source ${m.source}: ${r.reason}`);
    if (r.status === 'unavailable') {
      warnings.push(`${m.source} is not offered by the provider, so its column will show n/a. ${r.reason}`);
    }
    if (m.target !== undefined && r.status !== 'unknown') {
      if (r.type === 'text') problems.push(`"${m.label}" is text: a target needs numbers, durations, times or yes/no`);
      else {
        try {
          parseCondition(m.target, r.type, (c) => `As a target: --metric "${formatMetricSpec({ ...m, target: c })}"`);
        } catch (err) {
          const e = err as UsageError;
          problems.push(`bad target "${m.target}" for "${m.label}": ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
        }
      }
    }
    if (m.type !== 'external') {
      if (isExternalName(m.metricName))
        problems.push(`the metric name "${m.metricName}" of "${m.label}" contains a dot`);
      // `fitbit.stepz:number` is a typo of a plugin field, not a manual metric to invent.
      const why = pluginNamespaceProblem(m.label, ctx.registry, true);
      if (why)
        problems.push(`"${m.label}" reads like a plugin field: ${why}; a manual metric needs a label of its own`);
      for (const other of findMetricUses(ctx.db(), m.metricName)) {
        if (other.template !== templateName && other.type !== m.type) {
          problems.push(
            `"${m.metricName}" is a ${other.type} metric in template "${other.template}", not ${m.type}: give "${m.label}" another name (${m.label}=${m.metricName}_2:${m.type})`,
          );
        }
      }
    }
  });
  if (problems.length > 0) {
    const hint = 'Run `okr metrics fields` for the sources; `okr metrics template --help` for the grammar.';
    if (problems.length === 1) throw new UsageError(`Template "${templateName}" is not valid: ${problems[0]}.`, hint);
    throw new UsageError(`Template "${templateName}" is not valid:`, hint, problems);
  }
  return warnings;
}

/**
 * Gives a newly connected plugin's fields a place to show (called by `okr connect`):
 * - no template yet: creates `default` with the plugin's available fields;
 * - a template named `default` that holds none of this plugin's metrics (a second plugin
 *   connects): appends its fields there, labels made unique with the plugin id
 *   (`Sleep length (oura)`), so one table shows both providers;
 * - otherwise (the user arranged their templates, or reconnects): nothing.
 * Returns what it did, or undefined. Check and write are one IMMEDIATE transaction, so two
 * connects at once do not both create or both extend.
 */
export function ensureDefaultTemplate(
  ctx: Pick<Context, 'registry' | 'db' | 'now'>,
  pluginId: string,
): { template: Template; created: boolean } | undefined {
  const plugin = ctx.registry.get(pluginId);
  const db = ctx.db();
  const fields = plugin.getAvailableFields().filter((f) => f.availability === undefined);
  if (fields.length === 0) return undefined;
  const run = db.transaction((): { template: Template; created: boolean } | undefined => {
    const at = ctx.now().toISOString();
    const external = (label: string, fieldId: string): TemplateMetric => ({
      label,
      type: 'external',
      source: `${pluginId}.${fieldId}`,
      metricName: `${pluginId}.${fieldId}`,
    });
    if (countTemplates(db) === 0) {
      const metrics = fields.map((f) => external(f.name, f.id));
      return {
        template: saveTemplate(db, { name: DEFAULT_TEMPLATE_NAME, metrics, makeDefault: true }, at),
        created: true,
      };
    }
    const current = getTemplate(db, DEFAULT_TEMPLATE_NAME);
    if (!current || current.metrics.some((m) => m.source?.startsWith(`${pluginId}.`))) return undefined;
    const taken = new Set(current.metrics.map((m) => m.label.toLowerCase()));
    const added = fields.map((f) => {
      const label = taken.has(f.name.toLowerCase()) ? `${f.name} (${pluginId})` : f.name;
      taken.add(label.toLowerCase());
      return external(label, f.id);
    });
    const metrics = [...current.metrics, ...added];
    return { template: saveTemplate(db, { name: DEFAULT_TEMPLATE_NAME, metrics }, at), created: false };
  });
  return run.immediate();
}
