/**
 * `okr status`: what it reports per plugin, the command it gives for each problem, and its exit
 * code for health checks (3 when a connected plugin needs re-authentication).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { ExitCode } from '../../src/errors.js';
import type { OAuthCredentials } from '../../src/plugins/types.js';
import { recordConnected, recordSyncResult } from '../../src/store/connections.js';
import { KeychainUnavailableError, type SecretBackend } from '../../src/store/secrets.js';
import { saveCredentials } from '../../src/store/tokens.js';
import { putValue } from '../../src/store/values.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { testRegistry } from '../helpers/test-plugin.js';
import { leaks } from '../oauth/helpers.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const CONFIGURED = {
  TESTSVC_CLIENT_ID: 'client-id',
  TESTSVC_CLIENT_SECRET: 'client-secret-value',
  OKR_SECRETS: 'file',
};
const ACCESS = 'access-token-value-0123456789';
const REFRESH = 'refresh-token-value-9876543210';

interface Setup {
  creds?: Partial<OAuthCredentials> | null;
  row?: boolean;
  sync?: { status: 'ok' | 'error' | 'partial' | 'reauth'; error: string | null; errorKind?: string; at?: string };
  values?: number;
  keychain?: SecretBackend;
  store?: 'file' | 'keychain';
}

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A home with a `testsvc` connection in the given state. */
async function homeWith(s: Setup): Promise<string> {
  const home = tempHome();
  homes.push(home);
  const ctx = createContext({
    env: { ...CONFIGURED, OKR_HOME: home },
    registry: testRegistry(),
    keychain: s.keychain,
    now: () => NOW,
  });
  const creds: OAuthCredentials | undefined =
    s.creds === null
      ? undefined
      : {
          accessToken: ACCESS,
          refreshToken: REFRESH,
          expiresAt: NOW.getTime() + 30 * MIN,
          obtainedAt: NOW.getTime() - 30 * MIN,
          ...s.creds,
        };
  if (creds) await saveCredentials(ctx.secrets, 'testsvc', creds, s.store ?? 'file');
  if (s.row !== false) {
    recordConnected(ctx.db(), {
      pluginId: 'testsvc',
      accountId: 'acct-1',
      accountLabel: 'Ada',
      connectedAt: '2026-03-01T09:00:00.000Z',
      tokenStore: s.store ?? 'file',
      accessExpiresAt: creds?.expiresAt ? new Date(creds.expiresAt).toISOString() : undefined,
      refreshExpiresAt: creds?.refreshTokenExpiresAt ? new Date(creds.refreshTokenExpiresAt).toISOString() : undefined,
    });
  }
  if (s.sync) recordSyncResult(ctx.db(), 'testsvc', { at: '2026-03-10T11:00:00.000Z', ...s.sync });
  for (let i = 0; i < (s.values ?? 0); i++) {
    putValue(ctx.db(), {
      date: `2026-03-0${i + 1}`,
      metricName: 'testsvc.score',
      value: i,
      source: 'testsvc',
      updatedAt: NOW.toISOString(),
    });
  }
  ctx.close();
  return home;
}

async function status(
  home: string,
  opts: { json?: boolean; env?: Record<string, string>; keychain?: SecretBackend } = {},
) {
  const r = await runCli(['status', ...(opts.json === false ? [] : ['--json'])], {
    home,
    env: opts.env ?? CONFIGURED,
    registry: testRegistry(),
    now: () => NOW,
    keychain: opts.keychain,
  });
  expect(leaks(r.stdout + r.stderr, [ACCESS, REFRESH, 'client-secret-value'])).toEqual([]);
  return {
    ...r,
    plugin:
      opts.json === false
        ? undefined
        : (JSON.parse(r.stdout).plugins[0] as Record<string, unknown> & {
            problems: Array<{ problem: string; fix: string; severity: string }>;
          }),
  };
}

describe('okr status', () => {
  it('a healthy connection: every fact, no problem, exit 0', async () => {
    const home = await homeWith({
      sync: { status: 'ok', error: null },
      values: 3,
      creds: { refreshTokenExpiresAt: NOW.getTime() + 5 * DAY },
    });
    const r = await status(home);
    expect(r.code).toBe(0);
    expect(r.plugin).toEqual({
      id: 'testsvc',
      name: 'Test Service',
      configured: true,
      missingConfig: [],
      connected: true,
      enabled: true,
      account: 'acct-1',
      accountLabel: 'Ada',
      connectedAt: '2026-03-01T09:00:00.000Z',
      tokenStore: 'file',
      tokens: 'present',
      hasRefreshToken: true,
      accessTokenExpiresAt: '2026-03-10T12:30:00.000Z',
      accessTokenExpired: false,
      refreshTokenExpiresAt: '2026-03-15T12:00:00.000Z',
      refreshTokenExpired: false,
      lastSync: { at: '2026-03-10T11:00:00.000Z', status: 'ok', error: null },
      values: 3,
      needsReauth: false,
      fileStoreChoice: 'env',
      orphanedTokens: false,
      problems: [],
      importsFiles: null,
    });
  });

  it('tokens in the plain-text file: advice that fits how the user chose it', async () => {
    const home = await homeWith({ sync: { status: 'ok', error: null } });
    // A standing choice (OKR_SECRETS=file, a headless server): reported, never argued with.
    const chosen = await status(home, { json: false, env: CONFIGURED });
    expect(chosen.stdout).toContain('plain text, as you chose (OKR_SECRETS=file)');
    expect(chosen.stdout).not.toContain('keychain');
    // A one-off --insecure-storage while the store is the keychain: how to move them back.
    const { OKR_SECRETS: _, ...noChoice } = CONFIGURED;
    const once = await status(home, { json: false, env: noChoice });
    expect(once.stdout).toContain(
      'kept there by --insecure-storage; to move them to the keychain: `okr config set secrets.store keychain`, then `okr connect testsvc`',
    );
    expect(once.stdout).not.toContain('OKR_SECRETS=keychain');
  });

  it('the human form says the same, without colour codes when piped', async () => {
    const home = await homeWith({
      sync: { status: 'ok', error: null },
      values: 3,
      creds: { refreshTokenExpiresAt: NOW.getTime() + 5 * DAY },
    });
    const r = await status(home, { json: false, env: { ...CONFIGURED, TZ: 'UTC' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('testsvc  Test Service');
    expect(r.stdout).toMatch(/ {2}connected {6}yes, as Ada \(acct-1\) \(since 2026-03-01 \d\d:00\)/);
    expect(r.stdout).toContain('  access token   expires');
    expect(r.stdout).toContain('(in 30 min)');
    expect(r.stdout).toContain('(in 5 days)');
    expect(r.stdout).toContain('  values         3 synced');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('not configured, not connected: says which command to run, exit 0', async () => {
    const home = tempHome();
    const r = await status(home, { env: { OKR_SECRETS: 'file' } });
    expect(r.code).toBe(0);
    expect(r.plugin).toMatchObject({
      configured: false,
      missingConfig: ['plugin.testsvc.client_id', 'plugin.testsvc.client_secret'],
      connected: false,
      account: null,
      tokens: 'none',
    });
    expect(r.plugin!.problems).toEqual([
      {
        severity: 'warning',
        problem: 'not configured (missing plugin.testsvc.client_id, plugin.testsvc.client_secret)',
        fix: 'okr config setup testsvc',
      },
    ]);
    const configured = await status(home);
    expect(configured.plugin!.problems).toEqual([
      { severity: 'warning', problem: 'not connected', fix: 'okr connect testsvc' },
    ]);
  });

  it('needs_reauth recorded by a sync: exit 3, fix `okr connect`', async () => {
    const home = await homeWith({ sync: { status: 'reauth', error: 'Token has been expired or revoked.' } });
    const r = await status(home);
    expect(r.code).toBe(ExitCode.REAUTH);
    expect(r.plugin!.needsReauth).toBe(true);
    expect(r.plugin!.problems[0]).toEqual({
      severity: 'error',
      problem: 'needs re-authentication: Token has been expired or revoked.',
      fix: 'okr connect testsvc',
    });
    const human = await status(home, { json: false });
    expect(human.code).toBe(ExitCode.REAUTH);
    // The provider's sentence ends the line; the fix is a line of its own, not glued on (".: run").
    expect(human.stdout).toContain(
      '  ✗ needs re-authentication: Token has been expired or revoked.\n      fix: okr connect testsvc\n',
    );
  });

  it('tokens missing from the store while connected: exit 3', async () => {
    const home = await homeWith({ creds: null });
    const r = await status(home);
    expect(r.code).toBe(ExitCode.REAUTH);
    expect(r.plugin).toMatchObject({ connected: true, tokens: 'missing', needsReauth: true });
    expect(r.plugin!.problems[0]).toEqual({
      severity: 'error',
      problem: 'no tokens in the secrets file',
      fix: 'okr connect testsvc',
    });
  });

  it('refresh token past its expiry: exit 3', async () => {
    const home = await homeWith({
      creds: { expiresAt: NOW.getTime() - 2 * DAY, refreshTokenExpiresAt: NOW.getTime() - MIN },
    });
    const r = await status(home);
    expect(r.code).toBe(ExitCode.REAUTH);
    expect(r.plugin).toMatchObject({ refreshTokenExpired: true, accessTokenExpired: true, needsReauth: true });
    expect(r.plugin!.problems[0]).toEqual({
      severity: 'error',
      problem: 'the sign-in expired (refresh token past its expiry)',
      fix: 'okr connect testsvc',
    });
  });

  it('refresh token about to expire: a warning, exit 0', async () => {
    const home = await homeWith({
      sync: { status: 'ok', error: null },
      creds: { refreshTokenExpiresAt: NOW.getTime() + 20 * 3600_000 },
    });
    const r = await status(home);
    expect(r.code).toBe(0);
    expect(r.plugin!.problems[0]).toEqual({
      severity: 'warning',
      problem: 'the sign-in expires in 20 h',
      fix: 'okr connect testsvc',
    });
  });

  it('an expired access token is fine with a refresh token (the next sync renews it), not without one', async () => {
    const renewable = await homeWith({
      sync: { status: 'ok', error: null },
      creds: { expiresAt: NOW.getTime() - 5 * MIN },
    });
    const a = await status(renewable);
    expect(a.code).toBe(0);
    expect(a.plugin).toMatchObject({ accessTokenExpired: true, needsReauth: false });
    const dead = await homeWith({ creds: { expiresAt: NOW.getTime() - 5 * MIN, refreshToken: undefined } });
    const b = await status(dead);
    expect(b.code).toBe(ExitCode.REAUTH);
    expect(b.plugin).toMatchObject({ hasRefreshToken: false, needsReauth: true });
    expect(b.plugin!.problems[0]!.problem).toBe('the access token expired and there is no refresh token');
  });

  it('a failed last sync is reported with its error and the fix for its kind, exit 0', async () => {
    const home = await homeWith({
      sync: { status: 'error', error: 'Google Health API answered 500', errorKind: 'transient' },
    });
    const r = await status(home);
    expect(r.code).toBe(0);
    expect(r.plugin!.lastSync).toEqual({
      at: '2026-03-10T11:00:00.000Z',
      status: 'error',
      error: 'Google Health API answered 500',
    });
    expect(r.plugin!.problems).toContainEqual({
      severity: 'warning',
      problem: 'last sync failed: Google Health API answered 500',
      fix: 'okr sync testsvc',
      note: 'later; a scheduled sync retries on its own',
    });
  });

  it('a last good sync 3 days old: a warning that none followed, as doctor says (an hourly schedule would not)', async () => {
    const home = await homeWith({ sync: { status: 'ok', error: null, at: '2026-03-07T12:00:00.000Z' } });
    const r = await status(home);
    expect(r.code).toBe(0);
    expect(r.plugin!.problems).toEqual([
      {
        severity: 'warning',
        problem: 'last synced 3 days ago, none since',
        fix: 'okr sync testsvc',
        note: 'then check `okr schedule status`',
      },
    ]);
  });

  it('okr status <plugin> shows only that plugin; an unknown one is a usage error with the nearest name', async () => {
    const home = await homeWith({ sync: { status: 'ok', error: null } });
    const opts = { home, env: CONFIGURED, now: () => NOW };
    const all = await runCli(['status', '--json'], opts);
    const one = await runCli(['status', 'oura', '--json'], opts);
    expect(JSON.parse(all.stdout).plugins.length).toBeGreaterThan(1);
    expect(JSON.parse(one.stdout).plugins.map((p: { id: string }) => p.id)).toEqual(['oura']);
    const typo = await runCli(['status', 'fitbt'], opts);
    expect(typo.code).toBe(ExitCode.USAGE);
    expect(typo.stderr).toContain('Unknown plugin "fitbt" (did you mean fitbit?)');
  });

  it('a keychain that cannot be read is "cannot tell" (exit 1), not "not connected"', async () => {
    const memory = new Map<string, string>();
    const working: SecretBackend = {
      kind: 'keychain',
      get: async (k) => memory.get(k),
      set: async (k, v) => void memory.set(k, v),
      delete: async (k) => void memory.delete(k),
    };
    const home = await homeWith({ keychain: working, store: 'keychain', sync: { status: 'ok', error: null } });
    const ok = await status(home, { env: { ...CONFIGURED, OKR_SECRETS: '' }, keychain: working });
    expect(ok.code).toBe(0);
    expect(ok.plugin).toMatchObject({ tokens: 'present', tokenStore: 'keychain' });
    const locked: SecretBackend = {
      kind: 'keychain',
      get: async () => {
        throw new KeychainUnavailableError('reading failed: the keyring is locked');
      },
      set: async () => {
        throw new KeychainUnavailableError('writing failed: the keyring is locked');
      },
      delete: async () => {},
    };
    const r = await status(home, { env: { ...CONFIGURED, OKR_SECRETS: '' }, keychain: locked });
    expect(r.code).toBe(ExitCode.ERROR);
    expect(r.plugin).toMatchObject({ connected: true, tokens: 'unknown', needsReauth: false });
    expect(r.plugin!.problems[0]).toEqual({
      severity: 'error',
      problem: 'cannot read the tokens: The OS keychain is not reachable: reading failed: the keyring is locked',
      fix: 'unlock the OS keyring, or okr connect testsvc --insecure-storage',
    });
  });

  it('after disconnect: not connected, the old account and the kept values are shown', async () => {
    const home = await homeWith({ values: 2 });
    const d = await runCli(['disconnect', 'testsvc'], {
      home,
      env: CONFIGURED,
      registry: testRegistry(),
      now: () => NOW,
    });
    expect(d.code).toBe(0);
    const r = await status(home);
    expect(r.code).toBe(0);
    expect(r.plugin).toMatchObject({
      connected: false,
      enabled: false,
      account: 'acct-1',
      tokens: 'none',
      values: 2,
      tokenStore: null,
    });
    const human = await status(home, { json: false });
    expect(human.stdout).toContain('connected      no (disconnected; was Ada (acct-1))');
  });

  it('tokens stored but no connection recorded (an interrupted connect): an error naming `okr disconnect`', async () => {
    const home = await homeWith({ row: false });
    const r = await status(home);
    expect(r.plugin).toMatchObject({ connected: false, orphanedTokens: true });
    expect(r.plugin!.problems).toEqual([
      {
        severity: 'error',
        problem:
          'the secrets file holds testsvc tokens, but no connection is recorded (an `okr connect` stopped half-way)',
        fix: 'okr disconnect testsvc',
      },
    ]);
    // The fix works on an orphan: the tokens go, and status is clean again.
    const d = await runCli(['disconnect', 'testsvc'], {
      home,
      env: CONFIGURED,
      registry: testRegistry(),
      now: () => NOW,
    });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('Disconnected testsvc; its tokens are deleted.');
    const after = await status(home);
    expect(after.plugin).toMatchObject({ orphanedTokens: false });
    expect(after.plugin!.problems).toEqual([
      { severity: 'warning', problem: 'not connected', fix: 'okr connect testsvc' },
    ]);
  });

  it('a stale lock (dead pid, recycled pid) is reported with the command that removes it', async () => {
    const home = await homeWith({ sync: { status: 'ok', error: null } });
    const dir = join(home, 'state', 'locks');
    mkdirSync(dir, { recursive: true });
    const dead = spawn('true');
    await new Promise((done) => dead.on('close', done));
    writeFileSync(join(dir, 'testsvc.sync.lock'), JSON.stringify({ pid: dead.pid, startedAt: 'x' }));
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(
        join(dir, 'testsvc.tokens.lock'),
        JSON.stringify({ pid: sleeper.pid, startedAt: 'x', proc: 'b:1' }),
      );
      const r = await status(home);
      expect(r.code).toBe(0);
      expect(r.plugin!.problems.filter((p) => p.problem.startsWith('stale lock'))).toEqual([
        {
          severity: 'warning',
          problem: `stale lock ${join(dir, 'testsvc.sync.lock')} (left by pid ${dead.pid}, which is no longer running)`,
          fix: `rm -f '${join(dir, 'testsvc.sync.lock')}'`,
        },
        {
          severity: 'warning',
          problem: `stale lock ${join(dir, 'testsvc.tokens.lock')} (left by pid ${sleeper.pid}, a number now used by another process)`,
          fix: `rm -f '${join(dir, 'testsvc.tokens.lock')}'`,
        },
      ]);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
