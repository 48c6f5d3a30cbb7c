/**
 * The report page: one HTML file with its CSS inline and no script, no font, no image to fetch,
 * so it opens from file:// anywhere and keeps nothing outside it. Drawn from the same ReportData
 * that `okr report --json` prints (data.ts). Every piece of text from the database goes through
 * `html()` (escape.ts).
 *
 * Sections: metrics (one chart per template metric: its points, the middle half of its days as a
 * band when points are weeks or months, month averages, the target; the week and month averages
 * below), sleep timing (bed to wake-up bands), objectives (each key result's value so far against
 * its pace), data coverage per source, and notes.
 */
import { daysBetween } from '../dates.js';
import { formatDuration, formatTime, formatValue } from '../metrics/values.js';
import { unwrapTime } from '../okr/target.js';
import type { FieldType } from '../plugins/types.js';
import { plural } from '../text.js';
import { bandPath, chart, dots, hline, hoverRegions, linePath, MAX_TITLED_DOTS, stepPath } from './chart.js';
import type { KeyResultData, MetricReport, ObjectiveData, ReportData, SleepReport } from './data.js';
import { html } from './escape.js';
import { type AxisKind, compactNumber, dateTicks, monthName, n1, shortDate, VIEW_H, xScale, yAxis } from './scales.js';
import { clockFrame, type Resolution, type SeriesPoint } from './series.js';
import { sleepSpan } from './sleep.js';
import { STYLE } from './style.js';

/** What marks an HTML file as one okr report wrote (write.ts checks it before replacing a file). */
export const GENERATOR = 'okr report';

/** Longest break in the data a line still bridges, by resolution (longer gaps break the line). */
const MAX_BRIDGED_DAYS: Record<Resolution, number> = { day: 7, week: 14, month: 62 };

export function renderReport(data: ReportData): string {
  const title = `okr report: ${data.template}, ${data.range.from} to ${data.range.to}`;
  const sections = [
    metricsSection(data),
    data.sleep.length > 0 ? sleepSection(data) : '',
    objectivesSection(data),
    coverageSection(data),
    data.notes.length > 0
      ? `<section id="notes"><h2>Notes</h2><ul>${data.notes.map((n) => `<li>${html(n, 1000)}</li>`).join('')}</ul></section>`
      : '',
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing on this page is fetched or run: styles inline, no script at all.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<meta name="generator" content="${GENERATOR} ${data.version}">`,
    `<title>${html(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    '<header>',
    `<h1>okr report</h1>`,
    `<p class="sub"><span>Template <b>${html(data.template)}</b></span> <span>${html(data.range.label)}: ${data.range.from} to ${data.range.to} (${plural(data.range.days, 'day')})</span> <span>${resolutionText(data.resolution)}</span></p>`,
    `<p class="sub muted">Generated ${html(data.generatedAt)} from stored values (run okr sync first for the latest).</p>`,
    '<nav><a href="#metrics">Metrics</a>',
    data.sleep.length > 0 ? '<a href="#sleep">Sleep timing</a>' : '',
    '<a href="#objectives">Objectives</a><a href="#coverage">Coverage</a>',
    data.notes.length > 0 ? '<a href="#notes">Notes</a>' : '',
    '</nav></header><main>',
    ...sections,
    '</main></body></html>',
    '',
  ].join('');
}

function resolutionText(r: Resolution): string {
  return r === 'day' ? 'one point a day' : r === 'week' ? 'one point a week (Mon to Sun)' : 'one point a month';
}

// ---------------------------------------------------------------------------------------------
// Metrics

function metricsSection(data: ReportData): string {
  const aggregated = data.resolution !== 'day';
  const legend = [
    `<span><i class="k-line"></i>${aggregated ? `${data.resolution}ly average` : 'daily value'}</span>`,
    aggregated ? '<span><i class="k-band"></i>middle half of the days</span>' : '',
    data.resolution !== 'month' ? '<span><i class="k-avg"></i>month average</span>' : '',
    '<span><i class="k-target"></i>target</span>',
  ].join('');
  const cards = data.metrics.map((m) => metricCard(m, data)).join('');
  return `<section id="metrics"><h2>Metrics</h2><p class="legend">${legend}</p><div class="cards">${cards || '<p class="muted">The template has no metrics.</p>'}</div></section>`;
}

function axisKind(type: FieldType): AxisKind {
  return type === 'boolean' ? 'fraction' : type === 'duration' || type === 'time' ? 'minutes' : 'number';
}

function axisLabel(type: FieldType): (v: number) => string {
  switch (type) {
    case 'duration':
      return formatDuration;
    case 'time':
      return formatTime;
    case 'boolean':
      return (v) => `${Math.round(v * 100)}%`;
    default:
      return compactNumber;
  }
}

function valueText(m: Pick<MetricReport, 'type' | 'unit'>, v: number): string {
  return m.type === 'number' && m.unit ? formatValue('number', v, m.unit) : formatValue(m.type, v);
}

function pointTitle(m: MetricReport, p: SeriesPoint, resolution: Resolution): string {
  const v = valueText(m, p.value);
  if (resolution === 'day') return `${p.from}: ${v}`;
  const when = resolution === 'week' ? `week of ${p.from}` : monthName(p.from);
  const spread =
    p.low !== undefined && p.high !== undefined
      ? `, middle half ${valueText(m, p.low)} to ${valueText(m, p.high)}`
      : '';
  return `${when}: ${v} average of ${plural(p.days, 'day')}${spread}`;
}

function metricCard(m: MetricReport, data: ReportData): string {
  const facts = [
    m.source === 'manual' ? `${m.metric} (logged)` : m.source,
    m.unit ? m.unit : '',
    m.target ? `target ${m.target.text}` : m.targetText ? `target ${m.targetText} (does not apply)` : '',
    `${m.daysWithData} of ${plural(data.range.days, 'day')} with data`,
  ].filter(Boolean);
  const head = `<h3>${html(m.label)}</h3><p class="facts">${facts.map((f) => `<span>${html(f)}</span>`).join('')}</p>`;
  let body: string;
  if (m.status !== 'ok') {
    body = `<p class="na">n/a: ${html(m.reason ?? 'no such source')}</p>`;
  } else if (m.type === 'text') {
    body = `<p class="muted">Notes on ${plural(m.daysWithData, 'day')}; text has no chart.</p>`;
  } else if (m.points.length === 0) {
    body = '<p class="muted">No data in this range.</p>';
  } else {
    body = metricChart(m, data) + averagesList(m, data);
  }
  return `<article class="card metric" data-metric="${html(m.metric)}">${head}${body}</article>`;
}

function metricChart(m: MetricReport, data: ReportData): string {
  const x = xScale(data.range);
  const isTime = m.type === 'time';
  const raw = [
    ...m.points.flatMap((p) => [p.value, p.low ?? p.value, p.high ?? p.value]),
    ...m.months.map((p) => p.value),
    ...(m.target && m.type !== 'boolean' ? [m.target.value] : []),
  ];
  // Clock times on one continuous axis (series.ts): 00:30 stays after 23:30.
  const place = isTime ? clockFrame(raw) : (v: number) => v;
  const y = yAxis(raw.map(place), axisKind(m.type));
  const gap = MAX_BRIDGED_DAYS[data.resolution];
  const pts = m.points.map((p, i) => ({
    x: x.mid(p.from, p.to),
    y: y.y(place(p.value)),
    breakBefore: i > 0 && daysBetween(m.points[i - 1]!.to, p.from) > gap,
    title: pointTitle(m, p, data.resolution),
  }));
  const marks: string[] = [];
  const banded = m.points.filter((p) => p.low !== undefined && p.high !== undefined);
  if (banded.length > 0) {
    const runs: Array<Array<{ x: number; low: number; high: number }>> = [];
    let prev: SeriesPoint | undefined;
    for (const p of m.points) {
      if (p.low === undefined || p.high === undefined) {
        prev = undefined;
        continue;
      }
      if (!prev || daysBetween(prev.to, p.from) > gap) runs.push([]);
      runs.at(-1)!.push({ x: x.mid(p.from, p.to), low: y.y(place(p.low)), high: y.y(place(p.high)) });
      prev = p;
    }
    marks.push(`<path class="band" d="${bandPath(runs)}"/>`);
  }
  if (m.months.length > 0) {
    const steps = m.months.map((p, i) => ({
      x0: x.left(p.from),
      x1: x.right(p.to),
      y: y.y(place(p.value)),
      // A month without data is a gap in the steps, not a riser across it.
      breakBefore: i > 0 && daysBetween(m.months[i - 1]!.to, p.from) > 1,
    }));
    marks.push(`<path class="avg" d="${stepPath(steps)}"/>`);
  }
  const overlays: Array<{ y: number; text: string; cls: string }> = [];
  if (m.target && m.type !== 'boolean') {
    const ty = y.y(place(m.target.value));
    marks.push(hline(ty, 'target'));
    overlays.push({ y: ty, text: `target ${m.target.text}`, cls: 'tlabel' });
  }
  marks.push(`<path class="line" d="${linePath(pts)}"/>`, dots(pts));
  if (pts.length > MAX_TITLED_DOTS && m.months.length > 0) {
    marks.push(
      hoverRegions(
        m.months.map((p) => ({
          x0: x.left(p.from),
          x1: x.right(p.to),
          title: `${monthName(p.from)}: ${valueText(m, p.value)} average of ${plural(p.days, 'day')}`,
        })),
      ),
    );
  }
  return chart({
    kind: 'metric',
    label: `${m.label}: ${m.points.length} points from ${data.range.from} to ${data.range.to}`,
    x,
    xTicks: dateTicks(data.range),
    y,
    yLabel: axisLabel(m.type),
    marks,
    points: pts.length,
    overlays,
  });
}

function averageName(kind: MetricReport['averages'][number]['kind'], from: string): string {
  switch (kind) {
    case 'week':
    case 'previous_week':
      return `Week of ${shortDate(from)}`;
    case 'month':
    case 'previous_month':
      return monthName(from);
    case 'range':
      return 'Whole range';
  }
}

function averagesList(m: MetricReport, data: ReportData): string {
  const items = m.averages.map((a) => {
    const days = daysBetween(a.from, a.to) + 1;
    const v = a.value === undefined ? '·' : valueText(m, a.value);
    const running = a.to === data.today && (a.kind === 'week' || a.kind === 'month') ? ', so far' : '';
    return `<div><dt>${html(averageName(a.kind, a.from))}</dt><dd>${html(v)} <small>${a.days}/${days} d${running}</small></dd></div>`;
  });
  return `<dl class="averages">${items.join('')}</dl>`;
}

// ---------------------------------------------------------------------------------------------
// Sleep timing

function sleepSection(data: ReportData): string {
  const cards = data.sleep.map((s) => sleepCard(s, data)).join('');
  const what = data.resolution === 'day' ? 'each night' : `the average night of each ${data.resolution}`;
  return `<section id="sleep"><h2>Sleep timing</h2><p class="legend"><span><i class="k-sleep"></i>from bed time to wake-up time, ${what}</span></p><div class="cards">${cards}</div></section>`;
}

function sleepCard(s: SleepReport, data: ReportData): string {
  const head = `<h3>${html(s.pluginId)}: ${html(s.bed.label)} to ${html(s.wake.label)}</h3>`;
  if (s.points.length === 0)
    return `<article class="card sleep">${head}<p class="muted">No nights with both times in this range.</p></article>`;
  const x = xScale(data.range);
  const placed = s.points.map((p) => ({ p, ...sleepSpan(p.bed, p.wake) }));
  // Earlier at the top, as a night reads: the axis runs down from the evening to the morning.
  const up = yAxis(
    placed.flatMap((q) => [q.bed, q.wake]),
    'minutes',
  );
  const y = { ...up, y: (v: number) => VIEW_H - up.y(v) };
  const bands = placed
    .map(({ p, bed, wake }) => {
      const x0 = x.left(p.from);
      const w = Math.max(0.6, (x.right(p.to) - x0) * 0.8);
      const title = `${data.resolution === 'day' ? p.from : data.resolution === 'week' ? `week of ${p.from}` : monthName(p.from)}: ${formatTime(p.bed)} to ${formatTime(p.wake)}${p.nights > 1 ? ` (average of ${p.nights} nights)` : ''}`;
      return `<rect class="band-cell" x="${n1(x0)}" y="${n1(y.y(bed))}" width="${n1(w)}" height="${n1(Math.max(0.8, y.y(wake) - y.y(bed)))}"><title>${html(title)}</title></rect>`;
    })
    .join('');
  return `<article class="card sleep" data-plugin="${html(s.pluginId)}">${head}${chart({
    kind: 'sleep',
    label: `Sleep timing from ${s.pluginId}: ${s.points.length} bands`,
    x,
    xTicks: dateTicks(data.range),
    y,
    yLabel: (v) => formatTime(v + 720),
    marks: [bands],
    points: 0,
  })}</article>`;
}

// ---------------------------------------------------------------------------------------------
// Objectives

function objectivesSection(data: ReportData): string {
  if (data.objectives.length === 0) {
    return '<section id="objectives"><h2>Objectives</h2><p class="muted">No objectives overlap this range. Add one: okr objective add "Sleep better" --period 2026-Q4</p></section>';
  }
  const legend =
    '<p class="legend"><span><i class="k-line"></i>value as okr progress gave it each day</span><span><i class="k-pace"></i>pace (the value expected by then)</span><span><i class="k-target"></i>target</span></p>';
  return `<section id="objectives"><h2>Objectives</h2>${legend}${data.objectives.map((o) => objectiveBlock(o, data)).join('')}</section>`;
}

function objectiveBlock(o: ObjectiveData, data: ReportData): string {
  const where =
    o.state === 'not_started'
      ? `starts ${o.period.from}`
      : o.state === 'ended'
        ? `ended ${o.period.to}`
        : `day ${o.day} of ${o.period.days}`;
  const pct = o.percent ?? 0;
  const head = `<h3>${html(o.title)}</h3><p class="facts"><span>${html(o.period.label)}: ${o.period.from} to ${o.period.to}</span><span>${where}</span>${o.percentText === null ? '' : `<span>${html(o.percentText)}</span>`}</p>`;
  const bar = `<div class="bar" aria-hidden="true"><div style="width:${Math.min(100, Math.max(0, pct))}%"></div></div>`;
  const krs = o.keyResults.map((k) => keyResultCard(k, o, data)).join('');
  return `<div class="objective">${head}${bar}<div class="cards">${krs || '<p class="muted">No key results yet.</p>'}</div></div>`;
}

const STATUS_CLASS: Record<string, string> = {
  on_track: 'good',
  ended_met: 'good',
  at_risk: 'warn',
  off_track: 'bad',
  ended_missed: 'bad',
  not_started: 'muted',
};

function keyResultCard(k: KeyResultData, o: ObjectiveData, data: ReportData): string {
  const p = k.progress;
  const status = p ? `<span class="status ${STATUS_CLASS[p.status] ?? ''}">${html(p.statusText)}</span>` : '';
  const facts = [
    `${k.metric} ${k.agg}${k.where ? ` ${k.where.text}` : ''}${k.per ? ` per ${k.per}` : ''}`,
    p ? `now ${p.valueText ?? 'no data'}` : '',
    `target ${k.target.text}`,
    p && k.cumulative ? `pace ${p.expectedText}` : '',
    p?.percentText ?? '',
  ].filter(Boolean);
  const head = `<h4>${html(k.title)} ${status}</h4><p class="facts">${facts.map((f) => `<span>${html(f)}</span>`).join('')}</p>`;
  if (k.error) return `<article class="card kr">${head}<p class="na">cannot compute: ${html(k.error)}</p></article>`;
  if (k.curve.length === 0) {
    return `<article class="card kr">${head}<p class="muted">No value yet${o.state === 'not_started' ? `: the period starts ${o.period.from}` : ''}.</p></article>`;
  }
  return `<article class="card kr" data-kr="${k.id}">${head}${progressChart(k, o, data)}</article>`;
}

function progressChart(k: KeyResultData, o: ObjectiveData, data: ReportData): string {
  const period = o.period;
  const x = xScale(period);
  const kind = k.kind ?? 'number';
  const target = k.target.value ?? 0;
  const place = kind === 'time' ? (v: number) => unwrapTime(v, target) : (v: number) => v;
  const values = [...k.curve.map((c) => c.value), ...k.pace.map((c) => c.value), target];
  if (k.baseline?.value !== null && k.baseline?.value !== undefined) values.push(k.baseline.value);
  if (k.cumulative) values.push(0);
  const axis: AxisKind =
    kind === 'fraction' ? 'fraction' : kind === 'duration' || kind === 'time' ? 'minutes' : 'number';
  const y = yAxis(values.map(place), axis);
  const label = (v: number): string =>
    kind === 'time'
      ? formatTime(v)
      : kind === 'duration'
        ? formatDuration(v)
        : kind === 'fraction'
          ? `${Math.round(v * 100)}%`
          : compactNumber(v);
  const marks: string[] = [];
  if (k.cumulative && k.pace.length === 2) {
    // The pace at the end of day d is target x (days through d) / days: from 0 before the first day.
    const [, end] = k.pace;
    marks.push(
      `<path class="pace" d="M${n1(x.left(period.from))} ${n1(y.y(0))}L${n1(x.right(end!.date))} ${n1(y.y(place(end!.value)))}"/>`,
    );
  }
  const ty = y.y(place(target));
  marks.push(hline(ty, 'target'));
  if (data.today >= period.from && data.today <= period.to) {
    marks.push(`<path class="today" d="M${n1(x.right(data.today))} 0V${VIEW_H}"/>`);
  }
  const pts = k.curve.map((c, i) => ({
    x: x.right(c.date),
    y: y.y(place(c.value)),
    breakBefore: i > 0 && daysBetween(k.curve[i - 1]!.date, c.date) > Math.max(7, Math.ceil(period.days / 100)),
    title: `${c.date}: ${label(c.value)}`,
  }));
  marks.push(`<path class="line" d="${linePath(pts)}"/>`, dots(pts));
  return chart({
    kind: 'progress',
    label: `${k.title}: ${pts.length} points over ${period.label}`,
    x,
    xTicks: dateTicks(period),
    y,
    yLabel: label,
    marks,
    points: pts.length,
    overlays: [{ y: ty, text: `target ${k.target.text}${k.cumulative ? '' : ' (= pace)'}`, cls: 'tlabel' }],
  });
}

// ---------------------------------------------------------------------------------------------
// Coverage

function coverageSection(data: ReportData): string {
  const c = data.coverage;
  if (c.sources.length === 0) {
    return '<section id="coverage"><h2>Data coverage</h2><p class="muted">No values in this range.</p></section>';
  }
  const x = xScale(data.range);
  const rows = c.sources.map((s) => {
    const share = c.days > 0 ? Math.round((s.daysWithValues / c.days) * 100) : 0;
    const synced = s.daysSynced === null ? '' : `<span>synced ${s.daysSynced} of ${c.days} days</span>`;
    const span = s.first ? `<span>${s.first} to ${s.last}</span>` : '';
    const cells = s.cells
      .map((cell) => {
        const f = cell.withValues / cell.days;
        const cls = cell.withValues === 0 ? 'cell none' : 'cell';
        const title = `${cell.from === cell.to ? cell.from : `${cell.from} to ${cell.to}`}: ${cell.withValues} of ${plural(cell.days, 'day')}`;
        return `<rect class="${cls}" x="${n1(x.left(cell.from))}" y="0" width="${n1(x.right(cell.to) - x.left(cell.from))}" height="20"${cell.withValues === 0 ? '' : ` fill-opacity="${Math.round((0.25 + 0.75 * f) * 100) / 100}"`}><title>${html(title)}</title></rect>`;
      })
      .join('');
    return `<article class="card coverage" data-source="${html(s.source)}"><h3>${html(s.source)}</h3><p class="facts"><span>values on ${s.daysWithValues} of ${c.days} days (${share}%)</span>${synced}${span}</p><svg class="strip" viewBox="0 0 1000 20" preserveAspectRatio="none" data-cells="${s.cells.length}">${cells}</svg></article>`;
  });
  const omitted = c.omitted > 0 ? `<p class="muted">${plural(c.omitted, 'more source')} not shown.</p>` : '';
  return `<section id="coverage"><h2>Data coverage</h2><p class="legend"><span><i class="k-cell"></i>darker: more days with values; grey: none</span></p><div class="cards">${rows.join('')}</div>${omitted}</section>`;
}
