/**
 * The platform's token requests (src/oauth/tokens.ts): client authentication as declared, the
 * plugin's extra parameters and envelope adapter, the body checks and the standard error mapping.
 * A recording fetch stands in for the network (error paths and request shapes only).
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { credentialsFromTokenBody, refreshCredentials, requestTokens, tokenRequest } from '../../src/oauth/tokens.js';
import { runtimeZone } from '../../src/plugins/runtime-zone.js';
import type { OAuthConfig, PluginRuntime, TokenEndpointAnswer } from '../../src/plugins/types.js';
import { makeTestPlugin } from '../helpers/test-plugin.js';

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const cfg = (over: Partial<OAuthConfig> = {}): OAuthConfig => ({
  clientId: 'client 1',
  clientSecret: 's:cret',
  authorizationUrl: 'https://auth.example.test/authorize',
  tokenUrl: 'https://auth.example.test/token',
  scopes: ['read'],
  usePKCE: false,
  tokenEndpointAuth: 'client_secret_post',
  ...over,
});

function runtime(answer: { status?: number; body: string; type?: string }) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const rt: PluginRuntime = {
    getConfig: async () => undefined,
    now: () => new Date(NOW),
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(answer.body, {
        status: answer.status ?? 200,
        headers: { 'Content-Type': answer.type ?? 'application/json' },
      });
    }) as unknown as typeof fetch,
    ...runtimeZone('UTC'),
  };
  return { rt, calls };
}

const plugin = makeTestPlugin({ name: 'Test Service' });
const OK = JSON.stringify({ access_token: 'a2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'r2' });
const stored = { accessToken: 'a1', refreshToken: 'r1', obtainedAt: 0, refreshTokenExpiresAt: NOW + 5_000, scope: 's' };

describe('client authentication at the token endpoint', () => {
  const grant = { grant_type: 'refresh_token' as const, refresh_token: 'r1' };

  it('client_secret_post: id and secret in the form body, no Authorization header', () => {
    const { body, headers } = tokenRequest('svc', cfg(), grant);
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: 'client 1',
      client_secret: 's:cret',
    });
    expect(headers.Authorization).toBeUndefined();
  });

  it('client_secret_basic: RFC 6749 §2.3.1 Basic of the form-encoded id and secret, nothing in the body', () => {
    const { body, headers } = tokenRequest('svc', cfg({ tokenEndpointAuth: 'client_secret_basic' }), grant);
    expect(Object.fromEntries(body)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r1' });
    expect(Buffer.from(headers.Authorization!.replace(/^Basic /, ''), 'base64').toString()).toBe('client+1:s%3Acret');
  });

  it('none: only the client id, even when a secret is configured', () => {
    const { body, headers } = tokenRequest('svc', cfg({ tokenEndpointAuth: 'none' }), grant);
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: 'client 1',
    });
    expect(headers.Authorization).toBeUndefined();
  });

  it('a secret-based method without a secret is a setup problem, before any request', () => {
    expect(() => tokenRequest('svc', cfg({ clientSecret: undefined }), grant)).toThrow(/no client secret/);
  });

  it("the plugin's extra token parameters are sent, and cannot override the protocol ones", () => {
    const c = cfg({ extraTokenParams: { action: 'requesttoken', grant_type: 'password', client_secret: 'x' } });
    expect(Object.fromEntries(tokenRequest('svc', c, grant).body)).toEqual({
      action: 'requesttoken',
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: 'client 1',
      client_secret: 's:cret',
    });
  });
});

describe('credentialsFromTokenBody', () => {
  it('maps lifetimes to epoch milliseconds, including refresh_token_expires_in', () => {
    expect(
      credentialsFromTokenBody(
        {
          access_token: 'a',
          token_type: 'bearer',
          expires_in: 3599,
          refresh_token: 'r',
          refresh_token_expires_in: 604799,
          scope: 'x y',
        },
        NOW,
      ),
    ).toEqual({
      accessToken: 'a',
      tokenType: 'bearer',
      obtainedAt: NOW,
      expiresAt: NOW + 3_599_000,
      refreshToken: 'r',
      refreshTokenExpiresAt: NOW + 604_799_000,
      scope: 'x y',
    });
  });

  it('keeps the refresh token, its expiry and the scope when the response has none (no rotation)', () => {
    expect(credentialsFromTokenBody({ access_token: 'a2', expires_in: '3599' }, NOW, stored)).toEqual({
      accessToken: 'a2',
      tokenType: 'Bearer',
      refreshToken: 'r1',
      refreshTokenExpiresAt: NOW + 5_000,
      expiresAt: NOW + 3_599_000,
      scope: 's',
      obtainedAt: NOW,
    });
  });

  it('a rotated refresh token replaces the old one and drops the old expiry', () => {
    const c = credentialsFromTokenBody({ access_token: 'a2', refresh_token: 'r2' }, NOW, stored);
    expect(c.refreshToken).toBe('r2');
    expect(c.refreshTokenExpiresAt).toBeUndefined();
    expect(c.expiresAt).toBeUndefined();
  });
});

describe('requestTokens', () => {
  it('a refresh posts the form to the token URL and returns the new pair', async () => {
    const { rt, calls } = runtime({ body: OK });
    const c = await refreshCredentials(rt, plugin, cfg(), stored);
    expect(c).toMatchObject({ accessToken: 'a2', refreshToken: 'r2', expiresAt: NOW + 3_600_000 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.init.method).toBe('POST');
    expect(new URLSearchParams(String(calls[0]!.init.body)).get('refresh_token')).toBe('r1');
  });

  it('a single-use refresh token marks the request so the sync never retries it', async () => {
    const { SINGLE_ATTEMPT } = await import('../../src/http/attempts.js');
    const { rt, calls } = runtime({ body: OK });
    await refreshCredentials(rt, plugin, cfg({ singleUseRefreshTokens: true }), stored);
    await refreshCredentials(rt, plugin, cfg(), stored);
    expect((calls[0]!.init as Record<symbol, unknown>)[SINGLE_ATTEMPT]).toBe(true);
    expect((calls[1]!.init as Record<symbol, unknown>)[SINGLE_ATTEMPT]).toBeUndefined();
  });

  it('an envelope provider: the adapter unwraps success and turns an error inside HTTP 200 into invalid_grant', async () => {
    const withings = makeTestPlugin({
      adaptTokenResponse: (a: TokenEndpointAnswer): TokenEndpointAnswer => {
        const env = a.body as { status: number; body?: unknown; error?: string };
        return env.status === 0
          ? { ...a, body: env.body }
          : { ...a, status: 400, body: { error: 'invalid_grant', error_description: env.error } };
      },
    });
    const ok = runtime({
      body: JSON.stringify({
        status: 0,
        body: { access_token: 'w1', refresh_token: 'w2', expires_in: 10800, userid: 7 },
      }),
    });
    expect(await refreshCredentials(ok.rt, withings, cfg(), stored)).toMatchObject({
      accessToken: 'w1',
      refreshToken: 'w2',
    });
    const bad = runtime({
      body: JSON.stringify({ status: 401, body: {}, error: 'invalid_token: The access token provided is invalid' }),
    });
    const err = (await refreshCredentials(bad.rt, withings, cfg(), stored).catch((e) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.category).toBe('reauth');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(
      'The token endpoint of Test Service answered 400 invalid_grant: invalid_token: The access token provided is invalid',
    );
    expect(err.hint).toBe('Run `okr connect testsvc` to sign in again.');
  });

  it.each([
    [400, { error: 'invalid_grant' }, 'reauth'],
    [401, { error: 'invalid_client' }, 'client'],
    [400, { error: 'invalid_scope' }, 'scope'],
    [503, { error: 'temporarily_unavailable' }, 'transient'],
    [429, {}, 'rate_limited'],
    [500, '<html>oops</html>', 'transient'],
    [401, '', 'reauth'],
    [302, '', 'redirect'],
  ])('HTTP %i %j → %s', async (status, body, category) => {
    const { rt } = runtime({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const err = (await refreshCredentials(rt, plugin, cfg(), stored).catch((e) => e)) as ProviderError;
    expect(err.category).toBe(category);
    expect(err.status).toBe(status);
  });

  it("the plugin's tokenErrorHint replaces the generic hint", async () => {
    const p = makeTestPlugin({
      tokenErrorHint: (f) => (f.reason === 'invalid_grant' ? 'Publish the app.' : undefined),
    });
    const { rt } = runtime({ status: 400, body: JSON.stringify({ error: 'invalid_grant' }) });
    await expect(refreshCredentials(rt, p, cfg(), stored)).rejects.toMatchObject({ hint: 'Publish the app.' });
  });

  it('a 200 that is not a usable token response is a bad response that never quotes the body', async () => {
    for (const body of [
      '{}',
      '[1]',
      'not json',
      JSON.stringify({ access_token: 'a b' }),
      JSON.stringify({ access_token: 'a', token_type: 'mac' }),
    ]) {
      const { rt } = runtime({ body });
      const err = (await refreshCredentials(rt, plugin, cfg(), stored).catch((e) => e)) as ProviderError;
      expect(err.category, body).toBe('bad_response');
      expect(err.message).not.toContain('a b');
    }
  });

  it('a provider error description is bounded and stripped of control characters', async () => {
    const { rt } = runtime({
      status: 400,
      body: JSON.stringify({ error: 'invalid_grant', error_description: `\u001b[31m${'x'.repeat(500)}` }),
    });
    const err = (await refreshCredentials(rt, plugin, cfg(), stored).catch((e) => e)) as ProviderError;
    expect(err.message).not.toContain('\u001b');
    expect(err.message.length).toBeLessThan(320);
  });

  it('no stored refresh token → reauth without a request', async () => {
    const { rt, calls } = runtime({ body: OK });
    await expect(refreshCredentials(rt, plugin, cfg(), { accessToken: 'a', obtainedAt: 0 })).rejects.toMatchObject({
      category: 'reauth',
    });
    expect(calls).toEqual([]);
  });

  it('plain http off this machine is refused before the request', async () => {
    const { rt, calls } = runtime({ body: OK });
    await expect(
      requestTokens(rt, plugin, cfg({ tokenUrl: 'http://auth.example.test/token' }), {
        grant_type: 'refresh_token',
        refresh_token: 'r',
      }),
    ).rejects.toThrow(
      'The token URL of testsvc must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to auth.example.test.',
    );
    expect(calls).toEqual([]);
  });
});
