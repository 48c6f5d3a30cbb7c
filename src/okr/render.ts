/**
 * Output of the OKR commands: the text people read (at most 80 columns, colour only when io.color
 * says so) and the `--json` shapes scripts read (stable: every key always present, `null` when
 * there is nothing to say).
 *
 * `okr progress` prints, per objective, a header with its period and position in it, then per key
 * result:
 *
 *   Objective 1: Sleep better                         2026-Q4 · day 45 of 92 · 81%
 *     KR 1  Sleep 7h on average                                          on track
 *           ████████████████████ 104%  7:17 · target >= 7:00 · pace 7:00
 *           fitbit.sleepLength avg · from 44 days of data (1 missing)
 */
import { type IO, paint, type Style, visibleLength } from '../io.js';
import type { KeyResultRecord, Objective } from '../store/objectives.js';
import { plural } from '../text.js';
import { isCumulative } from './aggregate.js';
import { periodDays } from './period.js';
import { renderProgressBar } from './progress.js';
import type { KeyResultReport, ObjectiveReport } from './read.js';
import { formatCondition, formatKindValue, formatTarget } from './target.js';
import type { BucketResult, KeyResultProgress, KeyResultSpec, KeyResultStatus } from './types.js';

export const WIDTH = 80;
export const BAR_WIDTH = 20;
/** Key result detail lines start under the title. */
const INDENT = 8;
const SEP = ' · ';

type Painter = Pick<IO, 'color'>;

export const STATUS_TEXT: Record<KeyResultStatus, string> = {
  on_track: 'on track',
  at_risk: 'at risk',
  off_track: 'off track',
  not_started: 'not started',
  ended_met: 'ended: met',
  ended_missed: 'ended: missed',
};

const STATUS_STYLE: Record<KeyResultStatus, Style> = {
  on_track: 'green',
  at_risk: 'yellow',
  off_track: 'red',
  not_started: 'dim',
  ended_met: 'green',
  ended_missed: 'red',
};

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Cuts a plain (uncoloured) string to `width` visible characters, ending in `…` when cut. */
export function truncate(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** `left` and `right` on one line of `width`, `left` cut to make room (both plain text). */
function spread(left: string, right: string, width: number): { left: string; gap: string; right: string } {
  const r = truncate(right, width);
  const l = truncate(left, Math.max(0, width - visibleLength(r) - 2));
  const gap = ' '.repeat(Math.max(1, width - visibleLength(l) - visibleLength(r)));
  return { left: l, gap, right: r };
}

/**
 * Joins segments with ` · ` into lines of at most `width`, each starting with `indent` spaces; a
 * segment that does not fit on a fresh line is cut.
 */
export function wrapSegments(segments: string[], indent: number, width: number): string[] {
  const pad = ' '.repeat(indent);
  const room = width - indent;
  const lines: string[] = [];
  let cur = '';
  for (const raw of segments) {
    const seg = truncate(raw, room);
    if (cur === '') cur = seg;
    else if (visibleLength(cur) + SEP.length + visibleLength(seg) <= room) cur += SEP + seg;
    else {
      lines.push(pad + cur);
      cur = seg;
    }
  }
  if (cur !== '') lines.push(pad + cur);
  return lines;
}

/** Rounded, except that 99.5 up to 100 shows as 99%: what is short of its target never reads 100%. */
export function formatPercent(p: number | undefined): string {
  if (p === undefined) return '–';
  const r = Math.round(p);
  return `${r === 100 && p < 100 ? 99 : r}%`;
}

/**
 * The pace of a large whole target in whole units: 547,826 steps of 800,000, not 547,826.1, whose
 * tenth is noise. Below 1,000 the tenth stays (a pace of 7.6 of 12 books says more than 8).
 */
function paceText(p: KeyResultProgress): string {
  const whole = (p.kind === 'number' || p.kind === 'count') && Number.isInteger(p.target) && Math.abs(p.target) >= 1000;
  return formatKindValue(p.kind, whole ? Math.round(p.expected) : p.expected);
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** What a key result measures, in one phrase: `fitbit.steps days >= 10,000 per week`. */
export function describeMeasure(record: KeyResultRecord, spec: KeyResultSpec | undefined): string {
  const where =
    record.agg === 'days' ? ` ${spec?.where ? formatCondition(spec.where, record.metricType) : record.where}` : '';
  const per = record.per ? ` per ${record.per}` : '';
  return `${record.metricName} ${record.agg}${where}${per}`;
}

function targetText(record: KeyResultRecord, spec: KeyResultSpec | undefined): string {
  return spec ? formatTarget(spec.target, spec.kind) : record.target;
}

function baselineText(record: KeyResultRecord, spec: KeyResultSpec | undefined): string | undefined {
  if (spec?.baseline !== undefined) return formatKindValue(spec.kind, spec.baseline);
  return record.baseline;
}

/** The definition lines of a key result (`okr kr list`, `okr objective show`). */
export function renderKeyResultDefinition(
  io: Painter,
  record: KeyResultRecord,
  spec: KeyResultSpec | undefined,
  error?: string,
): string[] {
  const head = `  ${`KR ${record.id}`.padEnd(INDENT - 2)}`;
  const lines = [head + truncate(record.title, WIDTH - head.length)];
  const segs = [describeMeasure(record, spec), `target ${targetText(record, spec)}`];
  const base = baselineText(record, spec);
  if (base !== undefined) segs.push(`baseline ${base}`);
  lines.push(...wrapSegments(segs, INDENT, WIDTH));
  if (error)
    lines.push(
      ...wrapSegments([paint(io, 'red', truncate(`cannot compute: ${error}`, WIDTH - INDENT))], INDENT, WIDTH),
    );
  return lines;
}

/**
 * An objective's title with `right` (its period, position, percent) ending at column WIDTH. A
 * title too long to share the line gets a line of its own, with `right` on the next one.
 */
export function objectiveHeading(o: Objective, right: string): string[] {
  const title = `Objective ${o.id}: ${o.title}${o.archived ? ' (archived)' : ''}`;
  if ([...title].length + 2 + [...right].length <= WIDTH) {
    return [`${title}${' '.repeat(WIDTH - [...title].length - [...right].length)}${right}`];
  }
  const r = truncate(right, WIDTH);
  return [truncate(title, WIDTH), `${' '.repeat(WIDTH - [...r].length)}${r}`];
}

/** `okr objective list`: one line per objective. */
export function renderObjectiveList(objectives: Array<{ objective: Objective; keyResults: number }>): string[] {
  const labelWidth = Math.max(6, ...objectives.map((o) => o.objective.period.label.length));
  const idWidth = Math.max(2, ...objectives.map((o) => String(o.objective.id).length));
  const head = `${'ID'.padStart(idWidth)}  ${'PERIOD'.padEnd(labelWidth)}  FROM        TO          KRS  `;
  const lines = [`${head}TITLE`];
  for (const { objective: o, keyResults } of objectives) {
    const row = `${String(o.id).padStart(idWidth)}  ${o.period.label.padEnd(labelWidth)}  ${o.period.from}  ${o.period.to}  ${String(keyResults).padStart(3)}  `;
    const title = `${o.title}${o.archived ? ' (archived)' : ''}`;
    lines.push(row + truncate(title, Math.max(8, WIDTH - row.length)));
  }
  return lines;
}

export function periodText(o: Objective): string {
  const p = o.period;
  const dates = p.label === `${p.from}..${p.to}` ? '' : `, ${p.from} to ${p.to}`;
  return `${p.label}${dates}, ${plural(periodDays(p), 'day')}`;
}

// ---------------------------------------------------------------------------------------------
// Progress

/**
 * The value as people read it. A total per bucket (`sum`, `count`, `days`) is a rate: "12 a
 * week". A level per bucket is the mean of the weeks' (months') averages, minimums or maximums,
 * and "79.5 a week" would read as a weekly total: "a weekly average of 79.5", "a weekly max of 61
 * on average". The figure is `valueText` of the JSON either way.
 */
function valueText(kr: KeyResultReport, p: KeyResultProgress): string {
  if (p.value === undefined) return 'no data';
  const v = formatKindValue(p.kind, p.value);
  const per = kr.record.per;
  if (!per) return v;
  const agg = kr.record.agg;
  if (isCumulative(agg)) return `${v} a ${per}`;
  const every = per === 'week' ? 'weekly' : 'monthly';
  if (agg === 'min' || agg === 'max') return `a ${every} ${agg} of ${v} on average`;
  return `a ${every} average of ${v}`;
}

/**
 * "from 44 days of data (1 missing)". Missing days are named where they matter: for levels and
 * weekly or monthly rates (the value rests on fewer days) and for `days` (a day without data
 * cannot count). A sum or count of things logged now and then has no "missing" days.
 */
function dataText(kr: KeyResultReport, p: KeyResultProgress): string | undefined {
  if (p.daysElapsed === 0) return undefined;
  const missing = p.daysElapsed - p.daysWithData;
  const sparse = (kr.record.agg === 'sum' || kr.record.agg === 'count') && !kr.record.per;
  const tail = missing > 0 && p.daysWithData > 0 && !sparse ? ` (${missing} missing)` : '';
  return `from ${plural(p.daysWithData, 'day')} of data${tail}`;
}

function notesOf(p: KeyResultProgress): string[] {
  return (p.note ?? '').split('; ').filter((n) => n !== '' && !/^\d+ of \d+ days? have data$/.test(n));
}

function renderKeyResultProgress(io: Painter, kr: KeyResultReport): string[] {
  const head = `  ${`KR ${kr.record.id}`.padEnd(INDENT - 2)}`;
  const p = kr.progress;
  if (!kr.spec || !p) {
    return [
      head + truncate(kr.record.title, WIDTH - head.length),
      ...wrapSegments(
        [paint(io, 'red', truncate(`cannot compute: ${kr.error ?? 'unknown'}`, WIDTH - INDENT))],
        INDENT,
        WIDTH,
      ),
      ...wrapSegments([describeMeasure(kr.record, undefined)], INDENT, WIDTH),
    ];
  }
  const status = STATUS_TEXT[p.status];
  const { left, gap, right } = spread(kr.record.title, status, WIDTH - head.length);
  const lines = [head + left + gap + paint(io, STATUS_STYLE[p.status], right)];

  const bar = renderProgressBar(p.percent === undefined ? 0 : p.percent / 100, BAR_WIDTH);
  // A space before it always: 174903% must not run into the bar.
  const pct = ` ${formatPercent(p.percent).padStart(4)}`;
  const lead = `${' '.repeat(INDENT)}${paint(io, STATUS_STYLE[p.status], bar)}${pct}  `;
  const figures = [valueText(kr, p), `target ${formatTarget(kr.spec.target, kr.spec.kind)}`, `pace ${paceText(p)}`];
  // The figures follow the bar; what does not fit goes on the lines below, under the bar.
  const room = WIDTH - visibleLength(lead);
  let first = '';
  const rest: string[] = [];
  for (const f of figures) {
    if (rest.length === 0 && visibleLength(first) + (first ? SEP.length : 0) + f.length <= room) {
      first = first ? first + SEP + f : f;
    } else rest.push(f);
  }
  lines.push(lead + truncate(first, room));

  const segs = [...rest, describeMeasure(kr.record, kr.spec)];
  const data = dataText(kr, p);
  if (data) segs.push(data);
  if (kr.spec.baseline !== undefined) segs.push(`baseline ${formatKindValue(kr.spec.kind, kr.spec.baseline)}`);
  segs.push(...notesOf(p));
  lines.push(...wrapSegments(segs, INDENT, WIDTH).map((l) => paint(io, 'dim', l)));
  return lines;
}

function objectiveRight(r: ObjectiveReport): string {
  const p = r.objective.period;
  const where =
    r.state === 'not_started'
      ? `starts ${p.from}`
      : r.state === 'ended'
        ? `ended ${p.to}`
        : `day ${r.day} of ${r.daysInPeriod}`;
  const parts = [p.label, where];
  if (r.percent !== undefined && r.state !== 'not_started') parts.push(formatPercent(r.percent));
  return parts.join(SEP);
}

/** `okr progress`: every objective with its key results. Each line fits WIDTH columns. */
export function renderProgress(io: Painter, reports: ObjectiveReport[], today: string): string[] {
  const lines: string[] = [paint(io, 'dim', `Progress on ${today}`)];
  for (const r of reports) {
    lines.push('');
    for (const l of objectiveHeading(r.objective, objectiveRight(r))) lines.push(paint(io, 'bold', l));
    if (r.keyResults.length === 0) {
      // The command on a line of its own, whole: cut to the width, it could not be copied.
      lines.push(
        '  no key results yet; add one with',
        `    okr kr add "…" --objective ${r.objective.id} --metric … --agg … --target …`,
      );
    }
    for (const kr of r.keyResults) lines.push(...renderKeyResultProgress(io, kr));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// JSON

export function objectiveJson(o: Objective) {
  return {
    id: o.id,
    title: o.title,
    period: { label: o.period.label, from: o.period.from, to: o.period.to, days: periodDays(o.period) },
    archived: o.archived,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export function keyResultJson(record: KeyResultRecord, spec: KeyResultSpec | undefined, error?: string) {
  return {
    id: record.id,
    objectiveId: record.objectiveId,
    position: record.position,
    title: record.title,
    metric: record.metricName,
    metricType: record.metricType,
    agg: record.agg,
    where:
      record.where === undefined
        ? null
        : spec?.where
          ? { op: spec.where.op, value: spec.where.value, text: formatCondition(spec.where, record.metricType) }
          : { op: null, value: null, text: record.where },
    per: record.per ?? null,
    target: spec
      ? { op: spec.target.op, value: spec.target.value, text: formatTarget(spec.target, spec.kind) }
      : { op: null, value: null, text: record.target },
    baseline:
      record.baseline === undefined
        ? null
        : spec?.baseline !== undefined
          ? { value: spec.baseline, text: formatKindValue(spec.kind, spec.baseline) }
          : { value: null, text: record.baseline },
    kind: spec?.kind ?? null,
    cumulative: isCumulative(record.agg) && !record.per,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    error: error ?? null,
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

function bucketJson(b: BucketResult, kind: KeyResultProgress['kind']) {
  return {
    from: b.from,
    to: b.to,
    days: b.days,
    value: b.value ?? null,
    valueText: b.value === undefined ? null : formatKindValue(kind, b.value),
    met: b.met ?? null,
    partial: b.partial,
    running: b.running,
    used: b.used,
  };
}

export function progressJson(p: KeyResultProgress) {
  return {
    value: p.value ?? null,
    valueText: p.value === undefined ? null : formatKindValue(p.kind, p.value),
    percent: p.percent === undefined ? null : round1(p.percent),
    percentText: p.percent === undefined ? null : formatPercent(p.percent),
    expected: p.expected,
    expectedText: paceText(p),
    met: p.met,
    status: p.status,
    statusText: STATUS_TEXT[p.status],
    daysWithData: p.daysWithData,
    daysElapsed: p.daysElapsed,
    daysInPeriod: p.daysInPeriod,
    buckets: p.buckets ? p.buckets.map((b) => bucketJson(b, p.kind)) : null,
    note: p.note ?? null,
  };
}

export function progressReportJson(reports: ObjectiveReport[], today: string) {
  return {
    date: today,
    objectives: reports.map((r) => ({
      ...objectiveJson(r.objective),
      state: r.state,
      day: r.day,
      percent: r.percent === undefined ? null : round1(r.percent),
      percentText: r.percent === undefined ? null : formatPercent(r.percent),
      keyResults: r.keyResults.map((k) => ({
        ...keyResultJson(k.record, k.spec, k.error),
        progress: k.progress ? progressJson(k.progress) : null,
      })),
    })),
  };
}

/** What `okr progress` and `okr objective list` say when every objective there is is archived. */
export function onlyArchivedLine(archived: number, period = ''): string {
  return `No active objectives${period}; ${plural(archived, 'archived one')} ${archived === 1 ? 'shows' : 'show'} with --all.`;
}
