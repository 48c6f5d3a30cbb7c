/**
 * The table of `okr metrics show`: one row per day, one column per metric, then avg/min/max.
 *
 * - Values are formatted by type (values.ts): `7:32` (duration), `23:10` (clock time), `10,482`.
 *   The unit sits in the header, not in every cell.
 * - A day without a value shows `·` (no data is not zero). A column whose field the provider does
 *   not offer, or whose source no installed plugin declares, shows `n/a` and a numbered footnote
 *   saying why.
 * - Clock-time averages are circular (stats.ts): 23:30 and 00:30 average to 00:00.
 * - Layout: the plain layout when it fits the terminal; otherwise transposed (one row per metric,
 *   one column per day) when that fits; otherwise the metrics are wrapped into several tables,
 *   each repeating the date column. Headers wrap at word boundaries to keep columns narrow.
 * - On a TTY, a trend line per metric (sparkline) follows the table. Colour (targets met in
 *   green, missed in red) only when the IO says colour is on (a TTY without NO_COLOR).
 *
 * A renderer of our own rather than cli-table3: it needs transposing and wrapping anyway, and
 * cli-table3 costs ~5 ms of start-up (plus its colour dependency) on a command with a start-up
 * target; borders are not needed for a borderless, copy-pasteable table.
 */
import { paint, type Style } from '../io.js';
import type { StoredValue } from '../store/values.js';
import { plural, wrap } from '../text.js';
import { sparkline } from './sparkline.js';
import { type SeriesSummary, summarize, unwrapTimes } from './stats.js';
import { describeTarget, meetsTarget, type ResolvedMetric } from './templates.js';
import { formatValue } from './values.js';

export const NO_DATA = '·';
export const NOT_OFFERED = 'n/a';
const GAP = '  ';
const DATE_WIDTH = 10;
/** Text values are notes; a long one is cut in the table (JSON and CSV keep it whole). */
const MAX_TEXT_CELL = 24;
const MAX_HEADER_WORD = 14;
const MAX_TRANSPOSED_LABEL = 20;
const SUMMARY_NAMES = ['avg', 'min', 'max'];
const SUPERSCRIPTS = ['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

export interface TableInput {
  metrics: ResolvedMetric[];
  dates: string[];
  values: Map<string, Map<string, StoredValue>>;
  /** Named in the footnote of a column whose source is unknown (`okr metrics template edit <name>`). */
  templateName?: string;
}

export interface RenderOptions {
  /** Terminal width to fit. */
  width: number;
  color: boolean;
  /** Trend lines (on a TTY). */
  sparklines: boolean;
}

/** The unit a column's header shows. Durations and clock times show their format instead. */
export function unitLabel(m: Pick<ResolvedMetric, 'type' | 'unit'>): string {
  switch (m.type) {
    case 'duration':
      return 'h:mm';
    case 'time':
      return 'hh:mm';
    case 'boolean':
      return 'yes/no';
    default:
      return m.unit ?? '';
  }
}

/** The unit a machine-readable value is in: what the stored number means. */
export function storedUnit(m: Pick<ResolvedMetric, 'type' | 'unit'>): string | null {
  switch (m.type) {
    case 'duration':
      return 'min';
    case 'time':
      return 'min after midnight';
    case 'boolean':
      return '0/1';
    case 'text':
      return null;
    default:
      return m.unit ?? null;
  }
}

export interface MetricSummary extends SeriesSummary {
  /** Formatted avg/min/max for people; the marker when there is nothing to summarise. */
  text: { avg: string; min: string; max: string };
}

export function summarizeMetric(m: ResolvedMetric, series: Array<StoredValue['value'] | undefined>): MetricSummary {
  const s = summarize(m.type, series);
  const blank = m.status === 'ok' || s.count > 0 ? NO_DATA : NOT_OFFERED;
  const fmt = (v: number | undefined) => (v === undefined ? blank : formatValue(m.type, v));
  if (m.type === 'text') {
    return { ...s, text: { avg: s.count > 0 ? plural(s.count, 'day') : blank, min: '', max: '' } };
  }
  if (m.type === 'boolean') {
    // The share of yes days; min and max of yes/no say nothing.
    return { ...s, text: { avg: s.avg === undefined ? blank : `${Math.round(s.avg * 100)}% yes`, min: '', max: '' } };
  }
  return { ...s, text: { avg: fmt(s.avg), min: fmt(s.min), max: fmt(s.max) } };
}

export function seriesOf(input: TableInput, m: ResolvedMetric): Array<StoredValue['value'] | undefined> {
  const byDate = input.values.get(m.metricName);
  return input.dates.map((d) => byDate?.get(d)?.value);
}

interface Cell {
  text: string;
  style?: Style;
}

interface Column {
  header: string[];
  cells: Cell[];
  summary: Cell[];
  align: 'left' | 'right';
  width: number;
  unit: string;
  target?: string;
}

function cellFor(m: ResolvedMetric, v: StoredValue | undefined): Cell {
  if (!v) return m.status === 'ok' ? { text: NO_DATA, style: 'dim' } : { text: NOT_OFFERED, style: 'dim' };
  let text = formatValue(m.type, v.value);
  if (m.type === 'text' && text.length > MAX_TEXT_CELL) text = `${text.slice(0, MAX_TEXT_CELL - 1)}…`;
  const met = typeof v.value === 'number' ? meetsTarget(m, v.value) : undefined;
  return { text, style: met === undefined ? undefined : met ? 'green' : 'red' };
}

function footnoteMark(i: number): string {
  return SUPERSCRIPTS[i] ?? `[${i + 1}]`;
}

/** Word-wraps a header into lines of at most `width` (words longer than that are cut). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

function buildColumns(input: TableInput, marks: Map<string, string>): Column[] {
  return input.metrics.map((m): Column => {
    const byDate = input.values.get(m.metricName);
    const cells = input.dates.map((d) => cellFor(m, byDate?.get(d)));
    const sum = summarizeMetric(m, seriesOf(input, m));
    const summary: Cell[] = [sum.text.avg, sum.text.min, sum.text.max].map((t) => ({
      text: t,
      style: t === NO_DATA || t === NOT_OFFERED ? 'dim' : undefined,
    }));
    if (m.target && sum.avg !== undefined && m.type !== 'boolean') {
      const met = meetsTarget(m, sum.avg);
      summary[0]!.style = met ? 'green' : 'red';
    }
    const label = `${m.label}${marks.get(m.metricName) ?? ''}`;
    const unit = unitLabel(m);
    const target = describeTarget(m);
    const valueWidth = Math.max(...[...cells, ...summary].map((c) => c.text.length), 1);
    const longestWord = Math.min(MAX_HEADER_WORD, Math.max(...label.split(/\s+/).map((w) => w.length)));
    const width = Math.max(valueWidth, longestWord, unit.length, target ? target.replace(/ /g, '').length : 0);
    const header = wrapWords(label, width);
    return {
      header,
      cells,
      summary,
      align: m.type === 'text' ? 'left' : 'right',
      width,
      unit,
      target: target?.replace(/ /g, ''),
    };
  });
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const n = Math.max(0, width - [...text].length);
  return align === 'right' ? ' '.repeat(n) + text : text + ' '.repeat(n);
}

/** Right-trims each line (trailing spaces only make copied text messy). */
function finish(lines: string[]): string[] {
  return lines.map((l) => l.replace(/ +$/, ''));
}

function renderPlain(input: TableInput, cols: Column[], opts: RenderOptions): string[] {
  const color = { color: opts.color };
  const headerHeight = Math.max(...cols.map((c) => c.header.length));
  const hasUnits = cols.some((c) => c.unit);
  const hasTargets = cols.some((c) => c.target);
  const lines: string[] = [];
  for (let i = 0; i < headerHeight; i++) {
    const dateCell = pad(i === headerHeight - 1 ? 'date' : '', DATE_WIDTH, 'left');
    // Bottom-align header words so the last line of every label sits on the same row.
    const row = cols.map((c) => pad(c.header[i - (headerHeight - c.header.length)] ?? '', c.width, c.align));
    lines.push(paintLine(color, 'bold', [dateCell, ...row]));
  }
  if (hasUnits)
    lines.push(
      paintLine(color, 'dim', [pad('', DATE_WIDTH, 'left'), ...cols.map((c) => pad(c.unit, c.width, c.align))]),
    );
  if (hasTargets) {
    lines.push(
      paintLine(color, 'dim', [
        pad('target', DATE_WIDTH, 'left'),
        ...cols.map((c) => pad(c.target ?? '', c.width, c.align)),
      ]),
    );
  }
  const rule = paint(color, 'dim', [DATE_WIDTH, ...cols.map((c) => c.width)].map((w) => '─'.repeat(w)).join(GAP));
  lines.push(rule);
  input.dates.forEach((d, r) => {
    const row = cols.map((c) => styled(color, c.cells[r]!, c.width, c.align));
    lines.push([d, ...row].join(GAP));
  });
  lines.push(rule);
  ['avg', 'min', 'max'].forEach((name, r) => {
    if (cols.every((c) => c.summary[r]!.text === '')) return;
    lines.push(
      [pad(name, DATE_WIDTH, 'left'), ...cols.map((c) => styled(color, c.summary[r]!, c.width, c.align))].join(GAP),
    );
  });
  return finish(lines);
}

/** Pads outside the colour codes, so trailing spaces can still be trimmed. */
function styled(color: { color: boolean }, cell: Cell, width: number, align: 'left' | 'right'): string {
  const text = cell.style ? paint(color, cell.style, cell.text) : cell.text;
  const gap = ' '.repeat(Math.max(0, width - [...cell.text].length));
  return align === 'right' ? gap + text : text + gap;
}

/** Paints a whole line (header, unit row, rule) after trimming its trailing spaces. */
function paintLine(color: { color: boolean }, style: Style, cells: string[]): string {
  return paint(color, style, cells.join(GAP).replace(/\s+$/, ''));
}

/**
 * Labels cut to `max` characters with `…`. Where two would then read the same ("Heart rate
 * variabil…" for `Heart rate variability` and `Heart rate variability (oura)`), those are cut in
 * the middle instead, keeping both ends.
 */
export function shortLabels(labels: readonly string[], max: number): string[] {
  const cut = labels.map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l));
  return cut.map((c, i) => {
    const l = labels[i]!;
    if (l.length <= max || cut.indexOf(c) === cut.lastIndexOf(c)) return c;
    const head = Math.ceil((max - 1) / 2);
    return `${l.slice(0, head)}…${l.slice(l.length - (max - 1 - head))}`;
  });
}

function plainWidth(cols: Column[]): number {
  return DATE_WIDTH + cols.reduce((n, c) => n + GAP.length + c.width, 0);
}

/** One row per metric, one column per day (`MM-DD`), then avg/min/max. */
function renderTransposed(input: TableInput, cols: Column[], opts: RenderOptions): string[] | undefined {
  const color = { color: opts.color };
  const short = shortLabels(
    input.metrics.map((m) => m.label),
    MAX_TRANSPOSED_LABEL,
  );
  const labels = input.metrics.map((m, i) => short[i]! + cols[i]!.header.join(' ').slice(m.label.length));
  const labelWidth = Math.max(6, ...labels.map((l) => [...l].length));
  const unitWidth = Math.max(0, ...cols.map((c) => c.unit.length));
  const dayWidths = input.dates.map((_, r) => Math.max(5, ...cols.map((c) => c.cells[r]!.text.length)));
  const sumIdx = [0, 1, 2].filter((r) => cols.some((c) => c.summary[r]!.text !== ''));
  const sumWidths = sumIdx.map((r) => Math.max(3, ...cols.map((c) => c.summary[r]!.text.length)));
  const widths = [labelWidth, ...(unitWidth ? [unitWidth] : []), ...dayWidths, ...sumWidths];
  const total = widths.reduce((n, w) => n + w, 0) + GAP.length * (widths.length - 1);
  if (total > opts.width) return undefined;
  const lines: string[] = [];
  const head = [
    pad('metric', labelWidth, 'left'),
    ...(unitWidth ? [pad('unit', unitWidth, 'left')] : []),
    ...input.dates.map((d, r) => pad(d.slice(5), dayWidths[r]!, 'right')),
    ...sumIdx.map((r, k) => pad(SUMMARY_NAMES[r]!, sumWidths[k]!, 'right')),
  ];
  lines.push(paintLine(color, 'bold', head));
  lines.push(
    paintLine(
      color,
      'dim',
      widths.map((w) => '─'.repeat(w)),
    ),
  );
  cols.forEach((c, i) => {
    const row = [
      pad(labels[i]!, labelWidth, 'left'),
      ...(unitWidth ? [paint(color, 'dim', pad(c.unit, unitWidth, 'left'))] : []),
      ...c.cells.map((cell, r) => styled(color, cell, dayWidths[r]!, 'right')),
      ...sumIdx.map((r, k) => styled(color, c.summary[r]!, sumWidths[k]!, 'right')),
    ];
    lines.push(row.join(GAP));
  });
  return finish(lines);
}

/** Splits the columns into groups whose plain tables each fit `width` (at least one per group). */
function wrapColumns<T extends Column>(cols: T[], width: number): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  for (const c of cols) {
    if (cur.length > 0 && plainWidth([...cur, c]) > width) {
      groups.push(cur);
      cur = [];
    }
    cur.push(c);
  }
  if (cur.length) groups.push(cur);
  return groups;
}

function trendLines(input: TableInput, opts: RenderOptions): string[] {
  // Text has no trend; a column the provider does not fill would be a row of gaps.
  const metrics = input.metrics.filter(
    (m) => m.type !== 'text' && (m.status === 'ok' || (input.values.get(m.metricName)?.size ?? 0) > 0),
  );
  if (metrics.length === 0 || input.dates.length < 2) return [];
  const labelWidth = Math.min(24, Math.max(...metrics.map((m) => m.label.length)));
  const room = Math.max(8, opts.width - labelWidth - GAP.length - 2);
  const days = Math.min(input.dates.length, room);
  const lines = [
    paint({ color: opts.color }, 'bold', `trend${days < input.dates.length ? ` (last ${days} days)` : ''}`),
  ];
  const short = shortLabels(
    metrics.map((m) => m.label),
    labelWidth,
  );
  for (const [i, m] of metrics.entries()) {
    let series = seriesOf(input, m).slice(-days) as Array<number | undefined>;
    series = series.map((v) => (typeof v === 'number' ? v : undefined));
    if (m.type === 'time') series = unwrapTimes(series);
    const label = short[i]!;
    lines.push(`  ${pad(label, labelWidth, 'left')}${GAP}${sparkline(series, { missing: NO_DATA })}`);
  }
  return finish(lines);
}

function footnotes(input: TableInput, marks: Map<string, string>): string[] {
  const out: string[] = [];
  for (const m of input.metrics) {
    const mark = marks.get(m.metricName);
    if (!mark) continue;
    if (m.status === 'unavailable') {
      const near = m.alternatives?.length ? ` Nearest: ${m.alternatives.join(', ')}.` : '';
      out.push(`${mark} ${m.label} (${m.source}): not offered by the provider. ${m.reason}${near}`);
    } else {
      const fix = input.templateName ? ` Fix it: okr metrics template edit ${input.templateName}` : '';
      out.push(`${mark} ${m.label} (${m.source}): unknown source, ${m.reason}.${fix}`);
    }
  }
  return out;
}

/** Word-wraps a paragraph to `width` (text.ts's wrap); its leading spaces stay, later lines get `indent` spaces. */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const lead = /^ */.exec(text)![0];
  const body = text.slice(lead.length);
  if (body.trim() === '') return [];
  const lines = wrap(body, width, indent, lead.length);
  lines[0] = `${lead}${lines[0]}`;
  return lines;
}

/** The whole table as text lines (no trailing newline). */
export function renderMetricsTable(input: TableInput, opts: RenderOptions): string[] {
  const marks = new Map<string, string>();
  for (const m of input.metrics.filter((x) => x.status !== 'ok')) marks.set(m.metricName, footnoteMark(marks.size));
  if (input.metrics.length === 0) return ['This template has no metrics.'];
  const cols = buildColumns(input, marks);
  let lines: string[];
  if (plainWidth(cols) <= opts.width) lines = renderPlain(input, cols, opts);
  else {
    const transposed = renderTransposed(input, cols, opts);
    if (transposed) lines = transposed;
    else {
      lines = [];
      for (const group of wrapColumns(cols, opts.width)) {
        if (lines.length) lines.push('');
        lines.push(...renderPlain(input, group, opts));
      }
    }
  }
  const hasData = input.metrics.some((m) => (input.values.get(m.metricName)?.size ?? 0) > 0);
  if (!hasData) lines.push('', `No values between ${input.dates[0]} and ${input.dates[input.dates.length - 1]}.`);
  const notes = footnotes(input, marks).flatMap((n) => wrapText(n, opts.width, 2));
  if (notes.length) lines.push('', ...notes.map((n) => paint({ color: opts.color }, 'yellow', n)));
  if (opts.sparklines && hasData) {
    const trend = trendLines(input, opts);
    if (trend.length) lines.push('', ...trend);
  }
  return lines;
}
