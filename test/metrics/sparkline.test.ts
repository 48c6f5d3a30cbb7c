import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/metrics/sparkline.js';
import { unwrapTimes } from '../../src/metrics/stats.js';

describe('sparkline', () => {
  it('maps the range onto eight levels', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 50, 100])).toBe('▁▅█');
    expect(sparkline([10, 0])).toBe('█▁');
  });

  it('shows missing days as gaps, not as the lowest bar', () => {
    expect(sparkline([1, undefined, 8])).toBe('▁ █');
    expect(sparkline([1, undefined, 8], { missing: '·' })).toBe('▁·█');
    expect(sparkline([1, Number.NaN, 8])).toBe('▁ █');
  });

  it('puts a flat series in the middle', () => {
    expect(sparkline([5, 5, undefined, 5])).toBe('▄▄ ▄');
  });

  it('handles empty and all-missing series', () => {
    expect(sparkline([])).toBe('');
    expect(sparkline([undefined, undefined], { missing: '·' })).toBe('··');
  });

  it('draws unwrapped bedtimes as a smooth trend across midnight', () => {
    // 23:00, 23:30, 00:00, 00:30 → steadily later.
    expect(sparkline(unwrapTimes([1380, 1410, 0, 30]))).toBe('▁▃▆█');
  });
});
