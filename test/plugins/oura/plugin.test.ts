/**
 * The oura plugin's declarations and Oura-specific behaviour, through its real code with canned
 * answers: identity and label, revocation, the error mapping (403 membership vs missing scope,
 * 401, 429, 400/422, 5xx, bodies that are not JSON), setup info and config keys.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/errors.js';
import { lookupRedirect, redirectSettingKey } from '../../../src/oauth/redirect.js';
import { OURA_FIELDS, scopesFor } from '../../../src/plugins/oura/fields.js';
import { OURA_DEFAULT_REDIRECT, OURA_REQUESTED_SCOPES, ouraPlugin } from '../../../src/plugins/oura/plugin.js';
import type { OAuthCredentials } from '../../../src/plugins/types.js';
import { type Canned, rejection } from '../../helpers/recording-runtime.js';
import { cannedRuntime, DUMMY_CREDENTIALS, pageBody, STUB_BASE } from './helpers.js';

async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  const err = await rejection(fn);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const fetchWith = (c: Canned, fields: string[], creds: OAuthCredentials = DUMMY_CREDENTIALS) =>
  ouraPlugin.fetchData(
    cannedRuntime(() => c),
    creds,
    '2024-01-01',
    '2024-01-07',
    fields,
  );

describe('identity', () => {
  it('validateCredentials: the personal_info id, with the email as label when the email scope gave one', async () => {
    const rt = cannedRuntime(() => ({ fixture: 'personal_info.go_oura.json' }));
    await expect(ouraPlugin.validateCredentials(rt, DUMMY_CREDENTIALS)).resolves.toEqual({
      accountId: '040aca77-8843-4221-8434-ee7d97d57ec9',
      label: 'whatever@example.com',
    });
    expect(rt.calls.map((c) => c.url)).toEqual([`${STUB_BASE}/v2/usercollection/personal_info`]);
  });

  it('without the email scope (no email, or null): the id alone', async () => {
    for (const body of ['{"id":"abc-123"}', '{"id":"abc-123","email":null,"age":null}']) {
      const rt = cannedRuntime(() => ({ body }));
      await expect(ouraPlugin.validateCredentials(rt, DUMMY_CREDENTIALS)).resolves.toEqual({ accountId: 'abc-123' });
    }
  });

  it('a 401 there is reauth (the connect flow reports it)', async () => {
    const rt = cannedRuntime(() => ({ status: 401, body: '{"detail":"Invalid or expired access token"}' }));
    const err = await providerError(() => ouraPlugin.validateCredentials(rt, DUMMY_CREDENTIALS));
    expect(err.category).toBe('reauth');
    expect(err.hint).toContain('okr connect oura');
  });
});

describe('revocation', () => {
  it("revokeTokens is Oura's GET /oauth/revoke?access_token=…, to the configured revoke URL", async () => {
    const rt = cannedRuntime(() => ({ body: '{}' }));
    const cfg = await ouraPlugin.getOAuthConfig(rt);
    await ouraPlugin.revokeTokens!(rt, { ...cfg, revokeUrl: `${STUB_BASE}/oauth/revoke` }, DUMMY_CREDENTIALS);
    expect(rt.calls).toHaveLength(1);
    expect(rt.calls[0]!.method).toBe('GET');
    const u = new URL(rt.calls[0]!.url);
    expect(`${u.origin}${u.pathname}`).toBe(`${STUB_BASE}/oauth/revoke`);
    expect(u.searchParams.get('access_token')).toBe('oura-test-access');
  });

  it('a failed revoke throws, so disconnect can report it', async () => {
    const rt = cannedRuntime(() => ({ status: 500, body: 'oops', headers: { 'Content-Type': 'text/plain' } }));
    const cfg = await ouraPlugin.getOAuthConfig(rt);
    const err = await providerError(() => ouraPlugin.revokeTokens!(rt, cfg, DUMMY_CREDENTIALS));
    expect(err.category).toBe('transient');
    expect(err.message).toContain('Oura API (revoke) answered HTTP 500');
  });
});

describe('errors', () => {
  const forbidden = (detail?: string): Canned => ({
    status: 403,
    body: detail === undefined ? '' : JSON.stringify({ detail }),
  });

  it('403 with a membership body: its own category, and the fix in words', async () => {
    const err = await providerError(() =>
      fetchWith(forbidden("The user's Oura membership is not active"), ['readiness']),
    );
    expect(err.category).toBe('account');
    expect(err.reason).toBe('membership');
    expect(err.hint).toMatch(/active Oura Membership.*Renew it in the Oura app.*okr sync oura/);
    expect(err.message).toBe(
      "Oura API (daily_readiness) answered HTTP 403 Forbidden: The user's Oura membership is not active",
    );
  });

  it('403 with a scope body: the missing scope and the fields it costs', async () => {
    const err = await providerError(() =>
      fetchWith(forbidden('The access token is missing the required scope: daily'), ['steps']),
    );
    expect(err.category).toBe('scope');
    expect(err.reason).toBe('missing scope daily');
    expect(err.hint).toBe(
      'The "daily" permission was not granted on Oura\'s consent page. Without it oura.activityScore, oura.steps, oura.activeCalories get no data. Run `okr connect oura` and leave "daily" ticked.',
    );
  });

  it('a bare 403: the granted scopes decide (daily not granted → scope; granted or unknown → membership)', async () => {
    const notGranted = { ...DUMMY_CREDENTIALS, scope: 'email' };
    expect((await providerError(() => fetchWith(forbidden('Forbidden'), ['bedTime'], notGranted))).category).toBe(
      'scope',
    );
    const granted = { ...DUMMY_CREDENTIALS, scope: 'daily email' };
    expect((await providerError(() => fetchWith(forbidden('Forbidden'), ['bedTime'], granted))).category).toBe(
      'account',
    );
    // No `scope` in the token response: everything asked for was granted (RFC 6749 §5.1).
    expect((await providerError(() => fetchWith(forbidden(), ['bedTime']))).category).toBe('account');
  });

  it('401 is reauth with status 401 (the engine refreshes once and retries)', async () => {
    const err = await providerError(() => fetchWith({ status: 401, body: '{"detail":"Unauthorized"}' }, ['steps']));
    expect(err.category).toBe('reauth');
    expect(err.status).toBe(401);
  });

  it('429: rate limited with the documented limit in the hint, Retry-After kept when sent', async () => {
    const err = await providerError(() =>
      fetchWith({ status: 429, body: '{"detail":"Too many"}', headers: { 'Retry-After': '12' } }, ['steps']),
    );
    expect(err.category).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(12_000);
    expect(err.hint).toContain('5000 requests per 5 minutes');
    const bare = await providerError(() => fetchWith({ status: 429, body: '' }, ['steps']));
    expect(bare.retryAfterMs).toBeUndefined();
  });

  it("422 and 400: a bug in okr's query, with FastAPI's detail in the message", async () => {
    const body = JSON.stringify({
      detail: [{ loc: ['query', 'start_date'], msg: 'invalid date format', type: 'value_error' }],
    });
    for (const status of [400, 422]) {
      const err = await providerError(() => fetchWith({ status, body }, ['steps']));
      expect(err.category).toBe('client');
      expect(err.message).toContain('query.start_date: invalid date format');
      expect(err.hint).toContain('bug in okr');
    }
  });

  it('5xx with an HTML page: transient, and no page text in the message', async () => {
    const err = await providerError(() =>
      fetchWith(
        { status: 502, body: '<html><body>Bad gateway</body></html>', headers: { 'Content-Type': 'text/html' } },
        ['steps'],
      ),
    );
    expect(err.category).toBe('transient');
    expect(err.message).toBe('Oura API (daily_activity) answered HTTP 502 Bad Gateway');
  });

  it('a long or hostile detail is cut and made safe to print', async () => {
    const err = await providerError(() =>
      fetchWith({ status: 400, body: JSON.stringify({ detail: `\u001b[2J${'x'.repeat(500)}` }) }, ['steps']),
    );
    expect(err.message).not.toContain('\u001b');
    expect(err.message.length).toBeLessThan(320);
  });

  it('a 200 that is not JSON, or not a page, is a bad response', async () => {
    const html = await providerError(() =>
      fetchWith({ body: '<html></html>', headers: { 'Content-Type': 'text/html' } }, ['steps']),
    );
    expect(html.category).toBe('bad_response');
    const cut = await providerError(() => fetchWith({ body: pageBody([]).slice(0, 10) }, ['steps']));
    expect(cut.message).toContain('the JSON is invalid or cut short');
    const noData = await providerError(() => fetchWith({ body: '{"next_token":null}' }, ['steps']));
    expect(noData.message).toContain('daily_activity: data:');
  });
});

describe('declarations', () => {
  it('config keys and their env fallbacks, as the issue names them', () => {
    const fields = ouraPlugin.getAdminConfigFields();
    expect(fields.map((f) => [f.key, f.env, f.type])).toEqual([
      ['client_id', 'OURA_CLIENT_ID', 'text'],
      ['client_secret', 'OURA_CLIENT_SECRET', 'password'],
      ['redirect_uri', 'OURA_REDIRECT_URI', 'url'],
      ['auth_url', 'OURA_AUTH_URL', 'url'],
      ['token_url', 'OURA_TOKEN_URL', 'url'],
      ['revoke_url', 'OURA_REVOKE_URL', 'url'],
      ['api_base_url', 'OURA_API_BASE_URL', 'url'],
    ]);
    expect(fields.find((f) => f.key === 'api_base_url')!.defaultValue).toBe('https://api.ouraring.com');
    // No default of its own: unset, the registered redirect follows global.base_url.
    expect(fields.find((f) => f.key === 'redirect_uri')!.defaultValue).toBeUndefined();
  });

  it("OAuth as Oura does it: no PKCE, the secret in the body, single-use refresh tokens, Oura's endpoints", async () => {
    const rt = cannedRuntime(() => ({ body: '{}' }));
    const cfg = await ouraPlugin.getOAuthConfig({
      ...rt,
      getConfig: async (k) => (k.endsWith('client_id') ? 'id' : k.endsWith('client_secret') ? 's' : undefined),
    });
    expect(cfg).toEqual({
      clientId: 'id',
      clientSecret: 's',
      authorizationUrl: 'https://cloud.ouraring.com/oauth/authorize',
      tokenUrl: 'https://api.ouraring.com/oauth/token',
      revokeUrl: 'https://api.ouraring.com/oauth/revoke',
      scopes: ['daily', 'email'],
      usePKCE: false,
      tokenEndpointAuth: 'client_secret_post',
      singleUseRefreshTokens: true,
    });
    expect(ouraPlugin.redirect).toEqual({ kind: 'registered', path: '/oura/callback', configKey: 'redirect_uri' });
    expect(ouraPlugin.quota).toEqual({ windows: [{ requests: 5000, seconds: 300 }] });
  });

  it('scopes: the minimum for the fields (daily), plus email for the label; each field declares its scope', () => {
    expect(scopesFor(OURA_FIELDS.map((f) => f.id))).toEqual(['daily']);
    expect(OURA_REQUESTED_SCOPES).toEqual(['daily', 'email']);
    // Each field names its scope, so `okr connect` can say which fields an unticked one leaves empty.
    expect(new Set(ouraPlugin.getAvailableFields().map((f) => f.scope))).toEqual(new Set(['daily']));
  });

  it('setup info: the portal, the 10-user limit, the membership; the redirect to register is exact', async () => {
    const text = ouraPlugin
      .getSetupInfo({})
      .map((i) => `${i.label}: ${i.value}`)
      .join('\n');
    expect(text).toContain('https://cloud.ouraring.com/oauth/applications');
    expect(text).toContain('up to 10 users until Oura approves it');
    expect(text).toMatch(/Oura Membership/);
    expect(text).toContain('okr config set plugin.oura.redirect_uri');
    // The redirect okr prints with it (config setup) and serves (connect): the plugin's own setting
    // when set, else global.base_url + /oura/callback, else the default.
    const settings = (values: Record<string, string>) => (key: string) => Promise.resolve(values[key]);
    expect(await lookupRedirect(ouraPlugin, settings({}))).toEqual({
      kind: 'registered',
      uri: OURA_DEFAULT_REDIRECT,
      serve: true,
    });
    expect(await lookupRedirect(ouraPlugin, settings({ 'global.base_url': 'http://127.0.0.1:9000/' }))).toMatchObject({
      uri: 'http://127.0.0.1:9000/oura/callback',
    });
    const own = settings({
      'global.base_url': 'http://127.0.0.1:9000',
      'plugin.oura.redirect_uri': 'http://127.0.0.1:9123/cb',
    });
    expect(await lookupRedirect(ouraPlugin, own)).toEqual({
      kind: 'registered',
      uri: 'http://127.0.0.1:9123/cb',
      serve: true,
    });
    const https = settings({ 'plugin.oura.redirect_uri': 'https://example.com/oura' });
    expect(await lookupRedirect(ouraPlugin, https)).toMatchObject({ serve: false });
    expect(redirectSettingKey(ouraPlugin)).toBe('plugin.oura.redirect_uri');
    // Not a URL (an environment variable, a hand edit): one error naming the setting, not "Invalid URL".
    const bad = settings({ 'plugin.oura.redirect_uri': 'localhost:8765/oura/callback' });
    await expect(lookupRedirect(ouraPlugin, bad)).rejects.toThrow(
      'The redirect URI "localhost:8765/oura/callback" (plugin.oura.redirect_uri) is not an http or https URL.',
    );
  });

  it('fields: the ids and storage types of the issue', () => {
    expect(ouraPlugin.getAvailableFields().map((f) => [f.id, f.type])).toEqual([
      ['readiness', 'number'],
      ['sleepScore', 'number'],
      ['activityScore', 'number'],
      ['sleepLength', 'duration'],
      ['bedTime', 'time'],
      ['wakeUpTime', 'time'],
      ['hrv', 'number'],
      ['lowestHeartRate', 'number'],
      ['steps', 'number'],
      ['activeCalories', 'number'],
      ['temperatureDeviation', 'number'],
    ]);
  });
});
