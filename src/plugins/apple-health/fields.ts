/** The fields of the `apple-health` plugin: what `okr import apple-health` writes. */
import { RANGES } from '../field-ranges.js';
import type { DataFieldDescriptor } from '../types.js';

export const APPLE_HEALTH_FIELDS: DataFieldDescriptor[] = [
  {
    id: 'steps',
    name: 'Steps',
    description: 'Steps for the local day; iPhone and Watch counted once (the source with more steps that day).',
    type: 'number',
    range: RANGES.steps,
    unit: 'steps',
  },
  {
    id: 'sleepLength',
    name: 'Sleep length',
    description: 'Minutes asleep (core + deep + REM, or "asleep") in the night that ended on this date; naps excluded.',
    type: 'duration',
    range: RANGES.dayDuration,
    unit: 'min',
  },
  {
    id: 'bedTime',
    name: 'Bed time',
    description: 'Local time the night that ended on this date began (in bed or asleep, whichever came first).',
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'wakeUpTime',
    name: 'Wake-up time',
    description: 'Local time the night ended; the date is the wake-up date.',
    type: 'time',
    unit: 'HH:MM',
  },
  {
    id: 'restingHeartRate',
    name: 'Resting heart rate',
    description: 'Resting heart rate for the day (the mean when the day has several).',
    type: 'number',
    range: RANGES.heartRate,
    unit: 'bpm',
  },
  {
    id: 'hrv',
    name: 'Heart rate variability (SDNN)',
    description: 'Mean of the day’s HRV readings, SDNN in milliseconds (Fitbit’s hrv is RMSSD: not comparable).',
    type: 'number',
    range: RANGES.hrv,
    unit: 'ms',
  },
  {
    id: 'weight',
    name: 'Weight',
    description: 'Body mass, the last reading of the day, in kilograms.',
    type: 'number',
    range: RANGES.bodyMass,
    unit: 'kg',
  },
  {
    id: 'activeEnergy',
    name: 'Active energy',
    description: 'Active energy burned for the local day, in kilocalories (one source, as for steps).',
    type: 'number',
    range: RANGES.activeEnergy,
    unit: 'kcal',
  },
];
