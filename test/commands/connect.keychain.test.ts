/**
 * `okr connect` with the real OS keychain (a Secret Service on a private D-Bus session, started
 * by scripts/with-keyring.sh; `npm test` runs the suite that way). The tokens must land in the
 * keyring, never in a file, and `disconnect` must take them out again.
 *
 *   bash scripts/with-keyring.sh npx vitest run test/commands/connect.keychain.test.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { AsyncEntry } from '@napi-rs/keyring';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { KeychainBackend } from '../../src/store/secrets.js';
import { keychainAvailable, runCli, tempHome } from '../helpers/cli.js';
import { fetchBrowser, homeFiles, leaks, redirectPort, refuses } from '../oauth/helpers.js';

// A service name of its own, so parallel test files sharing the keyring never collide.
const SERVICE = `okr-test-connect-${process.pid}`;
const entry = (key: string) => new AsyncEntry(SERVICE, key, { linux: { store: 'secret-service' } });

describe.skipIf(!keychainAvailable())('okr connect with the real keychain', () => {
  let sim: Simulator;
  let home: string;
  beforeEach(async () => {
    sim = await startSimulator({ autoApprove: true });
    home = tempHome();
  });
  afterEach(async () => {
    await sim.close();
    await entry('tokens.fitbit')
      .deletePassword()
      .catch(() => {});
  });

  it('stores the tokens in the keyring only, reports it, and disconnect removes them', async () => {
    const keychain = new KeychainBackend(SERVICE, 'linux');
    // OKR_SECRETS unset: the keychain is the default store.
    const env = { ...sim.env, OKR_SECRETS: '' };
    const browser = fetchBrowser();
    const r = await runCli(['connect', 'fitbit'], { home, env, keychain, openBrowser: browser.openBrowser });
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Tokens are stored in the OS keychain.');
    expect(await refuses(redirectPort(browser.openedUrl!))).toBe(true);

    const raw = await entry('tokens.fitbit').getPassword();
    expect(raw).toBeTruthy();
    const tokens = JSON.parse(raw!) as { accessToken: string; refreshToken: string };
    expect(tokens.accessToken).toMatch(/^ya29\./);
    // Nothing in plain text: no secrets file, and the conf file only records where the secret is.
    expect(existsSync(homeFiles(home).secrets)).toBe(false);
    const conf = readFileSync(homeFiles(home).conf, 'utf8');
    expect(JSON.parse(conf).secretStores['tokens.fitbit']).toBe('keychain');
    expect(leaks(conf, [tokens.accessToken, tokens.refreshToken])).toEqual([]);
    expect(
      leaks(readFileSync(homeFiles(home).db).toString('latin1'), [tokens.accessToken, tokens.refreshToken]),
    ).toEqual([]);

    const st = await runCli(['status', '--json'], { home, env, keychain });
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout).plugins[0]).toMatchObject({
      id: 'fitbit',
      connected: true,
      tokenStore: 'keychain',
      tokens: 'present',
    });

    const d = await runCli(['disconnect', 'fitbit'], { home, env, keychain });
    expect(d.code).toBe(0);
    expect(await entry('tokens.fitbit').getPassword()).toBeNull();
    expect(
      leaks(r.stdout + r.stderr + st.stdout + d.stdout + d.stderr, [
        tokens.accessToken,
        tokens.refreshToken,
        sim.clientSecret,
      ]),
    ).toEqual([]);
  });
});
