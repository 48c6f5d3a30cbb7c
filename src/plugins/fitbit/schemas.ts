/**
 * zod schemas for every Google Health and Google OAuth body the plugin reads. Parsing happens once,
 * at the HTTP boundary (api.ts); mapping.ts only ever sees these parsed shapes.
 *
 * Google's JSON follows proto3 rules: int64 values are decimal strings ("9525"), durations and UTC
 * offsets are strings ending in "s" ("32400s"), and false/zero values may be left out. The Home
 * Assistant samples use bare numbers and "-07:00" offsets instead, so both are accepted. Unknown
 * keys are ignored (Google adds fields over time); a known key with the wrong type is an error.
 */

import { fromYmd, isCivilDate } from '../../dates.js';
import { z } from '../zod.js';

const INT_RE = /^-?\d+$/;
const DECIMAL_RE = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** int64: a decimal string, or a JSON integer. Never NaN, never beyond 2^53. */
export const int64 = z
  .union([z.string().regex(INT_RE, 'expected an int64 decimal string'), z.number().int()])
  .transform(Number)
  .refine(Number.isSafeInteger, 'int64 out of the safe integer range');

/**
 * A count or a measurement that cannot be negative (steps, minutes, beats per minute). A negative
 * one is a broken response, not data: storing -6859 steps would skew every average after it.
 */
export const count = int64.refine((n) => n >= 0, 'expected a count of 0 or more');

/** double: a JSON number (or, defensively, a decimal string). */
export const double = z
  .union([z.number(), z.string().regex(DECIMAL_RE, 'expected a decimal number')])
  .transform(Number)
  .refine(Number.isFinite, 'expected a finite number');

/** Seconds east of UTC from "32400s", "-25200s", "0s" (Google) or "+09:00", "-07:00", "Z" (RFC 3339). */
export function parseUtcOffset(s: string): number | undefined {
  const dur = /^(-?\d+(?:\.\d+)?)s$/.exec(s);
  if (dur) return Math.trunc(Number(dur[1]));
  if (s === 'Z') return 0;
  const hm = /^([+-])(\d{2}):(\d{2})$/.exec(s);
  if (hm) return (hm[1] === '-' ? -1 : 1) * (Number(hm[2]) * 3600 + Number(hm[3]) * 60);
  return undefined;
}

export const utcOffset = z.string().transform((s, ctx) => {
  const seconds = parseUtcOffset(s);
  // Real offsets lie within ±18 h; anything else is a bad response, not a time zone.
  if (seconds === undefined || Math.abs(seconds) > 18 * 3600) {
    ctx.addIssue({ code: 'custom', message: `not a UTC offset: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return seconds;
});

/** An RFC 3339 instant, as epoch milliseconds. */
export const timestamp = z.string().transform((s, ctx) => {
  const ms = Date.parse(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || !Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not an RFC 3339 timestamp: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return ms;
});

/** google.type.Date → "YYYY-MM-DD". */
export const civilDate = z
  .object({ year: z.number().int(), month: z.number().int(), day: z.number().int() })
  .transform((d) => fromYmd(d.year, d.month, d.day))
  .refine(isCivilDate, 'not a calendar date');

const civilDateTime = z.object({ date: civilDate });

/** A `list` page. The last page may be `{}` (both keys missing). */
export const listPage = <T extends z.ZodType>(point: T) =>
  z.object({ dataPoints: z.array(point).optional(), nextPageToken: z.string().optional() });

/** A `dailyRollUp` page. Days without data are left out by Google. */
export const rollupPage = <T extends z.ZodType>(point: T) =>
  z.object({ rollupDataPoints: z.array(point).optional(), nextPageToken: z.string().optional() });

export const stepsRollupPoint = z.object({
  civilStartTime: civilDateTime,
  steps: z.object({ countSum: count }),
});

export const azmRollupPoint = z.object({
  civilStartTime: civilDateTime,
  // proto3 `optional int64`: a zone without minutes may be left out.
  activeZoneMinutes: z.object({
    sumInFatBurnHeartZone: count.optional(),
    sumInCardioHeartZone: count.optional(),
    sumInPeakHeartZone: count.optional(),
  }),
});

export const sleepPoint = z.object({
  sleep: z.object({
    interval: z.object({
      startTime: timestamp,
      startUtcOffset: utcOffset,
      endTime: timestamp,
      endUtcOffset: utcOffset,
    }),
    type: z.string().optional(),
    metadata: z
      .object({
        processed: z.boolean().optional(),
        mainSleep: z.boolean().optional(),
        nap: z.boolean().optional(),
        stagesStatus: z.string().optional(),
      })
      .optional(),
    summary: z.object({ minutesAsleep: count.optional(), minutesInSleepPeriod: count.optional() }).optional(),
  }),
});

export const restingHeartRatePoint = z.object({
  dailyRestingHeartRate: z.object({ date: civilDate, beatsPerMinute: count }),
});

export const hrvPoint = z.object({
  // The average is documented as optional: a day may carry only entropy or non-REM heart rate.
  dailyHeartRateVariability: z.object({
    date: civilDate,
    averageHeartRateVariabilityMilliseconds: double.refine((n) => n >= 0, 'expected 0 or more').optional(),
  }),
});

export const identity = z.object({
  healthUserId: z.string().min(1),
  legacyUserId: z.string().optional(),
  name: z.string().optional(),
});

/** The token endpoint's success body (code exchange and refresh). */
/** google.rpc.Status as the REST APIs wrap it: `{"error": {code, message, status, details}}`. */
export const rpcStatus = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z
      .array(
        z.object({
          '@type': z.string().optional(),
          reason: z.string().optional(),
          domain: z.string().optional(),
          metadata: z.record(z.string(), z.string()).optional(),
          links: z.array(z.object({ description: z.string().optional(), url: z.string().optional() })).optional(),
          fieldViolations: z
            .array(z.object({ field: z.string().optional(), description: z.string().optional() }))
            .optional(),
        }),
      )
      .optional(),
  }),
});

export type StepsRollupPoint = z.output<typeof stepsRollupPoint>;
export type AzmRollupPoint = z.output<typeof azmRollupPoint>;
export type SleepPoint = z.output<typeof sleepPoint>;
export type RestingHeartRatePoint = z.output<typeof restingHeartRatePoint>;
export type HrvPoint = z.output<typeof hrvPoint>;
export type Identity = z.output<typeof identity>;
export type RpcStatus = z.output<typeof rpcStatus>;
