/**
 * `okr disconnect`: revoke at the provider (a failure is reported, not fatal), delete the tokens,
 * disable the connection, keep the values unless --purge (which asks, or needs --yes).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { ExitCode } from '../../src/errors.js';
import { acquireLock } from '../../src/lock.js';
import type { OAuthCredentials } from '../../src/plugins/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { getConnection, recordConnected } from '../../src/store/connections.js';
import { unsyncedDates } from '../../src/store/coverage.js';
import { openDatabase } from '../../src/store/db.js';
import { KeychainUnavailableError, type SecretBackend } from '../../src/store/secrets.js';
import { saveCredentials } from '../../src/store/tokens.js';
import { countValuesBySource, putValue } from '../../src/store/values.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { closedPort, homeFiles, leaks, startCli } from '../oauth/helpers.js';

let sim: Simulator;
let home: string;
let creds: OAuthCredentials;
beforeEach(async () => {
  sim = await startSimulator();
  home = tempHome();
  creds = sim.issueTokens();
});
afterEach(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});
const env = (extra: Record<string, string> = {}) => ({ ...sim.env, OKR_SECRETS: 'file', ...extra });

/** A connected fitbit with tokens from the simulator, and `values` synced values plus one manual. */
async function connected(values: number, keychain?: SecretBackend) {
  const ctx = createContext({ env: { ...env(), OKR_HOME: home }, keychain });
  await saveCredentials(ctx.secrets, 'fitbit', creds, keychain ? 'keychain' : 'file');
  recordConnected(ctx.db(), {
    pluginId: 'fitbit',
    accountId: sim.healthUserId,
    connectedAt: '2026-03-01T00:00:00.000Z',
    tokenStore: keychain ? 'keychain' : 'file',
  });
  for (let i = 0; i < values; i++) {
    putValue(ctx.db(), {
      date: `2026-03-${String(i + 1).padStart(2, '0')}`,
      metricName: 'fitbit.steps',
      value: 1000 + i,
      source: 'fitbit',
      updatedAt: '2026-03-20T00:00:00.000Z',
    });
  }
  putValue(ctx.db(), {
    date: '2026-03-01',
    metricName: 'mood',
    value: 4,
    source: 'manual',
    updatedAt: '2026-03-20T00:00:00.000Z',
  });
  ctx.close();
}

function state() {
  const secrets = existsSync(homeFiles(home).secrets) ? JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8')) : {};
  const db = openDatabase(homeFiles(home).db);
  const conn = getConnection(db, 'fitbit');
  const synced = countValuesBySource(db, 'fitbit');
  const manual = countValuesBySource(db, 'manual');
  db.close();
  return {
    tokens: secrets['tokens.fitbit'] !== undefined,
    enabled: conn?.enabled,
    account: conn?.accountId,
    synced,
    manual,
  };
}

const lockDir = () => join(home, 'state', 'locks');

async function refreshWorks(): Promise<boolean> {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: creds.refreshToken!,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }),
  });
  return res.ok;
}

describe('okr disconnect', () => {
  it('revokes, deletes the tokens, disables the connection, and keeps (and counts) the values', async () => {
    await connected(3);
    expect(await refreshWorks()).toBe(true);
    const r = await runCli(['disconnect', 'fitbit'], { home, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "Revoked okr's access at Fitbit (Google Health).",
        `Disconnected fitbit (account ${sim.healthUserId}); its tokens are deleted.`,
        'Kept the 3 values synced from fitbit; `okr disconnect fitbit --purge` deletes them.',
        '',
      ].join('\n'),
    );
    expect(await refreshWorks()).toBe(false);
    expect(state()).toEqual({ tokens: false, enabled: false, account: sim.healthUserId, synced: 3, manual: 1 });
    expect(leaks(r.stdout + r.stderr, [creds.accessToken, creds.refreshToken, sim.clientSecret])).toEqual([]);
  });

  it('a failed revoke (provider unreachable) is reported and the disconnect still happens', async () => {
    await connected(1);
    const port = await closedPort();
    const r = await runCli(['disconnect', 'fitbit'], {
      home,
      env: env({ FITBIT_REVOKE_URL: `http://127.0.0.1:${port}/revoke` }),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "Could not revoke the tokens at Fitbit (Google Health) (network error (ECONNREFUSED)); remove okr's access in your account settings there. Disconnecting anyway.",
    );
    expect(r.stdout).toContain(`Disconnected fitbit (account ${sim.healthUserId}); its tokens are deleted.`);
    expect(state()).toMatchObject({ tokens: false, enabled: false, synced: 1 });
  });

  it('a revoke the provider refuses (already revoked by the user) is reported with its reason', async () => {
    await connected(0);
    sim.revokeAll();
    const r = await runCli(['disconnect', 'fitbit'], { home, env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'Could not revoke the tokens at Fitbit (Google Health) (the provider answered invalid_token (Token expired or revoked), HTTP 400)',
    );
    expect(state()).toMatchObject({ tokens: false, enabled: false });
  });

  it('a plugin that only imports files says it never connects, and not connected ones say so', async () => {
    const apple = await runCli(['disconnect', 'apple-health'], { home, env: env() });
    expect([apple.code, apple.stdout]).toEqual([
      0,
      'apple-health imports files and never connects; there is nothing to disconnect.\n',
    ]);
    const oura = await runCli(['disconnect', 'oura'], { home, env: env() });
    expect([oura.code, oura.stdout]).toEqual([0, 'oura is not connected.\n']);
  });

  it('--purge when not in a terminal needs --yes, and changes nothing without it', async () => {
    await connected(2);
    const r = await runCli(['disconnect', 'fitbit', '--purge'], { home, env: env() });
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain(
      'error: --purge deletes the 2 values synced from fitbit; confirm with --yes when not in a terminal.',
    );
    expect(r.stderr).toContain('hint: Run `okr disconnect fitbit --purge --yes`.');
    expect(state()).toEqual({ tokens: true, enabled: true, account: sim.healthUserId, synced: 2, manual: 1 });
    expect(sim.stats.revoke ?? 0).toBe(0);
  });

  it('--purge --yes deletes the synced values too (never the manual ones)', async () => {
    await connected(2);
    const r = await runCli(['disconnect', 'fitbit', '--purge', '--yes'], { home, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Deleted 2 values synced from fitbit.');
    expect(state()).toEqual({ tokens: false, enabled: false, account: sim.healthUserId, synced: 0, manual: 1 });
  });

  it('--purge also forgets which dates were synced, so a reconnect fetches them again', async () => {
    await connected(2);
    const db = openDatabase(homeFiles(home).db);
    db.prepare(
      "INSERT INTO sync_coverage (plugin_id, date, synced_at) VALUES ('fitbit', '2026-03-01', 'x'), ('fitbit', '2026-03-02', 'x')",
    ).run();
    db.close();
    const r = await runCli(['disconnect', 'fitbit', '--purge', '--yes'], { home, env: env() });
    expect(r.code).toBe(0);
    const after = openDatabase(homeFiles(home).db);
    expect(unsyncedDates(after, 'fitbit', ['2026-03-01', '2026-03-02'])).toEqual(['2026-03-01', '2026-03-02']);
    after.close();
  });

  it('a plugin that is not connected: says so; kept values are still counted and purgeable', async () => {
    const r = await runCli(['disconnect', 'fitbit'], { home, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('fitbit is not connected.\n');
    await connected(2);
    await runCli(['disconnect', 'fitbit'], { home, env: env() });
    const again = await runCli(['disconnect', 'fitbit'], { home, env: env() });
    expect(again.stdout).toBe(
      'fitbit is not connected.\nKept the 2 values synced from fitbit; `okr disconnect fitbit --purge` deletes them.\n',
    );
    const purge = await runCli(['disconnect', 'fitbit', '--purge', '--yes'], { home, env: env() });
    expect(purge.stdout).toBe('fitbit is not connected.\nDeleted 2 values synced from fitbit.\n');
    expect(sim.stats.revoke).toBe(1);
  });

  it('an unreachable keychain stops before anything changes', async () => {
    const memory = new Map<string, string>();
    const working: SecretBackend = {
      kind: 'keychain',
      get: async (k) => memory.get(k),
      set: async (k, v) => void memory.set(k, v),
      delete: async (k) => void memory.delete(k),
    };
    await connected(1, working);
    const locked: SecretBackend = {
      ...working,
      get: async () => {
        throw new KeychainUnavailableError('reading failed: locked');
      },
    };
    const r = await runCli(['disconnect', 'fitbit'], { home, env: env({ OKR_SECRETS: '' }), keychain: locked });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: The OS keychain is not reachable: reading failed: locked');
    expect(memory.has('tokens.fitbit')).toBe(true);
    expect(state()).toMatchObject({ enabled: true, synced: 1 });
    expect(sim.stats.revoke ?? 0).toBe(0);
  });

  it('waits for a sync holding the plugin lock, then disconnects', async () => {
    await connected(2);
    const held = await acquireLock(lockDir(), 'fitbit.sync', { waitMs: 0, now: () => new Date() });
    if (!held.acquired) throw new Error('lock');
    let released = false;
    setTimeout(() => {
      released = true;
      held.lock.release();
    }, 300);
    const r = await runCli(['disconnect', 'fitbit', '--purge', '--yes'], { home, env: env() });
    expect(released).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Waiting for the okr syncing fitbit (pid ${process.pid}) to finish…`);
    expect(state()).toEqual({ tokens: false, enabled: false, account: sim.healthUserId, synced: 0, manual: 1 });
  });

  it('a sync still running after the wait: a clear message, and nothing is changed', async () => {
    await connected(2);
    const held = await acquireLock(lockDir(), 'fitbit.tokens', { waitMs: 0, now: () => new Date() });
    if (!held.acquired) throw new Error('lock');
    try {
      const r = await runCli(['disconnect', 'fitbit', '--purge', '--yes'], {
        home,
        env: env({ OKR_LOCK_WAIT_MS: '300' }),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `error: Another okr \\(pid ${process.pid}, since [^)]+\\) is refreshing the tokens of fitbit and did not finish within 300 ms; nothing was changed\\.`,
        ),
      );
      expect(r.stderr).toContain(
        `hint: Run \`okr disconnect fitbit\` again when it has finished (or stop it: \`kill ${process.pid}\`).`,
      );
      expect(state()).toEqual({ tokens: true, enabled: true, account: sim.healthUserId, synced: 2, manual: 1 });
      expect(sim.stats.revoke ?? 0).toBe(0);
      // The sync lock it took first was given back.
      expect(existsSync(join(lockDir(), 'fitbit.sync.lock'))).toBe(false);
    } finally {
      held.lock.release();
    }
  });

  it('--purge in a terminal asks first: "no" changes nothing, "yes" deletes', async () => {
    await connected(2);
    const ask = (answer: string) => {
      const run = startCli(['disconnect', 'fitbit', '--purge'], { home, env: env(), endStdin: false, tty: true });
      void run
        .waitFor(/Delete the 2 values synced from fitbit\? This cannot be undone\./)
        .then(() => run.stdin.write(answer));
      return run.done;
    };
    const no = await ask('n\n');
    expect(no.code).toBe(1);
    expect(no.stderr).toContain('Cancelled; nothing was changed.');
    expect(state()).toEqual({ tokens: true, enabled: true, account: sim.healthUserId, synced: 2, manual: 1 });
    const yes = await ask('y\n');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('Deleted 2 values synced from fitbit.');
    expect(state()).toEqual({ tokens: false, enabled: false, account: sim.healthUserId, synced: 0, manual: 1 });
  });
});
