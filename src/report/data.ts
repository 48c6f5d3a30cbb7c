/**
 * Everything `okr report` shows, as one plain object: `--json` prints it, the HTML page is drawn
 * from it (html.ts), so the page and the JSON always hold the same series.
 *
 * What it reads, all from the database (a report never calls a provider; `okr sync` first):
 * - the template's metrics (src/metrics/templates.ts, read-path.ts) over the range;
 * - the objectives whose period overlaps the range, not archived, with their key results' progress
 *   as `okr progress` computes it (src/okr/read.ts), each over its own whole period;
 * - the days each source has values for (coverage.ts).
 */
import type { Context } from '../context.js';
import { daysBetween } from '../dates.js';
import { readMetrics } from '../metrics/read-path.js';
import { summarizeMetric, unitLabel } from '../metrics/table.js';
import { describeTarget, type ResolvedMetric, resolveTemplate } from '../metrics/templates.js';
import { loadPeriodValues, objectiveReports } from '../okr/read.js';
import { formatPercent, keyResultJson, objectiveJson, progressJson } from '../okr/render.js';
import type { FieldValue } from '../plugins/types.js';
import { listEnabledConnections } from '../store/connections.js';
import { listObjectives } from '../store/objectives.js';
import type { Template } from '../store/templates.js';
import { type CoverageReport, readCoverage } from './coverage.js';
import { type CurvePoint, keyResultCurve, paceLine } from './okr.js';
import {
  type DailyValues,
  type DateRange,
  daysWithData,
  type Resolution,
  resolutionFor,
  type SeriesPoint,
  SortedDays,
  seriesPoints,
  type WindowAverage,
  windowAverages,
} from './series.js';
import { type SleepPoint, sleepPairs, sleepPoints } from './sleep.js';

export const REPORT_VERSION = 1;

export interface ReportRange extends DateRange {
  /** As asked: `2026-Q4`, `1y`, or the dates. */
  label: string;
  days: number;
}

export interface MetricReport {
  label: string;
  metric: string;
  type: ResolvedMetric['type'];
  /** What the axis and values are shown in: `h:mm`, `kg`, `yes/no`; null when nothing to say. */
  unit: string | null;
  source: string;
  status: ResolvedMetric['status'];
  reason: string | null;
  target: { op: string; value: number; text: string } | null;
  /** A target as written that does not parse for this type (shown, not drawn). */
  targetText: string | null;
  daysWithData: number;
  summary: { count: number; avg: number | null; min: number | null; max: number | null; text: string };
  /** One per day, week or month with data (`resolution`). */
  points: SeriesPoint[];
  /** Month averages, drawn over daily and weekly points; empty at month resolution. */
  months: SeriesPoint[];
  averages: WindowAverage[];
}

export interface SleepReport {
  pluginId: string;
  bed: { label: string; metric: string };
  wake: { label: string; metric: string };
  points: SleepPoint[];
}

export type KeyResultData = ReturnType<typeof keyResultJson> & {
  progress: ReturnType<typeof progressJson> | null;
  /** The value `okr progress --date <day>` gave, at sampled days of the period so far. */
  curve: CurvePoint[];
  /** The value expected at the end of each day (two ends of a straight line). */
  pace: CurvePoint[];
};

export type ObjectiveData = ReturnType<typeof objectiveJson> & {
  state: string;
  day: number;
  percent: number | null;
  /** As `okr progress` prints it. */
  percentText: string | null;
  keyResults: KeyResultData[];
};

export interface ReportData {
  report: 'okr';
  version: number;
  generatedAt: string;
  today: string;
  template: string;
  range: ReportRange;
  resolution: Resolution;
  metrics: MetricReport[];
  sleep: SleepReport[];
  objectives: ObjectiveData[];
  coverage: CoverageReport;
  notes: string[];
}

export async function buildReport(
  ctx: Context,
  template: Template,
  range: { from: string; to: string; label: string },
  today: string,
): Promise<ReportData> {
  const db = ctx.db();
  const resolved = resolveTemplate(template, ctx.registry);
  // Stored values only: a ten-year report must not turn into a backfill.
  const read = await readMetrics(ctx, resolved, { from: range.from, to: range.to, offline: true });
  const resolution = resolutionFor(range);
  const daily = new Map<string, DailyValues>();
  for (const m of resolved) {
    const byDate = new Map<string, FieldValue>();
    for (const [date, v] of read.values.get(m.metricName) ?? []) byDate.set(date, v.value);
    daily.set(m.metricName, byDate);
  }

  const metrics = resolved.map((m) => metricReport(m, daily.get(m.metricName)!, range, resolution));
  const sleep = sleepPairs(resolved).map(
    (p): SleepReport => ({
      pluginId: p.pluginId,
      bed: { label: p.bed.label, metric: p.bed.metricName },
      wake: { label: p.wake.label, metric: p.wake.metricName },
      points: sleepPoints(daily.get(p.bed.metricName)!, daily.get(p.wake.metricName)!, range, resolution),
    }),
  );

  const objectives = listObjectives(db).filter((o) => o.period.from <= range.to && o.period.to >= range.from);
  const okrs = objectiveReports(db, objectives, today).map(
    (r): ObjectiveData => ({
      ...objectiveJson(r.objective),
      state: r.state,
      day: r.day,
      percent: r.percent === undefined ? null : Math.round(r.percent * 10) / 10,
      percentText: r.percent === undefined ? null : formatPercent(r.percent),
      keyResults: r.keyResults.map((k): KeyResultData => {
        const base = {
          ...keyResultJson(k.record, k.spec, k.error),
          progress: k.progress ? progressJson(k.progress) : null,
        };
        if (!k.spec) return { ...base, curve: [], pace: [] };
        const values = loadPeriodValues(db, k.record.metricName, r.objective.period, today);
        return {
          ...base,
          curve: keyResultCurve(k.spec, values, r.objective.period, today),
          pace: paceLine(k.spec, r.objective.period),
        };
      }),
    }),
  );

  const connected = listEnabledConnections(db).map((c) => c.pluginId);
  return {
    report: 'okr',
    version: REPORT_VERSION,
    generatedAt: ctx.now().toISOString(),
    today,
    template: template.name,
    range: { ...range, days: daysBetween(range.from, range.to) + 1 },
    resolution,
    metrics,
    sleep,
    objectives: okrs,
    coverage: readCoverage(db, range, resolution, connected),
    notes: read.notes,
  };
}

function metricReport(m: ResolvedMetric, values: DailyValues, range: DateRange, resolution: Resolution): MetricReport {
  const days = new SortedDays(values);
  const s = summarizeMetric(m, days.between(range));
  const points = m.status === 'unknown' ? [] : seriesPoints(m.type, days, range, resolution);
  return {
    label: m.label,
    metric: m.metricName,
    type: m.type,
    unit: unitLabel(m) || null,
    source: m.source ?? 'manual',
    status: m.status,
    reason: m.reason ?? null,
    target: m.target ? { op: m.target.op, value: m.target.value, text: describeTarget(m) ?? '' } : null,
    targetText: m.target ? null : (m.targetText ?? null),
    daysWithData: daysWithData(m.type, days, range),
    summary: { count: s.count, avg: s.avg ?? null, min: s.min ?? null, max: s.max ?? null, text: s.text.avg },
    points,
    months: resolution === 'month' || points.length === 0 ? [] : seriesPoints(m.type, days, range, 'month'),
    averages: windowAverages(m.type, days, range),
  };
}
