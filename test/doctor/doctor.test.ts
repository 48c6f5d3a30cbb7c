import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { writeDemoRecord } from '../../src/demo/record.js';
import type { CheckResult } from '../../src/doctor/checks.js';
import type { OAuthCredentials } from '../../src/plugins/types.js';
import { recordConnected, recordSyncResult } from '../../src/store/connections.js';
import { saveCredentials } from '../../src/store/tokens.js';
import { keychainAvailable, runBin, runCli, tempHome } from '../helpers/cli.js';
import { testRegistry } from '../helpers/test-plugin.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3600_000;

interface HomeSetup {
  credentials?: OAuthCredentials | null;
  lastSyncAt?: Date;
  env?: Record<string, string>;
}

/** A home with testsvc configured and connected, and its secrets in the real keychain. */
async function connectedHome(setup: HomeSetup = {}) {
  const home = tempHome();
  const registry = testRegistry();
  const env = { OKR_HOME: home, ...setup.env };
  const ctx = createContext({ env, registry, now: () => NOW });
  await ctx.config.set('plugin.testsvc.client_id', 'client-1');
  await ctx.config.set('plugin.testsvc.client_secret', 'doctor-secret-value');
  const creds =
    setup.credentials === undefined
      ? {
          accessToken: 'at-doctor',
          refreshToken: 'rt-doctor',
          expiresAt: NOW.getTime() + HOUR,
          obtainedAt: NOW.getTime() - HOUR,
        }
      : setup.credentials;
  const db = ctx.db();
  let store: 'keychain' | 'file' = 'keychain';
  if (creds) store = await saveCredentials(ctx.secrets, 'testsvc', creds);
  recordConnected(db, { pluginId: 'testsvc', accountId: 'acct-1', connectedAt: NOW.toISOString(), tokenStore: store });
  recordSyncResult(db, 'testsvc', {
    at: (setup.lastSyncAt ?? new Date(NOW.getTime() - HOUR)).toISOString(),
    status: 'ok',
    error: null,
  });
  ctx.close();
  return { home, registry, env };
}

async function doctor(home: string, registry = testRegistry(), env: Record<string, string> = {}) {
  const r = await runCli(['doctor', '--json'], { home, registry, env, now: () => NOW });
  const report = JSON.parse(r.stdout) as { ok: boolean; checks: CheckResult[] };
  return { ...r, report, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) as Record<string, CheckResult> };
}

describe('okr doctor', () => {
  it('passes on a healthy home', async () => {
    expect(keychainAvailable(), 'run through npm test (scripts/with-keyring.sh)').toBe(true);
    const { home, registry } = await connectedHome();
    const d = await doctor(home, registry);
    expect(d.code).toBe(0);
    expect(d.report.ok).toBe(true);
    expect(d.report.checks.map((c) => [c.id, c.status])).toEqual([
      ['node', 'pass'],
      ['permissions', 'pass'],
      ['config', 'pass'],
      ['database', 'pass'],
      ['keychain', 'pass'],
      ['locks', 'pass'],
      ['plugin.testsvc.config', 'pass'],
      ['plugin.testsvc.tokens', 'pass'],
      ['plugin.testsvc.provider', 'pass'],
      ['plugin.testsvc.sync', 'pass'],
      ['schedule', 'pass'],
    ]);
    expect(d.byId.schedule!.detail).toContain('not installed');
  });

  it('fails the database check on a corrupted file, with the fix', async () => {
    const { home, registry } = await connectedHome();
    writeFileSync(`${home}/data/okr.db`, 'this is not a database, just some bytes'.repeat(200));
    const d = await doctor(home, registry);
    expect(d.code).toBe(1);
    expect(d.byId.database).toMatchObject({ status: 'fail' });
    expect(d.byId.database!.detail).toMatch(/damaged|not a database/);
    expect(d.byId.database!.fix).toMatch(/move the file aside|Move .* aside/i);
  });

  it('fails the tokens check when the refresh token has expired', async () => {
    const { home, registry } = await connectedHome({
      credentials: {
        accessToken: 'at-old',
        refreshToken: 'rt-old',
        expiresAt: NOW.getTime() - 8 * 24 * HOUR,
        refreshTokenExpiresAt: NOW.getTime() - HOUR,
        obtainedAt: NOW.getTime() - 8 * 24 * HOUR,
      },
    });
    const d = await doctor(home, registry);
    expect(d.code).toBe(1);
    expect(d.byId['plugin.testsvc.tokens']).toMatchObject({ status: 'fail', fix: 'okr connect testsvc' });
    expect(d.byId['plugin.testsvc.tokens']!.detail).toContain('refresh token expired');
  });

  it('fails the tokens check when the stored tokens are missing', async () => {
    const { home, registry } = await connectedHome({ credentials: null });
    const d = await doctor(home, registry);
    expect(d.code).toBe(1);
    expect(d.byId['plugin.testsvc.tokens']).toMatchObject({ status: 'fail', fix: 'okr connect testsvc' });
    expect(d.byId['plugin.testsvc.tokens']!.detail).toContain('no tokens');
  });

  it('fails the tokens check for tokens without a connection (an interrupted connect), naming okr disconnect', async () => {
    const { home, registry, env } = await connectedHome();
    const ctx = createContext({ env, registry });
    ctx.db().prepare('DELETE FROM plugins').run();
    ctx.close();
    const d = await doctor(home, registry);
    expect(d.code).toBe(1);
    expect(d.byId['plugin.testsvc.tokens']).toEqual({
      id: 'plugin.testsvc.tokens',
      title: 'testsvc: tokens',
      status: 'fail',
      detail: 'the OS keychain holds testsvc tokens, but no connection is recorded (an `okr connect` stopped half-way)',
      fix: 'okr disconnect testsvc (revokes and deletes them; then okr connect testsvc to connect again)',
    });
    const fixed = await runCli(['disconnect', 'testsvc'], { home, registry, env, now: () => NOW });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await doctor(home, registry)).byId['plugin.testsvc.tokens']).toBeUndefined();
  });

  it('warns about a stale lock, and fails on one okr cannot remove, with the command that removes it', async () => {
    const { home, registry } = await connectedHome();
    const dir = join(home, 'state', 'locks');
    mkdirSync(dir, { recursive: true });
    const dead = spawn('true');
    await new Promise((done) => dead.on('close', done));
    writeFileSync(join(dir, 'testsvc.sync.lock'), JSON.stringify({ pid: dead.pid, startedAt: 'x' }));
    const d = await doctor(home, registry);
    expect(d.byId.locks).toEqual({
      id: 'locks',
      title: 'Lock files',
      status: 'warn',
      detail: `${join(dir, 'testsvc.sync.lock')} is stale (left by pid ${dead.pid}, which is no longer running)`,
      fix: `rm -f '${join(dir, 'testsvc.sync.lock')}'`,
    });
    mkdirSync(join(dir, 'schedule.lock'));
    writeFileSync(join(dir, 'schedule.lock', 'x'), '');
    const d2 = await doctor(home, registry);
    expect(d2.code).toBe(1);
    expect(d2.byId.locks).toMatchObject({
      status: 'fail',
      fix: `rm -r '${join(dir, 'schedule.lock')}' && rm -f '${join(dir, 'testsvc.sync.lock')}'`,
    });
  });

  it('fails the sync check when the last sync is stale', async () => {
    const { home, registry } = await connectedHome({ lastSyncAt: new Date(NOW.getTime() - 3 * 24 * HOUR) });
    const d = await doctor(home, registry);
    expect(d.code).toBe(1);
    expect(d.byId['plugin.testsvc.sync']).toMatchObject({ status: 'fail' });
    expect(d.byId['plugin.testsvc.sync']!.detail).toContain('72 h ago');
    expect(d.byId['plugin.testsvc.sync']!.fix).toContain('okr sync testsvc');
  });

  it('warns in a demo home whose simulators are gone, where every sync fails, and names the demo as the fix', async () => {
    const { home, registry, env } = await connectedHome({ lastSyncAt: new Date(NOW.getTime() - 3 * 24 * HOUR) });
    const healthy = await doctor(home, registry, env);
    expect(healthy.byId.demo).toBeUndefined(); // not a demo home: no check
    const ctx = createContext({ env, registry, now: () => NOW });
    writeDemoRecord(ctx.conf, { home, createdAt: '2026-11-17T10:00:00.000Z' });
    ctx.close();
    const d = await doctor(home, registry, env);
    const demo = `okr demo --home ${home}`;
    expect(d.byId.demo).toMatchObject({
      status: 'warn',
      detail:
        'This is a demo home (made by okr demo on 2026-11-17); its simulators are not running, so `okr sync` fails here',
    });
    expect(d.byId.demo!.fix).toMatch(new RegExp(`^${demo} `));
    // `okr sync testsvc` would only fail again: the demo is what syncs it.
    expect(d.byId['plugin.testsvc.sync']).toMatchObject({ status: 'fail' });
    expect(d.byId['plugin.testsvc.sync']!.fix).toMatch(new RegExp(`^${demo} `));
  });

  it('says times in local time, as okr status does, and counts problems in words', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const { home, registry } = await connectedHome({ lastSyncAt: new Date(NOW.getTime() - 3 * 24 * HOUR) });
      // 2026-11-17T12:00Z is 21:00 in Tokyo: not the UTC ISO time.
      expect((await doctor(home, registry)).byId['plugin.testsvc.sync']!.detail).toBe(
        'last succeeded 72 h ago (2026-11-17 21:00)',
      );
      const human = await runCli(['doctor'], { home, registry, now: () => NOW });
      expect(human.stdout).toMatch(/^1 problem, \d+ warnings?\.$/m);
      expect(human.stdout).not.toContain('(s)');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('fails the keychain check, with the file-store fix, when the keychain holding a secret is unreachable', async () => {
    // The built binary, in a real process without a session bus: the real keychain failure.
    // The conf file records a secret kept in the keychain, as a desktop session would have left it.
    const home = tempHome();
    mkdirSync(join(home, 'config'), { recursive: true, mode: 0o700 });
    writeFileSync(
      join(home, 'config', 'config.json'),
      JSON.stringify({
        values: { 'plugin.fitbit.client_id': 'id-1' },
        secretStores: { 'plugin.fitbit.client_secret': 'keychain' },
      }),
      { mode: 0o600 },
    );
    const r = await runBin(['doctor', '--json'], { home, env: { DBUS_SESSION_BUS_ADDRESS: '' } });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as CheckResult[];
    const keychain = checks.find((c) => c.id === 'keychain')!;
    expect(keychain.status).toBe('fail');
    expect(keychain.detail).toContain('The OS keychain is not reachable');
    expect(keychain.fix).toContain('okr config set secrets.store file');
    // The plugin whose secret is in there cannot be checked either, and says why.
    expect(checks.find((c) => c.id === 'plugin.fitbit.config')).toMatchObject({ status: 'fail' });
  });

  it('only warns about an unreachable keychain that holds nothing yet, and passes with the file store', async () => {
    const home = tempHome();
    const r = await runBin(['doctor', '--json'], { home, env: { DBUS_SESSION_BUS_ADDRESS: '' } });
    const keychain = (JSON.parse(r.stdout).checks as CheckResult[]).find((c) => c.id === 'keychain')!;
    expect(keychain.status).toBe('warn');
    expect(keychain.detail).toContain('no secret is stored there yet');
    const f = await runBin(['doctor', '--json'], { home, env: { DBUS_SESSION_BUS_ADDRESS: '', OKR_SECRETS: 'file' } });
    expect((JSON.parse(f.stdout).checks as CheckResult[]).find((c) => c.id === 'keychain')!.status).toBe('pass');
  });

  it('prints a redacted support bundle without secrets or tokens', async () => {
    const { home, registry } = await connectedHome();
    const r = await runCli(['doctor', '--redacted'], { home, registry, now: () => NOW });
    const bundle = JSON.parse(r.stdout);
    expect(bundle.settings).toContainEqual({
      key: 'plugin.testsvc.client_secret',
      value: '********',
      source: 'keychain',
    });
    expect(bundle.settings).toContainEqual({ key: 'plugin.testsvc.client_id', value: 'client-1', source: 'file' });
    for (const secret of ['doctor-secret-value', 'at-doctor', 'rt-doctor']) expect(r.stdout).not.toContain(secret);
  });
});
