/**
 * zod schemas for every Oura v2 body the plugin reads. Parsing happens once, at the HTTP boundary
 * (api.ts); mapping.ts only ever sees these parsed shapes.
 *
 * Oura's JSON (the samples in test/fixtures/oura/): plain numbers, `day` as "YYYY-MM-DD" in the
 * user's local calendar, timestamps in ISO 8601 with the local offset the ring recorded
 * ("2024-01-21T01:28:28-05:00", sometimes with milliseconds or microseconds), durations in
 * seconds, scores 0–100 or null. Unknown keys are ignored (Oura adds fields over time); a known key
 * with the wrong type, or a value no ring can produce, is a bad response rather than data.
 */

import { isCivilDate } from '../../dates.js';
import { z } from '../zod.js';

/** Oura's `day`: the user's local calendar date. */
export const ouraDay = z.string().refine(isCivilDate, 'expected a YYYY-MM-DD day');

/** A score, 0–100; null (Oura has not computed it) reads as undefined: no value, never zero. */
export const score = z
  .number()
  .int()
  .min(0)
  .max(100)
  .nullish()
  .transform((v) => v ?? undefined);

/** A measurement that cannot be negative (seconds, steps, kcal, bpm, ms); null reads as undefined. */
const nonNegative = z
  .number()
  .nonnegative()
  .nullish()
  .transform((v) => v ?? undefined);

const LOCAL_TS_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

export interface LocalTimestamp {
  /** Epoch milliseconds. */
  ms: number;
  /** The wall clock the record was written in: its date and minutes after midnight. */
  date: string;
  minutes: number;
  /** Seconds east of UTC. */
  offsetSeconds: number;
}

/**
 * An ISO 8601 timestamp read as the wall clock it carries. The local time is the digits in the
 * string: Oura writes each record in the offset it was recorded in, so no zone arithmetic (and no
 * guess at the user's zone) is involved.
 */
export function parseLocalTimestamp(s: string): LocalTimestamp | undefined {
  const m = LOCAL_TS_RE.exec(s);
  if (!m) return undefined;
  const [, date, hh, mm, ss, zone, sign, oh, om] = m;
  const hours = Number(hh);
  const minutes = Number(mm);
  if (!isCivilDate(date!) || hours > 23 || minutes > 59 || Number(ss) > 59) return undefined;
  const offsetSeconds = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  // Real offsets lie within ±18 h (RFC 3339 allows more digits than any zone uses).
  if (Math.abs(offsetSeconds) > 18 * 3600 || Number(om) > 59) return undefined;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return undefined;
  return { ms, date: date!, minutes: hours * 60 + minutes, offsetSeconds };
}

export const localTimestamp = z.string().transform((s, ctx) => {
  const t = parseLocalTimestamp(s);
  if (!t) {
    ctx.addIssue({
      code: 'custom',
      message: `not an ISO 8601 timestamp with an offset: ${JSON.stringify(s.slice(0, 40))}`,
    });
    return z.NEVER;
  }
  return t;
});

/** `{"data": [...], "next_token": "..." | null}`: every list endpoint. */
export const page = <T extends z.ZodType>(doc: T) => z.object({ data: z.array(doc), next_token: z.string().nullish() });

export const dailyReadinessDoc = z.object({
  day: ouraDay,
  score,
  // °C from the baseline. Its range is the shared rule's (RANGES.temperatureDeviation, applied
  // by the sync to each value): a bound here too would fail the whole page over one value.
  temperature_deviation: z
    .number()
    .nullish()
    .transform((v) => v ?? undefined),
});

export const dailySleepDoc = z.object({ day: ouraDay, score });

export const dailyActivityDoc = z.object({
  day: ouraDay,
  score,
  steps: nonNegative.refine((v) => v === undefined || Number.isInteger(v), 'expected a whole number of steps'),
  active_calories: nonNegative,
});

/**
 * A sleep period. `type` is one of deleted, sleep, long_sleep, late_nap, rest (Oura's OpenAPI);
 * any other string is kept and simply never counts as the main sleep, so a new type Oura adds
 * does not break the sync.
 */
export const sleepDoc = z
  .object({
    id: z.string().optional(),
    day: ouraDay,
    type: z.string(),
    bedtime_start: localTimestamp,
    bedtime_end: localTimestamp,
    total_sleep_duration: nonNegative,
    time_in_bed: nonNegative,
    average_hrv: nonNegative,
    lowest_heart_rate: nonNegative,
  })
  // A period that ends before it starts is a broken record, not a sleep of negative length.
  .refine((s) => s.bedtime_end.ms >= s.bedtime_start.ms, {
    message: 'bedtime_end is before bedtime_start',
    path: ['bedtime_end'],
  });

/** `personal_info` is a bare object. `email` is present only with the `email` scope. */
export const personalInfo = z.object({
  id: z.string().min(1),
  email: z.string().nullish(),
});

/**
 * Error bodies. Oura documents the status codes but no body; the API validates like FastAPI
 * (422 "HTTPValidationError" in clients generated from its OpenAPI), so `{"detail": ...}` is
 * likely, with `{"message": ...}` and RFC 6749 bodies read too. Nothing else is relied on.
 */
export const errorBody = z.object({
  detail: z
    .union([
      z.string(),
      z.array(z.object({ msg: z.string().optional(), loc: z.array(z.union([z.string(), z.number()])).optional() })),
    ])
    .optional(),
  message: z.string().optional(),
  title: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export type DailyReadinessDoc = z.output<typeof dailyReadinessDoc>;
export type DailySleepDoc = z.output<typeof dailySleepDoc>;
export type DailyActivityDoc = z.output<typeof dailyActivityDoc>;
export type SleepDoc = z.output<typeof sleepDoc>;
export type PersonalInfo = z.output<typeof personalInfo>;
export type ErrorBody = z.output<typeof errorBody>;
