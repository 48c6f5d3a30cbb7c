/**
 * Types of objectives' key results, shared by the pure computation (this folder) and the command
 * and store layers. The rules behind them are documented where they are applied: period.ts,
 * target.ts, aggregate.ts and progress.ts.
 */
import type { FieldType } from '../plugins/types.js';

/** An inclusive civil date range with a human label: `2026-Q4`, `2026-11`, `2026`, `2026-11-01..2026-12-15`. */
export interface Period {
  label: string;
  from: string;
  to: string;
}

export const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'last', 'count', 'days'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const BUCKETS = ['week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Comparisons a target can use. `>=`/`>` mean higher is better, `<=`/`<` lower is better. */
export type TargetOp = '>=' | '>' | '<=' | '<';
/** Comparisons a `--where` condition can use (exact equality makes sense for a day, not a goal). */
export type ConditionOp = TargetOp | '=';

export interface Target {
  op: TargetOp;
  /** In the key result's value kind (see `ValueKind`). */
  value: number;
}

export interface Condition {
  op: ConditionOp;
  /** In the metric's stored form (minutes for durations and times, 0/1 for booleans). */
  value: number;
}

/**
 * What a key result's value measures. It decides how the target and baseline parse and how the
 * value is shown: a `count` is a number of days or entries, a `fraction` the share of yes days
 * (0..1, shown as a percentage), the others follow the metric's type.
 */
export type ValueKind = 'number' | 'duration' | 'time' | 'count' | 'fraction';

/** A validated key result definition (what `okr kr add` stores). */
export interface KeyResultSpec {
  metricType: FieldType;
  agg: Aggregation;
  /** Required for `days`, refused otherwise. */
  where?: Condition;
  per?: Bucket;
  target: Target;
  /** In the value kind; refused for sums/counts/days without `per` (they restart at 0 each period). */
  baseline?: number;
  kind: ValueKind;
}

export type KeyResultStatus = 'on_track' | 'at_risk' | 'off_track' | 'not_started' | 'ended_met' | 'ended_missed';

/** One week or month of a bucketed key result. */
export interface BucketResult {
  /** Clipped to the period (and, for the running bucket, to the day before today). */
  from: string;
  to: string;
  /** Days of the bucket that count: inside the period and, while it runs, before today. */
  days: number;
  /** The bucket's aggregate; cumulative ones scaled to a full week/month. Undefined without data. */
  value?: number;
  met?: boolean;
  /** The period cuts this bucket (an edge week of a quarter that starts on a Thursday). */
  partial: boolean;
  /** Still running (contains today): used only while no bucket has ended. */
  running: boolean;
  /** Whether this bucket went into the key result's value. */
  used: boolean;
}

export interface KeyResultProgress {
  kind: ValueKind;
  /** Undefined when nothing can be computed yet (no data, or the period has not started). */
  value?: number;
  target: number;
  op: TargetOp;
  baseline?: number;
  met: boolean;
  /** Percent of the way from the baseline (or zero) to the target; see progress.ts. */
  percent?: number;
  /** The pace: the value expected today. The target itself for non-cumulative key results. */
  expected: number;
  status: KeyResultStatus;
  daysWithData: number;
  /** Days of the period up to and including today (0 before it starts, all of them after it ends). */
  daysElapsed: number;
  daysInPeriod: number;
  /** For `per` key results: every bucket up to today. */
  buckets?: BucketResult[];
  note?: string;
}
