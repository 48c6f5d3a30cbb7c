import { describe, expect, it } from 'vitest';
import { circularMeanMinutes, summarize, unwrapTimes } from '../../src/metrics/stats.js';
import { formatValue } from '../../src/metrics/values.js';

const t = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

describe('summarize', () => {
  it('averages numbers and ignores missing days (not zeros)', () => {
    expect(summarize('number', [10000, undefined, 8000, undefined, 12000])).toEqual({
      count: 3,
      avg: 10000,
      min: 8000,
      max: 12000,
    });
  });

  it('gives no avg/min/max for an empty series or one with only missing days', () => {
    expect(summarize('number', [])).toEqual({ count: 0 });
    expect(summarize('duration', [undefined, undefined])).toEqual({ count: 0 });
    expect(summarize('time', [])).toEqual({ count: 0 });
  });

  it('ignores values of the wrong shape', () => {
    expect(summarize('number', [5, 'oops', Number.NaN, 7])).toEqual({ count: 2, avg: 6, min: 5, max: 7 });
  });

  it('averages durations in minutes', () => {
    const s = summarize('duration', [t('7:30'), t('6:45'), undefined, t('8:00')]);
    expect(s).toEqual({ count: 3, avg: 445, min: 405, max: 480 });
    expect(formatValue('duration', s.avg!)).toBe('7:25');
  });

  it('treats a boolean average as the share of yes days', () => {
    const s = summarize('boolean', [1, 0, 1, undefined, 1, 0]);
    expect(s).toEqual({ count: 5, avg: 0.6, min: 0, max: 1 });
    expect(formatValue('boolean', s.avg!)).toBe('60%');
  });

  it('only counts text values', () => {
    expect(summarize('text', ['ran', undefined, 'swam', ''])).toEqual({ count: 2 });
  });

  it('averages 23:30 and 00:30 to 00:00, with min 23:30 and max 00:30', () => {
    const s = summarize('time', [t('23:30'), t('00:30')]);
    expect(s).toEqual({ count: 2, avg: 0, min: t('23:30'), max: t('00:30') });
    expect(formatValue('time', s.avg!)).toBe('00:00');
  });

  it('summarises bedtimes across midnight', () => {
    // 22:00, 23:00, 00:30, 01:00: the latest is 01:00, the earliest 22:00.
    const s = summarize('time', [t('22:00'), t('23:00'), undefined, t('00:30'), t('01:00')]);
    expect(s.count).toBe(4);
    expect(s.min).toBe(t('22:00'));
    expect(s.max).toBe(t('01:00'));
    // By hand: offsets from midnight -120, -60, +30, +60 min are -30°, -15°, 7.5°, 15° on the
    // clock; Σsin = -0.36947, Σcos = 3.78932, atan2 = -5.571° = -22.28 min → 23:37.7. (The linear
    // mean of the unwrapped values would be 23:37.5.)
    expect(s.avg).toBeCloseTo(1440 - 22.28, 1);
    expect(formatValue('time', s.avg!)).toBe('23:38');
  });

  it('summarises wake-up times without any midnight trick', () => {
    const s = summarize('time', [t('06:00'), t('07:00'), t('08:00')]);
    expect(s).toEqual({ count: 3, avg: t('07:00'), min: t('06:00'), max: t('08:00') });
  });

  it('handles times around noon (lunch) too', () => {
    const s = summarize('time', [t('11:50'), t('12:10')]);
    expect(s).toEqual({ count: 2, avg: t('12:00'), min: t('11:50'), max: t('12:10') });
  });

  it('falls back to the unwrapped mean when the times cancel out on the clock', () => {
    // 06:00 and 18:00 are opposite: no circular mean; the linear mean is 12:00.
    expect(circularMeanMinutes([t('06:00'), t('18:00')])).toBeUndefined();
    expect(summarize('time', [t('06:00'), t('18:00')])).toEqual({
      count: 2,
      avg: t('12:00'),
      min: t('06:00'),
      max: t('18:00'),
    });
  });
});

describe('circularMeanMinutes', () => {
  it('weights values', () => {
    // 23:00 and 01:00 → 00:00. 22:00 (-30°) weighted 2 and 02:00 (+30°) weighted 1:
    // Σsin = -0.5, Σcos = 2.598, atan2 = -10.89° = -43.6 min → 23:16.
    expect(circularMeanMinutes([t('23:00'), t('01:00')])).toBe(0);
    expect(circularMeanMinutes([t('22:00'), t('02:00')], [1, 1])).toBe(0);
    const leaning = circularMeanMinutes([t('22:00'), t('02:00')], [2, 1])!;
    expect(formatValue('time', leaning)).toBe('23:16');
    expect(circularMeanMinutes([])).toBeUndefined();
  });
});

describe('unwrapTimes', () => {
  it('makes bedtimes continuous across midnight and keeps gaps', () => {
    expect(unwrapTimes([t('23:30'), undefined, t('00:30'), t('23:50')])).toEqual([1410, undefined, 1470, 1430]);
  });

  it('leaves series that do not cross midnight alone', () => {
    expect(unwrapTimes([420, 480, 390])).toEqual([420, 480, 390]);
    expect(unwrapTimes([undefined])).toEqual([undefined]);
  });
});
