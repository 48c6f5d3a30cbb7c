import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  compare,
  formatCondition,
  formatKindValue,
  formatTarget,
  MAX_SUM_DURATION_MINUTES,
  parseBaseline,
  parseCondition,
  parseTarget,
  timeOffset,
  unwrapTime,
} from '../../src/okr/target.js';
import type { Target, TargetOp, ValueKind } from '../../src/okr/types.js';

describe('parseTarget', () => {
  it.each<[string, ValueKind, Target]>([
    ['>= 7:00', 'duration', { op: '>=', value: 420 }],
    ['<= 23:00', 'time', { op: '<=', value: 1380 }],
    ['<=23:00', 'time', { op: '<=', value: 1380 }],
    ['12', 'number', { op: '>=', value: 12 }],
    ['> 5', 'count', { op: '>', value: 5 }],
    ['< 60', 'number', { op: '<', value: 60 }],
    ['≥ 5', 'count', { op: '>=', value: 5 }],
    ['=> 5', 'count', { op: '>=', value: 5 }],
    ['≤ 10,000', 'number', { op: '<=', value: 10000 }],
    ['>= 4.5', 'count', { op: '>=', value: 4.5 }],
    ['80%', 'fraction', { op: '>=', value: 0.8 }],
    ['>= 0.8', 'fraction', { op: '>=', value: 0.8 }],
    ['<= 11:30pm', 'time', { op: '<=', value: 1410 }],
  ])('%j as %s', (input, kind, expected) => {
    expect(parseTarget(input, kind)).toEqual(expected);
  });

  it('lets a sum of durations go past a week', () => {
    expect(parseTarget('>= 200:00', 'duration', { cumulative: true })).toEqual({ op: '>=', value: 12000 });
    expect(() => parseTarget('>= 200:00', 'duration')).toThrow(UsageError);
  });

  it.each<[string, ValueKind, RegExp]>([
    ['= 5', 'count', /cannot be "exactly"/],
    ['', 'number', /no value/],
    ['>= ', 'number', /no value/],
    ['>= abc', 'number', /Not a number/],
    ['>= 7', 'duration', /Ambiguous duration/],
    ['<= 25:00', 'time', /Not a clock time/],
    ['120%', 'fraction', /between 0% and 100%/],
    ['-1', 'count', /cannot be negative/],
  ])('refuses %j as %s', (input, kind, message) => {
    try {
      parseTarget(input, kind);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(message);
      expect((err as UsageError).hint).toMatch(/e\.g\.|example/i);
    }
  });

  it('adds the target form to the value hint', () => {
    try {
      parseTarget('>= 7', 'duration');
      expect.unreachable();
    } catch (err) {
      expect((err as UsageError).hint).toBe(
        'Write hours and minutes, e.g. 7:30, 7h30m, 7.5h or 450m. For example ">= 7:00"',
      );
    }
  });
});

describe('parseCondition and parseBaseline', () => {
  it('parses conditions by the metric type', () => {
    expect(parseCondition('>= 10000', 'number')).toEqual({ op: '>=', value: 10000 });
    expect(parseCondition('10,000', 'number')).toEqual({ op: '>=', value: 10000 });
    expect(parseCondition('<= 23:00', 'time')).toEqual({ op: '<=', value: 1380 });
    expect(parseCondition('>= 7h', 'duration')).toEqual({ op: '>=', value: 420 });
    expect(parseCondition('= 8', 'number')).toEqual({ op: '=', value: 8 });
    expect(parseCondition('yes', 'boolean')).toEqual({ op: '=', value: 1 });
    expect(parseCondition('no', 'boolean')).toEqual({ op: '=', value: 0 });
  });

  it('refuses conditions on text and malformed conditions', () => {
    expect(() => parseCondition('>= 1', 'text')).toThrow(UsageError);
    expect(() => parseCondition('>=', 'number')).toThrow(UsageError);
    expect(() => parseCondition('>= lots', 'number')).toThrow(UsageError);
  });

  it('formats conditions and targets back', () => {
    expect(formatCondition({ op: '<=', value: 1380 }, 'time')).toBe('<= 23:00');
    expect(formatCondition({ op: '=', value: 1 }, 'boolean')).toBe('= yes');
    expect(formatTarget({ op: '>=', value: 420 }, 'duration')).toBe('>= 7:00');
    expect(formatTarget({ op: '>=', value: 0.8 }, 'fraction')).toBe('>= 80%');
    expect(formatTarget({ op: '<', value: 10482 }, 'number')).toBe('< 10,482');
    expect(formatKindValue('count', 4.6667)).toBe('4.7');
  });

  it('parses baselines by the value kind', () => {
    expect(parseBaseline('6:15', 'duration')).toBe(375);
    expect(parseBaseline('23:45', 'time')).toBe(1425);
    expect(() => parseBaseline('>= 6:15', 'duration')).toThrow(UsageError);
  });
});

describe('clock times around midnight', () => {
  it('measures offsets the short way round the clock', () => {
    expect(timeOffset(30, 1380)).toBe(90); // 00:30 is 90 min after 23:00
    expect(timeOffset(1380, 30)).toBe(-90);
    expect(timeOffset(1335, 1380)).toBe(-45);
    expect(timeOffset(1140, 420)).toBe(720); // exactly 12 hours counts as later
    expect(timeOffset(60, 780)).toBe(720);
    expect(unwrapTime(30, 1380)).toBe(1470);
    expect(unwrapTime(1410, 30)).toBe(-30);
  });

  it('a bedtime of 00:30 misses a <= 23:00 target; 22:15 meets it', () => {
    expect(compare('<=', 30, 1380, true)).toBe(false);
    expect(compare('<=', 1335, 1380, true)).toBe(true);
    expect(compare('<=', 1380, 1380, true)).toBe(true);
    expect(compare('<', 1380, 1380, true)).toBe(false);
  });

  it('a wake-up at 12:30 misses a <= 07:00 target', () => {
    expect(compare('<=', 750, 420, true)).toBe(false);
    expect(compare('<=', 390, 420, true)).toBe(true);
    expect(compare('>=', 1430, 30, true)).toBe(false); // 23:50 is before 00:30
  });

  it('plain numbers compare plainly', () => {
    expect(compare('>=', 30, 1380, false)).toBe(false);
    expect(compare('=', 8, 8, false)).toBe(true);
    expect(compare('>', 8, 8, false)).toBe(false);
  });
});

describe('parseTarget properties', () => {
  const kinds: ValueKind[] = ['number', 'duration', 'time', 'count', 'fraction'];

  it('throws nothing but UsageError', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.stringMatching(/^(>=|<=|>|<|=|≥|≤)?\s?-?[0-9]{0,5}[:.,%]?[0-9]{0,3}[hmp%]{0,2}$/),
    );
    fc.assert(
      fc.property(fc.constantFrom(...kinds), input, fc.boolean(), (kind, s, cumulative) => {
        try {
          const t = parseTarget(s, kind, { cumulative });
          expect(Number.isFinite(t.value)).toBe(true);
          expect(['>=', '>', '<=', '<']).toContain(t.op);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 2000 },
    );
    console.log('parseTarget never-throws: 2000 cases');
  });

  it('formatTarget → parseTarget gives the target back', () => {
    const op = fc.constantFrom<TargetOp>('>=', '>', '<=', '<');
    const valueFor: Record<ValueKind, fc.Arbitrary<number>> = {
      number: fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 10),
      duration: fc.integer({ min: 0, max: MAX_SUM_DURATION_MINUTES }),
      time: fc.integer({ min: 0, max: 1439 }),
      count: fc.integer({ min: 0, max: 10000 }).map((n) => n / 10),
      fraction: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
    };
    const cases = fc.constantFrom(...kinds).chain((kind) => fc.tuple(fc.constant(kind), op, valueFor[kind]));
    fc.assert(
      fc.property(cases, ([kind, o, value]) => {
        const t: Target = { op: o, value: value === 0 ? 0 : value };
        expect(parseTarget(formatTarget(t, kind), kind, { cumulative: true })).toEqual(t);
      }),
      { numRuns: 1000 },
    );
    console.log('target round trip: 1000 cases');
  });
});
