/**
 * Terminal escape injection: text from outside okr (the OAuth callback's `error` and
 * `error_description`, a provider's error message, an account's name) never reaches the terminal
 * or the database raw. Escape sequences could retitle the terminal (OSC 0), clear it (CSI 2J) or
 * forge a line ("\nConnected …"); they must show as visible escapes (`\x1b`) instead.
 *
 * With the built `okr` as real processes (test/helpers): `connect --no-browser` receiving a hostile
 * redirect on its real loopback server; `sync` against the simulator whose error responses carry
 * escapes (the `errorMessage` fault), then the database rows and `status` (text and --json),
 * `doctor` and `sync` replaying them; and rows planted in the database as an older okr would have
 * stored them. In-process: a plugin that names the account with escapes.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../src/plugins/index.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runBin, runCli, tempHome } from '../helpers/cli.js';
import { FAST_ENV, simulatorHome, spawnOkr } from '../helpers/faults.js';
import { fetchBrowser } from '../oauth/helpers.js';

/** Any character a terminal acts on, except the newline that ends each line. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
/** A line that pretends the sign-in worked. */
const FORGED = /^\s*(✓ )?Connected/m;

const OSC_TITLE = '\u001b]0;pwned\u0007';
const CLEAR_AND_FORGE = '\u001b[2J\nConnected Fitbit (Google Health) as you@example.com.';
const PROVIDER_MESSAGE = `${OSC_TITLE}quota\u001b[2J\u009b31m\u202eevil\nConnected Fitbit (Google Health) as admin.`;
const ENV = { ...FAST_ENV, NO_COLOR: '1' };
const AUTH_LINE = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m;

const homes: string[] = [];
function home(h: string): string {
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 14 });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.faults.accountNotLinked = false;
  sim.faults.errorMessage = undefined;
});

function expectClean(what: string, text: string): void {
  expect(RAW_CONTROL.exec(text)?.[0], `${what} holds a raw control character:\n${JSON.stringify(text)}`).toBe(
    undefined,
  );
}

describe('the OAuth callback', () => {
  it('a redirect whose error carries escape sequences is printed with visible escapes (okr connect)', async () => {
    const h = home(tempHome('okr-esc-connect-'));
    const p = spawnOkr(['connect', 'fitbit', '--no-browser'], {
      home: h,
      env: { ...sim.env, ...ENV },
      stdin: 'keep-open',
    });
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed:\n${p.stderr()}`)), 20_000);
        const check = () => {
          const m = AUTH_LINE.exec(p.stderr());
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        };
        p.child.stderr?.on('data', check);
        void p.done.then(() => reject(new Error(`exited before printing the URL:\n${p.stderr()}`)));
      });
      const callback = new URL(url.searchParams.get('redirect_uri')!);
      callback.searchParams.set('state', url.searchParams.get('state')!);
      callback.searchParams.set('error', OSC_TITLE);
      callback.searchParams.set('error_description', CLEAR_AND_FORGE);
      const res = await fetch(callback, { signal: AbortSignal.timeout(10_000) });
      const page = await res.text();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expectClean('the page', page);

      const r = await p.done;
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      expectClean('connect output', out);
      expect(out).not.toMatch(FORGED);
      // Still readable: the provider's words are there, with their escapes made visible.
      expect(r.stderr).toContain('refused the sign-in: \\x1b]0;pwned\\x07 (\\x1b[2J\\x0aConnected Fitbit');
    } finally {
      p.child.kill('SIGKILL');
      await p.done;
    }
  });

  it('an account named with escape sequences is printed and stored with visible escapes', async () => {
    const h = home(tempHome('okr-esc-account-'));
    const fitbit = createDefaultRegistry().get('fitbit');
    const registry = new PluginRegistry();
    registry.register({
      ...fitbit,
      validateCredentials: async () => ({ accountId: `id${OSC_TITLE}`, label: `\u202eevil${CLEAR_AND_FORGE}` }),
    });
    const local = await startSimulator({ autoApprove: true });
    try {
      const browser = fetchBrowser();
      const r = await runCli(['connect', 'fitbit'], {
        home: h,
        env: { ...local.env, ...ENV },
        registry,
        openBrowser: browser.openBrowser,
      });
      await browser.finished;
      expect(r.code, r.stderr).toBe(0);
      expectClean('connect output', r.stdout + r.stderr);
      expect(r.stdout).toContain('✓ Connected Fitbit (Google Health) as \\u202eevil\\x1b[2J\\x0aConnected');
      const row = withDb(`${h}/data/okr.db`, (db) =>
        db.prepare('SELECT account_id, account_label FROM plugins').get(),
      ) as { account_id: string; account_label: string };
      expectClean('the stored account', row.account_id + row.account_label);
      expect(row.account_id).toBe('id\\x1b]0;pwned\\x07');
    } finally {
      await local.close();
    }
  });
});

function withDb<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('a provider error message with escape sequences', () => {
  it('is made safe in sync output, in the database and in okr status', async () => {
    const h = await simulatorHome(sim, { prefix: 'okr-esc-sync-' });
    home(h.home);
    sim.faults.accountNotLinked = true;
    sim.faults.errorMessage = PROVIDER_MESSAGE;

    const sync = await runBin(['sync'], { home: h.home, env: { ...h.env, ...ENV } });
    expect(sync.code).toBe(1);
    expectClean('sync output', sync.stdout + sync.stderr);
    expect(sync.stdout + sync.stderr).not.toMatch(FORGED);
    expect(sync.stdout + sync.stderr).toContain('\\x1b]0;pwned\\x07quota\\x1b[2J\\x9b31m\\u202eevil\\x0aConnected');

    const stored = withDb(h.dbFile, (db) => ({
      plugin: db.prepare('SELECT last_error FROM plugins').pluck().get() as string,
      runs: db.prepare('SELECT error FROM sync_runs').pluck().all() as string[],
    }));
    expect(stored.plugin).toContain('\\x1b]0;pwned\\x07quota');
    expect(stored.runs.length).toBeGreaterThan(0);
    for (const text of [stored.plugin, ...stored.runs]) expectClean('a stored error', text);

    const status = await runBin(['status'], { home: h.home, env: { ...h.env, ...ENV } });
    expectClean('status output', status.stdout + status.stderr);
    expect(status.stdout).toContain('last sync failed: Google Health API answered 400 FAILED_PRECONDITION: \\x1b]0;');
    expect(status.stdout).not.toMatch(FORGED);
    const json = await runBin(['status', '--json'], { home: h.home, env: { ...h.env, ...ENV } });
    // JSON escapes C0 itself; C1 and bidi controls it leaves alone, so they are checked too.
    expectClean('status --json', json.stdout);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain('\\\\x1b]0;pwned\\\\x07quota');
  });

  it('stored raw by an older okr, it is made safe when status, doctor and sync replay it', async () => {
    const h = await simulatorHome(sim, { prefix: 'okr-esc-old-' });
    home(h.home);
    withDb(h.dbFile, (db) =>
      db
        .prepare(
          `UPDATE plugins SET last_error = ?, last_sync_status = 'error', last_sync_at = ?, needs_reauth = 1,
           account_label = ?`,
        )
        .run(PROVIDER_MESSAGE, new Date().toISOString(), `\u202eevil${OSC_TITLE}`),
    );
    const env = { ...h.env, ...ENV };
    const status = await runBin(['status'], { home: h.home, env });
    expect(status.code).toBe(3);
    expectClean('status output', status.stdout + status.stderr);
    expect(status.stdout).not.toMatch(FORGED);
    expect(status.stdout).toContain(
      'needs re-authentication: \\x1b]0;pwned\\x07quota\\x1b[2J\\x9b31m\\u202eevil\\x0aConnected',
    );
    expect(status.stdout).toContain('\\u202eevil\\x1b]0;pwned\\x07');

    const json = await runBin(['status', '--json'], { home: h.home, env });
    expectClean('status --json', json.stdout);

    const sync = await runBin(['sync'], { home: h.home, env });
    expect(sync.code).toBe(3);
    expectClean('sync output', sync.stdout + sync.stderr);
    expect(sync.stdout + sync.stderr).toContain('needs you to sign in again (\\x1b]0;pwned\\x07quota');

    const doctor = await runBin(['doctor'], { home: h.home, env });
    expectClean('doctor output', doctor.stdout + doctor.stderr);
    expect(doctor.stdout + doctor.stderr).toContain('\\x1b]0;pwned\\x07quota');
  });
});
