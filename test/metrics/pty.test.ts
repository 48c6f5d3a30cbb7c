/**
 * Interactive template creation in a real pseudo-terminal: the built `node bin/okr.js` runs in a
 * tmux pane (a private server socket, killed at the end), keys are sent with `send-keys`, the
 * screen is read with `capture-pane`, and the saved template is checked in the database.
 * Needs `npm run build` first (npm test does it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { getTemplate } from '../../src/store/templates.js';
import { BIN, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const t = privateTmux('okr-test');
const SESSION = 'okr';

/** Waits until the pane shows `text` (at least `times` times), or fails with the screen. */
const waitFor = (text: string, times = 1) =>
  t.waitFor(SESSION, (s) => s.split(text).length - 1 >= times, { joined: true });
const keys = (...k: string[]) => t.keys(SESSION, ...k);
const type = (text: string) => t.type(SESSION, text);

const home = tempHome('okr-pty-');

/** Runs `okr <args>` in a fresh tmux session (the previous one, if any, is killed first). */
function start(args: string): void {
  const command = `node ${JSON.stringify(BIN)} ${args}; echo "OKR_EXIT=$?"; sleep 120`;
  const env = { OKR_HOME: home, NO_COLOR: '1', OKR_SECRETS: 'file' };
  t.start(SESSION, command, { width: 120, height: 50, env, cwd: REPO_ROOT });
}

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  }
});

afterAll(() => t.close());

describe('okr metrics template create, interactively', () => {
  it('picks plugin fields and manual metrics with targets, and saves the template', async () => {
    start('metrics template create daily');
    // 1. Plugin fields: a checkbox with descriptions; fields the provider does not offer are disabled.
    let s = await waitFor('Values from plugins');
    expect(s).toContain('Sleep length (fitbit.sleepLength)');
    expect(s).toMatch(/Cardio load \(fitbit\.cardioLoad\).*n\/a: not offered by the provider/);
    expect(s).toContain('Minutes asleep in the main sleep'); // the highlighted field's description
    keys('Space', 'Down', 'Down', 'Space', 'Down', 'Space', 'Enter'); // sleepLength, bedTime, steps

    // 2. A manual number with a target.
    await waitFor('A metric you log by hand');
    type('Mood');
    keys('Enter');
    await waitFor('Type of Mood');
    keys('Enter'); // number
    await waitFor('Unit (optional');
    keys('Enter');
    await waitFor('Target (optional, e.g. >=8)');
    type('>=7');
    keys('Enter');

    // 3. A yes/no metric; a bad target is refused in place, then corrected.
    await waitFor('A metric you log by hand', 2);
    type('Meditated');
    keys('Enter');
    await waitFor('Type of Meditated');
    keys('Down', 'Down', 'Down', 'Enter'); // number, duration, time, yes/no
    await waitFor('Target (optional, e.g. yes)');
    type('maybe');
    keys('Enter');
    await waitFor('Not yes or no');
    keys('C-u');
    type('yes');
    keys('Enter');

    // 4. Enter on an empty label finishes; then targets for the plugin values.
    await waitFor('A metric you log by hand', 3);
    keys('Enter');
    await waitFor('Set targets for the plugin values?');
    type('y');
    keys('Enter');
    await waitFor('Target for Sleep length');
    type('>=7:30');
    keys('Enter');
    await waitFor('Target for Bed time');
    keys('Enter');
    await waitFor('Target for Steps');
    type('10000');
    keys('Enter');

    s = await waitFor('OKR_EXIT=');
    expect(s).toContain('OKR_EXIT=0');
    expect(s).toContain('Saved template "daily" (default): Sleep length, Bed time, Steps, Mood, Meditated.');
    expect(s).toContain(
      "The same without prompts: okr metrics template create daily --metric 'Sleep length=fitbit.sleepLength@>=7:30' --metric 'Bed time=fitbit.bedTime' --metric Steps=fitbit.steps@10000 --metric 'Mood:number@>=7' --metric Meditated:boolean@yes",
    );

    const ctx = createContext({ env: { OKR_HOME: home }, homedir: home });
    const t = getTemplate(ctx.db(), 'daily');
    ctx.close();
    expect(t?.isDefault).toBe(true);
    expect(t?.metrics).toEqual([
      {
        label: 'Sleep length',
        type: 'external',
        source: 'fitbit.sleepLength',
        metricName: 'fitbit.sleepLength',
        unit: undefined,
        target: '>=7:30',
      },
      {
        label: 'Bed time',
        type: 'external',
        source: 'fitbit.bedTime',
        metricName: 'fitbit.bedTime',
        unit: undefined,
        target: undefined,
      },
      {
        label: 'Steps',
        type: 'external',
        source: 'fitbit.steps',
        metricName: 'fitbit.steps',
        unit: undefined,
        target: '10000',
      },
      { label: 'Mood', type: 'number', source: undefined, metricName: 'mood', unit: undefined, target: '>=7' },
      {
        label: 'Meditated',
        type: 'boolean',
        source: undefined,
        metricName: 'meditated',
        unit: undefined,
        target: 'yes',
      },
    ]);
  });

  it('edit: renames a metric (its values stay), moves it up, and saves', async () => {
    // Runs after the create test above: the template holds Sleep length, Bed time, Steps, Mood, Meditated.
    start('metrics template edit daily');
    await waitFor('What next?');
    keys('Down', 'Down', 'Down', 'Enter'); // Rename a metric
    await waitFor('Rename which?');
    keys('Down', 'Down', 'Down', 'Enter'); // Mood
    await waitFor('New label for Mood');
    keys('C-u');
    type('Humeur');
    keys('Enter');
    await waitFor('What next?', 2);
    keys('Down', 'Down', 'Down', 'Down', 'Down', 'Enter'); // Move a metric up
    await waitFor('Move which up?');
    keys('Down', 'Down', 'Down', 'Enter'); // Humeur
    await waitFor('What next?', 3);
    keys('Up', 'Up', 'Enter'); // Save and quit
    const s = await waitFor('OKR_EXIT=');
    expect(s).toContain('OKR_EXIT=0');
    expect(s).toContain('Saved template "daily": Sleep length, Bed time, Humeur, Steps, Meditated.');

    const ctx = createContext({ env: { OKR_HOME: home }, homedir: home });
    const t = getTemplate(ctx.db(), 'daily');
    ctx.close();
    expect(t?.metrics.map((m) => [m.label, m.metricName, m.target])).toEqual([
      ['Sleep length', 'fitbit.sleepLength', '>=7:30'],
      ['Bed time', 'fitbit.bedTime', undefined],
      ['Humeur', 'mood', '>=7'],
      ['Steps', 'fitbit.steps', '10000'],
      ['Meditated', 'meditated', 'yes'],
    ]);
  });
});
