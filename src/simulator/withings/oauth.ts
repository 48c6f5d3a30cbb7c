/**
 * Withings' OAuth 2.0 as documented (developer.withings.com "Get access": authorization URL,
 * access and refresh tokens, FAQ) and as integrators report it:
 * - `GET /oauth2_user/authorize2?response_type=code&client_id&state&scope&redirect_uri`: the
 *   redirect URI must equal one of the app's registered callback URLs; scopes are comma-separated
 *   (`user.info`, `user.metrics`, `user.activity`, `user.sleepevents`); the user allows the app
 *   as a whole (no per-scope choice); an unknown client or callback shows an error page and is
 *   never redirected to;
 * - codes are single-use and live 30 seconds;
 * - `POST /v2/oauth2` with a form body: `action=requesttoken`, `client_id` and `client_secret`
 *   in the body (HTTP Basic is not documented), `grant_type=authorization_code` (+ `code`,
 *   `redirect_uri`) or `refresh_token` (+ `refresh_token`);
 * - every answer is HTTP 200 with the `{status, body}` envelope: on success
 *   `body{userid, access_token, refresh_token, scope, expires_in: 10800, token_type: "Bearer"}`,
 *   on failure `{"status": 503, "body": {}, "error": "Invalid Params: invalid code"}` (the
 *   answer reported for a used or expired code; "invalid refresh_token" alike);
 * - refresh tokens rotate: each refresh returns a new one, and the old one stays usable until
 *   the new access token is first used or 8 hours pass ("Old refresh_token: Expires 8 hours after
 *   new issuance or once the new access_token is used");
 * - no revocation endpoint (the user removes the app in their account).
 */
import { randomBytes } from 'node:crypto';
import type { OAuthCredentials } from '../../plugins/types.js';
import { ConsentRequests, consentPage, type PendingConsent, redirectBack } from '../consent.js';
import { escapeHtml, html, type SimResponse } from '../responses.js';
import { envelopeError, INVALID_TOKEN, ok } from './api.js';

export const WITHINGS_SCOPES = ['user.info', 'user.metrics', 'user.activity', 'user.sleepevents'];
/** How long a replaced refresh token keeps working, unless the new access token is used first. */
export const OLD_REFRESH_GRACE_MS = 8 * 3600 * 1000;

export interface WithingsOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** The app's registered callback URLs (exact match). */
  redirectUris: string[];
  clock: () => number;
  accessTokenTtlSeconds: number;
  codeTtlSeconds: number;
  /** Approve at once, skipping the page. */
  autoApprove?: boolean;
  /** The account's id. */
  userId: number;
  /** Send `userid` as a string ("363"), as some captures show; default a number. */
  userIdAsString?: boolean;
}

interface Grant {
  scopes: string[];
  refreshToken: string;
  revoked: boolean;
}

interface Code {
  redirectUri: string;
  scopes: string[];
  expiresAtMs: number;
  used: boolean;
}

/** A replaced refresh token: usable until `untilMs` or until `nextAccess` is used. */
interface OldRefresh {
  grant: Grant;
  untilMs: number;
  nextAccess: string;
}

export type WithingsAuth = { ok: true; scopes: string[]; token: string } | { ok: false; response: SimResponse };

const newToken = (bytes = 20) => randomBytes(bytes).toString('hex');

function errorPage(error: string, detail: string): SimResponse {
  return html(
    400,
    `<!DOCTYPE html><html><head><title>Withings: ${escapeHtml(error)}</title></head><body>` +
      `<h1>Something went wrong</h1><p id="error">${escapeHtml(error)}</p><p id="detail">${escapeHtml(detail)}</p></body></html>`,
  );
}

export class WithingsOAuthServer {
  readonly #opts: WithingsOAuthOptions;
  readonly #consent = new ConsentRequests<PendingConsent>();
  readonly #codes = new Map<string, Code>();
  readonly #refresh = new Map<string, Grant>();
  readonly #old = new Map<string, OldRefresh>();
  readonly #access = new Map<string, { grant: Grant; expiresAtMs: number }>();
  accessTokenTtlSeconds: number;
  /** Refresh requests that presented a replaced (but still valid) refresh token. */
  replacedRefreshUse = 0;

  constructor(opts: WithingsOAuthOptions) {
    this.#opts = opts;
    this.accessTokenTtlSeconds = opts.accessTokenTtlSeconds;
  }

  /** GET /oauth2_user/authorize2. */
  authorize(q: URLSearchParams): SimResponse {
    if (q.get('client_id') !== this.#opts.clientId) return errorPage('invalid_client', 'Unknown client_id.');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!this.#opts.redirectUris.includes(redirectUri)) {
      return errorPage(
        'redirect_uri_mismatch',
        `The redirect_uri ${JSON.stringify(redirectUri)} is not a callback URL registered for this application.`,
      );
    }
    const state = q.get('state') ?? undefined;
    if (q.get('response_type') !== 'code') return errorPage('unsupported_response_type', 'response_type must be code.');
    const scopes = (q.get('scope') ?? '').split(',').filter(Boolean);
    const unknown = scopes.filter((s) => !WITHINGS_SCOPES.includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      return errorPage('invalid_scope', `Unknown or missing scope ${JSON.stringify(unknown[0] ?? '')}.`);
    }
    const pending: PendingConsent = { redirectUri, scopes, state, expiresAtMs: this.#opts.clock() + 10 * 60_000 };
    if (this.#opts.autoApprove) return this.#approve(pending);
    const requestId = this.#consent.open(pending, newToken(16));
    return html(
      200,
      consentPage({
        title: 'Withings (okr simulator)',
        heading: 'okr simulator wants to access your Withings data',
        intro: 'Allowing shares everything listed below.',
        // Relative to /<mount>/oauth2_user/authorize2.
        action: 'authorize2/decision',
        requestId,
        scopes,
      }),
    );
  }

  /** POST /oauth2_user/authorize2/decision: Allow (every requested scope) or Deny. */
  decide(form: URLSearchParams): SimResponse {
    const d = this.#consent.decide(form, this.#opts.clock());
    if (d.kind === 'expired') return errorPage('invalid_request', 'This request has expired.');
    // Withings grants the app as a whole: unticking a box changes nothing.
    return d.kind === 'denied' ? d.response : this.#approve(d.pending);
  }

  #approve(p: PendingConsent): SimResponse {
    const code = newToken(20);
    this.#codes.set(code, {
      redirectUri: p.redirectUri,
      scopes: p.scopes,
      expiresAtMs: this.#opts.clock() + this.#opts.codeTtlSeconds * 1000,
      used: false,
    });
    return redirectBack(p.redirectUri, { code }, p.state);
  }

  /** POST /v2/oauth2. */
  token(contentType: string, body: string): SimResponse {
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      return envelopeError(503, 'Invalid Params: the body must be a form');
    }
    const form = new URLSearchParams(body);
    if (form.get('action') !== 'requesttoken') return envelopeError(2554, 'Unknown action');
    if (form.get('client_id') !== this.#opts.clientId) return envelopeError(503, 'Invalid Params: invalid client_id');
    if (form.get('client_secret') !== this.#opts.clientSecret) {
      return envelopeError(503, 'Invalid Params: invalid client_secret');
    }
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.#exchange(form);
      case 'refresh_token':
        return this.#refreshGrant(form);
      default:
        return envelopeError(503, 'Invalid Params: invalid grant_type');
    }
  }

  #exchange(form: URLSearchParams): SimResponse {
    const code = this.#codes.get(form.get('code') ?? '');
    if (!code || code.used || code.expiresAtMs < this.#opts.clock())
      return envelopeError(503, 'Invalid Params: invalid code');
    if (form.get('redirect_uri') !== code.redirectUri)
      return envelopeError(503, 'Invalid Params: invalid redirect_uri');
    code.used = true;
    const grant: Grant = { scopes: code.scopes, refreshToken: newToken(20), revoked: false };
    this.#refresh.set(grant.refreshToken, grant);
    return ok(this.#tokenBody(grant));
  }

  #refreshGrant(form: URLSearchParams): SimResponse {
    const presented = form.get('refresh_token') ?? '';
    let grant = this.#refresh.get(presented);
    const old = this.#old.get(presented);
    // Until the new access token is used (authenticate drops the entry then) or 8 hours pass.
    if (!grant && old && old.untilMs > this.#opts.clock()) {
      this.replacedRefreshUse++;
      grant = old.grant;
    }
    if (!grant || grant.revoked) return envelopeError(503, 'Invalid Params: invalid refresh_token');
    this.#refresh.delete(grant.refreshToken);
    const body = this.#tokenBody(grant, true);
    this.#old.set(presented, {
      grant,
      untilMs: this.#opts.clock() + OLD_REFRESH_GRACE_MS,
      nextAccess: body.access_token as string,
    });
    return ok(body);
  }

  /** A new access token (and, when `rotate`, a new refresh token) for the grant. */
  #tokenBody(grant: Grant, rotate = false): Record<string, unknown> {
    if (rotate) {
      grant.refreshToken = newToken(20);
      this.#refresh.set(grant.refreshToken, grant);
    }
    const access = newToken(20);
    this.#access.set(access, { grant, expiresAtMs: this.#opts.clock() + this.accessTokenTtlSeconds * 1000 });
    return {
      userid: this.#opts.userIdAsString ? String(this.#opts.userId) : this.#opts.userId,
      access_token: access,
      refresh_token: grant.refreshToken,
      scope: grant.scopes.join(','),
      expires_in: this.accessTokenTtlSeconds,
      token_type: 'Bearer',
    };
  }

  /** `Authorization: Bearer …` of a data request. Using a new access token ends the refresh token it replaced. */
  authenticate(authorization: string | undefined): WithingsAuth {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const entry = m ? this.#access.get(m[1]!) : undefined;
    if (!m || !entry || entry.grant.revoked || entry.expiresAtMs <= this.#opts.clock()) {
      return { ok: false, response: envelopeError(401, INVALID_TOKEN) };
    }
    for (const [token, old] of this.#old) if (old.nextAccess === m[1]) this.#old.delete(token);
    return { ok: true, scopes: entry.grant.scopes, token: m[1]! };
  }

  /** Tests: a grant as if the user had allowed the app (default: metrics and activity). */
  issue(scopes: string[] = ['user.metrics', 'user.activity']): OAuthCredentials {
    const now = this.#opts.clock();
    const grant: Grant = { scopes, refreshToken: newToken(20), revoked: false };
    this.#refresh.set(grant.refreshToken, grant);
    const body = this.#tokenBody(grant);
    return {
      accessToken: body.access_token as string,
      refreshToken: body.refresh_token as string,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
      tokenType: 'Bearer',
      scope: scopes.join(' '),
      userId: String(this.#opts.userId),
      obtainedAt: now,
    };
  }

  /** Every access token issued so far stops working. */
  expireAccessTokens(): void {
    const now = this.#opts.clock();
    for (const entry of this.#access.values()) entry.expiresAtMs = Math.min(entry.expiresAtMs, now);
  }

  /** The user removed the app in their Withings account. */
  revokeAll(): void {
    for (const entry of this.#access.values()) entry.grant.revoked = true;
    for (const grant of this.#refresh.values()) grant.revoked = true;
  }
}
