/**
 * `okr config setup fitbit` at a real 70-column terminal (the built `node bin/okr.js` in a tmux
 * pane on a private server socket, killed at the end): the setup steps are wrapped by okr at
 * spaces, so no word is cut where the terminal would wrap it. A word longer than a line (a URL)
 * stays whole on its own line, and a value to copy (the scopes) stays on one line.
 * Needs `npm run build` first (npm test does it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const t = privateTmux('okr-setup');
const WIDTH = 70;

afterAll(() => t.close());

describe('okr config setup at a narrow terminal', () => {
  it('wraps every paragraph at spaces to the width; only single long words and the scopes line are longer', async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
      throw new Error('dist/cli.js is missing: run `npm run build` first');
    const env = { OKR_HOME: tempHome('okr-setup-pty-'), OKR_SECRETS: 'file', NO_COLOR: '1' };
    t.start('okr', `node ${JSON.stringify(BIN)} config setup fitbit; sleep 120`, {
      width: WIDTH,
      height: 50,
      env,
      cwd: REPO_ROOT,
    });
    // Joined: the lines the terminal wrapped are put back together, leaving the lines okr printed.
    const s = await t.waitFor('okr', /\? Client ID/, { joined: true });
    t.keys('okr', 'C-c');
    const steps = s.slice(s.indexOf('Setting up'), s.indexOf('? Client ID')).split('\n');
    expect(steps.length).toBeGreaterThan(40);
    const tooLong = steps.filter((l) => [...l].length > WIDTH && l.trim().includes(' ') && !l.startsWith('Scopes: '));
    expect(tooLong).toEqual([]);
    // Wrapped lines carry the paragraph's indent: a step's text under its title, a warning under its mark.
    expect(steps).toContain('2. Enable the Google Health API');
    expect(steps.some((l) => /^ {2}Google's Health API pages say/.test(l))).toBe(true);
    expect(steps.filter((l) => l.startsWith('Scopes: '))).toHaveLength(1);
  });
});
