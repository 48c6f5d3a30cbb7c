/**
 * The preflight runs the job's real command (the built bin/okr.js under this node) in the
 * scheduler's bare environment. These tests need `npm run build` first, as `npm test` does.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { CRON_BEGIN, splitCrontab } from '../../src/schedule/backends/cron.js';
import { recordConnected } from '../../src/store/connections.js';
import { saveCredentials } from '../../src/store/tokens.js';
import { keychainAvailable, runBin, runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

const now = () => new Date(2026, 2, 10, 14, 23, 41);

describe('preflight: the job run once as the scheduler runs it', () => {
  it('without a reachable keychain: fails, keeps the job, and says exactly what to change', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: fm.env, now };
    // Two secrets already in the keychain: the fix must name how to move each one.
    mkdirSync(join(fm.okrHome, 'config'), { recursive: true });
    writeFileSync(
      join(fm.okrHome, 'config', 'config.json'),
      JSON.stringify({
        values: {},
        secretStores: { 'plugin.fitbit.client_secret': 'keychain', 'tokens.fitbit': 'keychain' },
      }),
    );
    const r = await runCli(['schedule', 'install', '--backend', 'cron'], opts);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'Preflight: ran the job once as cron will, with only HOME, USER, LOGNAME, SHELL, PATH, OKR_HOME, XDG_CONFIG_HOME set:',
    );
    expect(r.stdout).toMatch(/FAIL {2}keychain {2}not reachable: The OS keychain is not reachable/);
    expect(r.stdout).toContain(
      '  - the job cannot reach the keychain: cron starts jobs without a D-Bus session bus, and okr found none to give it',
    );
    expect(r.stdout).toContain(
      'On a headless machine, keep secrets in a file instead: `okr config set secrets.store file`, then store the existing ones again: `okr config set plugin.fitbit.client_secret`, `okr connect fitbit`. ' +
        `Consequence: client secrets and OAuth tokens are then kept in plain text in ${join(fm.okrHome, 'config', 'secrets.json')} (mode 0600)`,
    );
    expect(r.stdout).toContain('The job stays installed.');
    expect(splitCrontab(fm.crontab()!).found).toBe(true);
    // Never a silent downgrade: the secret store is still the keychain.
    const store = JSON.parse((await runCli(['config', 'get', 'secrets.store', '--json'], opts)).stdout);
    expect(store).toMatchObject({ value: 'keychain', source: 'default' });
    // The check does not create the database (install + remove leave nothing behind).
    expect(existsSync(join(fm.okrHome, 'data', 'okr.db'))).toBe(false);
  });

  it('with secrets in the plain-text file (the user chose it): passes without a keychain', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: fm.env, now };
    expect((await runCli(['config', 'set', 'secrets.store', 'file'], opts)).code).toBe(0);
    const r = await runCli(['schedule', 'install', '--backend', 'cron'], opts);
    expect(r.stdout).toMatch(/ok {4}keychain {2}not used: every secret is in the plain-text file/);
    expect(r.stdout).toMatch(/ok {4}database {2}\S+okr\.db does not exist yet; the first sync can create it/);
    expect(r.stdout).toContain('The scheduled sync can reach the database and the keychain.');
    expect(r.code).toBe(0);
  });

  it('names a setting the job cannot see because it only lives in the shell', async () => {
    const fm = fakeMachine({ systemctl: false });
    const env = { ...fm.env, FITBIT_CLIENT_ID: 'only-in-my-shell.apps.googleusercontent.com', OKR_SECRETS: 'file' };
    const opts = { home: fm.okrHome, env, now };
    // A connected fitbit whose tokens and client secret are in the file store.
    const ctx = createContext({ env: { ...env, OKR_HOME: fm.okrHome } });
    await ctx.config.set('plugin.fitbit.client_secret', 'not-a-real-secret', { store: 'file' });
    await saveCredentials(
      ctx.secrets,
      'fitbit',
      { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000, obtainedAt: Date.now() },
      'file',
    );
    recordConnected(ctx.db(), {
      pluginId: 'fitbit',
      accountId: 'u1',
      connectedAt: new Date().toISOString(),
      tokenStore: 'file',
    });
    ctx.close();

    const r = await runCli(['schedule', 'install', '--backend', 'cron'], opts);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ok {4}database {2}\S+okr\.db opens and is writable/);
    expect(r.stdout).toMatch(/FAIL {2}fitbit {4}not set for the job: plugin\.fitbit\.client_id/);
    expect(r.stdout).toContain(
      "  - the job has no value for plugin.fitbit.client_id (your shell has FITBIT_CLIENT_ID, but scheduled jobs do not get your shell's variables)\n" +
        '    fix: store it: `okr config set plugin.fitbit.client_id <value>`\n',
    );
    // The secret itself never shows.
    expect(r.stdout + r.stderr).not.toContain('not-a-real-secret');
    // OKR_SECRETS is carried into the job, so token refreshes keep going to the file.
    expect(splitCrontab(fm.crontab()!).entry).toContain('OKR_SECRETS=file ');
  });

  it('refuses an endpoint override that only the shell has (FITBIT_API_BASE_URL), with the command that stores it', async () => {
    const fm = fakeMachine({ systemctl: false });
    const simulator = 'http://127.0.0.1:9/v4';
    const shell = { ...fm.env, OKR_SECRETS: 'file', OKR_HOME: fm.okrHome };
    // Everything the job needs is stored, as `okr config setup` leaves it; only the override is exported.
    const ctx = createContext({ env: shell });
    await ctx.config.set('plugin.fitbit.client_id', 'id.apps.googleusercontent.com');
    await ctx.config.set('plugin.fitbit.client_secret', 'not-a-real-secret', { store: 'file' });
    await saveCredentials(
      ctx.secrets,
      'fitbit',
      { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000, obtainedAt: Date.now() },
      'file',
    );
    recordConnected(ctx.db(), {
      pluginId: 'fitbit',
      accountId: 'u1',
      connectedAt: new Date().toISOString(),
      tokenStore: 'file',
    });
    ctx.close();

    const r = await runBin(['schedule', 'install', '--backend', 'cron'], {
      env: { ...shell, FITBIT_API_BASE_URL: simulator },
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      `  - plugin.fitbit.api_base_url is ${simulator} in this shell, from FITBIT_API_BASE_URL, which scheduled jobs do not get: the job would use the default https://health.googleapis.com/v4\n`,
    );
    expect(r.stdout).toContain(`\`okr config set plugin.fitbit.api_base_url ${simulator}\``);
    expect(r.stdout + r.stderr).not.toContain('not-a-real-secret');

    // Stored, the job sees it too: the preflight passes.
    expect((await runBin(['config', 'set', 'plugin.fitbit.api_base_url', simulator], { env: shell })).code).toBe(0);
    const again = await runBin(['schedule', 'install', '--backend', 'cron'], {
      env: { ...shell, FITBIT_API_BASE_URL: simulator },
    });
    expect(again.code, again.stdout).toBe(0);
  });

  it('a database the job cannot open', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: { ...fm.env, OKR_SECRETS: 'file' }, now };
    mkdirSync(join(fm.okrHome, 'data', 'okr.db'), { recursive: true }); // a folder where the file should be
    const r = await runCli(['schedule', 'install', '--backend', 'cron'], opts);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  - the job cannot open the database ${join(fm.okrHome, 'data', 'okr.db')}: `);
  });

  it('the node binary is gone: says to install again', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: { ...fm.env, OKR_SECRETS: 'file' }, now };
    await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts);
    const conf = join(fm.okrHome, 'config', 'config.json');
    const data = JSON.parse(readFileSync(conf, 'utf8'));
    data.schedule.node = join(fm.root, 'nvm', 'v18.0.0', 'bin', 'node');
    writeFileSync(conf, JSON.stringify(data));
    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(st.problems).toContainEqual({
      what: `the job's node binary ${data.schedule.node} no longer exists (node upgraded with nvm or n? okr moved?)`,
      fix: 'okr schedule install --every 1h (from the shell where `okr` works)',
    });
  });

  it.skipIf(!keychainAvailable())(
    'with a reachable keychain (scripts/with-keyring.sh): cron carries the bus and passes',
    async () => {
      const fm = fakeMachine({ systemctl: false });
      const opts = {
        home: fm.okrHome,
        env: { ...fm.env, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS },
        now,
      };
      const r = await runCli(['schedule', 'install', '--backend', 'cron'], opts);
      expect(r.stdout).toMatch(/ok {4}keychain {2}reachable: a probe entry was written, read back and deleted/);
      expect(r.code).toBe(0);
      expect(fm.crontab()).toContain(CRON_BEGIN);
      expect(splitCrontab(fm.crontab()!).entry).toContain(`DBUS_SESSION_BUS_ADDRESS=`);
    },
  );

  it.skipIf(!keychainAvailable())('systemd: the bus comes from the user manager, not from the unit', async () => {
    const fm = fakeMachine({ systemctl: true, managerBus: process.env.DBUS_SESSION_BUS_ADDRESS });
    const r = await runCli(['schedule', 'install', '--backend', 'systemd'], { home: fm.okrHome, env: fm.env, now });
    expect(r.stdout).toMatch(/ok {4}keychain {2}reachable/);
    expect(r.stdout).toContain('DBUS_SESSION_BUS_ADDRESS');
    expect(r.code).toBe(0);
  });

  it('systemd without a bus from the user manager: names dbus-user-session', async () => {
    const fm = fakeMachine({ systemctl: true });
    const r = await runCli(['schedule', 'install', '--backend', 'systemd'], { home: fm.okrHome, env: fm.env, now });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the systemd user manager gives its services no D-Bus session bus');
    expect(r.stdout).toContain('sudo apt-get install dbus-user-session');
  });
});
