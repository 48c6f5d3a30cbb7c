/**
 * `okr connect` when things go sideways: the wait times out, Ctrl-C, hostile requests while it
 * waits, a different account than the one on record, a provider that refuses the new tokens,
 * a keychain that is not there. Each stores nothing and leaves no server behind.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTimeout } from '../../src/commands/connect.js';
import { ExitCode } from '../../src/errors.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { recordConnected } from '../../src/store/connections.js';
import { openDatabase } from '../../src/store/db.js';
import type { SecretBackend } from '../../src/store/secrets.js';
import { KeychainUnavailableError } from '../../src/store/secrets.js';
import { putValue } from '../../src/store/values.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { fetchBrowser, homeFiles, leaks, redirectPort, refuses, startCli } from '../oauth/helpers.js';

let sim: Simulator;
let home: string;
beforeEach(async () => {
  sim = await startSimulator({ autoApprove: true });
  home = tempHome();
});
afterEach(async () => {
  await sim.close();
});
const env = () => ({ ...sim.env, OKR_SECRETS: 'file' });
const AUTH_LINE = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m;

function nothingStored() {
  const f = homeFiles(home);
  const secrets = existsSync(f.secrets) ? JSON.parse(readFileSync(f.secrets, 'utf8')) : {};
  expect(secrets['tokens.fitbit']).toBeUndefined();
  if (existsSync(f.db)) {
    const db = openDatabase(f.db);
    const row = db.prepare("SELECT account_id, enabled FROM plugins WHERE plugin_id = 'fitbit'").get();
    db.close();
    return row;
  }
  return undefined;
}

/** A fitbit connection on record for `accountId` (from an earlier connect), optionally with one synced value. */
function connectedOnRecord(accountId: string, opts: { withValue?: boolean } = {}): void {
  const db = openDatabase(homeFiles(home).db);
  recordConnected(db, {
    pluginId: 'fitbit',
    accountId,
    connectedAt: '2026-01-01T00:00:00.000Z',
    tokenStore: 'file',
  });
  if (opts.withValue) {
    putValue(db, {
      date: '2026-01-01',
      metricName: 'fitbit.steps',
      value: 1234,
      source: 'fitbit',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
  }
  db.close();
}

describe('parseTimeout', () => {
  it('reads seconds, minutes and hours, and refuses nonsense', () => {
    expect(parseTimeout('90s')).toBe(90_000);
    expect(parseTimeout('10m')).toBe(600_000);
    expect(parseTimeout('1h')).toBe(3_600_000);
    expect(parseTimeout('45')).toBe(45_000);
    expect(parseTimeout('1.5m')).toBe(90_000);
    for (const bad of ['0', '0.5s', '25h', 'soon', '-5m', ''])
      expect(() => parseTimeout(bad)).toThrow(/--timeout must be between 1s and 24h/);
  });

  it('a bad --timeout is a usage error (exit 2) before anything starts', async () => {
    const r = await runCli(['connect', 'fitbit', '--timeout', 'soon'], { home, env: env() });
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('--timeout must be between 1s and 24h, like 90s, 10m or 1h; got "soon".');
  });
});

describe('okr connect, edge cases', () => {
  it('times out when no sign-in arrives, closes the server, and a late callback finds nothing', async () => {
    const run = startCli(['connect', 'fitbit', '--timeout', '1s'], { home, env: env(), openBrowser: async () => {} });
    const [, url] = await run.waitFor(AUTH_LINE);
    // Get the redirect (with a valid code) but deliver it only after the timeout.
    const location = (await fetch(url!, { redirect: 'manual' })).headers.get('location')!;
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: No sign-in arrived from the browser within 1 second.');
    expect(r.stderr).toContain(
      'hint: Run `okr connect fitbit` again (`--timeout 20m` waits longer; `--no-browser` lets you paste the redirect URL).',
    );
    expect(await refuses(redirectPort(url!))).toBe(true);
    await expect(fetch(location)).rejects.toThrow();
    expect(nothingStored()).toBeUndefined();
    expect(sim.stats['token:authorization_code'] ?? 0).toBe(0);
  });

  it('Ctrl-C while waiting exits 130, closes the server and stores nothing', async () => {
    const ac = new AbortController();
    const run = startCli(['connect', 'fitbit'], { home, env: env(), openBrowser: async () => {}, signal: ac.signal });
    const [, url] = await run.waitFor(AUTH_LINE);
    ac.abort();
    const r = await run.done;
    expect(r.code).toBe(ExitCode.INTERRUPTED);
    expect(r.stderr).toContain('error: Interrupted.');
    expect(await refuses(redirectPort(url!))).toBe(true);
    expect(nothingStored()).toBeUndefined();
  });

  it('Ctrl-C during the code exchange stops it, tells the browser, and stores nothing', async () => {
    const ac = new AbortController();
    // Latency applies to every simulator response (the authorize redirect too).
    sim.faults.latencyMs = 1000;
    const browser = fetchBrowser();
    const run = startCli(['connect', 'fitbit'], {
      home,
      env: env(),
      openBrowser: browser.openBrowser,
      signal: ac.signal,
    });
    // Wait until the browser delivered the code and okr is talking to the token endpoint.
    while ((sim.stats['token:authorization_code'] ?? 0) === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    ac.abort();
    const r = await run.done;
    // The token request is cut at once, not left to finish its (slow) answer.
    expect(Date.now() - t0).toBeLessThan(500);
    expect(r.code).toBe(ExitCode.INTERRUPTED);
    const hops = await browser.finished;
    expect(hops.at(-1)!.body).toContain('Could not connect to Fitbit (Google Health)');
    expect(await refuses(redirectPort(browser.openedUrl!))).toBe(true);
    expect(nothingStored()).toBeUndefined();
  });

  it('hostile requests while waiting are answered and reported, and the real sign-in still completes', async () => {
    const run = startCli(['connect', 'fitbit'], { home, env: env(), openBrowser: async () => {} });
    const [, url] = await run.waitFor(AUTH_LINE);
    const port = redirectPort(url!);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/?state=forged&code=evil`)).status).toBe(400);
    expect((await fetch(`${base}/?state=forged&error=access_denied`)).status).toBe(400);
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${base}/?x=${'a'.repeat(5000)}`)).status).toBe(414);
    expect((await fetch(`${base}/`, { method: 'POST', body: 'code=x' })).status).toBe(405);
    await run.waitFor(/Ignored a redirect whose state does not match this sign-in/);
    // The real redirect, then a replay of it after success.
    const location = (await fetch(url!, { redirect: 'manual' })).headers.get('location')!;
    const ok = await fetch(location);
    expect(await ok.text()).toContain('Connected to Fitbit (Google Health)');
    const r = await run.done;
    expect(r.code).toBe(0);
    await expect(fetch(location)).rejects.toThrow();
    expect(await refuses(port)).toBe(true);
    expect(sim.stats['token:authorization_code']).toBe(1);
  });

  it('refuses to switch to a different account when not interactive, and discards the new grant', async () => {
    // On record: another account, with values synced from it.
    connectedOnRecord('previous-account-42', { withValue: true });
    const browser = fetchBrowser();
    const r = await runCli(['connect', 'fitbit'], { home, env: env(), openBrowser: browser.openBrowser });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: You signed in as ${sim.healthUserId}, but fitbit is connected as previous-account-42; okr does not switch accounts without asking (run it in a terminal to confirm).`,
    );
    expect(r.stderr).toContain(
      'hint: Sign in as previous-account-42 instead, or, to start over with the new account, run `okr disconnect fitbit --purge` first (it deletes the 1 synced value).',
    );
    expect((await browser.finished).at(-1)!.body).toContain('okr does not switch accounts without asking');
    // The connection on record is untouched; the new grant was revoked at the provider.
    expect(nothingStored()).toEqual({ account_id: 'previous-account-42', enabled: 1 });
    expect(sim.stats.revoke).toBe(1);
  });

  it('reconnecting the same account needs no question and keeps the values', async () => {
    connectedOnRecord(sim.healthUserId, { withValue: true });
    const browser = fetchBrowser();
    const r = await runCli(['connect', 'fitbit'], { home, env: env(), openBrowser: browser.openBrowser });
    expect(r.code).toBe(0);
    expect(sim.stats.revoke ?? 0).toBe(0);
  });

  it('a different account after `disconnect --purge` (no connection, no values) is taken without asking', async () => {
    connectedOnRecord('previous-account-42');
    const d = await runCli(['disconnect', 'fitbit', '--purge', '--yes'], { home, env: env() });
    expect(d.code).toBe(0);
    const r = await runCli(['connect', 'fitbit'], { home, env: env(), openBrowser: fetchBrowser().openBrowser });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`as ${sim.healthUserId}`);
  });

  it('a provider that refuses the new tokens (validateCredentials fails) stores nothing and passes on its hint', async () => {
    sim.faults.serviceDisabled = true;
    const browser = fetchBrowser();
    const r = await runCli(['connect', 'fitbit'], { home, env: env(), openBrowser: browser.openBrowser });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: Signed in, but Fitbit \(Google Health\) did not accept the new tokens: .*SERVICE_DISABLED|disabled/i,
    );
    expect(r.stderr).toMatch(/hint: Enable the Google Health API .*then run `okr connect fitbit` again\./);
    expect(nothingStored()).toBeUndefined();
    expect((await browser.finished).at(-1)!.body).toContain('Nothing was stored.');
  });

  it('a keychain that is not there fails before the browser opens, and says how to opt in to the file', async () => {
    const broken: SecretBackend = {
      kind: 'keychain',
      get: async () => {
        throw new KeychainUnavailableError('no D-Bus session bus');
      },
      set: async () => {
        throw new KeychainUnavailableError('no D-Bus session bus');
      },
      delete: async () => {
        throw new KeychainUnavailableError('no D-Bus session bus');
      },
    };
    let opened = false;
    const r = await runCli(['connect', 'fitbit'], {
      home,
      env: { ...sim.env, OKR_SECRETS: '' },
      keychain: broken,
      openBrowser: async () => {
        opened = true;
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: The OS keychain is not reachable: no D-Bus session bus. okr keeps the fitbit tokens there.',
    );
    expect(r.stderr).toContain('`okr connect fitbit --insecure-storage`');
    expect(opened).toBe(false);
    expect(sim.stats.all ?? 0).toBe(0);
    // With the explicit opt-in it works, and says where the tokens are.
    const ok = await runCli(['connect', 'fitbit', '--insecure-storage'], {
      home,
      env: { ...sim.env, OKR_SECRETS: '' },
      keychain: broken,
      openBrowser: fetchBrowser().openBrowser,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Tokens are stored in plain text in ${homeFiles(home).secrets} (mode 0600).`);
    const tokens = JSON.parse(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.fitbit']);
    expect(leaks(ok.stdout + ok.stderr, [tokens.accessToken, tokens.refreshToken, sim.clientSecret])).toEqual([]);
  });
});

describe('okr connect, switching accounts in a terminal', () => {
  /** A run whose stdin and stdout claim to be a terminal, so the confirmation prompt is shown. */
  function interactiveRun(answer: string) {
    const browser = fetchBrowser();
    const run = startCli(['connect', 'fitbit'], {
      home,
      env: env(),
      openBrowser: browser.openBrowser,
      endStdin: false,
      tty: true,
    });
    void run.waitFor(/Switch fitbit from previous-account-42 to \d+\?/).then(() => run.stdin.write(answer));
    return { run, browser };
  }

  beforeEach(() => {
    connectedOnRecord('previous-account-42');
  });

  it('asks, and "no" keeps the old connection and discards the new grant', async () => {
    const { run, browser } = interactiveRun('n\n');
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: Kept fitbit connected as previous-account-42; the sign-in as ${sim.healthUserId} was discarded.`,
    );
    expect((await browser.finished).at(-1)!.body).toContain('Confirm in the terminal');
    expect(nothingStored()).toEqual({ account_id: 'previous-account-42', enabled: 1 });
    expect(sim.stats.revoke).toBe(1);
  });

  it('asks, and "yes" switches to the new account', async () => {
    const { run } = interactiveRun('y\n');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ Connected Fitbit (Google Health) as ${sim.healthUserId}.`);
    const db = openDatabase(homeFiles(home).db);
    expect(db.prepare("SELECT account_id FROM plugins WHERE plugin_id = 'fitbit'").get()).toEqual({
      account_id: sim.healthUserId,
    });
    db.close();
    expect(sim.stats.revoke ?? 0).toBe(0);
  });
});
