/**
 * `okr connect fitbit` over "SSH", in a real pseudo-terminal: the built `node bin/okr.js` runs in
 * a tmux pane (a private server socket, killed at the end) with SSH_CONNECTION set and no
 * display. It must say that no browser can open, print the URL, and take the redirect URL typed
 * (pasted) into the terminal, against the simulator on 127.0.0.1.
 * Needs `npm run build` first (npm test does it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { BIN, REPO_ROOT, tempHome } from '../helpers/cli.js';

const SOCKET = `okr-connect-${process.pid}`;
const SESSION = 'okr';
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', SESSION);

async function waitFor(re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    const m = re.exec(s);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let sim: Simulator;
const home = tempHome('okr-connect-pty-');

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  sim = await startSimulator({ autoApprove: true });
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
  await sim.close();
});

describe('okr connect in an SSH session', () => {
  it('asks for the redirect URL at the terminal, and a pasted one signs in', async () => {
    const vars = {
      ...sim.env,
      OKR_HOME: home,
      OKR_SECRETS: 'file',
      NO_COLOR: '1',
      SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22',
    };
    const command = `env -u DISPLAY -u WAYLAND_DISPLAY node ${JSON.stringify(BIN)} connect fitbit --timeout 60s; echo "OKR_EXIT=$?"; sleep 120`;
    const env = Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // Wide enough that the URL stays on one line.
    tmux('new-session', '-d', '-s', SESSION, '-x', '400', '-y', '60', ...env, '-c', REPO_ROOT, command);

    const [, url] = await waitFor(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m);
    const s = screen();
    expect(s).toContain('No browser can open here: this is an SSH session (SSH_CONNECTION is set).');
    expect(s).not.toContain('Opening the browser');
    // Approve "on another machine": the redirect is not followed, its URL is pasted instead.
    const res = await fetch(url!, { redirect: 'manual' });
    await res.arrayBuffer();
    tmux('send-keys', '-t', SESSION, '-l', res.headers.get('location')!);
    tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor(/OKR_EXIT=\d+/);
    expect(screen()).toContain(`Connected Fitbit (Google Health) as ${sim.healthUserId}`);
    expect(screen()).toContain('OKR_EXIT=0');
  });
});
