/**
 * The protocol helpers in isolation: the authorization URL, the token-response mapping, and the
 * rule that plain http is allowed for loopback endpoints only. No request leaves the process
 * (a recording fetch stands in for the network).
 */
import { describe, expect, it } from 'vitest';
import { buildAuthorizationRequest, exchangeCode, isLoopbackHttp, newState } from '../../src/oauth/flow.js';
import { revokeCredentials } from '../../src/oauth/revoke.js';
import { runtimeZone } from '../../src/plugins/runtime-zone.js';
import type { OAuthConfig, PluginRuntime } from '../../src/plugins/types.js';
import { makeTestPlugin } from '../helpers/test-plugin.js';

const cfg = (over: Partial<OAuthConfig> = {}): OAuthConfig => ({
  clientId: 'client-1',
  clientSecret: 'secret-1',
  authorizationUrl: 'https://auth.example.test/authorize?tenant=abc',
  tokenUrl: 'https://auth.example.test/token',
  revokeUrl: 'https://auth.example.test/revoke',
  scopes: ['read', 'write'],
  usePKCE: true,
  tokenEndpointAuth: 'client_secret_post',
  ...over,
});

describe('buildAuthorizationRequest', () => {
  it('sends the protocol parameters, PKCE S256, and the plugin’s extras (which cannot override them)', async () => {
    const req = await buildAuthorizationRequest(
      cfg({
        extraAuthParams: {
          access_type: 'offline',
          state: 'evil',
          redirect_uri: 'https://evil.test/',
          code_challenge_method: 'plain',
        },
      }),
      'http://127.0.0.1:5555/',
      'fixed-state',
    );
    const u = new URL(req.url);
    expect(u.origin + u.pathname).toBe('https://auth.example.test/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      tenant: 'abc',
      access_type: 'offline',
      state: 'fixed-state',
      redirect_uri: 'http://127.0.0.1:5555/',
      response_type: 'code',
      client_id: 'client-1',
      scope: 'read write',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(req.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(req.state).toBe('fixed-state');
    // The challenge is the S256 of the verifier.
    const { createHash } = await import('node:crypto');
    expect(u.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(req.codeVerifier!).digest('base64url'),
    );
  });

  it('states are fresh and carry at least 128 bits', () => {
    const a = newState();
    const b = newState();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('refuses a plain-http authorization URL unless it is on this machine', async () => {
    await expect(
      buildAuthorizationRequest(cfg({ authorizationUrl: 'http://auth.example.test/authorize' }), 'http://127.0.0.1:1/'),
    ).rejects.toThrow(
      'The authorization URL of this plugin must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to auth.example.test.',
    );
    await expect(
      buildAuthorizationRequest(cfg({ authorizationUrl: 'http://127.0.0.1:9/authorize' }), 'http://127.0.0.1:1/'),
    ).resolves.toBeTruthy();
  });

  it('isLoopbackHttp accepts only http on 127.0.0.1, localhost or [::1]', () => {
    expect(isLoopbackHttp('http://127.0.0.1:8080/token')).toBe(true);
    expect(isLoopbackHttp('http://localhost/token')).toBe(true);
    expect(isLoopbackHttp('http://[::1]:1/token')).toBe(true);
    expect(isLoopbackHttp('http://127.0.0.2/token')).toBe(false);
    expect(isLoopbackHttp('http://localhost.example.test/token')).toBe(false);
    expect(isLoopbackHttp('https://127.0.0.1/token')).toBe(false);
    expect(isLoopbackHttp('not a url')).toBe(false);
  });
});

describe('plain http only for loopback endpoints', () => {
  const calls: string[] = [];
  const deps: PluginRuntime = {
    fetch: (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response('{}', { status: 500 });
    }) as typeof fetch,
    now: () => new Date(),
    getConfig: async () => undefined,
    ...runtimeZone('UTC'),
  };
  const svc = makeTestPlugin({ id: 'svc', name: 'Svc' });

  it('a plain-http token URL off this machine is refused before any request is sent', async () => {
    calls.length = 0;
    const c = cfg({
      authorizationUrl: 'https://auth.example.test/authorize',
      tokenUrl: 'http://auth.example.test/token',
    });
    const req = await buildAuthorizationRequest(c, 'http://127.0.0.1:1/', 's');
    const err = await exchangeCode(deps, svc, c, req, new URLSearchParams({ state: 's', code: 'c' })).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toBe(
      'The token URL of svc must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to auth.example.test.',
    );
    expect(calls).toEqual([]);
  });

  it('a plain-http revoke URL off this machine is not called either', async () => {
    calls.length = 0;
    const r = await revokeCredentials(deps, 'svc', cfg({ revokeUrl: 'http://auth.example.test/revoke' }), {
      accessToken: 'a',
      obtainedAt: 0,
    });
    expect(r).toEqual({
      ok: false,
      reason:
        'the revoke URL must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to auth.example.test',
    });
    expect(calls).toEqual([]);
  });

  it('a loopback http token URL is used, through the injected fetch', async () => {
    calls.length = 0;
    const c = cfg({ authorizationUrl: 'http://127.0.0.1:9/authorize', tokenUrl: 'http://127.0.0.1:9/token' });
    const req = await buildAuthorizationRequest(c, 'http://127.0.0.1:1/', 's');
    const err = await exchangeCode(deps, svc, c, req, new URLSearchParams({ state: 's', code: 'c' })).catch(
      (e: Error) => e,
    );
    expect(calls).toEqual(['http://127.0.0.1:9/token']);
    expect((err as Error).message).toBe('The token endpoint of svc answered HTTP 500 Internal Server Error.');
  });

  it('a state that does not match is refused before the exchange', async () => {
    calls.length = 0;
    const c = cfg();
    const req = await buildAuthorizationRequest(c, 'http://127.0.0.1:1/', 'expected');
    const err = await exchangeCode(deps, svc, c, req, new URLSearchParams({ state: 'other', code: 'c' })).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toMatch(/^The authorization response of svc is not valid: unexpected "state"/);
    expect(calls).toEqual([]);
  });

  it('an RFC 9207 `iss` from another issuer than the declared one is refused (mix-up defence)', async () => {
    calls.length = 0;
    const c = cfg({ issuer: 'https://auth.example.test' });
    const req = await buildAuthorizationRequest(c, 'http://127.0.0.1:1/', 's');
    const err = await exchangeCode(
      deps,
      svc,
      c,
      req,
      new URLSearchParams({ state: 's', code: 'c', iss: 'https://evil.test' }),
    ).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/unexpected "iss" \(issuer\) response parameter value/);
    expect(calls).toEqual([]);
  });

  it('a provider without a declared issuer: an `iss` is not guessed from the authorization URL, nor checked', async () => {
    calls.length = 0;
    const c = cfg({ authorizationUrl: 'http://127.0.0.1:9/authorize', tokenUrl: 'http://127.0.0.1:9/token' });
    const req = await buildAuthorizationRequest(c, 'http://127.0.0.1:1/', 's');
    const err = await exchangeCode(
      deps,
      svc,
      c,
      req,
      new URLSearchParams({ state: 's', code: 'c', iss: 'https://other.test' }),
    ).catch((e: Error) => e);
    // It reached the token endpoint (which answered 500): the iss did not stop it.
    expect(calls).toEqual(['http://127.0.0.1:9/token']);
    expect((err as Error).message).toMatch(/answered HTTP 500/);
  });
});
