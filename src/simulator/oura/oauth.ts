/**
 * Oura's OAuth 2.0 server as documented (cloud.ouraring.com/docs/authentication, the v2 docs'
 * "Authentication Troubleshooting") and as integrators report it:
 * - the redirect URI must equal one registered for the app, exactly (scheme, host, port, path);
 *   it may be left out when exactly one is registered. A mismatch is never redirected to: the
 *   authorize page shows `invalid_redirect_uri`, and a code exchange with another URI than the
 *   authorization's fails with `invalid_redirect_uri`;
 * - the consent page lists the requested scopes (all of them when `scope` is left out), and the
 *   user may untick any;
 * - codes live 10 minutes and are single-use (`invalid_grant`; a replay also revokes what the code
 *   gave); no PKCE;
 * - the client id and secret go in the form body (HTTP Basic is not documented, so it is refused);
 * - access tokens last `expires_in` (86400 s in clients' captures); refresh tokens are single-use
 *   and rotate: each refresh returns a new pair and the spent refresh token fails afterwards;
 * - `GET /oauth/revoke?access_token=…` ends the grant (POST is taken too: one client tries it first).
 *
 * The token response carries `scope` only when the grant is narrower than the request (RFC 6749
 * §5.1 leaves it out otherwise; Oura's published examples show none), unless `alwaysSendScope`.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthCredentials } from '../../plugins/types.js';
import { ConsentRequests, consentPage, type PendingConsent, redirectBack } from '../consent.js';
import { escapeHtml, html, json, oauthError, type SimResponse } from '../responses.js';
import { detail } from './api.js';

export const OURA_SCOPES = ['email', 'personal', 'daily', 'heartrate', 'workout', 'tag', 'session', 'spo2Daily'];

export interface OuraOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** The app's registered redirect URIs (exact match). */
  redirectUris: string[];
  clock: () => number;
  accessTokenTtlSeconds: number;
  codeTtlSeconds: number;
  /** Approve at once with these scopes ticked (the requested ones ∩ these), skipping the page. */
  autoApprove?: boolean | string[];
  alwaysSendScope?: boolean;
}

interface Grant {
  scopes: string[];
  requested: string[];
  refreshToken: string;
  revoked: boolean;
}

interface Code {
  redirectUri: string;
  scopes: string[];
  requested: string[];
  expiresAtMs: number;
  used: boolean;
  grant?: Grant;
}

/** `scopes` are the requested ones, shown on the consent page. */
type Pending = PendingConsent;

export type OuraAuth = { ok: true; scopes: string[]; token: string } | { ok: false; response: SimResponse };

const newToken = (bytes = 24) => randomBytes(bytes).toString('base64url');
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function errorPage(status: number, error: string, detail: string): SimResponse {
  return html(
    status,
    `<!DOCTYPE html><html><head><title>Oura: ${escapeHtml(error)}</title></head><body>` +
      `<h1>Authorization failed</h1><p id="error">${escapeHtml(error)}</p><p id="detail">${escapeHtml(detail)}</p></body></html>`,
  );
}

export class OuraOAuthServer {
  readonly #opts: OuraOAuthOptions;
  readonly #consent = new ConsentRequests<Pending>();
  readonly #codes = new Map<string, Code>();
  readonly #refresh = new Map<string, Grant>();
  /** Spent refresh tokens: reuse fails (and is counted, for tests of single-use handling). */
  readonly #spent = new Set<string>();
  readonly #access = new Map<string, { grant: Grant; expiresAtMs: number }>();
  accessTokenTtlSeconds: number;
  /** How often a spent refresh token was sent again. */
  spentRefreshReuse = 0;

  constructor(opts: OuraOAuthOptions) {
    this.#opts = opts;
    this.accessTokenTtlSeconds = opts.accessTokenTtlSeconds;
  }

  /** GET /oauth/authorize. */
  authorize(q: URLSearchParams): SimResponse {
    if (q.get('client_id') !== this.#opts.clientId) {
      return errorPage(400, 'invalid_client', 'No application with this client_id.');
    }
    const given = q.get('redirect_uri');
    const registered = this.#opts.redirectUris;
    const redirectUri = given ?? (registered.length === 1 ? registered[0] : undefined);
    if (!redirectUri || !registered.includes(redirectUri)) {
      return errorPage(
        400,
        'invalid_redirect_uri',
        `The redirect_uri ${JSON.stringify(given ?? '')} does not match any URI registered for this application.`,
      );
    }
    const state = q.get('state') ?? undefined;
    const back = (params: Record<string, string>) => redirectBack(redirectUri, params, state);
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const asked = q.get('scope');
    const requested = asked === null ? [...OURA_SCOPES] : asked.split(/[\s+]+/).filter(Boolean);
    const unknown = requested.filter((s) => !OURA_SCOPES.includes(s));
    if (unknown.length > 0) return back({ error: 'invalid_scope', error_description: `Unknown scope ${unknown[0]}` });
    const pending: Pending = { redirectUri, scopes: requested, state, expiresAtMs: this.#opts.clock() + 10 * 60_000 };
    const auto = this.#opts.autoApprove;
    if (auto)
      return this.#approve(pending, Array.isArray(auto) ? requested.filter((s) => auto.includes(s)) : requested);
    const requestId = this.#consent.open(pending, newToken(16));
    return html(
      200,
      consentPage({
        title: 'Authorize application - Oura (okr simulator)',
        heading: 'okr simulator would like to access your Oura data',
        // Relative to /<mount>/oauth/authorize, wherever the module is mounted.
        action: 'authorize/decision',
        requestId,
        scopes: requested,
      }),
    );
  }

  /** POST /oauth/authorize/decision: the consent form (Allow with the ticked scopes, or Deny). */
  decide(form: URLSearchParams): SimResponse {
    const d = this.#consent.decide(form, this.#opts.clock());
    if (d.kind === 'expired') {
      return errorPage(400, 'invalid_request', 'This authorization request has expired. Start again from the app.');
    }
    return d.kind === 'denied' ? d.response : this.#approve(d.pending, d.ticked);
  }

  #approve(p: Pending, scopes: string[]): SimResponse {
    const code = newToken(20);
    this.#codes.set(code, {
      redirectUri: p.redirectUri,
      scopes,
      requested: p.scopes,
      expiresAtMs: this.#opts.clock() + this.#opts.codeTtlSeconds * 1000,
      used: false,
    });
    return redirectBack(p.redirectUri, { code }, p.state);
  }

  /** POST /oauth/token. */
  token(contentType: string, authorization: string | undefined, body: string): SimResponse {
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      return oauthError(400, 'invalid_request', 'Use application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(body);
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    if (!id || !secret) {
      // Basic authentication is not what Oura documents: the credentials belong in the body.
      return oauthError(
        401,
        'invalid_client',
        authorization ? 'Send client_id and client_secret in the body.' : undefined,
      );
    }
    if (id !== this.#opts.clientId || secret !== this.#opts.clientSecret) return oauthError(401, 'invalid_client');
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.#exchange(form);
      case 'refresh_token':
        return this.#refreshGrant(form);
      default:
        return oauthError(400, 'unsupported_grant_type');
    }
  }

  #exchange(form: URLSearchParams): SimResponse {
    const code = this.#codes.get(form.get('code') ?? '');
    if (!code) return oauthError(400, 'invalid_grant');
    if (code.used) {
      if (code.grant) code.grant.revoked = true;
      return oauthError(400, 'invalid_grant');
    }
    if (code.expiresAtMs < this.#opts.clock()) return oauthError(400, 'invalid_grant');
    if (form.get('redirect_uri') !== code.redirectUri) return oauthError(400, 'invalid_redirect_uri');
    code.used = true;
    code.grant = this.#newGrant(code.scopes, code.requested);
    return json(200, this.#tokenBody(code.grant), NO_STORE);
  }

  #refreshGrant(form: URLSearchParams): SimResponse {
    const presented = form.get('refresh_token') ?? '';
    const grant = this.#refresh.get(presented);
    if (!grant) {
      if (this.#spent.has(presented)) this.spentRefreshReuse++;
      return oauthError(400, 'invalid_grant');
    }
    if (grant.revoked) return oauthError(400, 'invalid_grant');
    // Single-use: the presented token dies now, whatever happens to the answer.
    this.#refresh.delete(presented);
    this.#spent.add(presented);
    grant.refreshToken = newToken(24);
    this.#refresh.set(grant.refreshToken, grant);
    return json(200, this.#tokenBody(grant), NO_STORE);
  }

  #newGrant(scopes: string[], requested: string[]): Grant {
    const grant: Grant = { scopes, requested, refreshToken: newToken(24), revoked: false };
    this.#refresh.set(grant.refreshToken, grant);
    return grant;
  }

  #tokenBody(grant: Grant): Record<string, unknown> {
    const access = newToken(32);
    this.#access.set(access, { grant, expiresAtMs: this.#opts.clock() + this.accessTokenTtlSeconds * 1000 });
    const body: Record<string, unknown> = {
      token_type: 'bearer',
      access_token: access,
      expires_in: this.accessTokenTtlSeconds,
      refresh_token: grant.refreshToken,
    };
    const narrowed = grant.requested.some((s) => !grant.scopes.includes(s));
    if (narrowed || this.#opts.alwaysSendScope) body.scope = grant.scopes.join(' ');
    return body;
  }

  /** GET (or POST) /oauth/revoke?access_token=…: the whole grant goes. Unknown tokens: 200 (RFC 7009 §2.2). */
  revoke(q: URLSearchParams): SimResponse {
    const entry = this.#access.get(q.get('access_token') ?? '');
    if (entry) entry.grant.revoked = true;
    return json(200, {});
  }

  /** `Authorization: Bearer …` of an API request. */
  authenticate(authorization: string | undefined): OuraAuth {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const entry = m ? this.#access.get(m[1]!) : undefined;
    if (!m || !entry || entry.grant.revoked || entry.expiresAtMs <= this.#opts.clock()) {
      return { ok: false, response: detail(401, m ? 'Invalid or expired access token' : 'Not authenticated') };
    }
    return { ok: true, scopes: entry.grant.scopes, token: m[1]! };
  }

  /** Tests: a grant as if the user had consented (default: daily and email). */
  issue(scopes: string[] = ['daily', 'email'], requested: string[] = scopes): OAuthCredentials {
    const now = this.#opts.clock();
    const body = this.#tokenBody(this.#newGrant(scopes, requested));
    const creds: OAuthCredentials = {
      accessToken: body.access_token as string,
      refreshToken: body.refresh_token as string,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
      tokenType: 'bearer',
      obtainedAt: now,
    };
    if (body.scope !== undefined) creds.scope = body.scope as string;
    return creds;
  }

  /** Every access token issued so far stops working. */
  expireAccessTokens(): void {
    const now = this.#opts.clock();
    for (const entry of this.#access.values()) entry.expiresAtMs = Math.min(entry.expiresAtMs, now);
  }

  /** The user removed the app in their Oura account. */
  revokeAll(): void {
    for (const grant of this.#refresh.values()) grant.revoked = true;
  }
}
