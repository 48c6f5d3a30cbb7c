/**
 * The bounds plugin fields declare as their `range` (DataFieldDescriptor.range): what a day's
 * value can really be. The rule that applies them is src/metrics/plausible.ts; this module has no
 * imports, so the fields.ts files the registry loads at start-up stay light.
 */
import type { ValueRange } from './types.js';

const MINUTES_IN_A_DAY = 1440;

/** Per-field bounds, for `DataFieldDescriptor.range`. Each says why it is what it is. */
export const RANGES = {
  /** Ultramarathoners reach about 100,000 steps in a day; twice that is never a day's walking. */
  steps: { min: 0, max: 200_000 },
  /** Resting or lowest heart rate: elite athletes sleep near 30 bpm, and no adult rests above 250. */
  heartRate: { min: 20, max: 250 },
  /** HRV (RMSSD or SDNN): healthy young adults peak around 200 ms; 500 leaves room for any device. */
  hrv: { min: 0, max: 500 },
  /** Body mass: the heaviest person recorded weighed about 635 kg; a scale never reads 0. */
  bodyMass: { min: 0.1, max: 700 },
  /** A share, in percent (fat ratio). */
  percent: { min: 0, max: 100 },
  /** A provider's 0–100 score (readiness, sleep score). */
  score: { min: 0, max: 100 },
  /** A per-day total of time (sleep length): a day holds 24 hours, and a night is on one day. */
  dayDuration: { min: 0, max: MINUTES_IN_A_DAY },
  /**
   * Active Zone Minutes: cardio and peak minutes count double, so a day could credit up to
   * 2 × 1440 in theory.
   */
  activeZoneMinutes: { min: 0, max: 2 * MINUTES_IN_A_DAY },
  /** Active energy for a day: a Tour de France stage burns about 8,000 kcal; 20,000 is beyond anyone. */
  activeEnergy: { min: 0, max: 20_000 },
  /** Skin temperature against the user's baseline, °C: a fever moves it a few degrees, never ten. */
  temperatureDeviation: { min: -10, max: 10 },
} as const satisfies Record<string, ValueRange>;
