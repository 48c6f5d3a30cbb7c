/** The simulator's generated data: deterministic, two years deep, and with the awkward cases in it. */
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../src/dates.js';
import { Dataset } from '../../src/simulator/data.js';

const NOW = new Date('2026-11-20T15:30:00Z'); // 10:30 in New York
const make = (seed = 1, now = NOW, timeZone = 'America/New_York') => new Dataset({ seed, now, timeZone, days: 800 });

function signature(d: Dataset, from: string, to: string): string {
  return JSON.stringify(d.days(from, to));
}

describe('the generated data', () => {
  it('is deterministic for a seed, whatever the order of access, and differs between seeds', () => {
    const a = make(5);
    const b = make(5);
    b.day('2026-03-01'); // touch days in another order first
    b.day('2025-01-01');
    expect(signature(a, '2025-01-01', '2026-11-20')).toBe(signature(b, '2025-01-01', '2026-11-20'));
    expect(signature(make(6), '2026-01-01', '2026-01-31')).not.toBe(signature(a, '2026-01-01', '2026-01-31'));
  });

  it('covers more than two years up to the simulator’s today, and nothing outside', () => {
    const d = make();
    expect(d.today).toBe('2026-11-20');
    expect(daysBetween(d.firstDay, d.today)).toBeGreaterThanOrEqual(730);
    expect(d.days(d.firstDay, addDays(d.firstDay, 30)).filter((x) => x.steps !== undefined).length).toBeGreaterThan(20);
    expect(d.day(addDays(d.firstDay, -1))).toBeUndefined();
    expect(d.day('2026-11-21')).toBeUndefined();
  });

  it('is cheap to generate lazily: two years in well under a second', () => {
    const t = performance.now();
    const d = make(9);
    const days = d.days(d.firstDay, d.today);
    expect(days.length).toBe(800);
    expect(performance.now() - t).toBeLessThan(1500);
  });

  it('has DST nights whose offsets differ, in both directions', () => {
    const d = make();
    const sleeps = d.days(d.firstDay, d.today).flatMap((x) => x.sleeps);
    const offsets = new Set(sleeps.map((s) => s.startOffset));
    expect(offsets).toEqual(new Set([-18_000, -14_400]));
    const changes = sleeps.filter((s) => s.startOffset !== s.endOffset);
    expect(changes.some((s) => s.startOffset === -18_000 && s.endOffset === -14_400)).toBe(true);
    expect(changes.some((s) => s.startOffset === -14_400 && s.endOffset === -18_000)).toBe(true);
    // The 2026 spring-forward night ends on the 8th of March.
    expect(d.day('2026-03-08')!.sleeps.find((s) => s.main)).toMatchObject({ startOffset: -18_000, endOffset: -14_400 });
  });

  it('has naps next to main sleeps, ending on the same date', () => {
    const d = make();
    const days = d.days(d.firstDay, d.today);
    const withNap = days.filter((x) => x.sleeps.some((s) => s.nap));
    expect(withNap.length / days.length).toBeGreaterThan(0.05);
    for (const day of withNap) {
      expect(day.sleeps.filter((s) => s.main)).toHaveLength(1);
      const nap = day.sleeps.find((s) => s.nap)!;
      expect(nap).toMatchObject({ type: 'CLASSIC', stagesStatus: 'REJECTED_NAP', main: false });
      expect(nap.endMs - nap.startMs).toBeLessThan(90 * 60_000);
    }
  });

  it('has days without wear, which have no data at all', () => {
    const d = make();
    const unworn = d.days(d.firstDay, d.today).filter((x) => !x.worn);
    expect(unworn.length).toBeGreaterThan(20);
    for (const day of unworn) {
      expect(day).toEqual({ date: day.date, worn: false, sleeps: [] });
    }
  });

  it('has only the newest night unprocessed, and today still running', () => {
    const d = make();
    const sleeps = d.days(d.firstDay, d.today).flatMap((x) => x.sleeps);
    const unprocessed = sleeps.filter((s) => !s.processed);
    expect(unprocessed).toHaveLength(1);
    expect(unprocessed[0]).toMatchObject({ main: true, stagesStatus: 'STAGES_STATE_UNSPECIFIED' });
    expect(d.day('2026-11-20')!.sleeps.find((s) => s.main)?.processed).toBe(false);
    expect(sleeps.every((s) => s.endMs <= NOW.getTime())).toBe(true);
    const today = d.day('2026-11-20')!;
    expect(today.restingHeartRate).toBeUndefined();
    expect(today.steps).toBeGreaterThan(0);
  });

  it('before the wake-up time, the last night is yesterday’s and today has no sleep yet', () => {
    const early = make(1, new Date('2026-11-20T08:00:00Z')); // 03:00 in New York
    expect(early.day('2026-11-20')!.sleeps).toEqual([]);
    expect(early.day('2026-11-19')!.sleeps.find((s) => s.main)?.processed).toBe(false);
  });

  it('looks like a person: plausible steps, heart rate, sleep lengths and bed times', () => {
    const d = make(2);
    const days = d.days(d.firstDay, addDays(d.today, -1)).filter((x) => x.worn);
    for (const day of days) {
      expect(day.steps!).toBeGreaterThanOrEqual(150);
      expect(day.steps!).toBeLessThan(40_000);
      if (day.restingHeartRate !== undefined) {
        expect(day.restingHeartRate).toBeGreaterThan(45);
        expect(day.restingHeartRate).toBeLessThan(75);
      }
      const main = day.sleeps.find((s) => s.main)!;
      const hours = (main.endMs - main.startMs) / 3_600_000;
      expect(hours).toBeGreaterThanOrEqual(4);
      expect(hours).toBeLessThanOrEqual(10);
    }
    const mean = days.reduce((n, x) => n + x.steps!, 0) / days.length;
    expect(mean).toBeGreaterThan(6000);
    expect(mean).toBeLessThan(11_000);
  });

  it('works in another zone too (Asia/Tokyo, no DST: one offset)', () => {
    const d = new Dataset({ seed: 1, now: NOW, timeZone: 'Asia/Tokyo', days: 60 });
    const offsets = new Set(
      d.days(d.firstDay, d.today).flatMap((x) => x.sleeps.flatMap((s) => [s.startOffset, s.endOffset])),
    );
    expect(offsets).toEqual(new Set([32_400]));
    expect(d.today).toBe('2026-11-21');
  });
});
