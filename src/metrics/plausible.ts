/**
 * The one rule for values that cannot be real: every path that stores a value (`metrics log`,
 * `metrics import`, `okr import <plugin>`, a sync) asks `implausible()` before writing it.
 *
 * What a value may be comes from its metric: a plugin field declares a `range`
 * (`DataFieldDescriptor.range`, one of `RANGES` in src/plugins/field-ranges.ts, each with its
 * reason), and without one the type's own range
 * applies (`TYPE_RANGES`), so a new plugin gets the date window and its types' bounds for free
 * and tighter bounds by naming one of `RANGES`. Manual metrics have only their type's range: okr
 * cannot know what a "Lifted:number[kg]" adds up to.
 *
 * The bounds are generous on purpose: they refuse typos, units mixed up and broken or hostile
 * input (1e15 steps, 1e308 kg), never a real measurement, however unusual.
 */
import { addDays, localDate } from '../dates.js';
import { RANGES } from '../plugins/field-ranges.js';
import type { DataFieldDescriptor, FieldType, FieldValue, ImportedDataRecord, ValueRange } from '../plugins/types.js';
import { safeText } from '../safe-text.js';
import { formatValue, MAX_ABS_NUMBER, MAX_DURATION_MINUTES, MINUTES_PER_DAY } from './values.js';

export { RANGES, type ValueRange };

/**
 * No stored value is dated before this: no device recorded steps or sleep before 1970, and a
 * year like 1900 or 0050 is a typing error or a damaged file.
 */
export const EARLIEST_DATE = '1970-01-01';

/**
 * The latest date a stored value may have: tomorrow in the user's local calendar. Not today: a
 * phone in a zone ahead of this machine's, or a clock a little fast, writes tomorrow's date.
 * (Manual input is stricter: `metrics log` and `metrics import` refuse dates after today.)
 */
export function latestDate(now: Date, timeZone?: string): string {
  return addDays(localDate(now, timeZone), 1);
}

/**
 * What each type may hold when its metric declares nothing narrower. A `duration` of a manual
 * metric keeps parseDuration's week (a fast, a trip): only plugin fields, which are per-day
 * totals, declare `RANGES.dayDuration`.
 */
export const TYPE_RANGES: Readonly<Record<Exclude<FieldType, 'text'>, ValueRange>> = {
  number: { min: -MAX_ABS_NUMBER, max: MAX_ABS_NUMBER },
  duration: { min: 0, max: MAX_DURATION_MINUTES },
  time: { min: 0, max: MINUTES_PER_DAY - 1 },
  boolean: { min: 0, max: 1 },
};

/** What the rule needs of a metric: a plugin field descriptor or a manual metric's type. */
export interface PlausibleMetric {
  /** The metric name for messages (`fitbit.sleepLength`, `mood`). */
  name: string;
  type: FieldType;
  unit?: string;
  range?: ValueRange;
}

/** Whether `value` falls outside `range` (both ends are inside). */
export function outsideRange(range: ValueRange, value: number): boolean {
  return value < range.min || value > range.max;
}

export function rangeOf(metric: Pick<PlausibleMetric, 'type' | 'range'>): ValueRange | undefined {
  return metric.range ?? (metric.type === 'text' ? undefined : TYPE_RANGES[metric.type]);
}

/** A value or bound as people read it for this metric (`24:00`, `200,000 steps`, `1e+15`). */
export function shownValue(metric: Pick<PlausibleMetric, 'type' | 'unit'>, value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_ABS_NUMBER) {
    const s = String(value);
    return metric.type === 'number' && metric.unit ? `${s} ${metric.unit}` : s;
  }
  // A clock time off the clock face would show wrapped (1440 as 00:00): say what it is.
  if (metric.type === 'time' && (value < 0 || value >= MINUTES_PER_DAY)) return `${value} minutes after midnight`;
  return formatValue(metric.type, value, metric.type === 'number' ? metric.unit : undefined);
}

/** `0–24:00`, `20–250 bpm`, `-10 to 10 °C` (a dash after a minus sign would read as a second one). */
export function shownRange(metric: Pick<PlausibleMetric, 'type' | 'unit'>, range: ValueRange): string {
  const plain = { type: metric.type } as const;
  return `${shownValue(plain, range.min)}${range.min < 0 ? ' to ' : '–'}${shownValue(metric, range.max)}`;
}

/**
 * Why `value` cannot be a value of `metric`, or undefined when it can: not a finite number, or
 * outside the metric's range. Text values are checked where they are parsed (length, control
 * characters), not here.
 */
export function implausibleValue(metric: PlausibleMetric, value: FieldValue): string | undefined {
  if (metric.type === 'text') return typeof value === 'string' ? undefined : 'not a text';
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${safeText(String(value), 40)} is not a finite number`;
  }
  const range = rangeOf(metric)!;
  if (outsideRange(range, value)) {
    return `${shownValue(metric, value)} is outside ${shownRange(metric, range)}`;
  }
  return undefined;
}

/** Why no value may be stored on `date`, or undefined when one may (`latest` from latestDate()). */
export function implausibleDate(date: string, latest: string): string | undefined {
  if (date < EARLIEST_DATE) return `${safeText(date, 20)} is before ${EARLIEST_DATE}`;
  if (date > latest) return `${safeText(date, 20)} is after ${latest}`;
  return undefined;
}

/** The whole rule: the date, then the value. `latest` comes from latestDate(). */
export function implausible(
  metric: PlausibleMetric,
  date: string,
  value: FieldValue,
  latest: string,
): { reason: string; kind: 'date' | 'value' } | undefined {
  const d = implausibleDate(date, latest);
  if (d) return { reason: d, kind: 'date' };
  const v = implausibleValue(metric, value);
  return v ? { reason: v, kind: 'value' } : undefined;
}

/**
 * The same kind of refusal, one line for a report that counts them (`okr import`'s "not read",
 * a sync's refused values): `fitbit.steps values outside 0–200,000 steps`.
 */
export function refusalKind(metric: PlausibleMetric, value: FieldValue, kind: 'date' | 'value'): string {
  if (kind === 'date') return `${metric.name} values dated before ${EARLIEST_DATE} or after tomorrow`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${metric.name} values that are not finite numbers`;
  const range = rangeOf(metric);
  return range
    ? `${metric.name} values outside ${shownRange(metric, range)}`
    : `${metric.name} values of the wrong kind`;
}

/**
 * The rule's view of a stored metric name: a plugin field's declared range and unit
 * (`fitbit.sleepLength`), else the type's range (a manual metric).
 */
export function plausibleMetric(
  registry: { findField(name: string): { field: { type: FieldType; unit?: string; range?: ValueRange } } | undefined },
  name: string,
  type: FieldType,
  unit?: string,
): PlausibleMetric {
  const field = registry.findField(name)?.field;
  if (field && field.type === type) return { name, type, unit: field.unit, range: field.range };
  return { name, type, unit };
}

/**
 * A plugin's records as they may be stored: its declared fields only, and of them only the values
 * the rule lets through. Each refused value is handed to `refuse` with its kind (for the counts
 * `okr import` lists as not read and `okr sync` reports); a day left with nothing is no day. The
 * one place both a sync (src/sync/engine.ts) and a file import (src/import/run.ts) apply the rule.
 */
export function plausibleRecords(
  pluginId: string,
  fields: readonly DataFieldDescriptor[],
  records: readonly ImportedDataRecord[],
  latest: string,
  refuse: (kind: string) => void,
): ImportedDataRecord[] {
  const metrics = new Map(
    fields.map((f) => [f.id, { name: `${pluginId}.${f.id}`, type: f.type, unit: f.unit, range: f.range }]),
  );
  const out: ImportedDataRecord[] = [];
  for (const r of records) {
    const kept: ImportedDataRecord['fields'] = {};
    let refused = false;
    for (const [f, v] of Object.entries(r.fields)) {
      const metric = metrics.get(f);
      if (!metric) continue;
      const bad = implausible(metric, r.date, v, latest);
      if (bad) {
        refuse(refusalKind(metric, v, bad.kind));
        refused = true;
      } else kept[f] = v;
    }
    if (!refused || Object.keys(kept).length > 0) out.push({ ...r, fields: kept });
  }
  return out;
}
