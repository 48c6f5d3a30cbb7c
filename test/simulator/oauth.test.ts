/** The simulator's Google OAuth side, driven over HTTP as a browser and a client would. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { fixture } from '../fixtures-helpers.js';
import { api, authorizeUrl, consent, form, pkce, REDIRECT, SCOPES } from './helpers.js';
import { shapeDiff } from './shape.js';

let now = Date.parse('2026-11-20T15:00:00Z');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: new Date(now), clock: () => now });
});
afterAll(() => sim.close());

/** A full consent + code exchange; returns the token response. */
async function connect(target = sim) {
  const { verifier, challenge } = pkce();
  const location = await consent(target, authorizeUrl(target, {}, challenge), 'allow');
  const r = await form(target.tokenUrl, {
    grant_type: 'authorization_code',
    code: location.searchParams.get('code')!,
    redirect_uri: REDIRECT,
    client_id: target.clientId,
    client_secret: target.clientSecret,
    code_verifier: verifier,
  });
  expect(r.status).toBe(200);
  return r.json as { access_token: string; refresh_token: string; expires_in: number; scope: string };
}

describe('authorize endpoint', () => {
  it('shows a consent page with Allow and Deny buttons and a checkbox per scope', async () => {
    const res = await fetch(authorizeUrl(sim));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const page = await res.text();
    expect(page).toMatch(/<button[^>]*id="allow"/);
    expect(page).toMatch(/<button[^>]*id="deny"/);
    expect(page.match(/type="checkbox" name="scope"/g)).toHaveLength(3);
  });

  it('Allow redirects to the loopback URI with the code, the state and the granted scopes', async () => {
    const location = await consent(sim, authorizeUrl(sim), 'allow');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('code')).toMatch(/^4\/0A/);
    expect(location.searchParams.get('scope')).toBe(SCOPES.join(' '));
  });

  it('Deny redirects with error=access_denied and the state', async () => {
    const location = await consent(sim, authorizeUrl(sim), 'deny');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('a consent form can be used once', async () => {
    const page = await (await fetch(authorizeUrl(sim))).text();
    const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
    const post = () =>
      fetch(`${sim.url}/o/oauth2/v2/auth/decision`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request, decision: 'allow' }),
      });
    expect((await post()).status).toBe(302);
    expect((await post()).status).toBe(400);
  });

  it('unticked scopes are not granted, and the API then refuses that data type', async () => {
    const { verifier, challenge } = pkce();
    const location = await consent(sim, authorizeUrl(sim, {}, challenge), 'allow', [SCOPES[0]!]);
    expect(location.searchParams.get('scope')).toBe(SCOPES[0]);
    const tokens = await form(sim.tokenUrl, {
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      code_verifier: verifier,
    });
    expect(tokens.json.scope).toBe(SCOPES[0]);
    const token = tokens.json.access_token as string;
    const sleep = await api(sim, 'users/me/dataTypes/sleep/dataPoints', { token });
    expect(sleep.json).toEqual(fixture('error_403_access_token_scope_insufficient.allenporter-synthetic.json'));
    expect((await api(sim, 'users/me/identity', { token })).status).toBe(200);
  });

  it('auto-approve redirects at once', async () => {
    const auto = await startSimulator({ now: new Date(now), autoApprove: true });
    try {
      const res = await fetch(authorizeUrl(auto), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('code')).toBeTruthy();
      expect(location.searchParams.get('state')).toBe('st-123');
    } finally {
      await auto.close();
    }
  });

  it.each([
    [{ client_id: 'someone-else.apps.googleusercontent.com' }, 401, 'invalid_client'],
    [{ client_id: undefined }, 400, 'invalid_request'],
    [{ redirect_uri: 'http://localhost:8080/' }, 400, 'redirect_uri_mismatch'],
    [{ redirect_uri: 'https://127.0.0.1:8080/' }, 400, 'redirect_uri_mismatch'],
    [{ redirect_uri: 'http://127.0.0.1/' }, 400, 'redirect_uri_mismatch'],
    [{ redirect_uri: 'http://example.com:80/cb' }, 400, 'redirect_uri_mismatch'],
    [{ response_type: 'token' }, 400, 'unsupported_response_type'],
    [{ scope: undefined }, 400, 'invalid_request'],
    [{ scope: 'https://www.googleapis.com/auth/drive' }, 400, 'invalid_scope'],
    [{ code_challenge: undefined }, 400, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 400, 'invalid_request'],
    [{ code_challenge_method: undefined }, 400, 'invalid_request'],
  ])('%j → error page %i %s (no redirect)', async (overrides, status, error) => {
    const res = await fetch(authorizeUrl(sim, overrides), { redirect: 'manual' });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(`Error ${status}: ${error}`);
  });

  it('a redirect URI with a path is a valid loopback redirect', async () => {
    const location = await consent(sim, authorizeUrl(sim, { redirect_uri: 'http://127.0.0.1:5555/callback' }), 'allow');
    expect(location.pathname).toBe('/callback');
  });
});

describe('token endpoint: authorization_code', () => {
  async function freshCode() {
    const { verifier, challenge } = pkce();
    const location = await consent(sim, authorizeUrl(sim, {}, challenge), 'allow');
    return { code: location.searchParams.get('code')!, verifier };
  }
  const exchange = (fields: Record<string, string | undefined>, headers?: Record<string, string>) =>
    form(
      sim.tokenUrl,
      {
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        ...fields,
      },
      headers,
    );

  it('returns tokens shaped like Google’s, and the access token works', async () => {
    const { code, verifier } = await freshCode();
    const r = await exchange({ code, code_verifier: verifier });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(shapeDiff(fixture('oauth_token_exchange_response.google-doc.json'), r.json)).toEqual([]);
    expect(r.json.expires_in).toBe(3599);
    expect(r.json.token_type).toBe('Bearer');
    const me = await api(sim, 'users/me/identity', { token: r.json.access_token as string });
    expect(me.json.healthUserId).toBe(sim.healthUserId);
  });

  it('codes are single use: a replay fails and revokes what the first use issued', async () => {
    const { code, verifier } = await freshCode();
    const first = await exchange({ code, code_verifier: verifier });
    const again = await exchange({ code, code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_grant', error_description: 'Bad Request' });
    expect((await api(sim, 'users/me/identity', { token: first.json.access_token as string })).status).toBe(401);
  });

  it('codes are short-lived', async () => {
    const { code, verifier } = await freshCode();
    now += 301_000;
    const r = await exchange({ code, code_verifier: verifier });
    expect([r.status, r.json.error]).toEqual([400, 'invalid_grant']);
  });

  it('PKCE is enforced: a missing or wrong verifier is invalid_grant', async () => {
    const a = await freshCode();
    expect((await exchange({ code: a.code })).json).toEqual({
      error: 'invalid_grant',
      error_description: 'Missing code verifier.',
    });
    expect((await exchange({ code: a.code, code_verifier: pkce().verifier })).json).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid code verifier.',
    });
  });

  it('the client secret is enforced, in the body', async () => {
    const { code, verifier } = await freshCode();
    const missing = await exchange({ code, code_verifier: verifier, client_secret: undefined });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual(fixture('oauth_error_client_secret_missing.dotnet-1827.json'));
    const basic = Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64');
    const viaBasic = await exchange(
      { code, code_verifier: verifier, client_secret: undefined },
      { Authorization: `Basic ${basic}` },
    );
    expect(viaBasic.json.error_description).toBe('client_secret is missing.');
    const wrong = await exchange({ code, code_verifier: verifier, client_secret: 'GOCSPX-wrong' });
    expect([wrong.status, wrong.json.error]).toEqual([401, 'invalid_client']);
    const unknown = await exchange({ code, code_verifier: verifier, client_id: 'x.apps.googleusercontent.com' });
    expect([unknown.status, unknown.json.error]).toEqual([401, 'invalid_client']);
    // None of these consumed the code.
    expect((await exchange({ code, code_verifier: verifier })).status).toBe(200);
  });

  it('the redirect URI must match the authorization request', async () => {
    const { code, verifier } = await freshCode();
    const r = await exchange({ code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:9999/' });
    expect([r.status, r.json.error]).toEqual([400, 'redirect_uri_mismatch']);
  });

  it('an unknown grant type or a JSON body is refused', async () => {
    expect((await form(sim.tokenUrl, { grant_type: 'password' })).json.error).toBe('unsupported_grant_type');
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
  });
});

describe('token endpoint: refresh, expiry, revoke', () => {
  const refresh = (refreshToken: string) =>
    form(sim.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });

  it('refresh returns a new access token and no refresh token, like Google’s sample', async () => {
    const tokens = await connect();
    const r = await refresh(tokens.refresh_token);
    expect(r.status).toBe(200);
    expect(shapeDiff(fixture('oauth_refresh_response.google-doc.json'), r.json)).toEqual([]);
    expect(r.json.access_token).not.toBe(tokens.access_token);
    expect(r.json.scope).toBe(tokens.scope);
  });

  it('refresh also needs the client secret', async () => {
    const tokens = await connect();
    const r = await form(sim.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: sim.clientId,
    });
    expect(r.json).toEqual(fixture('oauth_error_client_secret_missing.dotnet-1827.json'));
  });

  it('access tokens expire after the configured time', async () => {
    sim.setTokenTtl(60);
    try {
      const tokens = await connect();
      expect(tokens.expires_in).toBe(60);
      expect((await api(sim, 'users/me/identity', { token: tokens.access_token })).status).toBe(200);
      now += 61_000;
      const expired = await api(sim, 'users/me/identity', { token: tokens.access_token });
      expect(expired.status).toBe(401);
      expect(expired.json).toEqual(fixture('error_401_unauthenticated_bad_token.ansanloms-measured.json'));
      expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const renewed = await refresh(tokens.refresh_token);
      expect((await api(sim, 'users/me/identity', { token: renewed.json.access_token as string })).status).toBe(200);
    } finally {
      sim.setTokenTtl(3599);
    }
  });

  it('an unknown refresh token is "Bad Request"; a revoked one is "expired or revoked"', async () => {
    expect((await refresh('1//bogus')).json).toEqual(
      fixture('oauth_error_invalid_grant_bad_request.ansanloms-measured.json'),
    );
    const tokens = await connect();
    const revoked = await form(sim.revokeUrl, { token: tokens.access_token });
    expect([revoked.status, revoked.json]).toEqual([200, {}]);
    // Revoking the access token revokes the whole grant, refresh token included.
    expect((await refresh(tokens.refresh_token)).json).toEqual(
      fixture('oauth_error_invalid_grant_expired_or_revoked.cmdg-109.json'),
    );
    expect((await api(sim, 'users/me/identity', { token: tokens.access_token })).status).toBe(401);
    const twice = await form(sim.revokeUrl, { token: tokens.refresh_token });
    expect([twice.status, twice.json.error]).toEqual([400, 'invalid_token']);
  });

  it('Testing mode: the code exchange says refresh_token_expires_in, and the token dies after 7 days', async () => {
    let t = Date.parse('2026-11-01T00:00:00Z');
    const testing = await startSimulator({ now: new Date(t), refreshTokenTtlSeconds: 604_799, clock: () => t });
    try {
      const tokens = await connect(testing);
      const sample = fixture<Record<string, unknown>>('token_file_testing_mode.ansanloms-masked.json');
      delete sample.obtained_at; // added by that CLI, not by Google
      delete sample.refresh_token_obtained_at;
      expect(shapeDiff(sample, tokens)).toEqual([]);
      expect(Object.keys(tokens)).toEqual(Object.keys(sample));
      expect((tokens as Record<string, unknown>).refresh_token_expires_in).toBe(604_799);
      t += 604_800_000;
      const r = await form(testing.tokenUrl, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: testing.clientId,
        client_secret: testing.clientSecret,
      });
      expect(r.json).toEqual(fixture('oauth_error_invalid_grant_expired_or_revoked.cmdg-109.json'));
    } finally {
      await testing.close();
    }
  });

  it('issueTokens (the test shortcut) gives credentials that work and refresh', async () => {
    const creds = sim.issueTokens();
    expect((await api(sim, 'users/me/identity', { token: creds.accessToken })).status).toBe(200);
    expect((await refresh(creds.refreshToken!)).status).toBe(200);
  });
});
