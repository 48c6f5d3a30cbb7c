/**
 * The built `okr` as a real process: `connect --no-browser` against the simulator, and Ctrl-C
 * (SIGINT) while it waits. Proves the bundle carries the OAuth code and that a real interrupt
 * closes the loopback port and stores nothing. Needs `npm run build` (npm test runs it first).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { REPO_ROOT, startBin, tempHome } from '../helpers/cli.js';
import { homeFiles, leaks, redirectPort, refuses } from '../oauth/helpers.js';

const built = existsSync(join(REPO_ROOT, 'dist', 'cli.js'));
const AUTH_LINE = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m;

let sim: Simulator;
let home: string;
beforeEach(async () => {
  sim = await startSimulator({ autoApprove: true });
  home = tempHome();
});
afterEach(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

function okr(args: string[]) {
  const p = startBin(args, { ...sim.env, OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1' });
  return { ...p, url: p.waitFor(AUTH_LINE).then((m) => m[1]!) };
}

describe.skipIf(!built)('okr connect as a real process', () => {
  it('--no-browser: the printed URL completes the sign-in', async () => {
    const p = okr(['connect', 'fitbit', '--no-browser']);
    const url = await p.url;
    const page = await (await fetch(url, { redirect: 'follow' })).text();
    expect(page).toContain('Connected to Fitbit (Google Health)');
    // stdin stays open (a terminal): the process must still exit once connected.
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ Connected Fitbit (Google Health) as ${sim.healthUserId}.`);
    expect(await refuses(redirectPort(url))).toBe(true);
    const tokens = JSON.parse(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.fitbit']);
    expect(leaks(r.stdout + r.stderr, [tokens.accessToken, tokens.refreshToken, sim.clientSecret])).toEqual([]);
  });

  it('SIGINT while waiting: exit 130, port closed, nothing stored', async () => {
    const p = okr(['connect', 'fitbit', '--no-browser']);
    const url = await p.url;
    const port = redirectPort(url);
    expect(await refuses(port)).toBe(false);
    p.child.kill('SIGINT');
    const r = await p.exited;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('error: Interrupted.');
    expect(await refuses(port)).toBe(true);
    expect(existsSync(homeFiles(home).secrets)).toBe(false);
  });
});
