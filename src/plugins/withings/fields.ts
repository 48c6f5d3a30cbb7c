/**
 * The fields the `withings` plugin declares, which Withings call feeds each one, and the OAuth
 * scope each call needs. Light on purpose: the registry imports it at start-up.
 *
 * Scopes (Withings' authorization URL parameters): `user.metrics` reads measures (weight, body
 * composition: `getmeas`), `user.activity` reads activity and sleep (`getactivity`, sleep
 * `getsummary`). `user.info` is not needed: the account id comes with the token response.
 */
import { RANGES } from '../field-ranges.js';
import type { DataFieldDescriptor } from '../types.js';

/** The three calls okr makes. */
export type WithingsEndpoint = 'measure' | 'sleep' | 'activity';

export const ENDPOINT_SCOPE: Record<WithingsEndpoint, string> = {
  measure: 'user.metrics',
  sleep: 'user.activity',
  activity: 'user.activity',
};

/** Withings' meastype codes okr reads: weight (kg), fat ratio (%, not 8: fat mass in kg), muscle mass (kg). */
export const MEASTYPES = { weight: 1, fatRatio: 6, muscleMass: 76 } as const;

export const FIELD_ENDPOINT: Record<string, WithingsEndpoint> = {
  weight: 'measure',
  fatRatio: 'measure',
  muscleMass: 'measure',
  sleepLength: 'sleep',
  sleepScore: 'sleep',
  bedTime: 'sleep',
  wakeUpTime: 'sleep',
  restingHeartRate: 'sleep',
  steps: 'activity',
};

const DESCRIPTORS: Omit<DataFieldDescriptor, 'scope'>[] = [
  {
    id: 'weight',
    name: 'Weight',
    description: 'Body weight from a Withings scale (or entered in the app), in kg: the last weighing of the day.',
    type: 'number',
    range: RANGES.bodyMass,
    unit: 'kg',
  },
  {
    id: 'fatRatio',
    name: 'Body fat',
    description: 'Fat ratio (fat mass as a share of body weight), in %: the last measurement of the day.',
    type: 'number',
    range: RANGES.percent,
    unit: '%',
  },
  {
    id: 'muscleMass',
    name: 'Muscle mass',
    description: 'Muscle mass, in kg: the last measurement of the day.',
    type: 'number',
    range: RANGES.bodyMass,
    unit: 'kg',
  },
  {
    id: 'sleepLength',
    name: 'Sleep length',
    description: "Time asleep in the night that ended on this day (Withings' total_sleep_time), in minutes.",
    type: 'duration',
    range: RANGES.dayDuration,
    unit: 'min',
  },
  {
    id: 'sleepScore',
    name: 'Sleep score',
    description: "Withings' Sleep Score of that night, 0–100.",
    type: 'number',
    range: RANGES.score,
  },
  {
    id: 'bedTime',
    name: 'Bed time',
    description: 'When that night began (the start of the sleep record), local time where it was recorded.',
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'wakeUpTime',
    name: 'Wake-up time',
    description: 'When that night ended, local time where it was recorded.',
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'steps',
    name: 'Steps',
    description: 'Steps of the day, as Withings aggregates them (its devices or a linked app).',
    type: 'number',
    range: RANGES.steps,
    unit: 'steps',
  },
  {
    id: 'restingHeartRate',
    name: 'Resting heart rate',
    description:
      "The lowest heart rate of the night (the sleep record's hr_min), in bpm: Withings' public API has no resting heart rate of its own, and this is the nearest it gives. Only with a device that measures heart rate in sleep.",
    type: 'number',
    range: RANGES.heartRate,
    unit: 'bpm',
  },
];

export const WITHINGS_FIELDS: DataFieldDescriptor[] = DESCRIPTORS.map((d) => ({
  ...d,
  scope: ENDPOINT_SCOPE[FIELD_ENDPOINT[d.id]!],
}));

/** The calls the given fields need. */
export function endpointsFor(fields: string[]): Set<WithingsEndpoint> {
  const out = new Set<WithingsEndpoint>();
  for (const f of fields) {
    const e = FIELD_ENDPOINT[f];
    if (e) out.add(e);
  }
  return out;
}

/** The scopes the given fields need, in a stable order. */
export function scopesFor(fields: string[]): string[] {
  const need = new Set([...endpointsFor(fields)].map((e) => ENDPOINT_SCOPE[e]));
  return ['user.metrics', 'user.activity'].filter((s) => need.has(s));
}
