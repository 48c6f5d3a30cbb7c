import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysBetween, fromYmd, isCivilDate } from '../../src/dates.js';
import { UsageError } from '../../src/errors.js';
import { addCalendarMonths, addCalendarYears, resolveRange } from '../../src/metrics/ranges.js';

const TODAY = '2026-11-10';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('resolveRange', () => {
  it('defaults to the N days ending today, today included', () => {
    expect(resolveRange({}, TODAY, 7)).toEqual({ from: '2026-11-04', to: TODAY });
    expect(resolveRange({}, TODAY, 1)).toEqual({ from: TODAY, to: TODAY });
  });

  it.each([
    ['14d', '2026-10-28'],
    ['1d', TODAY],
    ['7d', '2026-11-04'],
    ['2w', '2026-10-28'],
    ['1m', '2026-10-11'],
    ['3m', '2026-08-11'],
    ['1y', '2025-11-11'],
    ['20y', '2006-11-11'],
    ['240m', '2006-11-11'],
    [' 14D ', '2026-10-28'],
    ['2026-01-01', '2026-01-01'],
  ])('--since %j starts on %s', (since, from) => {
    expect(resolveRange({ since }, TODAY, 7)).toEqual({ from, to: TODAY });
  });

  it('clamps calendar months to the end of shorter months', () => {
    // The month ending on 03-31 is March (02-28 clamped, plus a day); ending on 01-31: from 01-01.
    expect(resolveRange({ since: '1m' }, '2026-03-31', 7)).toEqual({ from: '2026-03-01', to: '2026-03-31' });
    expect(resolveRange({ since: '1m' }, '2024-03-31', 7)).toEqual({ from: '2024-03-01', to: '2024-03-31' });
    expect(resolveRange({ since: '1m' }, '2026-01-31', 7)).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(resolveRange({ since: '1y' }, '2024-02-29', 7)).toEqual({ from: '2023-03-01', to: '2024-02-29' });
    expect(addCalendarMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addCalendarMonths('2026-12-15', 1)).toBe('2027-01-15');
    expect(addCalendarYears('2028-02-29', 4)).toBe('2032-02-29');
  });

  it('takes --from and --to as given, and --from alone runs to today', () => {
    expect(resolveRange({ from: '2026-10-01', to: '2026-10-31' }, TODAY, 7)).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
    expect(resolveRange({ from: '2026-11-01' }, TODAY, 7)).toEqual({ from: '2026-11-01', to: TODAY });
    expect(resolveRange({ from: TODAY, to: TODAY }, TODAY, 7)).toEqual({ from: TODAY, to: TODAY });
  });

  it('ends a default-length window at --to when only --to is given', () => {
    expect(resolveRange({ to: '2026-10-31' }, TODAY, 7)).toEqual({ from: '2026-10-25', to: '2026-10-31' });
  });

  it('lets --since count back from today while --to cuts the end', () => {
    expect(resolveRange({ since: '30d', to: '2026-11-09' }, TODAY, 7)).toEqual({
      from: '2026-10-12',
      to: '2026-11-09',
    });
  });

  it('refuses --since with --from', () => {
    const err = usageError(() => resolveRange({ since: '7d', from: '2026-11-01' }, TODAY, 7));
    expect(err.message).toBe('--since and --from both set the start of the range');
    expect(err.hint).toContain('--since 14d');
  });

  it.each(['0d', '-3d', 'd', '7', '7x', '7 days', '1.5w', 'yesterday', '', '2026-02-30', '9999999d'])(
    'refuses --since %j with an example',
    (since) => {
      expect(usageError(() => resolveRange({ since }, TODAY, 7)).hint).toMatch(/--since (14d|5y)/);
    },
  );

  it('refuses a zero count with a clear message', () => {
    expect(usageError(() => resolveRange({ since: '0d' }, TODAY, 7)).message).toBe(
      '--since needs a count above zero, got "0d"',
    );
  });

  it('refuses ranges longer than 20 years', () => {
    expect(usageError(() => resolveRange({ since: '21y' }, TODAY, 7)).message).toBe(
      'The range 2005-11-11..2026-11-10 is longer than 20 years',
    );
    expect(usageError(() => resolveRange({ since: '999999d' }, TODAY, 7)).message).toBe(
      '--since "999999d" goes back more than 20 years',
    );
    // Found by the fuzz test (seed 154832792): a line break between count and unit was read as
    // `100 y`, and the refusal printed the line break raw, over two lines.
    expect(usageError(() => resolveRange({ since: '100\ny' }, TODAY, 7)).message).toBe(
      'Not a --since value: "100\\ny"',
    );
    expect(resolveRange({ since: '7 d' }, TODAY, 7).from).toBe('2026-11-04');
    expect(usageError(() => resolveRange({ since: '7307d' }, TODAY, 7)).message).toBe(
      'The range 2006-11-09..2026-11-10 is longer than 20 years',
    );
    expect(() => resolveRange({ from: '1990-01-01', to: '2010-01-02' }, TODAY, 7)).toThrow(UsageError);
    expect(resolveRange({ from: '1990-01-02', to: '2010-01-02' }, TODAY, 7)).toEqual({
      from: '1990-01-02',
      to: '2010-01-02',
    });
  });

  it('refuses dates after today', () => {
    const err = usageError(() => resolveRange({ to: '2026-11-11' }, TODAY, 7));
    expect(err.message).toBe('--to 2026-11-11 is in the future (today is 2026-11-10)');
    expect(err.hint).toBe('Use today or an earlier date, e.g. --to 2026-11-10');
    expect(() => resolveRange({ from: '2027-01-01' }, TODAY, 7)).toThrow(UsageError);
    expect(() => resolveRange({ since: '2026-12-01' }, TODAY, 7)).toThrow(UsageError);
  });

  it('refuses an inverted range and malformed dates', () => {
    const err = usageError(() => resolveRange({ from: '2026-11-05', to: '2026-11-01' }, TODAY, 7));
    expect(err.message).toBe('The range starts after it ends: 2026-11-05 is after 2026-11-01');
    expect(err.hint).toBe('Put the earlier date first: --from 2026-11-01 --to 2026-11-05');
    expect(usageError(() => resolveRange({ from: '2026-13-01' }, TODAY, 7)).message).toBe(
      '--from needs a date as YYYY-MM-DD, got "2026-13-01"',
    );
    expect(() => resolveRange({ from: '11/01/2026' }, TODAY, 7)).toThrow(UsageError);
    expect(() => resolveRange({ to: '' }, TODAY, 7)).toThrow(UsageError);
  });

  it('treats a bad today or defaultDays as a programming error, not a usage error', () => {
    expect(() => resolveRange({}, 'today', 7)).toThrow(Error);
    expect(() => resolveRange({}, 'today', 7)).not.toThrow(UsageError);
    expect(() => resolveRange({}, TODAY, -1)).not.toThrow(UsageError);
    expect(() => resolveRange({}, TODAY, 0)).toThrow(Error);
  });
});

describe('resolveRange properties', () => {
  const RUNS = 1000;
  const civil = fc
    .record({
      y: fc.integer({ min: 1990, max: 2040 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 31 }),
    })
    .map(({ y, m, d }) => fromYmd(y, m, d));
  const sinceArb = fc.oneof(
    fc
      .tuple(fc.integer({ min: -5, max: 10_000 }), fc.constantFrom('d', 'w', 'm', 'y', 'D', 'x', ''))
      .map(([n, u]) => `${n}${u}`),
    civil,
    fc.string({ maxLength: 12 }),
  );
  const dateArg = fc.oneof(civil, fc.string({ maxLength: 12 }));
  const todayArb = fc
    .record({
      y: fc.integer({ min: 2000, max: 2040 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
    })
    .map(({ y, m, d }) => fromYmd(y, m, d));

  it('only ever throws UsageError, and every accepted range is sane', () => {
    fc.assert(
      fc.property(
        fc.record({
          since: fc.option(sinceArb, { nil: undefined }),
          from: fc.option(dateArg, { nil: undefined }),
          to: fc.option(dateArg, { nil: undefined }),
        }),
        todayArb,
        fc.integer({ min: 1, max: 400 }),
        (opts, today, defaultDays) => {
          try {
            const { from, to } = resolveRange(opts, today, defaultDays);
            expect(isCivilDate(from) && isCivilDate(to)).toBe(true);
            expect(daysBetween(from, to)).toBeGreaterThanOrEqual(0);
            expect(to <= today).toBe(true);
            expect(from >= addCalendarYears(to, -20)).toBe(true);
            if (opts.since === undefined && opts.from === undefined && opts.to === undefined) {
              expect(daysBetween(from, to) + 1).toBe(defaultDays);
            }
          } catch (err) {
            expect(err).toBeInstanceOf(UsageError);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.log(`resolveRange: ${RUNS} cases`);
  });

  it('--since Nd always spans N days ending today', () => {
    fc.assert(
      fc.property(todayArb, fc.integer({ min: 1, max: 7000 }), (today, n) => {
        const { from, to } = resolveRange({ since: `${n}d` }, today, 7);
        expect(to).toBe(today);
        expect(daysBetween(from, to) + 1).toBe(n);
      }),
      { numRuns: 300 },
    );
    console.log('resolveRange --since Nd: 300 cases');
  });
});
