/**
 * Parsing what a user types for a metric, and formatting stored values for people.
 *
 * Stored values follow `FieldType` (src/plugins/types.ts): numbers, except `text`; a `duration`
 * is minutes, a `time` is minutes after local midnight (0..1439), a `boolean` is 0 or 1.
 *
 * Parsing is strict on purpose: a typo that silently becomes a different value ends up in the
 * history and in every average after it. Every rejection is a `UsageError` that names the
 * expected format and gives an example.
 *
 * For every valid stored value `v` (integer minutes for durations and times, numbers with at most
 * one decimal), `parseValue(type, formatValue(type, v))` gives `v` back: export and import in
 * the formatted form round-trip.
 */
import { UsageError } from '../errors.js';
import type { FieldType, FieldValue } from '../plugins/types.js';
import { hasUnsafeChar } from '../safe-text.js';
import { formatNumber } from '../text.js';

export { formatNumber };

/** The type names users may write (`--metric "Mood:num"`, `okr kr add --type bool`). */
export const TYPE_NAMES: Readonly<Record<string, FieldType>> = {
  number: 'number',
  num: 'number',
  duration: 'duration',
  time: 'time',
  boolean: 'boolean',
  bool: 'boolean',
  'yes/no': 'boolean',
  text: 'text',
};

export const MINUTES_PER_DAY = 1440;
/** A daily duration above a week is a typo (`750` for `7:50`), not a measurement. */
export const MAX_DURATION_MINUTES = 7 * MINUTES_PER_DAY;
/** Text values are notes; longer input is almost certainly a paste accident. */
export const MAX_TEXT_LENGTH = 500;
/** Beyond this, doubles stop holding integers exactly and formatting would lie. */
export const MAX_ABS_NUMBER = Number.MAX_SAFE_INTEGER;

/** Parses user input for a metric of the given type into the stored form. */
export function parseValue(type: FieldType, input: string): FieldValue {
  switch (type) {
    case 'number':
      return parseNumber(input);
    case 'duration':
      return parseDuration(input);
    case 'time':
      return parseTime(input);
    case 'boolean':
      return parseBoolean(input);
    case 'text':
      return parseText(input);
  }
}

// Plain digits (`10482`, `-3.5`, `.5`) or correctly grouped thousands (`10,482`, `1,234.5`).
// `1,5` is refused rather than read as 15 or 1.5: both readings are common.
const PLAIN_NUMBER_RE = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;
const GROUPED_NUMBER_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

export function parseNumber(input: string): number {
  const s = input.trim();
  const example = 'for example 10482, 10,482 or 72.5';
  if (!PLAIN_NUMBER_RE.test(s) && !GROUPED_NUMBER_RE.test(s)) {
    const hint = s.includes(',')
      ? 'Use a dot for decimals and commas only between groups of three digits, e.g. 1,234.5'
      : `Write digits with an optional decimal point, ${example}`;
    throw new UsageError(`Not a number: ${quote(input)}`, hint);
  }
  const n = Number(s.replaceAll(',', ''));
  if (!Number.isFinite(n) || Math.abs(n) > MAX_ABS_NUMBER) {
    throw new UsageError(
      `Number out of range: ${quote(input)}`,
      `Use a value between -${MAX_ABS_NUMBER} and ${MAX_ABS_NUMBER}`,
    );
  }
  return n === 0 ? 0 : n; // no -0 in the store
}

const DURATION_EXAMPLE = 'e.g. 7:30, 7h30m, 7.5h or 450m';
const HMM_RE = /^(\d+):(\d{2})$/;
// `7h30m`, `7h 30m`, `7h30`, `7h`, `7.5h`, `450m`, `450 min`, `1 hour 5 minutes`.
const UNITS_RE = /^(?:(\d+(?:\.\d+)?)\s*h(?:rs?|ours?)?)?\s*(?:(\d+(?:\.\d+)?)\s*(m(?:ins?|inutes?)?)?)?$/;

/**
 * A duration in minutes, rounded to the nearest minute. `max` is the largest accepted value:
 * daily values stop at a week; targets for sums over a period pass a larger bound.
 */
export function parseDuration(input: string, max: number = MAX_DURATION_MINUTES): number {
  const s = input.trim().toLowerCase();
  if (s.startsWith('-')) {
    throw new UsageError(
      `A duration cannot be negative: ${quote(input)}`,
      `Write hours and minutes, ${DURATION_EXAMPLE}`,
    );
  }
  let minutes: number | undefined;
  const hmm = HMM_RE.exec(s);
  if (hmm) {
    const m = Number(hmm[2]);
    if (m < 60) minutes = Number(hmm[1]) * 60 + m;
  } else if (s !== '') {
    const u = UNITS_RE.exec(s);
    // Needs an `h` or an explicit minute unit: a bare `8` could mean 8 hours or 8 minutes.
    if (u && (u[1] !== undefined || u[3] !== undefined)) {
      minutes = Number(u[1] ?? 0) * 60 + Number(u[2] ?? 0);
    }
  }
  if (minutes === undefined || !Number.isFinite(minutes)) {
    const bare = /^\d+(?:\.\d+)?$/.test(s);
    throw new UsageError(
      bare ? `Ambiguous duration: ${quote(input)} (hours or minutes?)` : `Not a duration: ${quote(input)}`,
      `Write hours and minutes, ${DURATION_EXAMPLE}`,
    );
  }
  const rounded = Math.round(minutes);
  if (rounded > max) {
    throw new UsageError(
      `Duration too long: ${quote(input)} is more than ${formatDuration(max)}`,
      `Write hours and minutes, ${DURATION_EXAMPLE}`,
    );
  }
  return rounded;
}

const TIME_EXAMPLE = 'e.g. 23:15, 07:05 or 11:15pm';
const TIME_24_RE = /^(\d{1,2}):(\d{2})$/;
const TIME_12_RE = /^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?$/;

/** A clock time as minutes after midnight, 0..1439. 24-hour `HH:MM`, or 12-hour with am/pm. */
export function parseTime(input: string): number {
  const s = input.trim().toLowerCase();
  const t24 = TIME_24_RE.exec(s);
  if (t24) {
    const h = Number(t24[1]);
    const m = Number(t24[2]);
    if (h < 24 && m < 60) return h * 60 + m;
  }
  const t12 = TIME_12_RE.exec(s);
  if (t12) {
    const h = Number(t12[1]);
    const m = Number(t12[2] ?? 0);
    // 12am is midnight and 12pm is noon.
    if (h >= 1 && h <= 12 && m < 60) return ((h % 12) + (t12[3] === 'p' ? 12 : 0)) * 60 + m;
  }
  throw new UsageError(`Not a clock time: ${quote(input)}`, `Write HH:MM on a 24-hour clock, ${TIME_EXAMPLE}`);
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'on']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'off']);

export function parseBoolean(input: string): 0 | 1 {
  const s = input.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return 1;
  if (FALSE_WORDS.has(s)) return 0;
  throw new UsageError(`Not yes or no: ${quote(input)}`, 'Write yes or no (also y/n, true/false, 1/0)');
}

export function parseText(input: string): string {
  const s = input.trim();
  if (s === '') throw new UsageError('Empty text value', 'Write a short note, e.g. "ran in the park"');
  // Control characters (newlines included) would break the table and the CSV export, and bidi
  // overrides would make the text read as something else: the set safe-text.ts escapes.
  if (hasUnsafeChar(s)) {
    throw new UsageError(
      'Text values must be one line of printable text',
      'Remove newlines, tabs and other control characters, e.g. "ran in the park"',
    );
  }
  if (s.length > MAX_TEXT_LENGTH) {
    throw new UsageError(`Text too long: ${s.length} characters`, `Keep it under ${MAX_TEXT_LENGTH} characters`);
  }
  return s;
}

/**
 * Formats a stored value for people. Never throws: a value of the wrong shape (say a string in a
 * number column of an old database) is shown as it is rather than crashing a whole table.
 *
 * `unit` is appended to plain numbers only (`62 bpm`, `85%`): durations and clock times are
 * self-describing, and a table whose header names the unit should pass none.
 * Booleans that are not 0 or 1 (an average of yes/no days) show as a percentage of yes.
 */
export function formatValue(type: FieldType, value: FieldValue, unit?: string): string {
  if (type === 'text' || typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  switch (type) {
    case 'number': {
      const s = formatNumber(value);
      if (!unit) return s;
      return unit === '%' ? `${s}%` : `${s} ${unit}`;
    }
    case 'duration':
      return formatDuration(value);
    case 'time':
      return formatTime(value);
    case 'boolean':
      if (value === 1) return 'yes';
      if (value === 0) return 'no';
      return `${Math.round(value * 100)}%`;
  }
}

/** `H:MM`, rounded to the minute: 452 → `7:32`. */
export function formatDuration(minutes: number): string {
  const total = Math.round(Math.abs(minutes));
  const sign = minutes < 0 && total > 0 ? '-' : '';
  return `${sign}${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** `HH:MM` on a 24-hour clock; values outside 0..1439 wrap around (1470 → `00:30`). */
export function formatTime(minutes: number): string {
  const m = wrapMinutes(Math.round(minutes));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Brings any minute count onto the clock face, 0..1439. */
export function wrapMinutes(minutes: number): number {
  const m = minutes % MINUTES_PER_DAY;
  return m < 0 ? m + MINUTES_PER_DAY : m === 0 ? 0 : m;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
