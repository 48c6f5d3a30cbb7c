/**
 * The fields the `fitbit` plugin declares, and which Google Health call feeds each one.
 *
 * Field ids are the seed's (`fitbit.sleepLength`, … `fitbit.fitbitReadiness`) plus two real
 * neighbours users ask for (`hrv`, `activeZoneMinutes`). This module is light on purpose: the
 * registry imports it at start-up, while the HTTP and zod code is loaded only when data is fetched.
 */
import { RANGES } from '../field-ranges.js';
import type { DataFieldDescriptor } from '../types.js';

/** One Google Health call (a "group") feeds one or more fields. */
export type FieldGroup = 'steps' | 'sleep' | 'restingHeartRate' | 'hrv' | 'activeZoneMinutes';

export const SCOPE_PREFIX = 'https://www.googleapis.com/auth/googlehealth.';
export const SCOPES = {
  activity: `${SCOPE_PREFIX}activity_and_fitness.readonly`,
  healthMetrics: `${SCOPE_PREFIX}health_metrics_and_measurements.readonly`,
  sleep: `${SCOPE_PREFIX}sleep.readonly`,
} as const;

/** The minimal scope set for every available field (research doc §2.2). */
export const FITBIT_SCOPES: string[] = [SCOPES.activity, SCOPES.healthMetrics, SCOPES.sleep];

export const FIELD_GROUP: Record<string, FieldGroup> = {
  steps: 'steps',
  sleepLength: 'sleep',
  bedTime: 'sleep',
  wakeUpTime: 'sleep',
  restingHeartRate: 'restingHeartRate',
  hrv: 'hrv',
  activeZoneMinutes: 'activeZoneMinutes',
};

/** The scope each Google Health call needs (research doc §2.2). */
export const GROUP_SCOPE: Record<FieldGroup, string> = {
  steps: SCOPES.activity,
  activeZoneMinutes: SCOPES.activity,
  restingHeartRate: SCOPES.healthMetrics,
  hrv: SCOPES.healthMetrics,
  sleep: SCOPES.sleep,
};

const DECLARED: DataFieldDescriptor[] = [
  {
    id: 'sleepLength',
    name: 'Sleep length',
    description: 'Minutes asleep in the main sleep that ended on this date (time awake in bed excluded).',
    type: 'duration',
    range: RANGES.dayDuration,
    unit: 'min',
  },
  {
    id: 'wakeUpTime',
    name: 'Wake-up time',
    description: 'Local time the main sleep ended; the date is the local wake-up date.',
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'bedTime',
    name: 'Bed time',
    description: 'Local time the main sleep that ended on this date began (often the previous evening).',
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'steps',
    name: 'Steps',
    description: 'Steps for the local calendar day (Google Health daily roll-up).',
    type: 'number',
    range: RANGES.steps,
    unit: 'steps',
  },
  {
    id: 'cardioLoad',
    name: 'Cardio load',
    description: 'Fitbit Cardio Load. Not offered by the Google Health API.',
    type: 'number',
    availability: {
      available: false,
      reason:
        'The Google Health API v4 has no Cardio Load data type (the legacy Fitbit Web API that had it answers 410).',
      alternatives: ['activeZoneMinutes', 'restingHeartRate'],
    },
  },
  {
    id: 'restingHeartRate',
    name: 'Resting heart rate',
    description: 'Daily resting heart rate. It can appear a few days late; recent days are fetched again.',
    type: 'number',
    range: RANGES.heartRate,
    unit: 'bpm',
  },
  {
    id: 'fitbitReadiness',
    name: 'Daily Readiness',
    description: 'Fitbit Daily Readiness score. Not offered by the Google Health API.',
    type: 'number',
    availability: {
      available: false,
      reason: 'The Google Health API v4 exposes no readiness score, only some of its inputs.',
      alternatives: ['hrv', 'restingHeartRate', 'sleepLength'],
    },
  },
  {
    id: 'hrv',
    name: 'Heart rate variability',
    description: 'Daily average heart rate variability (RMSSD during sleep), in milliseconds.',
    type: 'number',
    range: RANGES.hrv,
    unit: 'ms',
  },
  {
    id: 'activeZoneMinutes',
    name: 'Active Zone Minutes',
    // Google documents each zone sum as "Active zone minutes in <zone>", i.e. already credited
    // minutes (raw time per zone is the separate `time-in-heart-rate-zone` type), so the day's
    // total is their plain sum. See mapActiveZoneMinutes in mapping.ts.
    description: 'Active Zone Minutes earned on the local day: fat-burn + cardio + peak zone minutes.',
    type: 'number',
    range: RANGES.activeZoneMinutes,
    unit: 'min',
  },
];

/** Every declared field, with the scope of the call that feeds it (none for unavailable ones). */
export const FITBIT_FIELDS: DataFieldDescriptor[] = DECLARED.map((f) => {
  const group = FIELD_GROUP[f.id];
  return group ? { ...f, scope: GROUP_SCOPE[group] } : f;
});

/** The fields a group feeds. */
export function fieldsOfGroup(group: FieldGroup): string[] {
  return Object.keys(FIELD_GROUP).filter((f) => FIELD_GROUP[f] === group);
}

/** The groups needed for the requested field ids; unknown and unavailable fields need none. */
export function groupsFor(fields: string[]): Set<FieldGroup> {
  const groups = new Set<FieldGroup>();
  for (const f of fields) {
    const g = FIELD_GROUP[f];
    if (g) groups.add(g);
  }
  return groups;
}
