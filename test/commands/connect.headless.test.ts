/**
 * `okr connect` where no browser the user sees can open (over SSH, no display): it says so and
 * takes the pasted redirect URL, instead of "Opening the browser…" and a ten-minute wait. And on a
 * terminal the default mode offers the paste too (gh, rclone): the loopback callback and a pasted
 * URL race, the first wins. In-process against the simulator; test/commands/connect.pty.test.ts
 * does the same with the built binary in a real terminal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whyNoBrowser } from '../../src/browser.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { tempHome } from '../helpers/cli.js';
import { redirectPort, refuses, startCli } from '../oauth/helpers.js';

let sim: Simulator;
let home: string;

beforeEach(async () => {
  sim = await startSimulator({ autoApprove: true });
  home = tempHome('okr-headless-');
});
afterEach(async () => {
  await sim.close();
});

const NO_SESSION = { SSH_CONNECTION: undefined, SSH_TTY: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const env = (extra: Record<string, string | undefined>) => ({
  ...sim.env,
  OKR_SECRETS: 'file',
  ...NO_SESSION,
  ...extra,
});
const AUTH_URL = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m;

/** The approval in "another machine's" browser: the redirect it would land on, not followed. */
async function approveElsewhere(authUrl: string): Promise<string> {
  const res = await fetch(authUrl, { redirect: 'manual' });
  await res.arrayBuffer();
  return res.headers.get('location')!;
}

describe('where a browser would open', () => {
  it.each([
    [{ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }, 'linux', 'this is an SSH session (SSH_CONNECTION is set)'],
    [{ SSH_TTY: '/dev/pts/3', DISPLAY: ':0' }, 'darwin', 'this is an SSH session (SSH_TTY is set)'],
    [{}, 'linux', 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)'],
    [{ WAYLAND_DISPLAY: 'wayland-0' }, 'linux', undefined],
    [{ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22', DISPLAY: 'localhost:10.0' }, 'linux', undefined], // ssh -X
    [{}, 'darwin', undefined],
    [{}, 'win32', undefined],
    [{ BROWSER: 'w3m' }, 'linux', undefined], // the user said how a browser opens here
    [{ SSH_TTY: '/dev/pts/3', BROWSER: 'lynx' }, 'linux', undefined],
    [{ BROWSER: '  ' }, 'linux', 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)'],
  ] as const)('%j on %s: %s', (vars, platform, why) => {
    expect(whyNoBrowser(vars, platform)).toBe(why);
  });
});

describe('okr connect with no browser to open', () => {
  it('over SSH: says why, opens nothing, and completes with the pasted URL', async () => {
    // No browser is injected: the context's own detection decides (a test never opens one).
    const run = startCli(['connect', 'fitbit', '--timeout', '20s'], {
      home,
      env: env({ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }),
      platform: 'linux',
      endStdin: false,
    });
    const [, url] = await run.waitFor(AUTH_URL);
    expect(run.stderr()).toContain(
      'No browser can open here: this is an SSH session (SSH_CONNECTION is set). okr takes the redirect URL instead.',
    );
    expect(run.stderr()).not.toContain('Opening the browser');
    run.stdin.write(`${await approveElsewhere(url!)}\n`);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Connected Fitbit (Google Health) as ${sim.healthUserId}`);
    expect(await refuses(redirectPort(url!))).toBe(true);
  });

  it('no display on Linux: the same paste flow', async () => {
    const run = startCli(['connect', 'fitbit', '--timeout', '20s'], {
      home,
      env: env({}),
      platform: 'linux',
      endStdin: false,
    });
    const [, url] = await run.waitFor(AUTH_URL);
    expect(run.stderr()).toContain('there is no display (DISPLAY and WAYLAND_DISPLAY are not set)');
    run.stdin.write(`${await approveElsewhere(url!)}\n`);
    expect((await run.done).code).toBe(0);
  });
});

describe('okr connect on a terminal, browser opened', () => {
  it('also takes a pasted URL: whichever comes first wins', async () => {
    let opened = '';
    const run = startCli(['connect', 'fitbit', '--timeout', '20s'], {
      home,
      env: env({ DISPLAY: ':0' }),
      // The browser "opens" on a screen the user is not looking at: nothing arrives from it.
      openBrowser: async (u) => {
        opened = u;
      },
      endStdin: false,
      tty: true,
    });
    const [, url] = await run.waitFor(AUTH_URL);
    await run.waitFor(/Or, if that browser is on another machine, paste the URL it lands on/);
    expect(opened).toBe(url);
    run.stdin.write(`${await approveElsewhere(url!)}\n`);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Connected Fitbit (Google Health)');
  });

  it('the browser callback still wins when it comes first, and stdin is left alone without a terminal', async () => {
    const run = startCli(['connect', 'fitbit', '--timeout', '20s'], {
      home,
      env: env({ DISPLAY: ':0' }),
      // Like a real browser, it runs on its own: the call returns at once.
      openBrowser: async (u) => {
        fetch(u, { redirect: 'follow' }).then((res) => res.arrayBuffer());
      },
      endStdin: false,
    });
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('paste the URL it lands on');
  });
});
