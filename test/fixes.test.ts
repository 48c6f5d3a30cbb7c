/**
 * The fix every command gives for a kind of problem (src/fixes.ts): a setting the user corrects
 * by hand is followed by the sync, and a sync's hint that already says how to correct it is not
 * given a second fix.
 */
import { describe, expect, it } from 'vitest';
import { fixFor, fixText, hintWithFix } from '../src/fixes.js';

describe('a setting to correct (settings, redirect)', () => {
  it('status and doctor: look at the settings, correct the one named, then sync', () => {
    expect(fixText(fixFor('settings', 'oura'))).toBe(
      'okr config list (correct the setting the message names, then run `okr sync oura`)',
    );
  });

  it('a sync hint that says how to correct it ends with the sync, not with `okr config list` or `--verbose`', () => {
    const hint = 'Run `okr config set plugin.oura.token_url <https URL>`.';
    for (const kind of ['settings', 'redirect']) {
      expect(hintWithFix(hint, fixFor(kind, 'oura'))).toBe(`${hint} Then run \`okr sync oura\`.`);
    }
  });

  it('a hint that already names the sync is kept as it is; no hint gives the whole fix', () => {
    const hint = 'Correct it, then run `okr sync oura`.';
    expect(hintWithFix(hint, fixFor('settings', 'oura'))).toBe(hint);
    expect(hintWithFix(null, fixFor('settings', 'oura'))).toBe(
      'Run `okr config list` (correct the setting the message names, then run `okr sync oura`).',
    );
  });

  it('other kinds still add their fix after the hint', () => {
    expect(hintWithFix('The service broke.', fixFor('client', 'oura'))).toBe(
      'The service broke. Then run `okr sync oura --verbose`.',
    );
  });
});
