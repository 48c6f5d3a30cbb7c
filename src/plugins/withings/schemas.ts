/**
 * zod schemas for the `body` of every Withings answer the plugin reads (the envelope around it is
 * checked in api.ts). Parsing happens once, at the HTTP boundary; mapping.ts sees only these
 * shapes.
 *
 * Withings' JSON (the samples in test/fixtures/withings/): times in Unix seconds, daily records
 * with a local `date` ("YYYY-MM-DD") and an IANA `timezone` each, measures as an integer `value`
 * with a power-of-ten `unit`, durations in seconds, `more` a boolean (0/1 accepted) with the next
 * `offset`. Unknown keys are ignored; a known key of the wrong type, or a value no device can
 * produce, is a bad response rather than data.
 */

import { isCivilDate } from '../../dates.js';
import { z } from '../zod.js';

const civilDate = z.string().refine(isCivilDate, 'expected a YYYY-MM-DD date');
/** Unix seconds from 1970 to 2100. */
const unixSeconds = z.number().int().min(0).max(4_102_444_800);
/** A non-negative amount (seconds, steps, bpm); null reads as undefined. */
const nonNegative = z
  .number()
  .nonnegative()
  .nullish()
  .transform((v) => v ?? undefined);

/** `more`: true/false in every sample; 0/1 accepted. Absent: no further page. */
const more = z
  .union([z.boolean(), z.literal(0), z.literal(1)])
  .nullish()
  .transform((v) => v === true || v === 1);
const offset = z.number().int().nonnegative().nullish();

export const measure = z.object({
  type: z.number().int(),
  /** An integer: the real value is value × 10^unit. */
  value: z.number().int(),
  /** The power of ten; no measure needs more than a few digits either way. */
  unit: z.number().int().min(-20).max(20),
});

export const measureGroup = z.object({
  grpid: z.number().int().optional(),
  /** 0 device (this user), 1 device but ambiguous (a shared scale), 2 manual, 8 a copy of 0, … */
  attrib: z.number().int(),
  /** When the measurement was taken. */
  date: unixSeconds,
  /** 1 real measurement, 2 a user objective (goal). */
  category: z.number().int(),
  measures: z.array(measure),
});

export const getmeasBody = z.object({
  measuregrps: z.array(measureGroup),
  /** The user's zone in Withings, which the groups' Unix dates are read in. */
  timezone: z.string().optional(),
  more,
  offset,
});

export const sleepSummary = z.object({
  /** The night's local date: the day it ended (the wake-up day) in every published sample. */
  date: civilDate,
  timezone: z.string(),
  startdate: unixSeconds,
  enddate: unixSeconds,
  data: z
    .object({
      total_sleep_time: nonNegative,
      total_timeinbed: nonNegative,
      sleep_score: z
        .number()
        .int()
        .min(0)
        .max(100)
        .nullish()
        .transform((v) => v ?? undefined),
      hr_min: nonNegative,
    })
    // Absent: a night with no figures (each key absent reads as no value).
    .prefault({}),
});

export const getsummaryBody = z.object({ series: z.array(sleepSummary), more, offset });

export const activityDay = z.object({
  date: civilDate,
  timezone: z.string().nullish(),
  steps: nonNegative,
});

export const getactivityBody = z.object({ activities: z.array(activityDay), more, offset });

/** The envelope: `status` 0 with a `body`, or an error status (handled before the body is read). */
export const envelope = z.object({ status: z.number().int(), body: z.unknown(), error: z.string().optional() });

export type MeasureGroup = z.output<typeof measureGroup>;
export type SleepSummary = z.output<typeof sleepSummary>;
export type ActivityDay = z.output<typeof activityDay>;
