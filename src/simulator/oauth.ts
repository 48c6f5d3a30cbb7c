/**
 * The Google OAuth 2.0 side of the simulator, with Google's rules for a "Desktop app" client:
 * loopback redirect on any port, PKCE S256 (required here), client secret required in the token
 * request body, single-use short-lived codes, refresh tokens that are not rotated (unless asked),
 * time-limited refresh tokens in "Testing" mode, revocation of a whole grant.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthCredentials } from '../plugins/types.js';
import { ConsentRequests, consentPage, type PendingConsent } from './consent.js';
import { errorInfo, escapeHtml, html, json, oauthError, redirect, rpcError, type SimResponse } from './responses.js';

export const SCOPE_PREFIX = 'https://www.googleapis.com/auth/googlehealth.';

/** Scopes the simulated client may ask for (the consent screen's Data Access list). */
export const KNOWN_SCOPES = [
  'activity_and_fitness.readonly',
  'health_metrics_and_measurements.readonly',
  'sleep.readonly',
  'settings.readonly',
  'profile.readonly',
].map((s) => SCOPE_PREFIX + s);

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  clock: () => number;
  accessTokenTtlSeconds: number;
  /** When set, refresh tokens expire (Testing mode: 604799) and responses say so. */
  refreshTokenTtlSeconds?: number;
  codeTtlSeconds: number;
  rotateRefreshTokens: boolean;
  autoApprove: boolean;
}

interface Grant {
  clientId: string;
  scopes: string[];
  refreshToken: string;
  refreshExpiresAtMs?: number;
  revoked: boolean;
}

interface Code {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string;
  expiresAtMs: number;
  used: boolean;
  /** The grant issued from this code, revoked if the code is replayed (RFC 6749 §4.1.2). */
  grant?: Grant;
}

interface Pending extends PendingConsent {
  clientId: string;
  challenge: string;
}

export type AuthResult = { ok: true; scopes: string[] } | { ok: false; response: SimResponse };

const token = (prefix: string, bytes = 32) => prefix + randomBytes(bytes).toString('base64url');

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** http://127.0.0.1:<port>[/path] or http://[::1]:<port>[/path]: a Desktop client's loopback redirect. */
export function isLoopbackRedirect(uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]') && u.port !== '' && !u.hash;
}

function errorPage(status: number, error: string, detail: string): SimResponse {
  return html(
    status,
    `<!DOCTYPE html><html><head><title>Error ${status} (${escapeHtml(error)})</title></head><body>` +
      `<h1>Access blocked: Authorization Error</h1><p id="error">Error ${status}: ${escapeHtml(error)}</p>` +
      `<p id="detail">${escapeHtml(detail)}</p></body></html>`,
  );
}

export const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export class OAuthServer {
  readonly #opts: OAuthOptions;
  readonly #codes = new Map<string, Code>();
  readonly #consent = new ConsentRequests<Pending>();
  readonly #refresh = new Map<string, Grant>();
  readonly #access = new Map<string, { grant: Grant; expiresAtMs: number }>();
  accessTokenTtlSeconds: number;
  /** Treat every access token as expired (a fault). */
  expireAll = false;

  constructor(opts: OAuthOptions) {
    this.#opts = opts;
    this.accessTokenTtlSeconds = opts.accessTokenTtlSeconds;
  }

  /** GET /o/oauth2/v2/auth: validate, then show the consent page (or redirect at once). */
  authorize(q: URLSearchParams): SimResponse {
    const clientId = q.get('client_id');
    if (!clientId) return errorPage(400, 'invalid_request', 'Missing required parameter: client_id');
    if (clientId !== this.#opts.clientId) return errorPage(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!isLoopbackRedirect(redirectUri)) {
      return errorPage(
        400,
        'redirect_uri_mismatch',
        `Desktop app clients must use a loopback redirect such as http://127.0.0.1:<port>; got ${JSON.stringify(redirectUri)}.`,
      );
    }
    if (q.get('response_type') !== 'code') {
      return errorPage(
        400,
        'unsupported_response_type',
        `Invalid response_type: ${q.get('response_type') ?? '(none)'}`,
      );
    }
    const scopes = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0) return errorPage(400, 'invalid_request', 'Missing required parameter: scope');
    const unknown = scopes.filter((s) => !KNOWN_SCOPES.includes(s));
    if (unknown.length)
      return errorPage(400, 'invalid_scope', `Some requested scopes were invalid. {invalid=[${unknown.join(', ')}]}`);
    const challenge = q.get('code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return errorPage(400, 'invalid_request', 'Missing or malformed code_challenge (PKCE is required).');
    }
    if (q.get('code_challenge_method') !== 'S256') {
      return errorPage(400, 'invalid_request', 'Invalid code_challenge_method: only S256 is accepted.');
    }
    const pending: Pending = {
      clientId,
      redirectUri,
      scopes,
      state: q.get('state') ?? undefined,
      challenge,
      expiresAtMs: this.#opts.clock() + 10 * 60_000,
    };
    if (this.#opts.autoApprove) return this.#approve(pending, scopes);
    const requestId = this.#consent.open(pending, token('', 16));
    return html(
      200,
      consentPage({
        title: 'Sign in - Google Accounts (okr simulator)',
        heading: 'okr simulator wants to access your Google Account',
        intro: "Google hasn't verified this app. Select what okr simulator can access:",
        // Relative, so the form posts below wherever the module is mounted (`/google/…`).
        action: 'auth/decision',
        requestId,
        scopes,
        label: (s) => s.replace(SCOPE_PREFIX, ''),
      }),
    );
  }

  /** POST /o/oauth2/v2/auth/decision: the consent form (Allow with the ticked scopes, or Deny). */
  decide(form: URLSearchParams): SimResponse {
    const d = this.#consent.decide(form, this.#opts.clock());
    if (d.kind === 'expired') {
      return errorPage(400, 'invalid_request', 'This sign-in request has expired. Start again from the app.');
    }
    return d.kind === 'denied' ? d.response : this.#approve(d.pending, d.ticked);
  }

  #approve(p: Pending, scopes: string[]): SimResponse {
    const code = token('4/0A', 36);
    this.#codes.set(code, {
      clientId: p.clientId,
      redirectUri: p.redirectUri,
      scopes,
      challenge: p.challenge,
      expiresAtMs: this.#opts.clock() + this.#opts.codeTtlSeconds * 1000,
      used: false,
    });
    const u = new URL(p.redirectUri);
    if (p.state !== undefined) u.searchParams.set('state', p.state);
    u.searchParams.set('code', code);
    u.searchParams.set('scope', scopes.join(' '));
    return redirect(u.toString());
  }

  /** Client authentication, the way Google answers a Desktop client: the secret must be in the body. */
  #client(form: URLSearchParams): SimResponse | undefined {
    const id = form.get('client_id');
    if (!id) return oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
    if (id !== this.#opts.clientId) return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    const secret = form.get('client_secret');
    if (!secret) return oauthError(400, 'invalid_request', 'client_secret is missing.');
    if (secret !== this.#opts.clientSecret) return oauthError(401, 'invalid_client', 'Unauthorized');
    return undefined;
  }

  /** POST /token. */
  token(contentType: string, body: string): SimResponse {
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      return oauthError(400, 'invalid_request', 'Invalid content type: use application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    }
    const clientError = this.#client(form);
    if (clientError) return clientError;
    return grantType === 'authorization_code' ? this.#exchange(form) : this.#refreshGrant(form);
  }

  #exchange(form: URLSearchParams): SimResponse {
    const now = this.#opts.clock();
    const code = this.#codes.get(form.get('code') ?? '');
    if (!code) return oauthError(400, 'invalid_grant', 'Malformed auth code.');
    if (code.used) {
      if (code.grant) this.#revokeGrant(code.grant);
      return oauthError(400, 'invalid_grant', 'Bad Request');
    }
    if (code.expiresAtMs < now) return oauthError(400, 'invalid_grant', 'Bad Request');
    if (form.get('redirect_uri') !== code.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
    const verifier = form.get('code_verifier');
    if (!verifier) return oauthError(400, 'invalid_grant', 'Missing code verifier.');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== code.challenge) {
      return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const grant = this.#newGrant(code.scopes, now);
    code.grant = grant;
    return json(200, this.#tokenBody(grant, now, true), {
      'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
    });
  }

  #refreshGrant(form: URLSearchParams): SimResponse {
    const now = this.#opts.clock();
    const grant = this.#refresh.get(form.get('refresh_token') ?? '');
    if (!grant) return oauthError(400, 'invalid_grant', 'Bad Request');
    if (grant.revoked || (grant.refreshExpiresAtMs !== undefined && grant.refreshExpiresAtMs <= now)) {
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    if (this.#opts.rotateRefreshTokens) {
      this.#refresh.delete(grant.refreshToken);
      grant.refreshToken = token('1//', 48);
      this.#refresh.set(grant.refreshToken, grant);
    }
    return json(200, this.#tokenBody(grant, now, this.#opts.rotateRefreshTokens), {
      'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
    });
  }

  #newGrant(scopes: string[], now: number): Grant {
    const ttl = this.#opts.refreshTokenTtlSeconds;
    const grant: Grant = {
      clientId: this.#opts.clientId,
      scopes,
      refreshToken: token('1//', 48),
      refreshExpiresAtMs: ttl === undefined ? undefined : now + ttl * 1000,
      revoked: false,
    };
    this.#refresh.set(grant.refreshToken, grant);
    return grant;
  }

  /** Key order as Google's (see token_file_testing_mode.ansanloms-masked.json). */
  #tokenBody(grant: Grant, now: number, withRefreshToken: boolean): Record<string, unknown> {
    const access = token('ya29.a0', 96);
    this.#access.set(access, { grant, expiresAtMs: now + this.accessTokenTtlSeconds * 1000 });
    const body: Record<string, unknown> = { access_token: access, expires_in: this.accessTokenTtlSeconds };
    if (withRefreshToken) {
      body.refresh_token = grant.refreshToken;
      if (grant.refreshExpiresAtMs !== undefined) {
        body.refresh_token_expires_in = Math.max(0, Math.floor((grant.refreshExpiresAtMs - now) / 1000));
      }
    }
    body.scope = grant.scopes.join(' ');
    body.token_type = 'Bearer';
    return body;
  }

  #revokeGrant(grant: Grant): void {
    grant.revoked = true;
  }

  /** POST /revoke: an access or a refresh token; either way the whole grant goes. */
  revoke(query: URLSearchParams, body: string): SimResponse {
    const t = new URLSearchParams(body).get('token') ?? query.get('token') ?? '';
    const grant = this.#refresh.get(t) ?? this.#access.get(t)?.grant;
    if (!grant || grant.revoked) return oauthError(400, 'invalid_token', 'Token expired or revoked');
    this.#revokeGrant(grant);
    return json(200, {});
  }

  /** Checks `Authorization: Bearer …` for a Health API request. */
  authenticate(authorization: string | undefined): AuthResult {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) {
      return {
        ok: false,
        response: withAuthenticate(
          rpcError(
            401,
            'UNAUTHENTICATED',
            'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
            [errorInfo('CREDENTIALS_MISSING', 'googleapis.com')],
          ),
          false,
        ),
      };
    }
    const entry = this.#access.get(m[1]!);
    if (!entry || entry.grant.revoked || this.expireAll || entry.expiresAtMs <= this.#opts.clock()) {
      return { ok: false, response: withAuthenticate(rpcError(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE), true) };
    }
    return { ok: true, scopes: entry.grant.scopes };
  }

  /** Test helper: a grant as if the user had consented, without the browser round trip. */
  issue(scopes: string[] = KNOWN_SCOPES.slice(0, 3)): OAuthCredentials {
    const now = this.#opts.clock();
    const grant = this.#newGrant(scopes, now);
    const body = this.#tokenBody(grant, now, true);
    const creds: OAuthCredentials = {
      accessToken: body.access_token as string,
      refreshToken: grant.refreshToken,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
      scope: scopes.join(' '),
      tokenType: 'Bearer',
      obtainedAt: now,
    };
    if (grant.refreshExpiresAtMs !== undefined) creds.refreshTokenExpiresAt = grant.refreshExpiresAtMs;
    return creds;
  }

  /** Every access token issued so far stops working (as if an hour had passed). */
  expireAccessTokens(): void {
    const now = this.#opts.clock();
    for (const entry of this.#access.values()) entry.expiresAtMs = Math.min(entry.expiresAtMs, now);
  }

  /** The user removed the app at myaccount.google.com/connections. */
  revokeAll(): void {
    for (const grant of this.#refresh.values()) grant.revoked = true;
  }
}

function withAuthenticate(r: SimResponse, invalidToken: boolean): SimResponse {
  r.headers['WWW-Authenticate'] =
    `Bearer realm="https://accounts.google.com/"${invalidToken ? ', error="invalid_token"' : ''}`;
  return r;
}
