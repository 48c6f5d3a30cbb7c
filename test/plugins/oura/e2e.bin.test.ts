/**
 * The built `okr` against the Oura simulator, as a user runs it: settings without prompts,
 * `okr connect oura --no-browser` with the pasted redirect, the default mode where okr opens the
 * browser and serves the exact registered redirect itself, `okr sync oura --since 30d` and
 * `okr metrics show`. Every value stored is compared with the simulator's truth for its day.
 * Needs `npm run build` (npm test runs it first).
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type OuraSimulator,
  type OuraSimulatorOptions,
  startOuraSimulator,
} from '../../../src/simulator/oura/index.js';
import { type LiveBin, REPO_ROOT, runBin, startBin, tempHome } from '../../helpers/cli.js';
import { closedPort, homeFiles, leaks, refuses } from '../../oauth/helpers.js';

const built = existsSync(join(REPO_ROOT, 'dist', 'cli.js'));
const AUTH_LINE = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/oura\/oauth\/authorize\?\S+)$/m;
const ZONE = 'America/New_York';

let home: string;
let sim: OuraSimulator;
let redirect: string;

async function start(opts: OuraSimulatorOptions = {}) {
  redirect = `http://127.0.0.1:${await closedPort()}/oura/callback`;
  sim = await startOuraSimulator({ seed: 5, redirectUris: [redirect], timeZone: ZONE, ...opts });
}

beforeEach(() => {
  home = tempHome('okr-oura-e2e-');
});
/** Connect processes still running when a test fails: killed, so nothing outlives the test. */
const live: LiveBin[] = [];
const connectLive = () => {
  const p = startBin(['connect', 'oura', '--no-browser', '--timeout', '60s'], baseEnv());
  live.push(p);
  return p;
};
afterEach(async () => {
  for (const p of live.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

const baseEnv = () => ({ OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1', TZ: ZONE });
const okr = (args: string[], stdin?: string, env: Record<string, string> = {}) =>
  runBin(args, { env: { ...baseEnv(), ...env }, stdin, timeoutMs: 60_000 });

/** `okr config set` for every setting, the secret through stdin: no prompt, no secret in argv. */
async function configure() {
  const settings: Record<string, string> = {
    'plugin.oura.client_id': sim.clientId,
    'plugin.oura.redirect_uri': redirect,
    'plugin.oura.auth_url': sim.authUrl,
    'plugin.oura.token_url': sim.tokenUrl,
    'plugin.oura.revoke_url': sim.revokeUrl,
    'plugin.oura.api_base_url': sim.apiBaseUrl,
  };
  for (const [k, v] of Object.entries(settings)) expect((await okr(['config', 'set', k, v])).code).toBe(0);
  const secret = await okr(['config', 'set', 'plugin.oura.client_secret', '--stdin'], sim.clientSecret);
  expect(secret.code).toBe(0);
}

/** Every stored oura value, by date and field id. */
function storedValues(): Map<string, Record<string, number>> {
  const db = new Database(homeFiles(home).db, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT date, metric_name AS m, value FROM daily_metric_values WHERE source = 'oura'")
      .all() as Array<{ date: string; m: string; value: number }>;
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) out.set(r.date, { ...out.get(r.date), [r.m.replace(/^oura\./, '')]: r.value });
    return out;
  } finally {
    db.close();
  }
}

/** The simulator's truth for the days in [from, to] that have any value. */
function truth(from: string, to: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const d of sim.data.days(from, to)) if (Object.keys(d.expected).length > 0) out.set(d.date, d.expected);
  return out;
}

describe.skipIf(!built)('oura end to end, with the built binary', () => {
  it('config set, connect --no-browser with the pasted redirect, sync --since 30d, metrics show', async () => {
    await start({ autoApprove: true });
    await configure();
    const list = await okr(['config', 'list']);
    expect(list.stdout).toMatch(/plugin\.oura\.client_secret\s+\*+/);
    expect(list.stdout).not.toContain(sim.clientSecret);

    const p = connectLive();
    const url = (await p.waitFor(AUTH_LINE))[1]!;
    const u = new URL(url);
    expect(u.searchParams.get('redirect_uri')).toBe(redirect);
    expect(u.searchParams.get('scope')).toBe('daily email');
    expect(u.searchParams.has('code_challenge')).toBe(false);
    // The user approves in a browser elsewhere; the page there does not load; they paste the URL.
    const approved = await fetch(url, { redirect: 'manual' });
    const landed = approved.headers.get('location')!;
    expect(landed.startsWith(`${redirect}?code=`)).toBe(true);
    p.child.stdin.write(`${landed}\n`);
    const connected = await p.exited;
    expect(connected.code).toBe(0);
    expect(connected.stdout).toContain(`✓ Connected Oura as sleeper@example.com (${sim.user.id}).`);
    expect(await refuses(Number(new URL(redirect).port))).toBe(true);

    const sync = await okr(['sync', 'oura', '--since', '30d', '--json']);
    expect(sync.code).toBe(0);
    const report = JSON.parse(sync.stdout) as {
      from: string;
      to: string;
      plugins: Array<{ calls: number; status: string }>;
    };
    expect(report.plugins[0]!.status).toBe('ok');
    // One request per collection for the whole range (a 30-day range is one page each).
    expect(report.plugins[0]!.calls).toBe(4);
    expect(storedValues()).toEqual(truth(report.from, report.to));

    const show = await okr(['metrics', 'show', '--since', '7d', '--json']);
    expect(show.code).toBe(0);
    const shown = JSON.stringify(JSON.parse(show.stdout));
    for (const m of ['oura.readiness', 'oura.sleepLength', 'oura.bedTime', 'oura.steps']) expect(shown).toContain(m);
    const table = await okr(['metrics', 'show', '--since', '7d']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Readiness/);
    // A row shows the day's values: its readiness score, its bed time as HH:MM.
    const [date, day] = [...truth(report.from, report.to)]
      .filter(([, v]) => v.readiness !== undefined && v.bedTime !== undefined)
      .at(-1)!;
    const row = table.stdout.split('\n').find((l) => l.startsWith(date))!;
    const hhmm = `${String(Math.floor(day.bedTime! / 60)).padStart(2, '0')}:${String(day.bedTime! % 60).padStart(2, '0')}`;
    expect(row).toContain(` ${day.readiness} `);
    expect(row).toContain(hhmm);

    const tokens = JSON.parse(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.oura']);
    const all = [connected, sync, show, table].map((r) => r.stdout + r.stderr).join('\n');
    expect(leaks(all, [tokens.accessToken, tokens.refreshToken, sim.clientSecret])).toEqual([]);
  }, 120_000);

  it('default mode: okr opens the browser and serves the exact registered redirect itself', async () => {
    await start({ autoApprove: true });
    await configure();
    // The "browser": xdg-open hands the URL to $BROWSER, which follows the redirects like a browser.
    const browser = join(home, 'browser.cjs');
    writeFileSync(
      browser,
      `#!${process.execPath}\nfetch(process.argv[2], { redirect: 'follow' }).then((r) => r.text()).then((t) => { const fs = require('node:fs'); fs.writeFileSync(${JSON.stringify(join(home, 'page.tmp'))}, t); fs.renameSync(${JSON.stringify(join(home, 'page.tmp'))}, ${JSON.stringify(join(home, 'page.html'))}); });\n`,
    );
    chmodSync(browser, 0o700);
    const env = { BROWSER: browser, DISPLAY: '', WAYLAND_DISPLAY: '', XDG_CURRENT_DESKTOP: '' };
    const r = await okr(['connect', 'oura', '--timeout', '60s'], undefined, env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Opening the browser to sign in to Oura');
    expect(r.stderr).toContain(encodeURIComponent(redirect));
    expect(r.stdout).toContain('✓ Connected Oura as sleeper@example.com');
    // The "browser" writes the page (whole, by a rename) after okr has answered it, maybe after
    // okr has exited: wait for it.
    const page = join(home, 'page.html');
    for (let i = 0; i < 100 && !existsSync(page); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(page, 'utf8')).toContain('Connected to Oura');
    expect(sim.stats['token:authorization_code']).toBe(1);
  }, 60_000);

  it('an unticked daily scope: connect names the fields it leaves empty; sync reports them without calling Oura', async () => {
    await start({ autoApprove: ['email'] });
    await configure();
    const p = connectLive();
    const url = (await p.waitFor(AUTH_LINE))[1]!;
    p.child.stdin.write(`${(await fetch(url, { redirect: 'manual' })).headers.get('location')}\n`);
    const connected = await p.exited;
    expect(connected.code).toBe(0);
    expect(connected.stdout).toMatch(
      /Not granted: daily \(no data for oura\.readiness, oura\.sleepScore, .*oura\.temperatureDeviation\)/,
    );
    sim.resetStats();
    const sync = await okr(['sync', 'oura', '--since', '7d']);
    expect(sync.code).toBe(1);
    // Reported per field, from the grant on record, without asking Oura for what it would refuse.
    expect(sync.stderr + sync.stdout).toMatch(
      /oura\.readiness, .*oura\.temperatureDeviation not synced: the scope daily was not granted/,
    );
    expect(sim.stats.api ?? 0).toBe(0);
  }, 60_000);

  it('a lapsed membership: its own error, with the fix in words, and nothing already stored is lost', async () => {
    await start({ autoApprove: true });
    await configure();
    const p = connectLive();
    const url = (await p.waitFor(AUTH_LINE))[1]!;
    p.child.stdin.write(`${(await fetch(url, { redirect: 'manual' })).headers.get('location')}\n`);
    expect((await p.exited).code).toBe(0);
    expect((await okr(['sync', 'oura', '--since', '7d'])).code).toBe(0);
    const before = storedValues();
    expect(before.size).toBeGreaterThan(0);
    sim.faults.membershipExpired = true;
    const r = await okr(['sync', 'oura', '--since', '7d']);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/active Oura Membership/);
    expect(r.stderr + r.stdout).toMatch(/Renew it in the Oura app/);
    expect(storedValues()).toEqual(before);
  }, 60_000);
});
