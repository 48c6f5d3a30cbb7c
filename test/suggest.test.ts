import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../src/suggest.js';

describe('did you mean', () => {
  it('edit distance counts inserts, deletes and changes', () => {
    expect([editDistance('', ''), editDistance('abc', 'abc'), editDistance('kitten', 'sitting')]).toEqual([0, 0, 3]);
    expect(editDistance('stepz', 'steps')).toBe(1);
  });

  it('suggests the nearest name within a typo, whatever the case; nothing for another word', () => {
    const names = ['fitbit', 'oura', 'withings', 'apple-health'];
    expect(closest('fitbi', names)).toBe('fitbit');
    expect(closest('OURA', names)).toBe('oura');
    expect(closest('withigns', names)).toBe('withings');
    expect(closest('garmin', names)).toBeUndefined();
    // Two letters changed of two is not a typo.
    expect(closest('xy', ['ab'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
    expect(didYouMean('dayly', ['daily', 'weekly'])).toBe(' (did you mean daily?)');
    expect(didYouMean('zzz', ['daily'])).toBe('');
  });
});
