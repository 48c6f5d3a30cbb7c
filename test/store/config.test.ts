import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { resolvePaths } from '../../src/paths.js';
import { escapeChar, hasUnsafeChar } from '../../src/safe-text.js';
import type { SecretBackend } from '../../src/store/secrets.js';
import { keychainAvailable, runCli, tempHome } from '../helpers/cli.js';
import { testRegistry } from '../helpers/test-plugin.js';

/** An in-memory keychain, for tests of resolution order only (the real one is tested below). */
function memoryKeychain(): SecretBackend & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    kind: 'keychain',
    data,
    get: async (k) => data.get(k),
    set: async (k, v) => void data.set(k, v),
    delete: async (k) => void data.delete(k),
  };
}

function ctxFor(home: string, env: Record<string, string> = {}, keychain: SecretBackend = memoryKeychain()) {
  return createContext({ env: { OKR_HOME: home, ...env }, registry: testRegistry(), keychain });
}

describe('config resolution order', () => {
  it('reads the conf file first, then the environment, then the default, then nothing', async () => {
    const home = tempHome();
    const ctx = ctxFor(home, { TESTSVC_CLIENT_ID: 'from-env', TESTSVC_API_BASE_URL: 'https://env.example.test/v1' });

    expect(await ctx.config.resolve('plugin.testsvc.client_id')).toMatchObject({ value: 'from-env', source: 'env' });
    await ctx.config.set('plugin.testsvc.client_id', '  from-file  ');
    expect(await ctx.config.resolve('plugin.testsvc.client_id')).toMatchObject({ value: 'from-file', source: 'file' });
    await ctx.config.unset('plugin.testsvc.client_id');
    expect(await ctx.config.resolve('plugin.testsvc.client_id')).toMatchObject({ value: 'from-env', source: 'env' });

    const bare = ctxFor(tempHome());
    expect(await bare.config.resolve('plugin.testsvc.api_base_url')).toMatchObject({
      value: 'https://api.example.test/v1',
      source: 'default',
    });
    expect(await bare.config.resolve('plugin.testsvc.client_id')).toMatchObject({ value: undefined, source: 'unset' });
    expect(await ctx.config.getConfigValue('plugin.testsvc.api_base_url')).toBe('https://env.example.test/v1');
  });

  it('keeps secrets out of the conf file, and resolves them from the keychain before the environment', async () => {
    const home = tempHome();
    const keychain = memoryKeychain();
    const ctx = ctxFor(home, { TESTSVC_CLIENT_SECRET: 'env-secret' }, keychain);
    expect(await ctx.config.resolve('plugin.testsvc.client_secret')).toMatchObject({
      value: 'env-secret',
      source: 'env',
    });
    await ctx.config.set('plugin.testsvc.client_secret', 'kc-secret-value');
    expect(keychain.data.get('plugin.testsvc.client_secret')).toBe('kc-secret-value');
    expect(await ctx.config.resolve('plugin.testsvc.client_secret')).toMatchObject({
      value: 'kc-secret-value',
      source: 'keychain',
    });
    const confText = readFileSync(
      resolvePaths({ env: { OKR_HOME: home }, platform: 'linux', homedir: '/nowhere' }).configFile,
      'utf8',
    );
    expect(confText).not.toContain('kc-secret-value');
    expect(JSON.parse(confText).secretStores).toEqual({ 'plugin.testsvc.client_secret': 'keychain' });
  });

  it('refuses unknown keys, empty values, bad URLs and bad enum values with a hint', async () => {
    const ctx = ctxFor(tempHome());
    await expect(ctx.config.set('plugin.testsvc.clientid', 'x')).rejects.toMatchObject({
      message: 'Unknown config key "plugin.testsvc.clientid".',
    });
    await expect(ctx.config.set('plugin.testsvc.client_id', '   ')).rejects.toMatchObject({
      message: 'plugin.testsvc.client_id cannot be empty.',
      hint: 'To remove it, run `okr config unset plugin.testsvc.client_id`.',
    });
    await expect(ctx.config.set('plugin.testsvc.api_base_url', 'not a url')).rejects.toThrow(/must be a URL/);
    await expect(ctx.config.set('plugin.testsvc.api_base_url', 'http://example.com/v1')).rejects.toThrow(
      /must use https/,
    );
    await expect(ctx.config.set('plugin.testsvc.api_base_url', 'ftp://example.com')).rejects.toThrow(
      /must be an https URL, not ftp:/,
    );
    await expect(ctx.config.set('secrets.store', 'vault')).rejects.toThrow(/one of: keychain, file/);
    // http is fine for loopback (the simulator)
    await ctx.config.set('plugin.testsvc.api_base_url', 'http://127.0.0.1:8080/v4');
    expect(await ctx.config.getConfigValue('plugin.testsvc.api_base_url')).toBe('http://127.0.0.1:8080/v4');
  });
});

describe('characters a setting may not hold', () => {
  const registry = testRegistry();

  it.each([
    ['\u202e', 'a bidi override'],
    ['\u2066', 'a bidi isolate'],
    ['\u009b', 'C1 CSI'],
    ['\u2028', 'a line separator'],
    ['\x1b', 'ESC'],
    ['\ud800', 'a lone surrogate'],
  ])('refuses %j (%s) with its escape, never the raw character', async (ch) => {
    const ctx = ctxFor(tempHome());
    const err = (await ctx.config.set('plugin.testsvc.client_id', `ab${ch}cd`).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `plugin.testsvc.client_id contains the character ${escapeChar(ch)}, which okr does not accept in a setting.`,
    );
    expect(hasUnsafeChar(err.message)).toBe(false);
    expect(await ctx.config.resolve('plugin.testsvc.client_id')).toMatchObject({ source: 'unset' });
    // A secret is refused too, without showing any of it.
    const secret = (await ctx.config
      .set('plugin.testsvc.client_secret', `s3cr${ch}t`)
      .catch((e: unknown) => e)) as Error;
    expect(secret.message).toBe(
      'plugin.testsvc.client_secret contains a control or bidi character, which okr does not accept in a setting.',
    );
  });

  it('okr config set on the command line: exit 2, the escape shown', async () => {
    const home = tempHome();
    const r = await runCli(['config', 'set', 'plugin.testsvc.client_id', 'ab\u202ecd'], { home, registry });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('contains the character \\u202e');
    expect(hasUnsafeChar((r.stdout + r.stderr).replace(/\n/g, ''))).toBe(false);
  });

  it('a hand-edited config.json or the environment: config list and get print the escapes', async () => {
    const home = tempHome();
    const env = { TESTSVC_API_BASE_URL: 'https://api.example.test/\u202ev1', OKR_SECRETS: 'file' };
    expect((await runCli(['config', 'set', 'plugin.testsvc.client_id', 'plain'], { home, registry, env })).code).toBe(
      0,
    );
    const file = resolvePaths({ env: { OKR_HOME: home }, platform: 'linux', homedir: '/nowhere' }).configFile;
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.values['plugin.testsvc.client_id'] = 'ab\u202ecd\x1b[2J';
    writeFileSync(file, JSON.stringify(data));
    const outputs = await Promise.all(
      [
        ['config', 'list'],
        ['config', 'list', '--json'],
        ['config', 'get', 'plugin.testsvc.client_id'],
        ['config', 'get', 'plugin.testsvc.client_id', '--json'],
        ['config', 'get', 'plugin.testsvc.api_base_url'],
      ].map((args) => runCli(args, { home, registry, env })),
    );
    for (const r of outputs) {
      expect(r.code, r.stderr).toBe(0);
      expect(hasUnsafeChar((r.stdout + r.stderr).replace(/\n/g, '')), r.stdout).toBe(false);
    }
    expect(outputs[0]!.stdout).toContain('ab\\u202ecd\\x1b[2J');
    expect(outputs[2]!.stdout).toBe('ab\\u202ecd\\x1b[2J\n');
    expect(JSON.parse(outputs[3]!.stdout)).toMatchObject({ value: 'ab\\u202ecd\\x1b[2J', source: 'file' });
    expect(outputs[4]!.stdout).toBe('https://api.example.test/\\u202ev1\n');
  });
});

describe('URL settings follow the endpoint rule', () => {
  it.each([
    ['https://okr:hunter2-pw@proxy.example.test/v1', 'must not hold a user name or password.'],
    ['http://okr:hunter2-pw@127.0.0.1:9/v1', 'must not hold a user name or password.'],
    [
      'http://127.0.0.2:9/v1',
      'must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to 127.0.0.2:9.',
    ],
  ])('%s is refused, the password never echoed', async (value, problem) => {
    const ctx = ctxFor(tempHome());
    const err = (await ctx.config.set('plugin.testsvc.api_base_url', value).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`plugin.testsvc.api_base_url ${problem}`);
    expect(err.message).not.toContain('hunter2');
  });

  it('http to ::1 and localhost is accepted, like 127.0.0.1', async () => {
    const ctx = ctxFor(tempHome());
    for (const v of ['http://[::1]:8080/v4', 'http://localhost:8080/v4']) {
      await ctx.config.set('plugin.testsvc.api_base_url', v);
      expect(await ctx.config.getConfigValue('plugin.testsvc.api_base_url')).toBe(v);
    }
  });
});

describe('config commands', () => {
  const registry = testRegistry();

  it('refuses a secret given on the command line, and stores nothing', async () => {
    const home = tempHome();
    const r = await runCli(['config', 'set', 'plugin.testsvc.client_secret', 'argv-secret'], { home, registry });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a secret');
    expect(r.stderr).toContain('--stdin');
    const list = await runCli(['config', 'list', '--json'], { home, registry });
    expect(
      JSON.parse(list.stdout).find((k: { key: string }) => k.key === 'plugin.testsvc.client_secret'),
    ).toMatchObject({
      value: null,
      source: 'unset',
    });
  });

  it('refuses prompts without a terminal and names the non-interactive way', async () => {
    const r = await runCli(['config', 'setup', 'testsvc'], { home: tempHome(), registry });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: okr config setup testsvc needs an interactive terminal.');
    expect(r.stderr).toContain('hint: Set each value instead: `okr config set plugin.testsvc.<key> <value>`');
  });

  it('stores secrets in the opt-in plain-text file only when asked, 0600, and says so', async () => {
    const home = tempHome();
    const r = await runCli(['config', 'set', 'plugin.testsvc.client_secret', '--stdin', '--insecure-storage'], {
      home,
      registry,
      stdin: 'file-secret-123\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plain-text');
    const paths = resolvePaths({ env: { OKR_HOME: home }, platform: 'linux', homedir: '/nowhere' });
    expect(JSON.parse(readFileSync(paths.secretsFile, 'utf8'))).toEqual({
      'plugin.testsvc.client_secret': 'file-secret-123',
    });
    expect(statSync(paths.secretsFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.configDir).mode & 0o777).toBe(0o700);
    const list = await runCli(['config', 'list'], { home, registry });
    expect(list.stdout).toMatch(/plugin\.testsvc\.client_secret\s+\*{8}\s+\(plain-text secrets file\)/);
    expect(list.stdout).not.toContain('file-secret-123');
  });

  it('fails loudly when the keychain is unreachable: no silent downgrade, nothing stored', async () => {
    const home = tempHome();
    const r = await runCli(['config', 'set', 'plugin.testsvc.client_secret', '--stdin'], {
      home,
      registry,
      stdin: 'never-stored',
      keychain: {
        kind: 'keychain',
        get: async () => undefined,
        delete: async () => {},
        set: async () => {
          const { KeychainUnavailableError } = await import('../../src/store/secrets.js');
          throw new KeychainUnavailableError('no D-Bus session bus');
        },
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: The OS keychain is not reachable: no D-Bus session bus');
    expect(r.stderr).toContain('okr config set secrets.store file');
    const paths = resolvePaths({ env: { OKR_HOME: home }, platform: 'linux', homedir: '/nowhere' });
    expect(existsSync(paths.secretsFile)).toBe(false);
  });
});

// The real OS keychain (Secret Service through gnome-keyring). `npm test` runs inside
// scripts/with-keyring.sh, which provides one; CI does the same. Running vitest by hand without
// it fails here on purpose rather than skipping silently.
describe('secrets in the real keychain', () => {
  it('round-trips a secret through the Secret Service, and it never reaches the conf file or `config list`', async () => {
    expect(
      keychainAvailable(),
      'no D-Bus session bus: run the tests through `npm test` (scripts/with-keyring.sh)',
    ).toBe(true);
    const home = tempHome();
    const registry = testRegistry();
    const secret = `kc-${Math.random().toString(36).slice(2)}-secret`;
    const set = await runCli(['config', 'set', 'plugin.testsvc.client_secret', '--stdin'], {
      home,
      registry,
      stdin: secret,
    });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('(keychain)');

    const ctx = createContext({ env: { OKR_HOME: home }, registry });
    expect(await ctx.config.resolve('plugin.testsvc.client_secret')).toMatchObject({
      value: secret,
      source: 'keychain',
    });
    const list = await runCli(['config', 'list', '--json'], { home, registry });
    expect(list.stdout).not.toContain(secret);
    expect(
      JSON.parse(list.stdout).find((k: { key: string }) => k.key === 'plugin.testsvc.client_secret'),
    ).toMatchObject({
      value: '********',
      source: 'keychain',
    });
    expect(readFileSync(ctx.paths.configFile, 'utf8')).not.toContain(secret);
    expect(existsSync(ctx.paths.secretsFile)).toBe(false);

    const unset = await runCli(['config', 'unset', 'plugin.testsvc.client_secret'], { home, registry });
    expect(unset.code).toBe(0);
    const { KeychainBackend } = await import('../../src/store/secrets.js');
    expect(await new KeychainBackend().get('plugin.testsvc.client_secret')).toBeUndefined();
  });
});
