/**
 * The full connect flow against oidc-provider, a strict, certified authorization server that is
 * not ours: PKCE required, client authentication with client_secret_post, a native client whose
 * loopback redirect matches on any port (RFC 8252 §7.3), RFC 9207 `iss` in the authorization
 * response, an ID token, userinfo and RFC 7009 revocation. A plugin made for it here; the
 * login and consent interaction completes itself (the Grant API) as a user who clicks through.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataImportPlugin, OAuthConfig } from '../../src/plugins/types.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { makeTestPlugin, testRegistry } from '../helpers/test-plugin.js';
import { fetchBrowser, leaks, redirectPort, refuses } from '../oauth/helpers.js';

const CLIENT_ID = 'okr-native-client';
const CLIENT_SECRET = 'oidc-client-secret-4f1c9a7b2e';
const ACCOUNT = 'ada-lovelace-1815';

let server: Server;
let issuer: string;
let provider: Provider;
/** Every request the provider received (method and path), and the token request bodies. */
const seen: string[] = [];
const tokenBodies: string[] = [];

async function interaction(req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: ACCOUNT } },
      { mergeWithLastSubmission: false },
    );
  }
  const grant = new provider.Grant({ accountId: ACCOUNT, clientId: CLIENT_ID });
  const scope = String(details.params.scope ?? '');
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    features: { revocation: { enabled: true }, devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, name: 'Ada Lovelace' }),
    }),
    claims: { openid: ['sub'], profile: ['name'] },
    cookies: { keys: ['test-cookie-key-not-secret'] },
  });
  const handler = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url?.split('?')[0]}`);
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    if (req.url === '/token' && req.method === 'POST') {
      // Peek at the body without consuming it for the provider.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => tokenBodies.push(Buffer.concat(chunks).toString()));
    }
    handler(req, res);
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A plugin for this provider, written the way a plugin author would. */
function oidcPlugin(overrides: Partial<OAuthConfig> = {}): DataImportPlugin {
  const get = async (rt: { getConfig(k: string): Promise<string | undefined> }, k: string) =>
    rt.getConfig(`plugin.oidcsvc.${k}`);
  return makeTestPlugin({
    id: 'oidcsvc',
    name: 'OIDC Service',
    getAdminConfigFields: () => [
      { key: 'client_id', label: 'Client ID', type: 'text', required: true, env: 'OIDC_CLIENT_ID' },
      { key: 'client_secret', label: 'Client secret', type: 'password', required: true, env: 'OIDC_CLIENT_SECRET' },
    ],
    isConfigured: async (rt) => Boolean((await get(rt, 'client_id')) && (await get(rt, 'client_secret'))),
    getOAuthConfig: async (rt) => ({
      clientId: (await get(rt, 'client_id'))!,
      clientSecret: await get(rt, 'client_secret'),
      authorizationUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      revokeUrl: `${issuer}/token/revocation`,
      scopes: ['openid', 'profile'],
      usePKCE: true,
      tokenEndpointAuth: 'client_secret_post',
      ...overrides,
    }),
    redirect: { kind: 'loopback', path: '/callback' },
    validateCredentials: async (rt, creds) => {
      const res = await rt.fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${creds.accessToken}` } });
      if (!res.ok) throw new Error(`userinfo answered ${res.status}`);
      const me = (await res.json()) as { sub: string; name?: string };
      return { accountId: me.sub, label: me.name };
    },
  });
}

const env = { OKR_SECRETS: 'file', OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET };

describe('okr connect against oidc-provider (PKCE required, client_secret_post)', () => {
  it('completes the flow, validates through userinfo, and revokes on disconnect', async () => {
    const home = tempHome();
    const registry = testRegistry(oidcPlugin());
    const browser = fetchBrowser();
    seen.length = 0;
    tokenBodies.length = 0;
    const r = await runCli(['connect', 'oidcsvc'], { home, env, registry, openBrowser: browser.openBrowser });
    const hops = await browser.finished;
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ Connected OIDC Service as Ada Lovelace (${ACCOUNT}).`);
    // The provider saw the whole protocol: authorize, interactions, token, userinfo.
    expect(seen).toEqual(expect.arrayContaining(['GET /auth', 'POST /token', 'GET /me']));
    expect(seen.filter((s) => s.startsWith('GET /interaction/')).length).toBeGreaterThanOrEqual(2);

    const auth = new URL(browser.openedUrl!);
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    // The redirect to our server carried RFC 9207's `iss`, checked against the issuer.
    const toUs = hops.find((h) => h.location?.startsWith(auth.searchParams.get('redirect_uri')!))!;
    expect(new URL(toUs.location!).searchParams.get('iss')).toBe(issuer);
    expect(hops.at(-1)!.body).toContain('Connected to OIDC Service');

    const form = new URLSearchParams(tokenBodies[0]);
    expect(form.get('client_secret')).toBe(CLIENT_SECRET);
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const { readFileSync } = await import('node:fs');
    const stored = JSON.parse(JSON.parse(readFileSync(`${home}/config/secrets.json`, 'utf8'))['tokens.oidcsvc']);
    expect(stored.accessToken.length).toBeGreaterThan(20);
    expect(stored.tokenType).toBe('Bearer');
    expect(stored.scope).toBe('openid profile');
    expect(await refuses(redirectPort(browser.openedUrl!))).toBe(true);
    const code = new URL(toUs.location!).searchParams.get('code');
    expect(leaks(r.stdout + r.stderr, [CLIENT_SECRET, stored.accessToken, code!, form.get('code_verifier')!])).toEqual(
      [],
    );

    // The access token works before disconnect and not after: the revocation reached the provider.
    const me = () => fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${stored.accessToken}` } });
    expect((await me()).status).toBe(200);
    const d = await runCli(['disconnect', 'oidcsvc'], { home, env, registry });
    expect(d.code).toBe(0);
    expect(d.stdout).toContain("Revoked okr's access at OIDC Service.");
    expect(seen).toContain('POST /token/revocation');
    expect((await me()).status).toBe(401);
    expect(leaks(d.stdout + d.stderr, [CLIENT_SECRET, stored.accessToken])).toEqual([]);
  });

  it('a wrong client secret is refused by the provider: invalid_client, nothing stored', async () => {
    const home = tempHome();
    const registry = testRegistry(oidcPlugin());
    const browser = fetchBrowser();
    const wrong = 'wrong-secret-value-987654321';
    const r = await runCli(['connect', 'oidcsvc'], {
      home,
      env: { ...env, OIDC_CLIENT_SECRET: wrong },
      registry,
      openBrowser: browser.openBrowser,
    });
    await browser.finished;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: oidcsvc rejected okr's client credentials \(invalid_client/);
    expect(r.stderr).toContain('hint: Check the client id and secret: `okr config setup oidcsvc`');
    expect(leaks(r.stdout + r.stderr, [wrong, CLIENT_SECRET])).toEqual([]);
    const st = await runCli(['status', '--json'], { home, env, registry });
    expect(JSON.parse(st.stdout).plugins[0]).toMatchObject({ connected: false, tokens: 'none', account: null });
  });

  it('the provider enforces PKCE: a plugin that turns it off is refused before any code is issued', async () => {
    const home = tempHome();
    const registry = testRegistry(oidcPlugin({ usePKCE: false }));
    const browser = fetchBrowser();
    const r = startRun(home, registry, browser.openBrowser);
    const hops = await browser.finished;
    // oidc-provider answers the authorization request with an error redirect to our server.
    const toUs = hops.find((h) => h.location?.startsWith('http://127.0.0.1') && h.location.includes('/callback'))!;
    expect(new URL(toUs.location!).searchParams.get('error')).toBe('invalid_request');
    const res = await r;
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/error: OIDC Service refused the sign-in: invalid_request \(.*requires PKCE.*\)\./);
  });
});

function startRun(
  home: string,
  registry: ReturnType<typeof testRegistry>,
  openBrowser: (url: string) => Promise<void>,
) {
  return runCli(['connect', 'oidcsvc'], { home, env, registry, openBrowser });
}
