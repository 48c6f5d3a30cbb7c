/**
 * The endpoint rule (src/oauth/endpoint-url.ts) wherever an endpoint URL is resolved for use:
 * the data-API base, the revoke, token and authorization URLs of every OAuth plugin, from the
 * environment or a hand-edited config.json (which `okr config set` never checked). A URL that is
 * plain http to another machine, holds a user name or password, or is not a URL at all is refused
 * before any request: a non-retryable error naming the setting and where its value came from,
 * with what to run, and never quoting the password.
 *
 * No request leaves the test: the runtimes answer from canned responses and record every call
 * (none may be made), and the hosts named (`*.example.test`) are never contacted.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { buildAuthorizationRequest } from '../../src/oauth/flow.js';
import { requestTokens } from '../../src/oauth/tokens.js';
import { FITBIT_FIELDS } from '../../src/plugins/fitbit/fields.js';
import { fitbitPlugin } from '../../src/plugins/fitbit/plugin.js';
import { revokeOura } from '../../src/plugins/oura/api.js';
import { OURA_FIELDS } from '../../src/plugins/oura/fields.js';
import { ouraPlugin } from '../../src/plugins/oura/plugin.js';
import { providerErrorFromNetwork } from '../../src/plugins/provider-errors.js';
import type { DataImportPlugin, OAuthConfig, OAuthCredentials, PluginRuntime } from '../../src/plugins/types.js';
import { WITHINGS_FIELDS } from '../../src/plugins/withings/fields.js';
import { withingsPlugin } from '../../src/plugins/withings/plugin.js';
import { runCli } from '../helpers/cli.js';
import { type RecordingRuntime, recordingRuntime } from '../helpers/recording-runtime.js';
import { connectHome, withDb } from '../sync/helpers.js';

const CREDS: OAuthCredentials = {
  accessToken: 'access-SECRET-123',
  refreshToken: 'refresh-SECRET-456',
  expiresAt: Date.parse('2030-01-01T00:00:00Z'),
  obtainedAt: Date.parse('2024-02-01T12:00:00Z'),
};

/** A runtime whose settings come from `values`, each from `source`, answering `{}` to anything. */
function runtime(
  values: Record<string, string>,
  source: 'env' | 'file' = 'env',
): RecordingRuntime & Required<Pick<PluginRuntime, 'configSource'>> {
  const rt = recordingRuntime(
    values,
    async () => new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } }),
    () => new Date('2024-02-01T12:00:00Z'),
  );
  return Object.assign(rt, {
    configSource: async (key: string) => (key in values ? source : 'default') as 'env' | 'file' | 'default',
  });
}

/** Values written into config.json by hand, as `okr config set` would refuse them. */
function plant(home: string, values: Record<string, string>): void {
  const file = join(home, 'config', 'config.json');
  const data = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { values: {}, secretStores: {} };
  Object.assign(data.values, values);
  writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
}

const client = (id: string) => ({
  [`plugin.${id}.client_id`]: 'client-id',
  [`plugin.${id}.client_secret`]: 'client-secret',
});

async function refusal(fn: () => Promise<unknown>): Promise<ProviderError> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a refusal').toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

type Call = (plugin: DataImportPlugin, rt: PluginRuntime) => Promise<unknown>;
const FIELDS: Record<string, string[]> = {
  oura: OURA_FIELDS.map((f) => f.id),
  fitbit: FITBIT_FIELDS.map((f) => f.id),
  withings: WITHINGS_FIELDS.map((f) => f.id),
};
const fetchData: Call = (p, rt) => p.fetchData(rt, CREDS, '2024-01-01', '2024-01-02', FIELDS[p.id]!);
const validate: Call = (p, rt) => p.validateCredentials(rt, CREDS);
const oauthConfig: Call = (p, rt) => p.getOAuthConfig(rt);
const revoke: Call = async (p, rt) => p.revokeTokens!(rt, await p.getOAuthConfig(rt), CREDS);

const PLUGINS = { oura: ouraPlugin, fitbit: fitbitPlugin, withings: withingsPlugin };
const CASES: Array<[keyof typeof PLUGINS, string, string, Call]> = [
  ['oura', 'api_base_url', 'fetchData', fetchData],
  ['oura', 'api_base_url', 'validateCredentials', validate],
  ['oura', 'revoke_url', 'revokeTokens', revoke],
  ['oura', 'token_url', 'getOAuthConfig', oauthConfig],
  ['oura', 'auth_url', 'getOAuthConfig', oauthConfig],
  ['fitbit', 'api_base_url', 'fetchData', fetchData],
  ['fitbit', 'api_base_url', 'validateCredentials', validate],
  ['fitbit', 'revoke_url', 'getOAuthConfig', oauthConfig],
  ['fitbit', 'token_url', 'getOAuthConfig', oauthConfig],
  ['fitbit', 'auth_url', 'getOAuthConfig', oauthConfig],
  ['withings', 'api_base_url', 'fetchData', fetchData],
  ['withings', 'api_base_url', 'validateCredentials', validate],
  ['withings', 'token_url', 'getOAuthConfig', oauthConfig],
  ['withings', 'auth_url', 'getOAuthConfig', oauthConfig],
];

describe('an endpoint setting that is plain http to another machine', () => {
  it.each(CASES)('%s %s, from the environment: %s refuses it before any request', async (id, key, _what, call) => {
    const env = `${id.toUpperCase()}_${key.toUpperCase()}`;
    const rt = runtime({ ...client(id), [`plugin.${id}.${key}`]: 'http://api.example.test:8080/v2' });
    const err = await refusal(() => call(PLUGINS[id], rt));
    expect(rt.calls).toEqual([]);
    expect(err.category).toBe('settings');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`plugin.${id}.${key}, from ${env} in the environment`);
    expect(err.message).toContain(
      'must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to api.example.test:8080',
    );
    expect(err.message).not.toContain('/v2');
    expect(err.hint).toContain(`Unset ${env}`);
    expect(err.hint).toContain(`\`okr config set plugin.${id}.${key} <https URL>\``);
  });

  it('from the config file: the hint is `okr config set`, or unset for the default', async () => {
    const rt = runtime({ ...client('oura'), 'plugin.oura.api_base_url': 'http://api.example.test' }, 'file');
    const err = await refusal(() => fetchData(ouraPlugin, rt));
    expect(rt.calls).toEqual([]);
    expect(err.message).toBe(
      'The API base URL of oura (plugin.oura.api_base_url, from the config file) must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to api.example.test.',
    );
    expect(err.hint).toBe(
      'Run `okr config set plugin.oura.api_base_url <https URL>`, or `okr config unset plugin.oura.api_base_url` to use the default (https://api.ouraring.com).',
    );
  });

  it('loopback http (127.0.0.1, ::1, localhost) and https are used as given', async () => {
    for (const base of ['http://127.0.0.1:9', 'http://[::1]:9', 'http://localhost:9', 'https://api.example.test']) {
      const rt = runtime({ ...client('oura'), 'plugin.oura.api_base_url': base });
      await ouraPlugin.validateCredentials(rt, CREDS).catch(() => undefined);
      expect(rt.calls.map((c) => c.url)).toEqual([`${base}/v2/usercollection/personal_info`]);
    }
  });

  it("Oura's revoke never sends ?access_token= over plain http to another machine, whatever hands it the URL", async () => {
    const rt = runtime({});
    const err = await refusal(() => revokeOura(rt, 'http://api.example.test/oauth/revoke', CREDS));
    expect(rt.calls).toEqual([]);
    expect(err.message).toContain('The revoke URL of oura must use https');
    expect(err.message).not.toContain(CREDS.accessToken);
  });
});

describe('an endpoint URL with a user name or password', () => {
  it('is refused without echoing it, at the settings and at the token request itself', async () => {
    const rt = runtime({
      ...client('fitbit'),
      'plugin.fitbit.token_url': 'https://okr:hunter2-pw@proxy.example.test/t',
    });
    const err = await refusal(() => oauthConfig(fitbitPlugin, rt));
    expect(err.message).toBe(
      'The token URL of fitbit (plugin.fitbit.token_url, from FITBIT_TOKEN_URL in the environment) must not hold a user name or password.',
    );
    const cfg: OAuthConfig = {
      clientId: 'id',
      clientSecret: 'secret',
      authorizationUrl: 'https://auth.example.test/a',
      tokenUrl: 'http://okr:hunter2-pw@proxy.example.test:3128/token',
      scopes: [],
      usePKCE: true,
      tokenEndpointAuth: 'client_secret_post',
    };
    const direct = await refusal(() =>
      requestTokens(rt, fitbitPlugin, cfg, { grant_type: 'refresh_token', refresh_token: 'r' }),
    );
    const auth = await refusal(() =>
      buildAuthorizationRequest({ ...cfg, authorizationUrl: cfg.tokenUrl }, 'http://127.0.0.1:1/cb', 's', 'fitbit'),
    );
    for (const e of [err, direct, auth]) {
      expect(`${e.message} ${e.hint}`).not.toMatch(/hunter2|okr:/);
    }
    expect(rt.calls).toEqual([]);
  });
});

describe('an endpoint setting that is not a URL', () => {
  it('FITBIT_API_BASE_URL without a scheme: one line naming it, never retried, no request', async () => {
    const rt = runtime({ ...client('fitbit'), 'plugin.fitbit.api_base_url': 'health.googleapis.com/v4' });
    const err = await refusal(() => fetchData(fitbitPlugin, rt));
    expect(rt.calls).toEqual([]);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      'The API base URL of fitbit (plugin.fitbit.api_base_url, from FITBIT_API_BASE_URL in the environment) must be a URL that starts with https://.',
    );
  });

  it('an authorization URL without a scheme is named, not "Invalid URL" (a bug in okr)', async () => {
    const rt = runtime({ ...client('fitbit'), 'plugin.fitbit.auth_url': 'accounts.google.com/o/oauth2/v2/auth' });
    const err = await refusal(() => oauthConfig(fitbitPlugin, rt));
    expect(err.message).toContain('plugin.fitbit.auth_url, from FITBIT_AUTH_URL in the environment');
    const cfg = {
      clientId: 'i',
      authorizationUrl: 'accounts.google.com/auth',
      tokenUrl: 'https://t.example.test',
      scopes: [],
      usePKCE: true,
      tokenEndpointAuth: 'none' as const,
    };
    const direct = await refusal(() => buildAuthorizationRequest(cfg, 'http://127.0.0.1:1/cb', 's', 'fitbit'));
    expect(direct.message).toBe('The authorization URL of fitbit must be a URL that starts with https://.');
  });

  it('a request whose URL is not one (a plugin that skipped the settings) is not a network error to retry', () => {
    let invalid: unknown;
    try {
      new URL('http://okr:hunter2-pw@[bad');
    } catch (e) {
      invalid = e;
    }
    const wrapped = new TypeError('Failed to parse URL from http://okr:hunter2-pw@[bad', { cause: invalid });
    for (const e of [invalid, wrapped]) {
      const err = providerErrorFromNetwork(e, 'the Google Health API');
      expect(err.category).toBe('settings');
      expect(err.retryable).toBe(false);
      expect(err.message).toBe('okr could not send a request to the Google Health API: its URL is not valid');
      expect(err.cause).toBeUndefined();
    }
  });
});

/** A fetch that records every URL it is asked for (none may be) and answers `{}`. */
function recordingFetch(): { sent: string[]; fetch: typeof globalThis.fetch } {
  const sent: string[] = [];
  const fetch = (async (input: string | URL) => {
    sent.push(String(input));
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { sent, fetch };
}

describe('through okr sync and okr status', () => {
  const oura = (extra: Record<string, string> = {}) =>
    connectHome({
      pluginId: 'oura',
      credentials: CREDS,
      env: { OURA_CLIENT_ID: 'client-id', OURA_CLIENT_SECRET: 'client-secret', ...extra },
    });

  it('OURA_API_BASE_URL=http://<another host>: the sync fails at once naming it; the token goes nowhere', async () => {
    const c = await oura();
    const { sent, fetch } = recordingFetch();
    const env = { ...c.env, OURA_API_BASE_URL: 'http://api.example.test:47101' };
    const r = await runCli(['sync', 'oura', '--since', '2d'], { home: c.home, env, fetch });
    expect(sent).toEqual([]);
    expect(r.code).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain('plugin.oura.api_base_url, from OURA_API_BASE_URL in the environment');
    expect(out).toContain('Unset OURA_API_BASE_URL');
    expect(out).not.toMatch(/retry/i);
    expect(out).not.toContain(CREDS.accessToken);
  });

  it('an expired token and a refused API base URL: no refresh is spent; the fix is the setting, then the sync', async () => {
    const expired = await connectHome({
      pluginId: 'oura',
      credentials: { ...CREDS, expiresAt: 1000 },
      env: { OURA_CLIENT_ID: 'client-id', OURA_CLIENT_SECRET: 'client-secret' },
    });
    plant(expired.home, { 'plugin.oura.api_base_url': 'http://api.example.test:47101' });
    const { sent, fetch } = recordingFetch();
    const opts = { home: expired.home, env: expired.env, fetch };
    const dry = await runCli(['sync', 'oura', '--since', '2d', '--dry-run', '--json'], opts);
    const sync = await runCli(['sync', 'oura', '--since', '2d', '--json'], opts);
    const status = await runCli(['status', '--json'], opts);
    expect(sent).toEqual([]);
    for (const r of [dry, sync]) {
      expect(r.code).toBe(1);
      const p = JSON.parse(r.stdout).plugins[0];
      expect(p.status).toBe('error');
      expect(p.errorKind).toBe('settings');
      expect(p.error).toContain('plugin.oura.api_base_url, from the config file');
      expect(p.hint).toBe(
        'Run `okr config set plugin.oura.api_base_url <https URL>`, or `okr config unset plugin.oura.api_base_url` to use the default (https://api.ouraring.com). Then run `okr sync oura`.',
      );
    }
    const problem = JSON.parse(status.stdout)
      .plugins.find((p: { id: string }) => p.id === 'oura')
      .problems.find((p: { problem: string }) => p.problem.includes('api_base_url'));
    expect(problem).toMatchObject({
      fix: 'okr config list',
      note: 'correct the setting the message names, then run `okr sync oura`',
    });
  });

  it('a token URL with a password in config.json: not in the sync output, sync_runs.error or okr status', async () => {
    // Expired: the sync refreshes first, at the token URL.
    const c = await connectHome({
      pluginId: 'oura',
      credentials: { ...CREDS, expiresAt: 1000 },
      env: { OURA_CLIENT_ID: 'client-id', OURA_CLIENT_SECRET: 'client-secret' },
    });
    plant(c.home, { 'plugin.oura.token_url': 'http://okr:hunter2-pw@proxy.example.test:3128/token' });
    const { sent, fetch } = recordingFetch();
    const sync = await runCli(['sync', 'oura', '--since', '2d'], { home: c.home, env: c.env, fetch });
    const status = await runCli(['status'], { home: c.home, env: c.env, fetch });
    const stored = withDb(c.dbFile, (db) =>
      db.prepare('select error from sync_runs order by rowid desc limit 1').get(),
    ) as { error: string };
    expect(sent).toEqual([]);
    expect(stored.error).toContain('plugin.oura.token_url, from the config file');
    expect(stored.error).toContain('must not hold a user name or password');
    for (const text of [sync.stdout + sync.stderr, status.stdout + status.stderr, stored.error]) {
      expect(text).not.toMatch(/hunter2|okr:h/);
    }
  });
});
