import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parsePeriod, periodBuckets, periodContaining, periodDays } from '../../src/okr/period.js';

describe('parsePeriod', () => {
  it.each([
    ['2026-Q4', '2026-Q4', '2026-10-01', '2026-12-31'],
    ['2026-q1', '2026-Q1', '2026-01-01', '2026-03-31'],
    ['2026Q2', '2026-Q2', '2026-04-01', '2026-06-30'],
    ['2024-Q1', '2024-Q1', '2024-01-01', '2024-03-31'],
    ['2026-H2', '2026-H2', '2026-07-01', '2026-12-31'],
    ['2026-11', '2026-11', '2026-11-01', '2026-11-30'],
    ['2024-02', '2024-02', '2024-02-01', '2024-02-29'],
    ['2026-02', '2026-02', '2026-02-01', '2026-02-28'],
    ['2026', '2026', '2026-01-01', '2026-12-31'],
    [' 2026-11-01..2026-12-15 ', '2026-11-01..2026-12-15', '2026-11-01', '2026-12-15'],
    ['2026-11-01 .. 2026-11-01', '2026-11-01..2026-11-01', '2026-11-01', '2026-11-01'],
  ])('%j → %s = %s..%s', (input, label, from, to) => {
    expect(parsePeriod(input)).toEqual({ label, from, to });
  });

  it.each([
    '2026-Q5',
    '2026-Q0',
    '2026-13',
    '2026-00',
    '26-Q4',
    '0226',
    '20266',
    'Q4',
    '',
    'next quarter',
    '2026-11-01',
    '2026-12-15..2026-11-01',
    '2026-02-30..2026-03-01',
    '1990-01-01..2015-01-01',
    '2026-11-01..',
  ])('refuses %j with the accepted forms in the hint', (input) => {
    try {
      parsePeriod(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).hint).toMatch(/2026-Q4|\.\./);
    }
  });

  it('says which way round an inverted range should go', () => {
    expect(() => parsePeriod('2026-12-15..2026-11-01')).toThrow('ends before it starts');
  });

  it('counts the days of a period', () => {
    expect(periodDays(parsePeriod('2026-Q4'))).toBe(92);
    expect(periodDays(parsePeriod('2024'))).toBe(366);
    expect(periodDays(parsePeriod('2026-11-01..2026-11-01'))).toBe(1);
  });

  it('finds the period containing a date', () => {
    expect(periodContaining('quarter', '2026-11-10')).toEqual({
      label: '2026-Q4',
      from: '2026-10-01',
      to: '2026-12-31',
    });
    expect(periodContaining('month', '2026-02-10')).toEqual({ label: '2026-02', from: '2026-02-01', to: '2026-02-28' });
    expect(periodContaining('year', '2026-02-10').label).toBe('2026');
  });
});

describe('periodBuckets', () => {
  it('clips ISO weeks to a quarter that starts and ends on a Thursday', () => {
    const weeks = periodBuckets(parsePeriod('2026-Q4'), 'week');
    // Thu 1 Oct..Sun 4 Oct, then 12 full weeks from Mon 5 Oct to Sun 27 Dec, then Mon 28..Thu 31 Dec.
    expect(weeks).toHaveLength(14);
    expect(weeks[0]).toEqual({ from: '2026-10-01', to: '2026-10-04', fullDays: 7 });
    expect(weeks[1]).toEqual({ from: '2026-10-05', to: '2026-10-11', fullDays: 7 });
    expect(weeks[12]).toEqual({ from: '2026-12-21', to: '2026-12-27', fullDays: 7 });
    expect(weeks[13]).toEqual({ from: '2026-12-28', to: '2026-12-31', fullDays: 7 });
  });

  it('clips calendar months to an explicit period across a year end', () => {
    expect(periodBuckets(parsePeriod('2026-11-15..2027-01-10'), 'month')).toEqual([
      { from: '2026-11-15', to: '2026-11-30', fullDays: 30 },
      { from: '2026-12-01', to: '2026-12-31', fullDays: 31 },
      { from: '2027-01-01', to: '2027-01-10', fullDays: 31 },
    ]);
  });

  it('gives one clipped week for a period inside a week', () => {
    expect(periodBuckets(parsePeriod('2026-11-03..2026-11-05'), 'week')).toEqual([
      { from: '2026-11-03', to: '2026-11-05', fullDays: 7 },
    ]);
  });
});

describe('parsePeriod properties', () => {
  it('throws nothing but UsageError', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^\d{2,5}(-([qQhH]?\d{1,2}|\d{2}-\d{2}\s*\.\.\s*\d{4}-\d{2}-\d{2}))?$/),
    );
    fc.assert(
      fc.property(input, (s) => {
        try {
          const p = parsePeriod(s);
          expect(p.from <= p.to).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 1000 },
    );
    console.log('parsePeriod never-throws: 1000 cases');
  });

  it('labels parse back to the same period, and months/quarters/years cover whole months', () => {
    const label = fc.oneof(
      fc.integer({ min: 1900, max: 2999 }).map(String),
      fc.tuple(fc.integer({ min: 1900, max: 2999 }), fc.integer({ min: 1, max: 4 })).map(([y, q]) => `${y}-Q${q}`),
      fc.tuple(fc.integer({ min: 1900, max: 2999 }), fc.integer({ min: 1, max: 2 })).map(([y, h]) => `${y}-H${h}`),
      fc
        .tuple(fc.integer({ min: 1900, max: 2999 }), fc.integer({ min: 1, max: 12 }))
        .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
    );
    fc.assert(
      fc.property(label, (s) => {
        const p = parsePeriod(s);
        expect(p.label).toBe(s);
        expect(parsePeriod(p.label)).toEqual(p);
        expect(p.from.endsWith('-01')).toBe(true);
        // Every month of the period is whole: no bucket is clipped.
        const buckets = periodBuckets(p, 'month');
        expect(buckets.every((b) => periodDays({ label: '', from: b.from, to: b.to }) === b.fullDays)).toBe(true);
      }),
      { numRuns: 500 },
    );
    console.log('parsePeriod label round trip: 500 cases');
  });
});
