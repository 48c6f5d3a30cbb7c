/**
 * One chart of the report: an inline SVG for the marks, HTML for the text around it (see
 * scales.ts for why). The SVG is stretched to its card; strokes keep their width
 * (vector-effect), and each point is a zero-length round-capped stroke, so it stays a dot however
 * the box is stretched. Every point carries a <title> (the browser's own tooltip: no script).
 *
 * Marks the tests count: `.pt` (one per point; or, past MAX_TITLED_DOTS, one `M` each in `.pts`),
 * `.band-cell` (sleep bands), `.cell` (coverage).
 */
import { html } from './escape.js';
import { type DateTick, n1, VIEW_H, VIEW_W, type XScale, type YAxis } from './scales.js';

export interface Mark {
  /** SVG elements, already escaped. */
  svg: string;
}

export interface ChartInput {
  /** `metric`, `sleep`, `progress`: for CSS and tests. */
  kind: string;
  /** Short text a screen reader says for the whole chart. */
  label: string;
  x: XScale;
  xTicks: DateTick[];
  y: YAxis;
  yLabel: (v: number) => string;
  /** Drawn in order, over the grid. */
  marks: string[];
  /** How many points it draws (written on the chart for people reading the source). */
  points: number;
  /** Text placed at a height of the plot, right-aligned (the target's name). */
  overlays?: Array<{ y: number; text: string; cls: string }>;
}

export function chart(c: ChartInput): string {
  const grid: string[] = [];
  for (const t of c.y.ticks) grid.push(`M0 ${n1(c.y.y(t))}H${VIEW_W}`);
  for (const t of c.xTicks) grid.push(`M${n1(c.x.left(t.date))} 0V${VIEW_H}`);
  const yLabels = c.y.ticks
    .map((t) => `<span style="top:${pct(c.y.y(t) / VIEW_H)}">${html(c.yLabel(t))}</span>`)
    .join('');
  const xLabels = c.xTicks
    .filter((t) => t.level < 2)
    // Centred on their ticks, also at the ends: the first may hang into the empty space under the
    // y axis, the last into the chart's right gutter (style.ts). Labels pushed inwards instead
    // ran into their neighbours (4 Nov over 7 Nov on a 30-day chart at 1280 px).
    .map((t) => `<span class="l${t.level}" style="left:${pct(c.x.left(t.date) / VIEW_W)}">${html(t.label)}</span>`)
    .join('');
  const overlays = (c.overlays ?? [])
    .map((o) => `<span class="${o.cls}" style="top:${pct(o.y / VIEW_H)}">${html(o.text)}</span>`)
    .join('');
  return [
    `<div class="chart ${c.kind}" role="img" aria-label="${html(c.label)}" data-points="${c.points}">`,
    `<div class="yaxis" aria-hidden="true">${yLabels}</div>`,
    `<div class="plot"><svg viewBox="0 0 ${VIEW_W} ${VIEW_H}" preserveAspectRatio="none" focusable="false">`,
    `<path class="grid" d="${grid.join('')}"/>`,
    ...c.marks,
    `</svg>${overlays}</div>`,
    `<div class="xaxis" aria-hidden="true">${xLabels}</div>`,
    '</div>',
  ].join('');
}

function pct(f: number): string {
  return `${Math.round(Math.min(1, Math.max(0, f)) * 10000) / 100}%`;
}

/** A polyline through points, broken where `breakBefore` says so (a gap in the data). */
export function linePath(points: ReadonlyArray<{ x: number; y: number; breakBefore?: boolean }>): string {
  let d = '';
  points.forEach((p, i) => {
    d += `${i === 0 || p.breakBefore ? 'M' : 'L'}${n1(p.x)} ${n1(p.y)}`;
  });
  return d;
}

/**
 * A step line: one level per bucket across its days (an average holds for the whole month, so a
 * line from middle to middle would draw a trend nobody measured), with risers where buckets touch
 * and a break before `breakBefore`.
 */
export function stepPath(steps: ReadonlyArray<{ x0: number; x1: number; y: number; breakBefore?: boolean }>): string {
  let d = '';
  steps.forEach((s, i) => {
    d += `${i === 0 || s.breakBefore ? 'M' : 'L'}${n1(s.x0)} ${n1(s.y)}H${n1(s.x1)}`;
  });
  return d;
}

/**
 * Past this many points a chart draws its dots as one path without tooltips: a dot element with a
 * <title> each is most of a page's load time (a 7-year weekly page of 27 charts loaded in 740 ms
 * with them, 320 ms without), and at a year of days the dots touch anyway. Such a chart gets its
 * tooltips from `hoverRegions` instead.
 */
export const MAX_TITLED_DOTS = 200;

/** The dots of a series: each with its tooltip, or (many points) all in one path. */
export function dots(points: ReadonlyArray<{ x: number; y: number; title: string }>): string {
  if (points.length > MAX_TITLED_DOTS) {
    return `<path class="pts" d="${points.map((p) => `M${n1(p.x)} ${n1(p.y)}h0`).join('')}"/>`;
  }
  return points
    .map((p) => `<path class="pt" d="M${n1(p.x)} ${n1(p.y)}h0"><title>${html(p.title)}</title></path>`)
    .join('');
}

/** Invisible full-height columns with a tooltip each (a month's average over a dense chart). */
export function hoverRegions(regions: ReadonlyArray<{ x0: number; x1: number; title: string }>): string {
  return regions
    .map(
      (r) =>
        `<rect class="hover" x="${n1(r.x0)}" y="0" width="${n1(r.x1 - r.x0)}" height="${VIEW_H}"><title>${html(r.title)}</title></rect>`,
    )
    .join('');
}

/** A filled band between `low` and `high` along consecutive points, one polygon per run. */
export function bandPath(runs: ReadonlyArray<ReadonlyArray<{ x: number; low: number; high: number }>>): string {
  return runs
    .filter((r) => r.length > 0)
    .map((r) => {
      const top = r.map((p, i) => `${i === 0 ? 'M' : 'L'}${n1(p.x)} ${n1(p.high)}`).join('');
      const bottom = [...r]
        .reverse()
        .map((p) => `L${n1(p.x)} ${n1(p.low)}`)
        .join('');
      return `${top}${bottom}Z`;
    })
    .join('');
}

export function hline(y: number, cls: string): string {
  return `<path class="${cls}" d="M0 ${n1(y)}H${VIEW_W}"/>`;
}
