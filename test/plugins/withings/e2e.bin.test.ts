/**
 * The built `okr` against the Withings simulator, as a user runs it: settings without prompts,
 * `okr connect withings` with an https callback URL okr cannot serve (the URL printed, the
 * redirect pasted back), the same with a loopback callback okr serves itself (the browser opened
 * through $BROWSER), then `okr sync withings --since 30d` and `okr metrics show`. Every value
 * stored is compared with the simulator's truth for its day. Needs `npm run build`.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatValue } from '../../../src/metrics/values.js';
import {
  startWithingsSimulator,
  type WithingsSimulator,
  type WithingsSimulatorOptions,
} from '../../../src/simulator/withings/index.js';
import { type LiveBin, REPO_ROOT, runBin, startBin, tempHome } from '../../helpers/cli.js';
import { closedPort, homeFiles, leaks, refuses } from '../../oauth/helpers.js';

const built = existsSync(join(REPO_ROOT, 'dist', 'cli.js'));
const AUTH_LINE = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/withings\/oauth2_user\/authorize2\?\S+)$/m;
const ZONE = 'Europe/Paris';
/** A callback URL as Withings wants them: https, no localhost, port 443. okr cannot serve it. */
const HTTPS_CALLBACK = 'https://okr-user.example.net/withings/callback';

let home: string;
let sim: WithingsSimulator;

async function start(redirect: string, opts: WithingsSimulatorOptions = {}) {
  sim = await startWithingsSimulator({ seed: 5, redirectUris: [redirect], timeZone: ZONE, autoApprove: true, ...opts });
}

beforeEach(() => {
  home = tempHome('okr-withings-e2e-');
});
const live: LiveBin[] = [];
afterEach(async () => {
  for (const p of live.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

const baseEnv = () => ({ OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1', TZ: ZONE });
const okr = (args: string[], stdin?: string, env: Record<string, string> = {}) =>
  runBin(args, { env: { ...baseEnv(), ...env }, stdin, timeoutMs: 60_000 });

async function configure(redirect: string) {
  const settings: Record<string, string> = {
    'plugin.withings.client_id': sim.clientId,
    'plugin.withings.redirect_uri': redirect,
    'plugin.withings.auth_url': sim.authUrl,
    'plugin.withings.token_url': sim.tokenUrl,
    'plugin.withings.api_base_url': sim.apiBaseUrl,
  };
  for (const [k, v] of Object.entries(settings)) expect((await okr(['config', 'set', k, v])).code).toBe(0);
  expect((await okr(['config', 'set', 'plugin.withings.client_secret', '--stdin'], sim.clientSecret)).code).toBe(0);
}

function storedValues(): Map<string, Record<string, number>> {
  const db = new Database(homeFiles(home).db, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT date, metric_name AS m, value FROM daily_metric_values WHERE source = 'withings'")
      .all() as Array<{ date: string; m: string; value: number }>;
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) out.set(r.date, { ...out.get(r.date), [r.m.replace(/^withings\./, '')]: r.value });
    return out;
  } finally {
    db.close();
  }
}

function truth(from: string, to: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const d of sim.data.days(from, to)) if (Object.keys(d.expected).length > 0) out.set(d.date, d.expected);
  return out;
}

describe.skipIf(!built)('withings end to end, with the built binary', () => {
  it('an https callback: connect prints the URL and takes the pasted redirect; sync --since 30d; metrics show', async () => {
    await start(HTTPS_CALLBACK);
    await configure(HTTPS_CALLBACK);
    const list = await okr(['config', 'list']);
    expect(list.stdout).toMatch(/plugin\.withings\.client_secret\s+\*+/);
    expect(list.stdout).not.toContain(sim.clientSecret);

    // Not --no-browser: okr knows by itself that it cannot serve an https page.
    const p = startBin(['connect', 'withings', '--timeout', '60s'], { ...baseEnv(), DISPLAY: '', BROWSER: '' });
    live.push(p);
    const url = (await p.waitFor(AUTH_LINE))[1]!;
    const u = new URL(url);
    expect(u.searchParams.get('redirect_uri')).toBe(HTTPS_CALLBACK);
    expect(u.searchParams.get('scope')).toBe('user.metrics,user.activity');
    expect(u.searchParams.has('code_challenge')).toBe(false);
    // The user allows the app; the browser lands on the https page; they paste its URL.
    const landed = (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
    expect(landed.startsWith(`${HTTPS_CALLBACK}?code=`)).toBe(true);
    p.child.stdin.write(`${landed}\n`);
    const connected = await p.exited;
    expect(connected.code).toBe(0);
    expect(connected.stderr).toContain('okr cannot receive that page itself');
    expect(connected.stdout).toContain(`✓ Connected Withings as ${sim.userId}`);
    // The code exchange was the documented form: action=requesttoken, once.
    expect(sim.stats['token:authorization_code']).toBe(1);

    const sync = await okr(['sync', 'withings', '--since', '30d', '--json']);
    expect(sync.code).toBe(0);
    const report = JSON.parse(sync.stdout) as {
      from: string;
      to: string;
      plugins: Array<{ calls: number; status: string }>;
    };
    expect(report.plugins[0]!.status).toBe('ok');
    expect(report.plugins[0]!.calls).toBe(3);
    expect(storedValues()).toEqual(truth(report.from, report.to));

    const show = await okr(['metrics', 'show', '--since', '7d', '--json']);
    expect(show.code).toBe(0);
    const shown = JSON.stringify(JSON.parse(show.stdout));
    for (const m of ['withings.weight', 'withings.sleepLength', 'withings.bedTime', 'withings.steps']) {
      expect(shown).toContain(m);
    }
    const table = await okr(['metrics', 'show', '--since', '7d']);
    expect(table.code).toBe(0);
    // A row with a weighing shows its weight and the night's wake-up time as HH:MM.
    const [date, day] = [...truth(report.from, report.to)]
      .filter(([, v]) => v.weight !== undefined && v.wakeUpTime !== undefined && v.sleepLength !== undefined)
      .at(-1)!;
    const row = table.stdout.split('\n').find((l) => l.startsWith(date))!;
    const hhmm = `${String(Math.floor(day.wakeUpTime! / 60)).padStart(2, '0')}:${String(day.wakeUpTime! % 60).padStart(2, '0')}`;
    expect(row).toContain(hhmm);
    // As the table formats them (kg rounded, the sleep length as H:MM).
    expect(row).toContain(` ${formatValue('number', day.weight!)} `);
    expect(row).toContain(` ${formatValue('duration', day.sleepLength!)} `);

    const tokens = JSON.parse(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.withings']);
    expect(tokens.userId).toBe(String(sim.userId));
    const all = [connected, sync, show, table].map((r) => r.stdout + r.stderr).join('\n');
    expect(leaks(all, [tokens.accessToken, tokens.refreshToken, sim.clientSecret])).toEqual([]);

    // disconnect: no revocation endpoint at Withings; okr says so and deletes its tokens.
    const gone = await okr(['disconnect', 'withings']);
    expect(gone.code).toBe(0);
    expect(gone.stdout + gone.stderr).toContain('Withings has no revoke endpoint');
    expect(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.withings']).toBeUndefined();
  }, 120_000);

  it('a loopback callback: okr opens the browser and serves the registered redirect itself', async () => {
    const redirect = `http://127.0.0.1:${await closedPort()}/withings/callback`;
    await start(redirect);
    await configure(redirect);
    const browser = join(home, 'browser.cjs');
    writeFileSync(
      browser,
      `#!${process.execPath}\nfetch(process.argv[2], { redirect: 'follow' }).then((r) => r.text()).then((t) => { const fs = require('node:fs'); fs.writeFileSync(${JSON.stringify(join(home, 'page.tmp'))}, t); fs.renameSync(${JSON.stringify(join(home, 'page.tmp'))}, ${JSON.stringify(join(home, 'page.html'))}); });\n`,
    );
    chmodSync(browser, 0o700);
    const env = { BROWSER: browser, DISPLAY: '', WAYLAND_DISPLAY: '', XDG_CURRENT_DESKTOP: '' };
    const r = await okr(['connect', 'withings', '--timeout', '60s'], undefined, env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Opening the browser to sign in to Withings');
    expect(r.stdout).toContain(`✓ Connected Withings as ${sim.userId}`);
    // The "browser" writes the page (whole, by a rename) after okr has answered it, maybe after
    // okr has exited: wait for it.
    const page = join(home, 'page.html');
    for (let i = 0; i < 100 && !existsSync(page); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(page, 'utf8')).toContain('Connected to Withings');
    expect(await refuses(Number(new URL(redirect).port))).toBe(true);
    expect((await okr(['sync', 'withings', '--since', '7d'])).code).toBe(0);
  }, 60_000);
});
