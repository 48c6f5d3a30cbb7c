/**
 * The withings plugin's declarations and Withings-specific behaviour, through its real code with
 * canned answers: the envelope's error categories (inside HTTP 200, and as the HTTP status the
 * sync's fetch gives them: the same category either way), the token envelope, identity, paging
 * guards, the day rules, setup info and config keys.
 */
import { describe, expect, it } from 'vitest';
import { redirectSetupInfo } from '../../../src/commands/config.js';
import { ProviderError } from '../../../src/errors.js';
import { buildAuthorizationRequest } from '../../../src/oauth/flow.js';
import { lookupRedirect, redirectSettingKey } from '../../../src/oauth/redirect.js';
import { requestTokens } from '../../../src/oauth/tokens.js';
import { answerStatus } from '../../../src/plugins/withings/envelope.js';
import { withingsPlugin } from '../../../src/plugins/withings/plugin.js';
import { type Canned, rejection } from '../../helpers/recording-runtime.js';
import { cannedRuntime, DUMMY_CREDENTIALS, envelope, form, STUB_BASE, withingsFixtures } from './helpers.js';

async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  const err = await rejection(fn);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const fetchWith = (route: (url: string, init?: RequestInit) => Canned, fields = ['steps']) =>
  withingsPlugin.fetchData(cannedRuntime(route), DUMMY_CREDENTIALS, '2024-01-01', '2024-01-07', fields);

const errorBody = (status: number, error: string) => JSON.stringify({ status, body: {}, error });

describe('errors inside the envelope', () => {
  // [envelope status, category, the HTTP status it stands for]
  const cases: Array<[number, string, number]> = [
    [401, 'reauth', 401],
    [100, 'reauth', 401],
    [601, 'rate_limited', 429],
    [522, 'transient', 503],
    [524, 'transient', 503],
    [2551, 'transient', 503],
    [2555, 'scope', 403],
    [214, 'scope', 403],
    [503, 'client', 400],
    [293, 'client', 400],
    [2554, 'scope', 403],
    [123456, 'client', 400],
  ];

  it.each(cases)('status %i inside HTTP 200 is %s, and answerStatus says HTTP %i', async (status, category, http) => {
    const body = errorBody(status, `Simulated ${status}`);
    expect(answerStatus({ status: 200, text: body })).toBe(http);
    const inside = await providerError(() => fetchWith(() => ({ body })));
    expect(inside.category).toBe(category);
    expect(inside.status).toBe(http);
    expect(inside.reason).toBe(`withings status ${status}`);
    expect(inside.message).toBe(`Withings API (getactivity) answered status ${status}: Simulated ${status}`);
    // What the sync's fetch hands over for the same answer: the HTTP status, the same body.
    const outside = await providerError(() => fetchWith(() => ({ status: http, body })));
    expect([outside.category, outside.status, outside.message]).toEqual([
      inside.category,
      inside.status,
      inside.message,
    ]);
  });

  it('the captured expired-token body: reauth, with the reconnect command', async () => {
    const err = await providerError(() =>
      fetchWith(() => ({
        body: errorBody(401, 'XRequestID: Not provided invalid_token: The access token provided is invalid'),
      })),
    );
    expect(err.category).toBe('reauth');
    expect(err.hint).toContain('okr connect withings');
  });

  it('601: the documented limit in the hint', async () => {
    const err = await providerError(() => fetchWith(() => ({ body: errorBody(601, 'Too Many Requests') })));
    expect(err.retryable).toBe(true);
    expect(err.hint).toContain('120 requests a minute');
  });

  it('Withings’ words are cut and made safe to print', async () => {
    const err = await providerError(() => fetchWith(() => ({ body: errorBody(503, `\u001b[2J${'x'.repeat(500)}`) })));
    expect(err.message).not.toContain('\u001b');
    expect(err.message.length).toBeLessThan(300);
  });

  it('answerStatus leaves success, non-envelopes and real HTTP errors alone', () => {
    expect(answerStatus({ status: 200, text: envelope({ series: [] }) })).toBeUndefined();
    expect(answerStatus({ status: 200, text: '<html></html>' })).toBeUndefined();
    expect(answerStatus({ status: 200, text: '{"status":"ok"}' })).toBeUndefined();
    expect(answerStatus({ status: 502, text: errorBody(601, 'x') })).toBeUndefined();
  });

  it('a real HTTP error without an envelope maps by its status; a 200 that is not an envelope is a bad response', async () => {
    const gateway = await providerError(() =>
      fetchWith(() => ({ status: 502, body: '<html>Bad gateway</html>', headers: { 'Content-Type': 'text/html' } })),
    );
    expect(gateway.category).toBe('transient');
    expect(gateway.message).toBe('Withings API (getactivity) answered HTTP 502 Bad Gateway');
    const html = await providerError(() =>
      fetchWith(() => ({ body: '<html></html>', headers: { 'Content-Type': 'text/html' } })),
    );
    expect(html.category).toBe('bad_response');
    const shape = await providerError(() => fetchWith(() => ({ body: envelope({ activities: 'none' }) })));
    expect(shape.category).toBe('bad_response');
    expect(shape.message).toContain('getactivity: body.activities');
    const unit = await providerError(() =>
      fetchWith(
        () => ({
          body: envelope({
            measuregrps: [{ attrib: 0, date: 1, category: 1, measures: [{ type: 1, value: 7.5, unit: -3 }] }],
          }),
        }),
        ['weight'],
      ),
    );
    expect(unit.category).toBe('bad_response');
  });
});

describe('paging', () => {
  it('follows more/offset to the end, and an offset that comes back twice is a bad response, not a loop', async () => {
    const pages = (offset: string | null) =>
      offset === null
        ? envelope({ activities: [{ date: '2024-01-01', steps: 5 }], more: true, offset: 1 })
        : offset === '1'
          ? envelope({ activities: [{ date: '2024-01-02', steps: 6 }], more: 1, offset: 2 })
          : envelope({ activities: [{ date: '2024-01-03', steps: 7 }], more: false, offset: 0 });
    const rt = cannedRuntime((_u, init) => ({ body: pages(new URLSearchParams(String(init?.body)).get('offset')) }));
    const r = await withingsPlugin.fetchData(rt, DUMMY_CREDENTIALS, '2024-01-01', '2024-01-07', ['steps']);
    expect(r.records.map((x) => x.fields.steps)).toEqual([5, 6, 7]);
    expect(rt.calls.map((c) => form(c).offset)).toEqual([undefined, '1', '2']);

    const loop = await providerError(() =>
      fetchWith(() => ({ body: envelope({ activities: [], more: true, offset: 300 }) })),
    );
    expect(loop.category).toBe('bad_response');
    expect(loop.message).toContain('the same page token came back twice');
    const noOffset = await providerError(() => fetchWith(() => ({ body: envelope({ activities: [], more: true }) })));
    expect(noOffset.message).toContain('more pages but no offset');
  });
});

describe('the day rules', () => {
  const group = (
    iso: string,
    attrib: number,
    weight: number,
    extra: Array<{ type: number; value: number; unit: number }> = [],
  ) => ({
    grpid: 1,
    attrib,
    date: Date.parse(iso) / 1000,
    category: 1,
    measures: [{ type: 1, value: weight, unit: -2 }, ...extra],
  });

  it('several weighings on one day: per field, the last one; a goal (category 2) never', async () => {
    const body = envelope({
      timezone: 'Europe/Paris',
      measuregrps: [
        group('2024-01-02T19:00:00Z', 0, 7150),
        group('2024-01-02T06:00:00Z', 0, 7210, [{ type: 6, value: 2150, unit: -2 }]),
        { ...group('2024-01-02T21:00:00Z', 0, 6500), category: 2 },
        // 23:30 UTC is 00:30 on the 3rd in Paris: the next day's.
        group('2024-01-02T23:30:00Z', 0, 7100),
      ],
      more: false,
    });
    const r = await fetchWith(() => ({ body }), ['weight', 'fatRatio']);
    expect(r.records).toEqual([
      // The evening weight (71.5), but the morning fat ratio: the evening weighing had none.
      { date: '2024-01-02', fields: { weight: 71.5, fatRatio: 21.5 } },
      { date: '2024-01-03', fields: { weight: 71 } },
    ]);
  });

  it('a nap on the same date as the night never replaces it; no score, or a heart rate of 0, is no value', async () => {
    const night = {
      date: '2024-01-02',
      timezone: 'America/New_York',
      startdate: Date.parse('2024-01-02T04:00:00Z') / 1000, // 23:00 the evening before, local
      enddate: Date.parse('2024-01-02T12:00:00Z') / 1000, // 07:00
      data: { total_sleep_time: 25_200, hr_min: 0 },
    };
    const nap = {
      ...night,
      startdate: Date.parse('2024-01-02T19:00:00Z') / 1000,
      enddate: Date.parse('2024-01-02T20:00:00Z') / 1000,
      data: { total_sleep_time: 3000, sleep_score: 20, hr_min: 60 },
    };
    const r = await fetchWith(
      () => ({ body: envelope({ series: [nap, night], more: false }) }),
      ['sleepLength', 'sleepScore', 'bedTime', 'wakeUpTime', 'restingHeartRate'],
    );
    expect(r.records).toEqual([
      { date: '2024-01-02', fields: { sleepLength: 420, bedTime: 23 * 60, wakeUpTime: 7 * 60 } },
    ]);
  });

  it('a record whose zone Withings leaves unusable is read in the user’s zone', async () => {
    const night = {
      date: '2024-01-02',
      timezone: 'Not/AZone',
      startdate: Date.parse('2024-01-02T04:00:00Z') / 1000,
      enddate: Date.parse('2024-01-02T12:00:00Z') / 1000,
      data: { total_sleep_time: 25_200 },
    };
    const r = await fetchWith(() => ({ body: envelope({ series: [night], more: false }) }), ['bedTime']);
    // The canned runtime's user is in America/New_York.
    expect(r.records).toEqual([{ date: '2024-01-02', fields: { bedTime: 23 * 60 } }]);
  });
});

describe('the token endpoint', () => {
  const token = (body: string, grant: 'code' | 'refresh' = 'refresh') => {
    const rt = cannedRuntime(() => ({ body }));
    return requestTokens(
      rt,
      withingsPlugin,
      {
        clientId: 'c',
        clientSecret: 's',
        authorizationUrl: `${STUB_BASE}/oauth2_user/authorize2`,
        tokenUrl: `${STUB_BASE}/v2/oauth2`,
        scopes: ['user.metrics'],
        usePKCE: false,
        tokenEndpointAuth: 'client_secret_post',
        extraTokenParams: { action: 'requesttoken' },
      },
      grant === 'code'
        ? { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://example.com/cb' }
        : { grant_type: 'refresh_token', refresh_token: 'r' },
      grant === 'code' ? {} : { previous: DUMMY_CREDENTIALS },
    );
  };

  it('a used or expired code (status 503 "invalid code"): re-authentication, with the 30-second rule in the hint', async () => {
    const err = await providerError(() => token(errorBody(503, 'Invalid Params: invalid code'), 'code'));
    expect(err.category).toBe('reauth');
    expect(err.message).toBe(
      'withings rejected the authorization code (invalid_grant: Withings status 503: Invalid Params: invalid code).',
    );
    expect(err.hint).toContain('30 seconds');
  });

  it('a refused refresh token: reauth with its own hint; a wrong secret: the client; 601 and 522 are not the user’s fault', async () => {
    const refused = await providerError(() => token(errorBody(503, 'Invalid Params: invalid refresh_token')));
    expect(refused.category).toBe('reauth');
    expect(refused.hint).toContain('refused the stored refresh token');
    const secret = await providerError(() => token(errorBody(503, 'Invalid Params: invalid client_secret')));
    expect(secret.category).toBe('client');
    expect(secret.reason).toBe('invalid_client');
    expect((await providerError(() => token(errorBody(601, 'Too Many Requests')))).category).toBe('rate_limited');
    expect((await providerError(() => token(errorBody(522, 'Timeout')))).category).toBe('transient');
    expect((await providerError(() => token(errorBody(401, 'Authentication failed')))).category).toBe('reauth');
  });

  it('userid as a string or a number; a body that is no object is a bad response', async () => {
    const ok = (userid: unknown) =>
      envelope({
        access_token: 'a',
        refresh_token: 'b',
        expires_in: 10800,
        token_type: 'Bearer',
        scope: 'user.metrics',
        userid,
      });
    expect((await token(ok('363'))).userId).toBe('363');
    expect((await token(ok(363))).userId).toBe('363');
    // None sent: the one on record stays.
    expect((await token(ok(undefined))).userId).toBe('12345');
    expect((await providerError(() => token(envelope('nope')))).category).toBe('bad_response');
  });

  it('the token fixture through the adapter keeps the platform’s checks (a control character in a token is refused)', async () => {
    const sample = withingsFixtures.json<{ body: Record<string, unknown> }>(
      'oauth2_requesttoken.python_withings_api.json',
    );
    sample.body.access_token = 'bad\u001btoken';
    expect((await providerError(() => token(JSON.stringify(sample)))).category).toBe('bad_response');
  });
});

describe('identity', () => {
  it('validateCredentials: the userid of the token response, after one cheap call that proves the token works', async () => {
    const rt = cannedRuntime(() => ({ body: envelope({ measuregrps: [], timezone: 'Europe/Paris' }) }));
    await expect(withingsPlugin.validateCredentials(rt, DUMMY_CREDENTIALS)).resolves.toEqual({ accountId: '12345' });
    expect(rt.calls).toHaveLength(1);
    expect(form(rt.calls[0]!)).toMatchObject({
      action: 'getmeas',
      lastupdate: String(Date.parse('2024-02-01T12:00:00Z') / 1000),
    });
    const expired = cannedRuntime(() => ({ body: errorBody(401, 'invalid_token') }));
    expect((await providerError(() => withingsPlugin.validateCredentials(expired, DUMMY_CREDENTIALS))).category).toBe(
      'reauth',
    );
    const { userId: _, ...anonymous } = DUMMY_CREDENTIALS;
    expect((await providerError(() => withingsPlugin.validateCredentials(rt, anonymous))).category).toBe(
      'bad_response',
    );
  });
});

describe('declarations', () => {
  it('config keys and their env fallbacks, as the issue names them', () => {
    const fields = withingsPlugin.getAdminConfigFields();
    expect(fields.map((f) => [f.key, f.env, f.type])).toEqual([
      ['client_id', 'WITHINGS_CLIENT_ID', 'text'],
      ['client_secret', 'WITHINGS_CLIENT_SECRET', 'password'],
      ['redirect_uri', 'WITHINGS_REDIRECT_URI', 'url'],
      ['auth_url', 'WITHINGS_AUTH_URL', 'url'],
      ['token_url', 'WITHINGS_TOKEN_URL', 'url'],
      ['api_base_url', 'WITHINGS_API_BASE_URL', 'url'],
    ]);
    expect(fields.find((f) => f.key === 'api_base_url')!.defaultValue).toBe('https://wbsapi.withings.net');
  });

  it('fields: the ids and storage types of the issue, each with its scope', () => {
    expect(withingsPlugin.getAvailableFields().map((f) => [f.id, f.type, f.scope])).toEqual([
      ['weight', 'number', 'user.metrics'],
      ['fatRatio', 'number', 'user.metrics'],
      ['muscleMass', 'number', 'user.metrics'],
      ['sleepLength', 'duration', 'user.activity'],
      ['sleepScore', 'number', 'user.activity'],
      ['bedTime', 'time', 'user.activity'],
      ['wakeUpTime', 'time', 'user.activity'],
      ['steps', 'number', 'user.activity'],
      ['restingHeartRate', 'number', 'user.activity'],
    ]);
  });

  it('OAuth as Withings does it: comma-separated scopes, action=requesttoken, the secret in the body, rotating refresh tokens, no revocation', async () => {
    const rt = cannedRuntime(() => ({ body: '{}' }));
    // Only the plugin's own keys exist (the config service refuses any other, e.g. a revoke_url).
    const keys = new Set(withingsPlugin.getAdminConfigFields().map((f) => `plugin.withings.${f.key}`));
    const cfg = await withingsPlugin.getOAuthConfig({
      ...rt,
      getConfig: async (k) => {
        if (!keys.has(k)) throw new Error(`Unknown config key "${k}".`);
        return k.endsWith('client_id') ? 'id' : k.endsWith('client_secret') ? 's' : undefined;
      },
    });
    expect(cfg).toEqual({
      clientId: 'id',
      clientSecret: 's',
      authorizationUrl: 'https://account.withings.com/oauth2_user/authorize2',
      tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
      scopes: ['user.metrics', 'user.activity'],
      scopeSeparator: ',',
      usePKCE: false,
      tokenEndpointAuth: 'client_secret_post',
      extraTokenParams: { action: 'requesttoken' },
      singleUseRefreshTokens: true,
    });
    const req = await buildAuthorizationRequest(cfg, 'https://example.com/cb');
    expect(new URL(req.url).searchParams.get('scope')).toBe('user.metrics,user.activity');
    expect(withingsPlugin.quota).toEqual({ requestsPerMinute: 120 });
    expect(withingsPlugin.revokeTokens).toBeUndefined();
  });

  it('redirect: loopback served, https pasted; setup says which to register and why', async () => {
    const settings = (values: Record<string, string>) => (key: string) => Promise.resolve(values[key]);
    expect(await lookupRedirect(withingsPlugin, settings({}))).toEqual({
      kind: 'registered',
      uri: 'http://localhost:8765/withings/callback',
      serve: true,
    });
    const https = { 'plugin.withings.redirect_uri': 'https://me.github.io/okr/' };
    expect(await lookupRedirect(withingsPlugin, settings(https))).toEqual({
      kind: 'registered',
      uri: 'https://me.github.io/okr/',
      serve: false,
    });
    expect(redirectSettingKey(withingsPlugin)).toBe('plugin.withings.redirect_uri');
    // What `okr config setup withings` prints after the plugin's steps: the URI, and for https that it is pasted.
    const shown = redirectSetupInfo(withingsPlugin, await lookupRedirect(withingsPlugin, settings(https)));
    expect(shown).toEqual([
      {
        kind: 'info',
        label: 'Redirect URI to register (exactly)',
        value:
          'https://me.github.io/okr/ (okr cannot serve this page: after consent, paste the URL the browser shows into `okr connect withings`)',
        copyable: true,
      },
    ]);

    const text = (values: Record<string, string>) =>
      withingsPlugin
        .getSetupInfo(values)
        .map((i) => `${i.kind}: ${i.label}: ${i.value}`)
        .join('\n');
    const plain = text({});
    expect(plain).toContain('https://developer.withings.com/dashboard/');
    expect(plain).toMatch(/https only, ports 80 or 443, no IP address and no "localhost"/);
    expect(plain).toContain('okr config set plugin.withings.redirect_uri');
    expect(plain).toContain('30 seconds');
    expect(plain).not.toMatch(/^warning/m);
    expect(text(https)).toMatch(
      /^warning: Pasted redirect: plugin\.withings\.redirect_uri is https:\/\/me\.github\.io\/okr\//m,
    );
  });
});
