import { afterEach, describe, expect, it } from 'vitest';
import { formatNumber, localTime, plural, wrap } from '../src/text.js';

describe('words for people (src/text.ts)', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it('groups thousands', () => {
    expect(formatNumber(4637)).toBe('4,637');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(-12000.25)).toBe('-12,000.3');
  });

  it('counts nouns: one noun, grouped numbers, irregular plurals', () => {
    expect(plural(1, 'metric')).toBe('1 metric');
    expect(plural(0, 'metric')).toBe('0 metrics');
    expect(plural(4637, 'value')).toBe('4,637 values');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });

  it('shows a moment in local time (Node applies a TZ set at run time)', () => {
    process.env.TZ = 'America/New_York';
    expect(localTime('2026-03-10T14:23:41.000Z')).toBe('2026-03-10 10:23');
    process.env.TZ = 'Asia/Tokyo';
    expect(localTime(Date.parse('2026-03-10T14:23:41.000Z'))).toBe('2026-03-10 23:23');
    expect(localTime(new Date('2026-03-10T15:00:00.000Z'))).toBe('2026-03-11 00:00');
    expect(localTime('not a time')).toBe('not a time');
  });

  it('wraps at spaces to the width, indenting the lines after the first', () => {
    const text = 'one two three four five six seven eight nine ten';
    const lines = wrap(text, 20, 4, 10);
    expect(lines).toEqual(['one two', '    three four five', '    six seven eight', '    nine ten']);
    for (const [i, l] of lines.entries()) expect((i === 0 ? 10 : 0) + l.length).toBeLessThanOrEqual(20);
    // A word longer than the line stays whole.
    expect(wrap('see https://example.invalid/a/very/long/path ok', 20, 2)).toEqual([
      'see',
      '  https://example.invalid/a/very/long/path',
      '  ok',
    ]);
  });
});
