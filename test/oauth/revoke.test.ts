/** Revocation: a plugin's own hook (providers without RFC 7009) or RFC 7009 at the revoke URL. */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { revokeForPlugin } from '../../src/oauth/revoke.js';
import { runtimeZone } from '../../src/plugins/runtime-zone.js';
import type { OAuthConfig, PluginRuntime } from '../../src/plugins/types.js';
import { makeTestPlugin } from '../helpers/test-plugin.js';

const cfg: OAuthConfig = {
  clientId: 'id',
  clientSecret: 'secret',
  authorizationUrl: 'http://127.0.0.1:9/authorize',
  tokenUrl: 'http://127.0.0.1:9/token',
  revokeUrl: 'http://127.0.0.1:9/revoke',
  scopes: ['read'],
  usePKCE: false,
  tokenEndpointAuth: 'client_secret_post',
};
const creds = { accessToken: 'acc', refreshToken: 'ref', obtainedAt: 0 };

function runtime(status = 200) {
  const calls: Array<{ url: string; method: string; body: string }> = [];
  const rt: PluginRuntime = {
    getConfig: async () => undefined,
    now: () => new Date(),
    fetch: (async (url: string, init: RequestInit = {}) => {
      calls.push({ url: String(url), method: init.method ?? 'GET', body: String(init.body ?? '') });
      return new Response(status === 200 ? '' : '{"error":"invalid_token"}', {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    }) as unknown as typeof fetch,
    ...runtimeZone('UTC'),
  };
  return { rt, calls };
}

describe('revokeForPlugin', () => {
  it("uses the plugin's hook when it has one, with the runtime's signal, and never the RFC 7009 endpoint", async () => {
    const { rt: bare, calls } = runtime();
    // Ctrl-C reaches the hook through the runtime; each request's deadline is the provider fetch's.
    const rt = { ...bare, signal: new AbortController().signal };
    const seen: Array<{ signal?: AbortSignal; token: string }> = [];
    const plugin = makeTestPlugin({
      revokeTokens: async (r, _c, c) => {
        seen.push({ signal: r.signal, token: c.accessToken });
        await r.fetch(`http://127.0.0.1:9/oauth/revoke?access_token=${c.accessToken}`);
      },
    });
    expect(await revokeForPlugin(rt, plugin, cfg, creds)).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.token).toBe('acc');
    expect(seen[0]!.signal).toBe(rt.signal);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET http://127.0.0.1:9/oauth/revoke?access_token=acc']);
  });

  it("a failing hook is a reported failure, not a crash, in the hook's words", async () => {
    const { rt } = runtime();
    const plugin = makeTestPlugin({
      revokeTokens: async () => {
        throw new ProviderError('client', 'Oura answered HTTP 400 Bad Request');
      },
    });
    expect(await revokeForPlugin(rt, plugin, cfg, creds)).toEqual({
      ok: false,
      reason: 'Oura answered HTTP 400 Bad Request',
    });
  });

  it('without a hook: RFC 7009 at the revoke URL, the refresh token with its hint', async () => {
    const { rt, calls } = runtime();
    expect(await revokeForPlugin(rt, makeTestPlugin(), cfg, creds)).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://127.0.0.1:9/revoke');
    expect(Object.fromEntries(new URLSearchParams(calls[0]!.body))).toMatchObject({
      token: 'ref',
      token_type_hint: 'refresh_token',
    });
  });

  it('without a hook and without a revoke URL: unsupported', async () => {
    const { rt, calls } = runtime();
    expect(await revokeForPlugin(rt, makeTestPlugin(), { ...cfg, revokeUrl: undefined }, creds)).toEqual({
      ok: 'unsupported',
    });
    expect(calls).toEqual([]);
  });
});
