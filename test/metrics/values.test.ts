import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  formatDuration,
  formatNumber,
  formatTime,
  formatValue,
  MAX_DURATION_MINUTES,
  MAX_TEXT_LENGTH,
  parseDuration,
  parseValue,
} from '../../src/metrics/values.js';
import type { FieldType } from '../../src/plugins/types.js';

const RUNS = 500;

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseValue: number', () => {
  it.each([
    ['10482', 10482],
    ['10,482', 10482],
    ['1,234,567.5', 1234567.5],
    [' 72.5 ', 72.5],
    ['-3', -3],
    ['+4', 4],
    ['.5', 0.5],
    ['0', 0],
    ['-0', 0],
  ])('%j → %d', (input, expected) => {
    expect(parseValue('number', input)).toBe(expected);
  });

  it.each(['', 'abc', '1,5', '10,48', '1,2345', 'NaN', 'Infinity', '-Infinity', '1e3', '0x10', '1.', '12 kg', '1..2'])(
    'rejects %j with an example',
    (input) => {
      const err = usageError(() => parseValue('number', input));
      expect(err.hint).toMatch(/e\.g\.|for example/);
    },
  );

  it('explains the comma rule when a comma is misplaced', () => {
    expect(usageError(() => parseValue('number', '1,5')).hint).toBe(
      'Use a dot for decimals and commas only between groups of three digits, e.g. 1,234.5',
    );
  });

  it('refuses numbers beyond the exact integer range', () => {
    expect(() => parseValue('number', '9007199254740993')).toThrow(UsageError);
    expect(parseValue('number', '9007199254740991')).toBe(9007199254740991);
  });
});

describe('parseValue: duration', () => {
  it.each([
    ['7:30', 450],
    ['0:05', 5],
    ['12:00', 720],
    ['7h30m', 450],
    ['7h 30m', 450],
    ['7h30', 450],
    ['7h', 420],
    ['7.5h', 450],
    ['450m', 450],
    ['450 min', 450],
    ['1 hour 5 minutes', 65],
    ['2 hrs', 120],
    ['7.25H', 435],
    ['0m', 0],
    ['168:00', MAX_DURATION_MINUTES],
  ])('%j → %d minutes', (input, expected) => {
    expect(parseValue('duration', input)).toBe(expected);
  });

  it('rounds to the nearest minute', () => {
    expect(parseValue('duration', '7.33h')).toBe(440); // 439.8
    expect(parseValue('duration', '1.4m')).toBe(1);
  });

  it('refuses a bare number as ambiguous', () => {
    const err = usageError(() => parseValue('duration', '450'));
    expect(err.message).toBe('Ambiguous duration: "450" (hours or minutes?)');
    expect(err.hint).toBe('Write hours and minutes, e.g. 7:30, 7h30m, 7.5h or 450m');
  });

  it.each(['', '-7:30', '-5m', '7:60', '7:5', 'abc', 'h', 'm', '7:30:00', '7m30h', '168:01', '10081m'])(
    'rejects %j',
    (input) => {
      expect(usageError(() => parseValue('duration', input)).hint).toContain('e.g. 7:30');
    },
  );

  it('says a negative duration is negative', () => {
    expect(usageError(() => parseValue('duration', '-1:00')).message).toBe('A duration cannot be negative: "-1:00"');
  });

  it('accepts a larger bound when asked (targets for sums)', () => {
    expect(parseDuration('500:00', 1_000_000)).toBe(30_000);
    expect(() => parseDuration('500:00')).toThrow(UsageError);
  });
});

describe('parseValue: time', () => {
  it.each([
    ['23:15', 1395],
    ['7:05', 425],
    ['07:05', 425],
    ['00:00', 0],
    ['23:59', 1439],
    ['11:15pm', 1395],
    ['11:15 PM', 1395],
    ['7am', 420],
    ['7:05 a.m.', 425],
    ['12am', 0],
    ['12:30am', 30],
    ['12pm', 720],
    ['12:45pm', 765],
  ])('%j → %d', (input, expected) => {
    expect(parseValue('time', input)).toBe(expected);
  });

  it.each(['24:00', '23:60', '7', '0705', '13pm', '0am', '7:5', '-1:00', '', 'noon'])('rejects %j', (input) => {
    const err = usageError(() => parseValue('time', input));
    expect(err.hint).toBe('Write HH:MM on a 24-hour clock, e.g. 23:15, 07:05 or 11:15pm');
  });
});

describe('parseValue: boolean and text', () => {
  it.each([
    ['yes', 1],
    ['Y', 1],
    ['true', 1],
    ['1', 1],
    ['on', 1],
    ['no', 0],
    ['N', 0],
    ['FALSE', 0],
    ['0', 0],
    ['off', 0],
  ])('boolean %j → %d', (input, expected) => {
    expect(parseValue('boolean', input)).toBe(expected);
  });

  it('rejects other boolean words', () => {
    expect(usageError(() => parseValue('boolean', 'maybe')).hint).toBe('Write yes or no (also y/n, true/false, 1/0)');
  });

  it('trims text and refuses empty, multi-line and overlong text', () => {
    expect(parseValue('text', '  ran in the park ')).toBe('ran in the park');
    expect(() => parseValue('text', '   ')).toThrow(UsageError);
    expect(() => parseValue('text', 'a\nb')).toThrow(UsageError);
    expect(parseValue('text', 'x'.repeat(MAX_TEXT_LENGTH))).toHaveLength(MAX_TEXT_LENGTH);
    expect(() => parseValue('text', 'x'.repeat(MAX_TEXT_LENGTH + 1))).toThrow(UsageError);
  });
});

describe('formatValue', () => {
  it('formats numbers with thousands separators and at most one decimal', () => {
    expect(formatValue('number', 10482)).toBe('10,482');
    expect(formatValue('number', 1234567)).toBe('1,234,567');
    expect(formatValue('number', 999)).toBe('999');
    expect(formatValue('number', 72.45)).toBe('72.5');
    expect(formatValue('number', 72.44)).toBe('72.4');
    expect(formatValue('number', 2.96)).toBe('3');
    expect(formatValue('number', -1234.5)).toBe('-1,234.5');
    expect(formatValue('number', -0.04)).toBe('0');
    expect(formatValue('number', 0)).toBe('0');
  });

  it('appends a unit to numbers only', () => {
    expect(formatValue('number', 62, 'bpm')).toBe('62 bpm');
    expect(formatValue('number', 85, '%')).toBe('85%');
    expect(formatValue('duration', 452, 'min')).toBe('7:32');
    expect(formatValue('time', 1390, 'HH:MM')).toBe('23:10');
  });

  it('formats durations as H:MM and times as HH:MM', () => {
    expect(formatValue('duration', 452)).toBe('7:32');
    expect(formatValue('duration', 452.4)).toBe('7:32');
    expect(formatValue('duration', 5)).toBe('0:05');
    expect(formatValue('duration', 1500)).toBe('25:00');
    expect(formatDuration(-30)).toBe('-0:30');
    expect(formatValue('time', 1390)).toBe('23:10');
    expect(formatValue('time', 5)).toBe('00:05');
    expect(formatValue('time', 1439.6)).toBe('00:00');
    expect(formatTime(1470)).toBe('00:30');
    expect(formatTime(-30)).toBe('23:30');
  });

  it('formats booleans as yes/no and a share of yes as a percentage', () => {
    expect(formatValue('boolean', 1)).toBe('yes');
    expect(formatValue('boolean', 0)).toBe('no');
    expect(formatValue('boolean', 0.6)).toBe('60%');
  });

  it('shows text and values of the wrong shape as they are', () => {
    expect(formatValue('text', 'ran')).toBe('ran');
    expect(formatValue('number', 'n/a')).toBe('n/a');
    expect(formatValue('duration', Number.NaN)).toBe('NaN');
    expect(formatNumber(1e21)).toBe('1e+21');
  });
});

describe('properties', () => {
  const types: FieldType[] = ['number', 'duration', 'time', 'boolean', 'text'];

  it('parseValue throws nothing but UsageError, for every type', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^[-+ ]?[0-9]{0,4}[:.,]?[0-9]{0,3}\s?[hmapHM]{0,3}$/),
      fc.string({ unit: 'grapheme', maxLength: 600 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...types), input, (type, s) => {
        try {
          const v = parseValue(type, s);
          if (type === 'text') expect(typeof v).toBe('string');
          else expect(Number.isFinite(v)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: RUNS * 4 },
    );
    console.log(`parseValue never-throws: ${RUNS * 4} cases`);
  });

  it('parse(format(v)) gives v back for valid values of each type', () => {
    const tenths = fc.integer({ min: -1e12, max: 1e12 }).map((n) => n / 10);
    const cases = fc.oneof(
      fc.tuple(fc.constant<FieldType>('number'), fc.oneof(fc.maxSafeInteger(), tenths)),
      fc.tuple(fc.constant<FieldType>('duration'), fc.integer({ min: 0, max: MAX_DURATION_MINUTES })),
      fc.tuple(fc.constant<FieldType>('time'), fc.integer({ min: 0, max: 1439 })),
      fc.tuple(fc.constant<FieldType>('boolean'), fc.constantFrom(0, 1)),
      fc.tuple(
        fc.constant<FieldType>('text'),
        fc
          .string({ minLength: 1, maxLength: MAX_TEXT_LENGTH })
          .map((s) => s.replace(/[\u0000-\u001f\u007f]/g, 'x').trim())
          .filter((s) => s !== ''),
      ),
    );
    fc.assert(
      fc.property(cases, ([type, value]) => {
        const normal = value === 0 ? 0 : value; // -0 is stored as 0
        expect(parseValue(type, formatValue(type, value))).toBe(normal);
      }),
      { numRuns: RUNS * 2 },
    );
    console.log(`format→parse round trip: ${RUNS * 2} cases`);
  });
});
