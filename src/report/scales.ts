/**
 * Scales and ticks for the report's charts. A chart's SVG has a fixed coordinate box
 * (VIEW_W x VIEW_H) stretched to the width of its card (preserveAspectRatio="none", strokes that do
 * not scale), and its labels are HTML placed by percentages of that box, so text keeps its size
 * at 375 px as at 1280 px and only the plot stretches.
 */
import { addDays, daysBetween, isoWeekday, toYmd } from '../dates.js';
import type { DateRange } from './series.js';

export const VIEW_W = 1000;
export const VIEW_H = 200;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `9 Nov`: short, and the same in every locale (no Intl: the page must not depend on it). */
export function shortDate(date: string): string {
  const { month, day } = toYmd(date);
  return `${day} ${MONTHS[month - 1]}`;
}

/** `Nov 2026`. */
export function monthName(date: string): string {
  const { year, month } = toYmd(date);
  return `${MONTHS[month - 1]} ${year}`;
}

/** Horizontal positions of days: each day is a slot of equal width, left to right. */
export interface XScale {
  /** Left edge of the day's slot. */
  left(date: string): number;
  /** Right edge of the day's slot. */
  right(date: string): number;
  /** The middle of the days from..to. */
  mid(from: string, to: string): number;
}

export function xScale(range: DateRange): XScale {
  const days = daysBetween(range.from, range.to) + 1;
  // Thirty charts place the same dates: parse each once.
  const index = new Map<string, number>();
  const dayIndex = (d: string) => {
    let i = index.get(d);
    if (i === undefined) {
      i = daysBetween(range.from, d);
      index.set(d, i);
    }
    return i;
  };
  const left = (d: string) => (dayIndex(d) / days) * VIEW_W;
  const right = (d: string) => ((dayIndex(d) + 1) / days) * VIEW_W;
  return { left, right, mid: (from, to) => (left(from) + right(to)) / 2 };
}

export type AxisKind = 'number' | 'minutes' | 'fraction';

export interface YAxis {
  lo: number;
  hi: number;
  ticks: number[];
  /** The vertical position of a value: VIEW_H at `lo`, 0 at `hi`. */
  y(v: number): number;
}

const NUMBER_STEPS = [1, 2, 2.5, 5, 10];
const MINUTE_STEPS = [5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440];

/** A step of at least `raw`: 1, 2, 2.5 or 5 times a power of ten; whole quarters of hours for minutes. */
function niceStep(raw: number, kind: AxisKind): number {
  if (kind === 'minutes') {
    const s = MINUTE_STEPS.find((m) => m >= raw);
    return s ?? Math.ceil(raw / 1440) * 1440;
  }
  const pow = 10 ** Math.floor(Math.log10(raw));
  return NUMBER_STEPS.find((m) => m * pow >= raw)! * pow;
}

/**
 * A y axis holding every value in `values`, with about `count` round ticks. Numbers whose
 * smallest value is near zero start at zero (steps, minutes active), others hug the data (weight).
 * Shares of yes days always run 0..100%.
 */
export function yAxis(values: readonly number[], kind: AxisKind, count = 5): YAxis {
  let lo: number;
  let hi: number;
  const present = values.filter((v) => Number.isFinite(v));
  if (kind === 'fraction') {
    lo = 0;
    hi = 1;
  } else if (present.length === 0) {
    lo = 0;
    hi = 1;
  } else {
    lo = Math.min(...present);
    hi = Math.max(...present);
    if (kind === 'number' && lo >= 0 && lo < hi * 0.3) lo = 0;
  }
  if (hi === lo) {
    const pad = kind === 'minutes' ? 30 : Math.abs(hi) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = kind === 'fraction' ? 0.25 : niceStep((hi - lo) / (count - 1), kind);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 1e6; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  const span = hi - lo;
  return { lo, hi, ticks, y: (v) => VIEW_H - ((v - lo) / span) * VIEW_H };
}

export interface DateTick {
  date: string;
  label: string;
  /** 0: labelled at every width; 1: labelled on wide screens only; 2: a grid line without a label. */
  level: 0 | 1 | 2;
}

/** At most this many labels on a narrow chart (375 px), and on a wide one. */
const NARROW_LABELS = 4;
/**
 * A two-column card is as narrow as 520 px, a plot of ~420 px: room for 12 labels of up to four
 * characters (`Mar`, `2026`, ~30 px) but only 8 dates (`30 Nov`, ~40 px), with a gap between.
 */
const WIDE_LABELS = 12;
const WIDE_DATE_LABELS = 8;

/**
 * Ticks along a date axis: days for up to a month, Mondays up to four months, first days of
 * months up to about two years, first days of years beyond. Which carry a label depends on the
 * screen (`level`), so labels never crowd a narrow chart.
 */
export function dateTicks(range: DateRange): DateTick[] {
  const days = daysBetween(range.from, range.to) + 1;
  const candidates: Array<{ date: string; label: string }> = [];
  if (days <= 31) {
    for (let d = range.from; d <= range.to; d = addDays(d, 1)) candidates.push({ date: d, label: shortDate(d) });
  } else if (days <= 120) {
    for (let d = addDays(range.from, (8 - isoWeekday(range.from)) % 7); d <= range.to; d = addDays(d, 7)) {
      candidates.push({ date: d, label: shortDate(d) });
    }
  } else if (days <= 800) {
    for (let d = firstOfNextMonth(range.from, true); d <= range.to; d = firstOfNextMonth(d, false)) {
      const { year, month } = toYmd(d);
      candidates.push({ date: d, label: month === 1 ? String(year) : MONTHS[month - 1]! });
    }
  } else {
    const first = toYmd(range.from);
    for (let y = range.from.endsWith('-01-01') ? first.year : first.year + 1; `${y}-01-01` <= range.to; y++) {
      candidates.push({ date: `${y}-01-01`, label: String(y) });
    }
  }
  // Every narrow label is also a wide one, so the wide labels stay evenly spaced.
  const wideMax = candidates.some((c) => c.label.length > 4) ? WIDE_DATE_LABELS : WIDE_LABELS;
  const wide = Math.ceil(candidates.length / wideMax);
  const narrow = Math.ceil(Math.ceil(candidates.length / NARROW_LABELS) / wide) * wide;
  return candidates.map((c, i) => ({ ...c, level: i % narrow === 0 ? 0 : i % wide === 0 ? 1 : 2 }));
}

/** The first day of the month after `d`, or `d` itself when `inclusive` and it is a first. */
function firstOfNextMonth(d: string, inclusive: boolean): string {
  if (inclusive && d.endsWith('-01')) return d;
  const { year, month } = toYmd(d);
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/** Axis numbers, short enough for the label column: 950, 9,500, 12k, 1.2M. */
export function compactNumber(v: number): string {
  const a = Math.abs(v);
  const trim = (n: number) => String(Math.round(n * 10) / 10);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Math.round(v * 100) / 100);
}

/** A number for SVG coordinates: one decimal is a tenth of a unit of a 1000-wide box. */
export function n1(v: number): string {
  return String(Math.round(v * 10) / 10);
}
