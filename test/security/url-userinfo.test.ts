/**
 * A password in a URL setting (`https://user:pw@proxy…/`) is never printed: `config list`,
 * `config list --json`, `config get` and `doctor --redacted` mask the userinfo, whether the value
 * is in a hand-edited config.json or comes from the environment (`config set` refuses it, and
 * okr never sends it: test/security/endpoint-urls.test.ts). The probe found both commands printing it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redactUrls } from '../../src/redact.js';
import { runBin, tempHome } from '../helpers/cli.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('redactUrls', () => {
  it.each([
    ['http://user:pw@proxy:3128/x', 'http://********@proxy:3128/x'],
    ['https://tok@github.com', 'https://********@github.com'],
    ['https://u:p@ss@host/a?b=c@d', 'https://********@host/a?b=c@d'],
    ['via http://a:b@one/ and HTTPS://c:d@two/', 'via http://********@one/ and HTTPS://********@two/'],
    ['got "https://u:p\'q@h/"', 'got "https://********@h/"'],
  ])('%s', (input, output) => {
    expect(redactUrls(input)).toBe(output);
  });

  it.each([
    'https://health.googleapis.com/v4',
    'http://127.0.0.1:8080/path@not-userinfo',
    'https://host/?email=a@b.c',
    'me@example.com',
    'mailto:me@example.com',
    'no url here',
  ])('leaves %s alone', (text) => {
    expect(redactUrls(text)).toBe(text);
  });
});

describe('URL settings with a password', () => {
  it('config list, config get and doctor --redacted mask it, stored or from the environment', async () => {
    const root = tempHome('okr-userinfo-');
    roots.push(root);
    const home = join(root, 'home');
    const env = {
      OKR_SECRETS: 'file',
      DBUS_SESSION_BUS_ADDRESS: '',
      HOME: root,
      FITBIT_TOKEN_URL: 'http://envuser:env-pass-5678@127.0.0.1:9/token',
    };
    const stored = 'https://proxyuser:stored-pass-1234@proxy.example.net:3128/v4';
    // `config set` refuses it (okr never sends a URL's userinfo), without echoing it ...
    const set = await runBin(['config', 'set', 'plugin.fitbit.api_base_url', stored], { home, env });
    expect(set.code, set.stderr).toBe(2);
    expect(set.stderr).toContain('plugin.fitbit.api_base_url must not hold a user name or password.');
    expect(set.stdout + set.stderr).not.toContain('stored-pass-1234');
    // ... so it can only be in a hand-edited config.json.
    expect((await runBin(['config', 'set', 'plugin.fitbit.client_id', 'id'], { home, env })).code).toBe(0);
    const file = join(home, 'config', 'config.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.values['plugin.fitbit.api_base_url'] = stored;
    writeFileSync(file, JSON.stringify(data));

    const outputs: Record<string, string> = {};
    for (const args of [
      ['config', 'list'],
      ['config', 'list', '--json'],
      ['config', 'list', '--all'],
      ['config', 'get', 'plugin.fitbit.api_base_url'],
      ['config', 'get', 'plugin.fitbit.token_url', '--json'],
      ['doctor', '--redacted'],
    ]) {
      const r = await runBin(args, { home, env });
      expect([0, 1], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
      outputs[args.join(' ')] = r.stdout + r.stderr;
    }
    for (const [cmd, text] of Object.entries(outputs)) {
      for (const leak of ['stored-pass-1234', 'env-pass-5678', 'proxyuser', 'envuser']) {
        expect(text, `okr ${cmd} printed ${leak}`).not.toContain(leak);
      }
    }
    expect(outputs['config get plugin.fitbit.api_base_url']).toBe('https://********@proxy.example.net:3128/v4\n');
    expect(outputs['config list']).toContain('https://********@proxy.example.net:3128/v4');
    expect(JSON.parse(outputs['config get plugin.fitbit.token_url --json']!)).toMatchObject({
      value: 'http://********@127.0.0.1:9/token',
      source: 'env',
    });
    const bundle = JSON.parse(outputs['doctor --redacted']!) as { settings: Array<{ key: string; value: string }> };
    expect(bundle.settings).toEqual(
      expect.arrayContaining([
        { key: 'plugin.fitbit.api_base_url', value: 'https://********@proxy.example.net:3128/v4', source: 'file' },
        { key: 'plugin.fitbit.token_url', value: 'http://********@127.0.0.1:9/token', source: 'env' },
      ]),
    );
  });
});
