/**
 * A hostile (or broken) provider, through the real commands: `okr sync`, `okr connect fitbit` and
 * `okr metrics show` run in-process with okr's own fetch against the simulator on 127.0.0.1, with a
 * "collector" on 127.0.0.2 (another origin) that records whatever reaches it.
 *
 * - Redirects to another origin, from the API (data calls, connect's identity check) and from the
 *   token endpoint (refresh): refused; nothing at all reaches the collector (no Bearer token, no
 *   refresh token, no client secret), and the error says what happened.
 * - Hostile token responses (control characters in a token, `expires_in: 1e308`) at connect and
 *   at refresh: refused before anything is stored; no control character and no token in any
 *   output, in `sync_runs`, `plugins`, `status` or `doctor`. Tokens stored by an older okr that
 *   hold control characters mean "sign in again", without quoting them.
 * - Hung endpoints: connect's identity check ends at the request deadline, `metrics show`'s live
 *   fetch at its overall deadline (both shortened here through the environment).
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetFaults } from '../../src/simulator/faults.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type RunOptions, type RunResult, runCli, tempHome } from '../helpers/cli.js';
import { FAST_ENV, simulatorHome, withDb } from '../helpers/faults.js';
import { fetchBrowser, homeFiles } from '../oauth/helpers.js';

let sim: Simulator;
let collector: Server;
let collectorUrl: string;
const collected: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
const homes: string[] = [];
const figures: string[] = [];

/** Control characters other than tab and newline (ESC, BEL, CR, NUL…). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

beforeAll(async () => {
  sim = await startSimulator({ seed: 71, autoApprove: true });
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      collected.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"access_token":"collected","expires_in":3600,"healthUserId":"1"}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.2', () => r()));
  collectorUrl = `http://127.0.0.2:${(collector.address() as AddressInfo).port}`;
});
beforeEach(() => {
  collected.length = 0;
});
afterEach(() => resetFaults(sim.faults));
afterAll(async () => {
  console.log(`hostile-provider: ${figures.length} cases\n${figures.join('\n')}`);
  await sim?.close();
  collector?.closeAllConnections();
  collector?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** runCli, stopped (as Ctrl-C would) if it is still running after `limitMs`. */
async function bounded(args: string[], opts: RunOptions, limitMs = 20_000): Promise<RunResult & { ms: number }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), limitMs);
  const t0 = performance.now();
  try {
    const r = await runCli(args, { ...opts, signal: ac.signal });
    return { ...r, ms: Math.round(performance.now() - t0) };
  } finally {
    clearTimeout(timer);
  }
}

function dbText(dbFile: string): string {
  return withDb(dbFile, (db) =>
    JSON.stringify([
      db.prepare('SELECT error FROM sync_runs').all(),
      db.prepare('SELECT last_error, last_error_kind FROM plugins').all(),
    ]),
  );
}

function storedTokens(home: string): Record<string, unknown> | undefined {
  const file = homeFiles(home).secrets;
  if (!existsSync(file)) return undefined;
  const raw = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)['tokens.fitbit'];
  return raw === undefined ? undefined : JSON.parse(raw);
}

/** A connected home whose access token has expired, so the next sync refreshes first. */
async function expiredHome(extraEnv: Record<string, string> = {}) {
  const h = await simulatorHome(sim, {
    credentials: { ...sim.issueTokens(), expiresAt: Date.now() - 60_000 },
    env: { ...extraEnv, NO_COLOR: '1' },
    prefix: 'okr-hostile-',
  });
  homes.push(h.home);
  return h;
}

function connectEnv(extra: Record<string, string> = {}) {
  return { ...sim.env, ...FAST_ENV, NO_COLOR: '1', ...extra };
}

describe('redirects to another origin', () => {
  it('from the API during a sync: no Bearer token leaves, a redirect error', async () => {
    const h = await simulatorHome(sim, { prefix: 'okr-hostile-' });
    homes.push(h.home);
    sim.faults.redirectTo = collectorUrl;
    const r = await bounded(['sync', '--json'], { home: h.home, env: h.env });
    const p = JSON.parse(r.stdout).plugins[0];
    figures.push(`  API redirect in sync: exit ${r.code}, ${collected.length} requests reached 127.0.0.2; ${p.error}`);
    expect(collected).toEqual([]);
    expect(r.code).toBe(1);
    expect(p.error).toMatch(
      /^Google Health API answered with a redirect \(HTTP 307\) to another origin \(http:\/\/127\.0\.0\.2:\d+\), which okr does not follow$/,
    );
    expect(p.hint).toMatch(/URL settings \(`okr config list`\)/);
    expect(dbText(h.dbFile)).toContain('"last_error_kind":"redirect"');
    // status reads the kind back and says which settings to check.
    const status = await bounded(['status'], { home: h.home, env: h.env });
    expect(status.stdout + status.stderr).toContain('okr config list (check the plugin.fitbit.* URLs');
  });

  it('from the token endpoint during a refresh: the refresh token and client secret stay home', async () => {
    const h = await expiredHome();
    const before = storedTokens(h.home);
    sim.faults.endpoints = ['token'];
    sim.faults.redirectTo = collectorUrl;
    const r = await bounded(['sync', '--json'], { home: h.home, env: h.env });
    const p = JSON.parse(r.stdout).plugins[0];
    figures.push(`  token redirect in refresh: exit ${r.code}, ${collected.length} requests reached 127.0.0.2`);
    expect(collected).toEqual([]);
    expect(r.code).toBe(1);
    expect(p.error).toBe(
      'The token endpoint of Fitbit (Google Health) answered with a redirect (HTTP 307), which okr does not follow',
    );
    expect(dbText(h.dbFile)).toContain('"last_error_kind":"redirect"');
    expect(storedTokens(h.home)).toEqual(before);
  });

  it("from connect's identity check: nothing leaves, nothing is stored", async () => {
    const home = tempHome('okr-hostile-');
    homes.push(home);
    sim.faults.endpoints = ['identity'];
    sim.faults.redirectTo = collectorUrl;
    const r = await bounded(['connect', 'fitbit'], {
      home,
      env: connectEnv(),
      openBrowser: fetchBrowser().openBrowser,
    });
    figures.push(`  identity redirect in connect: exit ${r.code}, ${collected.length} requests reached 127.0.0.2`);
    expect(collected).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Google Health API answered with a redirect \(HTTP 307\) to another origin/);
    expect(storedTokens(home)).toBeUndefined();
  });
});

describe('hostile token responses', () => {
  const HOSTILE = 'ya29.\u001b[2J\u001b]0;owned\u0007\r\nX-Evil: 1\u0000';
  const TOKEN_REFUSAL =
    /The token endpoint of Fitbit \(Google Health\) sent a token response okr cannot use \(HTTP 200\): /;
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an access token with control characters', { access_token: HOSTILE }, /the access token .* printable ASCII/],
    ['a refresh token with control characters', { refresh_token: HOSTILE }, /the refresh token .* printable ASCII/],
    ['expires_in: 1e308', { expires_in: 1e308 }, /expires_in is not a number of seconds from 0 to 10 years/],
    ['expires_in: -5', { expires_in: -5 }, /expires_in is not a number of seconds from 0 to 10 years/],
    [
      'refresh_token_expires_in: 1e308',
      { refresh_token_expires_in: 1e308 },
      /refresh_token_expires_in is not a number of seconds from 0 to 10 years/,
    ],
  ];

  it.each(cases)('connect refuses %s: nothing stored, nothing printed raw', async (name, fields, problem) => {
    const home = tempHome('okr-hostile-');
    homes.push(home);
    sim.faults.tokenFields = fields;
    const r = await bounded(['connect', 'fitbit'], {
      home,
      env: connectEnv(),
      openBrowser: fetchBrowser().openBrowser,
    });
    const out = r.stdout + r.stderr;
    figures.push(`  connect, ${name}: exit ${r.code}; ${r.stderr.split('\n').find((l) => /token endpoint/.test(l))}`);
    expect(r.code).toBe(1);
    expect(out).toMatch(TOKEN_REFUSAL);
    expect(out).toMatch(problem);
    expect(out).not.toMatch(CONTROL);
    expect(out).not.toContain('owned');
    expect(storedTokens(home)).toBeUndefined();
  });

  it.each(cases)('a refresh that returns %s is refused; the old tokens stay', async (name, fields, problem) => {
    const h = await expiredHome();
    const before = storedTokens(h.home);
    sim.faults.tokenFields = fields;
    const r = await bounded(['sync', '--json'], { home: h.home, env: h.env });
    const p = JSON.parse(r.stdout).plugins[0];
    figures.push(`  refresh, ${name}: exit ${r.code}; ${p.error}`);
    expect(r.code).toBe(1);
    expect(p.error).toMatch(TOKEN_REFUSAL);
    expect(p.error).toMatch(problem);
    expect(storedTokens(h.home)).toEqual(before);
    delete sim.faults.tokenFields;
    for (const args of [['status'], ['doctor'], ['doctor', '--redacted']]) {
      const s = await bounded(args, { home: h.home, env: h.env });
      expect(s.stdout + s.stderr, args.join(' ')).not.toMatch(CONTROL);
      expect(s.stdout + s.stderr, args.join(' ')).not.toContain('owned');
    }
    const stored = dbText(h.dbFile);
    expect(stored).not.toMatch(/\\u00(0|1)[0-9a-f]|\\r|owned/i);
    expect(r.stdout + r.stderr).not.toContain('owned');
  });

  it('tokens with control characters stored by an older okr: sign in again, without quoting them', async () => {
    const h = await simulatorHome(sim, { prefix: 'okr-hostile-', env: { NO_COLOR: '1' } });
    homes.push(h.home);
    const file = homeFiles(h.home).secrets;
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const creds = JSON.parse(secrets['tokens.fitbit']!);
    secrets['tokens.fitbit'] = JSON.stringify({ ...creds, accessToken: HOSTILE });
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    sim.resetStats();
    const r = await bounded(['sync', '--json'], { home: h.home, env: h.env });
    const p = JSON.parse(r.stdout).plugins[0];
    figures.push(`  stored hostile token: exit ${r.code}; ${p.error}`);
    expect(r.code).toBe(3);
    expect(p.error).toMatch(/^The stored fitbit tokens cannot be used: the access token/);
    expect(p.hint).toMatch(/okr connect fitbit/);
    expect(r.stdout + r.stderr).not.toContain('owned');
    expect(dbText(h.dbFile)).not.toContain('owned');
    expect(sim.stats.all ?? 0).toBe(0); // refused before any request
  });
});

describe('hung endpoints end at a deadline', () => {
  it("connect's identity check: the request deadline (OKR_HTTP_TIMEOUT_MS=1000)", async () => {
    const home = tempHome('okr-hostile-');
    homes.push(home);
    sim.faults.endpoints = ['identity'];
    sim.faults.hang = true;
    const r = await bounded(['connect', 'fitbit'], {
      home,
      env: connectEnv({ OKR_HTTP_TIMEOUT_MS: '1000' }),
      openBrowser: fetchBrowser().openBrowser,
    });
    figures.push(`  hung identity check in connect: exit ${r.code} after ${r.ms} ms`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Google Health API sent no complete answer within 1 s/);
    expect(r.ms).toBeLessThan(10_000);
    expect(storedTokens(home)).toBeUndefined();
  });

  it("metrics show's live fetch: one overall deadline (OKR_LIVE_DEADLINE_MS=1500), retries included", async () => {
    const h = await simulatorHome(sim, { prefix: 'okr-hostile-', env: { OKR_LIVE_DEADLINE_MS: '1500' } });
    homes.push(h.home);
    sim.faults.hang = true; // every Health API request; per-request timeout stays the default 30 s
    const r = await bounded(['metrics', 'show', '--since', '7d'], { home: h.home, env: h.env });
    figures.push(`  hung API under metrics show: exit ${r.code} after ${r.ms} ms`);
    expect(r.code).toBe(0);
    expect((r.stdout + r.stderr).replace(/\s+/g, ' ')).toMatch(
      /Could not fetch 7 unsynced days .* from fitbit: Google Health API sent no complete answer within 1\.5 s/,
    );
    expect(r.ms).toBeLessThan(10_000);
  });
});
