import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { aggregateDays, type DayValue, isCumulative, timeMean, valueKind } from '../../src/okr/aggregate.js';
import type { Aggregation } from '../../src/okr/types.js';
import type { FieldType } from '../../src/plugins/types.js';

const t = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** Builds sorted day values from a list where `undefined` is a missing day (left out). */
function daysFrom(start: number, values: Array<number | string | undefined>): DayValue[] {
  return values.flatMap((value, i) =>
    value === undefined ? [] : [{ date: `2026-11-${String(start + i).padStart(2, '0')}`, value }],
  );
}

const agg = (a: Aggregation, metricType: FieldType, days: DayValue[], extra: object = {}) =>
  aggregateDays({ agg: a, metricType, days, ...extra });

describe('aggregateDays on numbers with missing days', () => {
  // Nov 1..6: 8000, —, 12000, 10000, —, 9000
  const steps = daysFrom(1, [8000, undefined, 12000, 10000, undefined, 9000]);

  it('avg ignores missing days', () => {
    expect(agg('avg', 'number', steps)).toBe(9750); // 39000 / 4, not / 6
  });
  it('sum adds what exists', () => {
    expect(agg('sum', 'number', steps)).toBe(39000);
  });
  it('min, max and last', () => {
    expect(agg('min', 'number', steps)).toBe(8000);
    expect(agg('max', 'number', steps)).toBe(12000);
    expect(agg('last', 'number', steps)).toBe(9000);
  });
  it('count counts days with data', () => {
    expect(agg('count', 'number', steps)).toBe(4);
  });
  it('days counts only days with data meeting the condition', () => {
    expect(agg('days', 'number', steps, { where: { op: '>=', value: 10000 } })).toBe(2);
    expect(agg('days', 'number', steps, { where: { op: '<', value: 10000 } })).toBe(2); // missing days are not "below"
  });
  it('gives nothing to level aggregations without data, and 0 to cumulative ones', () => {
    expect(agg('avg', 'number', [])).toBeUndefined();
    expect(agg('min', 'number', [])).toBeUndefined();
    expect(agg('last', 'number', [])).toBeUndefined();
    expect(agg('sum', 'number', [])).toBe(0);
    expect(agg('count', 'number', [])).toBe(0);
    expect(agg('days', 'number', [], { where: { op: '>=', value: 1 } })).toBe(0);
  });
  it('skips values of the wrong shape as missing', () => {
    expect(agg('avg', 'number', daysFrom(1, [4, 'x', 6]))).toBe(5);
    expect(agg('count', 'number', daysFrom(1, [4, 'x', 6]))).toBe(2);
  });
});

describe('aggregateDays on clock times (bedtimes against <= 23:00)', () => {
  // 23:30, 00:30, 22:30, —, 23:00
  const bed = daysFrom(2, [t('23:30'), t('00:30'), t('22:30'), undefined, t('23:00')]);
  const ref = { timeRef: t('23:00') };

  it('averages across midnight with the circular mean', () => {
    // Offsets from midnight -30, +30, -90, -60 min = -7.5°, 7.5°, -22.5°, -15°:
    // Σsin = -0.64150, Σcos = 3.87270, atan2 = -9.405° = -37.62 min → 23:22.4.
    expect(agg('avg', 'time', bed, ref)).toBeCloseTo(1440 - 37.62, 1);
    expect(agg('avg', 'time', daysFrom(1, [t('23:30'), t('00:30')]), ref)).toBe(0);
  });
  it('max is the latest bedtime, 00:30, not 23:30', () => {
    expect(agg('max', 'time', bed, ref)).toBe(t('00:30'));
  });
  it('min is the earliest bedtime, 22:30, not 00:30', () => {
    expect(agg('min', 'time', bed, ref)).toBe(t('22:30'));
  });
  it('last is the latest day with data', () => {
    expect(agg('last', 'time', bed, ref)).toBe(t('23:00'));
  });
  it('days in bed by 23:00 counts 22:30 and 23:00, not 23:30 or 00:30', () => {
    expect(agg('days', 'time', bed, { where: { op: '<=', value: t('23:00') } })).toBe(2);
  });
});

describe('aggregateDays on other types', () => {
  it('averages yes/no as the share of yes days', () => {
    expect(agg('avg', 'boolean', daysFrom(1, [1, 0, 1, undefined, 1]))).toBe(0.75);
    expect(agg('sum', 'boolean', daysFrom(1, [1, 0, 1, undefined, 1]))).toBe(3);
    expect(agg('days', 'boolean', daysFrom(1, [1, 0, 1, undefined, 1]), { where: { op: '=', value: 0 } })).toBe(1);
  });
  it('counts text entries, not blank ones', () => {
    expect(agg('count', 'text', daysFrom(1, ['ran', '', 'swam', undefined, '  ']))).toBe(2);
  });
  it('sums durations in minutes', () => {
    expect(agg('sum', 'duration', daysFrom(1, [30, undefined, 45]))).toBe(75);
  });
});

describe('timeMean', () => {
  it('falls back to the mean around the target when times cancel out', () => {
    // 06:00 and 18:00 cancel on the clock. Around a 23:00 target they are 18:00 and 30:00 → 00:00.
    expect(timeMean([t('06:00'), t('18:00')], undefined, t('23:00'))).toBe(0);
    // Around a 12:00 target: 06:00 and 18:00 → 12:00.
    expect(timeMean([t('06:00'), t('18:00')], undefined, t('12:00'))).toBe(t('12:00'));
  });
});

describe('valueKind', () => {
  it.each<[FieldType, Aggregation, string]>([
    ['number', 'avg', 'number'],
    ['number', 'sum', 'number'],
    ['duration', 'avg', 'duration'],
    ['duration', 'sum', 'duration'],
    ['time', 'avg', 'time'],
    ['time', 'max', 'time'],
    ['time', 'days', 'count'],
    ['boolean', 'avg', 'fraction'],
    ['boolean', 'sum', 'count'],
    ['boolean', 'days', 'count'],
    ['text', 'count', 'count'],
  ])('%s with %s gives %s', (type, a, kind) => {
    expect(valueKind(type, a)).toBe(kind);
  });

  it.each<[FieldType, Aggregation]>([
    ['time', 'sum'],
    ['boolean', 'max'],
    ['boolean', 'last'],
    ['text', 'avg'],
    ['text', 'sum'],
  ])('refuses %s with %s', (type, a) => {
    expect(() => valueKind(type, a)).toThrow(UsageError);
  });

  it('knows which aggregations are cumulative', () => {
    expect((['avg', 'sum', 'min', 'max', 'last', 'count', 'days'] as const).filter(isCumulative)).toEqual([
      'sum',
      'count',
      'days',
    ]);
  });
});
