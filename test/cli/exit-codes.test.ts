/**
 * Exit codes of the built binary, as the README's "Exit codes" table has them: a plugin id that no
 * plugin has is a usage error (2) in every command that takes one, with the same two lines; a
 * command that is right but finds the home not set up yet (no metric template) is an error (1).
 */
import { describe, expect, it } from 'vitest';
import { runBin, tempHome } from '../helpers/cli.js';

const UNKNOWN =
  'error: Unknown plugin "garmin". Known plugins: fitbit, oura, withings, apple-health.\nhint: Run `okr plugins` to list them.\n';

describe('exit codes, through the built binary', () => {
  it.each([
    [['connect', 'garmin', '--no-browser']],
    [['disconnect', 'garmin']],
    [['plugins', 'show', 'garmin']],
    [['plugins', 'show', 'garmin', '--json']],
    [['config', 'setup', 'garmin']],
    [['sync', 'garmin']],
    [['sync', 'garmin', '--dry-run']],
  ])('an unknown plugin: okr %j exits 2 with one error and one hint', async (args) => {
    const r = await runBin(args, { home: tempHome(), env: { OKR_SECRETS: 'file' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(UNKNOWN);
    expect(r.stdout).toBe('');
  });

  it('several unknown plugins are named together', async () => {
    const r = await runBin(['sync', 'garmin', 'polar', 'fitbit'], { home: tempHome(), env: { OKR_SECRETS: 'file' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: Unknown plugins "garmin", "polar". Known plugins: fitbit, oura, withings, apple-health.\nhint: Run `okr plugins` to list them.\n',
    );
  });

  it('no metric template yet is an error (1), not a usage error', async () => {
    const r = await runBin(['metrics', 'show'], { home: tempHome(), env: { OKR_SECRETS: 'file' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: There is no metric template yet\.\nhint: Create one: okr metrics template create/,
    );
  });

  it('a bad flag value and an unknown command are usage errors (2)', async () => {
    expect((await runBin(['metrics', 'show', '--since', 'soon'], { home: tempHome() })).code).toBe(2);
    expect((await runBin(['frobnicate'], { home: tempHome() })).code).toBe(2);
  });
});
