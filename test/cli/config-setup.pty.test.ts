/**
 * `okr config setup fitbit` at a real 70-column terminal (the built `node bin/okr.js` in a tmux
 * pane on a private server socket, killed at the end): the setup steps are wrapped by okr at
 * spaces, so no word is cut where the terminal would wrap it. A word longer than a line (a URL)
 * stays whole on its own line, and a value to copy (the scopes) stays on one line.
 * Needs `npm run build` first (npm test does it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, tempHome } from '../helpers/cli.js';

const SOCKET = `okr-setup-${process.pid}`;
const SESSION = 'okr';
const WIDTH = 70;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
// -J joins the lines the terminal wrapped: what is left are the lines okr printed.
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', SESSION);

async function waitFor(re: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (re.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
});

describe('okr config setup at a narrow terminal', () => {
  it('wraps every paragraph at spaces to the width; only single long words and the scopes line are longer', async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
      throw new Error('dist/cli.js is missing: run `npm run build` first');
    const env = Object.entries({ OKR_HOME: tempHome('okr-setup-pty-'), OKR_SECRETS: 'file', NO_COLOR: '1' }).flatMap(
      ([k, v]) => ['-e', `${k}=${v}`],
    );
    const command = `node ${JSON.stringify(BIN)} config setup fitbit; sleep 120`;
    tmux('new-session', '-d', '-s', SESSION, '-x', String(WIDTH), '-y', '50', ...env, '-c', REPO_ROOT, command);
    const s = await waitFor(/\? Client ID/);
    tmux('send-keys', '-t', SESSION, 'C-c');
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
