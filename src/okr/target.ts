/**
 * Targets (`>= 7:00`), `--where` conditions (`>= 10000`) and baselines, and how values compare.
 *
 * Parsing:
 * - A target is an optional comparison (`>=`, `>`, `<=`, `<`; also `≥`, `≤`) and a value. A bare
 *   value means `>=`. `=` is refused for targets: "exactly 12" is not a goal anyone tracks.
 * - The value parses by the key result's value kind (see `valueKind` in aggregate.ts): `7:00` for
 *   a duration, `23:00` for a clock time, `80%` (or 0.8) for a share of yes days, plain numbers
 *   otherwise. A sum of durations may exceed a day (`>= 50:00` hours of running in a quarter).
 * - A condition parses by the metric's own type and may also use `=`. A bare value means `>=`,
 *   except for yes/no metrics where `yes` means `= yes`.
 *
 * Clock times and midnight: a time is compared with a target (or condition) by the shortest way
 * round the clock. Up to 12 hours after the target counts as later, up to 12 hours before it as
 * earlier. So for a bedtime target `<= 23:00`, 00:30 is 90 minutes late (not met) and 22:15 is
 * early (met); for a wake-up target `<= 07:00`, 12:30 is late. A fixed cut at noon would get the
 * first right and the second wrong (12:30 would count as "before 07:00").
 */
import { UsageError } from '../errors.js';
import {
  formatDuration,
  formatNumber,
  formatTime,
  formatValue,
  MINUTES_PER_DAY,
  parseDuration,
  parseNumber,
  parseValue,
  wrapMinutes,
} from '../metrics/values.js';
import type { FieldType } from '../plugins/types.js';
import type { Condition, ConditionOp, Target, TargetOp, ValueKind } from './types.js';

// Re-exported for callers that only need targets (metric templates colour values with conditions).
export type { Condition, ConditionOp, Target, TargetOp, ValueKind } from './types.js';

/** Upper bound for a duration target of a sum: about 19 years, i.e. nothing real is refused. */
export const MAX_SUM_DURATION_MINUTES = 10_000_000;

// ≥ and ≤ as escapes: esbuild copies a regular expression's characters as they are, and one
// non-ASCII character makes V8 hold the whole bundle that reads it as a two-byte string
// (scripts/build.mjs checks that each CommonJS build is ASCII).
const OP_RE = /^\s*(>=|=>|\u2265|<=|=<|\u2264|==|=|>|<)?\s*(.*?)\s*$/s;
const OP_ALIASES: Record<string, ConditionOp> = {
  '>=': '>=',
  '=>': '>=',
  '≥': '>=',
  '<=': '<=',
  '=<': '<=',
  '≤': '<=',
  '==': '=',
  '=': '=',
  '>': '>',
  '<': '<',
};

function splitOp(input: string): { op?: ConditionOp; rest: string } {
  const m = OP_RE.exec(input)!; // the pattern matches any string
  return { op: m[1] === undefined ? undefined : OP_ALIASES[m[1]], rest: m[2] ?? '' };
}

/**
 * Parses a target for a key result whose value is of `kind`. `cumulative` (a sum over a whole
 * period) lifts the one-week bound on durations.
 */
export function parseTarget(input: string, kind: ValueKind, opts: { cumulative?: boolean } = {}): Target {
  const { op, rest } = splitOp(input);
  if (op === '=') {
    throw new UsageError(
      `A target cannot be "exactly": ${JSON.stringify(input)}`,
      `Use >= or <=, e.g. ${targetExample(kind)}`,
    );
  }
  if (rest === '')
    throw new UsageError(`Target has no value: ${JSON.stringify(input)}`, `For example ${targetExample(kind)}`);
  return {
    op: op ?? '>=',
    value: withHint(() => parseKindValue(rest, kind, opts), `For example ${targetExample(kind)}`),
  };
}

/**
 * Parses a `--where` condition against the metric's stored values. `example` turns an example
 * condition into the hint; a template's target is written after `@`, not with --where.
 */
export function parseCondition(
  input: string,
  metricType: FieldType,
  example: (condition: string) => string = (c) => `For example --where "${c}"`,
): Condition {
  if (metricType === 'text') {
    throw new UsageError(
      'A --where condition needs a metric with numbers, durations, times or yes/no',
      'Use --agg count to count days with a note',
    );
  }
  const { op, rest } = splitOp(input);
  const hint = example(conditionExample(metricType));
  if (rest === '') throw new UsageError(`Condition has no value: ${JSON.stringify(input)}`, hint);
  const value = withHint(() => parseValue(metricType, rest) as number, hint);
  return { op: op ?? (metricType === 'boolean' ? '=' : '>='), value };
}

/** Parses a baseline: a value of the key result's kind, without a comparison. */
export function parseBaseline(input: string, kind: ValueKind): number {
  return withHint(
    () => parseKindValue(input, kind),
    `For example --baseline ${formatKindValue(kind, exampleValue(kind))}`,
  );
}

/** Parses one value of a value kind. */
export function parseKindValue(input: string, kind: ValueKind, opts: { cumulative?: boolean } = {}): number {
  switch (kind) {
    case 'number':
      return parseNumber(input);
    case 'duration':
      return parseDuration(input, opts.cumulative ? MAX_SUM_DURATION_MINUTES : undefined);
    case 'time':
      return parseValue('time', input) as number;
    case 'count': {
      const n = parseNumber(input);
      if (n < 0) throw new UsageError(`A count cannot be negative: ${JSON.stringify(input)}`, 'For example 5');
      return n;
    }
    case 'fraction': {
      const s = input.trim();
      const pct = s.endsWith('%');
      const n = parseNumber(pct ? s.slice(0, -1) : s);
      const f = pct ? n / 100 : n;
      if (f < 0 || f > 1) {
        throw new UsageError(
          `A share of days must be between 0% and 100%: ${JSON.stringify(input)}`,
          'For example 80% (or 0.8)',
        );
      }
      return f;
    }
  }
}

/** Shows a value of a value kind: `7:00`, `23:00`, `4.5`, `80%`, `10,482`. */
export function formatKindValue(kind: ValueKind, value: number): string {
  switch (kind) {
    case 'number':
    case 'count':
      return formatNumber(value);
    case 'duration':
      return formatDuration(value);
    case 'time':
      return formatTime(value);
    case 'fraction':
      return `${formatNumber(value * 100)}%`;
  }
}

export function formatTarget(target: Target, kind: ValueKind): string {
  return `${target.op} ${formatKindValue(kind, target.value)}`;
}

export function formatCondition(condition: Condition, metricType: FieldType): string {
  return `${condition.op} ${formatValue(metricType, condition.value)}`;
}

/** Signed minutes from `ref` to the clock time `v`, the short way round: -719..720. */
export function timeOffset(v: number, ref: number): number {
  const d = wrapMinutes(v - ref);
  return d > MINUTES_PER_DAY / 2 ? d - MINUTES_PER_DAY : d;
}

/** The clock time `v` placed within 12 hours of `ref` on a continuous axis (00:30 near 23:00 → 1470). */
export function unwrapTime(v: number, ref: number): number {
  return ref + timeOffset(v, ref);
}

/** `value op ref`; clock times compare by the short way round the clock (see the file comment). */
export function compare(op: ConditionOp, value: number, ref: number, isTime: boolean): boolean {
  const a = isTime ? unwrapTime(value, ref) : value;
  switch (op) {
    case '>=':
      return a >= ref;
    case '>':
      return a > ref;
    case '<=':
      return a <= ref;
    case '<':
      return a < ref;
    case '=':
      return a === ref;
  }
}

/** +1 when higher is better (`>=`, `>`), -1 when lower is better. */
export function direction(op: TargetOp): 1 | -1 {
  return op === '>=' || op === '>' ? 1 : -1;
}

function withHint<T>(fn: () => T, hint: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message, `${err.hint ?? ''}${err.hint ? '. ' : ''}${hint}`);
    throw err;
  }
}

function exampleValue(kind: ValueKind): number {
  return { number: 10000, duration: 420, time: 1380, count: 5, fraction: 0.8 }[kind];
}

function targetExample(kind: ValueKind): string {
  return kind === 'time' ? '"<= 23:00"' : `">= ${formatKindValue(kind, exampleValue(kind))}"`;
}

function conditionExample(metricType: FieldType): string {
  switch (metricType) {
    case 'duration':
      return '>= 7:00';
    case 'time':
      return '<= 23:00';
    case 'boolean':
      return 'yes';
    default:
      return '>= 10000';
  }
}
