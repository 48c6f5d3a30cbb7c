/**
 * The fields the `oura` plugin declares, which Oura v2 collection feeds each one, and which OAuth
 * scope each collection needs. Light on purpose: the registry imports it at start-up, while the
 * HTTP and zod code load only when data is fetched.
 *
 * Scopes (Oura's authentication page): `daily` covers "daily summaries of sleep, activity and
 * readiness", which is every collection okr reads (`daily_readiness`, `daily_sleep`,
 * `daily_activity` and the `sleep` periods their summaries are built from). `email` is asked for
 * only to label the connection; a user who unticks it loses the label, not data.
 */
import { RANGES } from '../field-ranges.js';
import type { DataFieldDescriptor } from '../types.js';

/** The `/v2/usercollection/<collection>` lists okr reads. */
export type OuraCollection = 'daily_readiness' | 'daily_sleep' | 'daily_activity' | 'sleep';

export const COLLECTION_SCOPE: Record<OuraCollection, string> = {
  daily_readiness: 'daily',
  daily_sleep: 'daily',
  daily_activity: 'daily',
  sleep: 'daily',
};

/** Asked for so that `okr status` can show the account's email; optional at consent. */
export const LABEL_SCOPE = 'email';

export const FIELD_COLLECTION: Record<string, OuraCollection> = {
  readiness: 'daily_readiness',
  temperatureDeviation: 'daily_readiness',
  sleepScore: 'daily_sleep',
  activityScore: 'daily_activity',
  steps: 'daily_activity',
  activeCalories: 'daily_activity',
  sleepLength: 'sleep',
  bedTime: 'sleep',
  wakeUpTime: 'sleep',
  hrv: 'sleep',
  lowestHeartRate: 'sleep',
};

const DESCRIPTORS: Omit<DataFieldDescriptor, 'scope'>[] = [
  {
    id: 'readiness',
    name: 'Readiness score',
    description: "Oura's Readiness score for the day, 0–100.",
    type: 'number',
    range: RANGES.score,
  },
  {
    id: 'sleepScore',
    name: 'Sleep score',
    description: "Oura's Sleep score for the day, 0–100.",
    type: 'number',
    range: RANGES.score,
  },
  {
    id: 'activityScore',
    name: 'Activity score',
    description: "Oura's Activity score for the day, 0–100.",
    type: 'number',
    range: RANGES.score,
  },
  {
    id: 'sleepLength',
    name: 'Sleep length',
    description: "Minutes asleep in the day's main sleep (Oura's long sleep period; naps and rest periods excluded).",
    type: 'duration',
    range: RANGES.dayDuration,
    unit: 'min',
  },
  {
    id: 'bedTime',
    name: 'Bed time',
    description: "Local time the day's main sleep began, in the time zone the ring recorded it in.",
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'wakeUpTime',
    name: 'Wake-up time',
    description: "Local time the day's main sleep ended, in the time zone the ring recorded it in.",
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'hrv',
    name: 'Heart rate variability',
    description: 'Average HRV during the main sleep, in milliseconds.',
    type: 'number',
    range: RANGES.hrv,
    unit: 'ms',
  },
  {
    id: 'lowestHeartRate',
    name: 'Lowest heart rate',
    description: 'Lowest heart rate during the main sleep.',
    type: 'number',
    range: RANGES.heartRate,
    unit: 'bpm',
  },
  {
    id: 'steps',
    name: 'Steps',
    description: "Steps on Oura's activity day (it runs from 04:00 to 04:00 local time).",
    type: 'number',
    range: RANGES.steps,
    unit: 'steps',
  },
  {
    id: 'activeCalories',
    name: 'Active calories',
    description: 'Calories burnt by activity on the day, in kilocalories.',
    type: 'number',
    range: RANGES.activeEnergy,
    unit: 'kcal',
  },
  {
    id: 'temperatureDeviation',
    name: 'Temperature deviation',
    description: 'Body temperature deviation from your baseline, in °C (from the Readiness summary).',
    type: 'number',
    range: RANGES.temperatureDeviation,
    unit: '°C',
  },
];

/** The fields, each with the scope its collection needs (so `okr connect` can name what an unticked scope costs). */
export const OURA_FIELDS: DataFieldDescriptor[] = DESCRIPTORS.map((f) => ({
  ...f,
  scope: COLLECTION_SCOPE[FIELD_COLLECTION[f.id]!],
}));

/** The collections needed for the requested field ids; unknown fields need none. */
export function collectionsFor(fields: string[]): Set<OuraCollection> {
  const out = new Set<OuraCollection>();
  for (const f of fields) {
    const c = FIELD_COLLECTION[f];
    if (c) out.add(c);
  }
  return out;
}

/** The minimal scope set for the fields: each field's collection's scope, once. */
export function scopesFor(fields: string[]): string[] {
  return [...new Set([...collectionsFor(fields)].map((c) => COLLECTION_SCOPE[c]))];
}

/** The field ids a collection feeds. */
export function fieldsOf(collection: OuraCollection): string[] {
  return Object.keys(FIELD_COLLECTION).filter((f) => FIELD_COLLECTION[f] === collection);
}
