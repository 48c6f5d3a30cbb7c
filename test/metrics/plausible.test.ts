/**
 * The one rule for values that cannot be real (src/metrics/plausible.ts): the date window, the
 * type ranges, the ranges plugin fields declare, and that every declared range is one of RANGES.
 */
import { describe, expect, it } from 'vitest';
import {
  EARLIEST_DATE,
  implausible,
  implausibleDate,
  implausibleValue,
  latestDate,
  RANGES,
  rangeOf,
  refusalKind,
} from '../../src/metrics/plausible.js';
import { createDefaultRegistry } from '../../src/plugins/index.js';

describe('the date window', () => {
  it('is 1970-01-01 through tomorrow in the local calendar', () => {
    const latest = latestDate(new Date('2026-11-10T23:30:00Z'), 'Europe/Berlin');
    expect(latest).toBe('2026-11-12'); // already 2026-11-11 in Berlin
    expect(implausibleDate(EARLIEST_DATE, latest)).toBeUndefined();
    expect(implausibleDate('2026-11-12', latest)).toBeUndefined();
    expect(implausibleDate('1969-12-31', latest)).toBe('1969-12-31 is before 1970-01-01');
    expect(implausibleDate('2026-11-13', latest)).toBe('2026-11-13 is after 2026-11-12');
    expect(implausibleDate('9999-12-31', latest)).toBe('9999-12-31 is after 2026-11-12');
  });
});

describe('values', () => {
  const sleep = { name: 'x.sleepLength', type: 'duration', unit: 'min', range: RANGES.dayDuration } as const;
  const steps = { name: 'x.steps', type: 'number', unit: 'steps', range: RANGES.steps } as const;

  it('a range below zero reads "-10 to 10", not "-10–10"', () => {
    const dev = {
      name: 'x.temperatureDeviation',
      type: 'number',
      unit: '°C',
      range: RANGES.temperatureDeviation,
    } as const;
    expect(implausibleValue(dev, 12)).toBe('12 °C is outside -10 to 10 °C');
    expect(implausibleValue(steps, 250_000)).toBe('250,000 steps is outside 0–200,000 steps');
  });

  it('a declared range is inclusive at both ends', () => {
    expect(implausibleValue(sleep, 0)).toBeUndefined();
    expect(implausibleValue(sleep, 1440)).toBeUndefined();
    expect(implausibleValue(sleep, 1441)).toBe('24:01 is outside 0:00–24:00');
    expect(implausibleValue(steps, 200_000)).toBeUndefined();
    expect(implausibleValue(steps, 1e15)).toBe('1,000,000,000,000,000 steps is outside 0–200,000 steps');
    expect(implausibleValue(steps, -1)).toBe('-1 steps is outside 0–200,000 steps');
  });

  it('without one, the type range: a week for a duration, the clock for a time, 0/1 for a boolean', () => {
    const t = (type: 'number' | 'duration' | 'time' | 'boolean' | 'text') => ({ name: 'm', type });
    expect(implausibleValue(t('duration'), 7 * 1440)).toBeUndefined();
    expect(implausibleValue(t('duration'), 7 * 1440 + 1)).toBe('168:01 is outside 0:00–168:00');
    expect(implausibleValue(t('time'), 1439)).toBeUndefined();
    expect(implausibleValue(t('time'), 1440)).toBe('1440 minutes after midnight is outside 00:00–23:59');
    expect(implausibleValue(t('boolean'), 2)).toBeDefined();
    expect(implausibleValue(t('number'), -5)).toBeUndefined();
    expect(implausibleValue(t('number'), 1e308)).toBe(
      '1e+308 is outside -9,007,199,254,740,991 to 9,007,199,254,740,991',
    );
    expect(implausibleValue(t('text'), 'a note')).toBeUndefined();
  });

  it('NaN and infinities are never values', () => {
    expect(implausibleValue(steps, Number.NaN)).toBe('NaN is not a finite number');
    expect(implausibleValue(steps, Number.POSITIVE_INFINITY)).toBe('Infinity is not a finite number');
    expect(refusalKind(steps, Number.NaN, 'value')).toBe('x.steps values that are not finite numbers');
  });

  it('the whole rule checks the date first, and names one kind per metric for reports', () => {
    expect(implausible(steps, '1900-01-01', 5, '2026-11-11')).toEqual({
      reason: '1900-01-01 is before 1970-01-01',
      kind: 'date',
    });
    expect(implausible(steps, '2026-11-01', 5e5, '2026-11-11')?.kind).toBe('value');
    expect(refusalKind(steps, 5e5, 'value')).toBe('x.steps values outside 0–200,000 steps');
    expect(refusalKind(steps, 5, 'date')).toBe('x.steps values dated before 1970-01-01 or after tomorrow');
  });
});

describe('the built-in plugins', () => {
  it('every available number or duration field declares a range from RANGES; times and others use their type', () => {
    const registry = createDefaultRegistry();
    const named = new Set<object>(Object.values(RANGES));
    for (const p of registry.list()) {
      for (const f of p.getAvailableFields()) {
        if (f.availability) continue;
        if (f.type === 'number' || f.type === 'duration') {
          expect(f.range && named.has(f.range), `${p.id}.${f.id}`).toBe(true);
        }
        if (f.type === 'duration') expect(rangeOf(f)!.max, `${p.id}.${f.id}`).toBe(1440);
        if (f.type === 'time') expect(rangeOf(f), `${p.id}.${f.id}`).toEqual({ min: 0, max: 1439 });
      }
    }
  });
});
