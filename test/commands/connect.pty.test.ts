/**
 * `okr connect fitbit` over "SSH", in a real pseudo-terminal: the built `node bin/okr.js` runs in
 * a tmux pane (a private server socket, killed at the end) with SSH_CONNECTION set and no
 * display. It must say that no browser can open, print the URL, and take the redirect URL typed
 * (pasted) into the terminal, against the simulator on 127.0.0.1.
 * Needs `npm run build` first (npm test does it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { BIN, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const t = privateTmux('okr-connect');
const SESSION = 'okr';
const screen = () => t.screen(SESSION, true);
const waitFor = (re: RegExp) => t.waitFor(SESSION, re, { joined: true }).then((s) => re.exec(s)!);

let sim: Simulator;
const home = tempHome('okr-connect-pty-');

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  sim = await startSimulator({ autoApprove: true });
});

afterAll(async () => {
  t.close();
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
    // Wide enough that the URL stays on one line.
    t.start(SESSION, command, { width: 400, height: 60, env: vars, cwd: REPO_ROOT });

    const [, url] = await waitFor(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m);
    const s = screen();
    expect(s).toContain('No browser can open here: this is an SSH session (SSH_CONNECTION is set).');
    expect(s).not.toContain('Opening the browser');
    // Approve "on another machine": the redirect is not followed, its URL is pasted instead.
    const res = await fetch(url!, { redirect: 'manual' });
    await res.arrayBuffer();
    t.type(SESSION, res.headers.get('location')!);
    t.keys(SESSION, 'Enter');
    await waitFor(/OKR_EXIT=\d+/);
    expect(screen()).toContain(`Connected Fitbit (Google Health) as ${sim.healthUserId}`);
    expect(screen()).toContain('OKR_EXIT=0');
  });
});
