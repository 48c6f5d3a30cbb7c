/**
 * Withings' token endpoint (`POST /v2/oauth2`, `action=requesttoken`) answers in its envelope:
 * `{"status":0,"body":{"userid","access_token","refresh_token","scope","expires_in","token_type"}}`
 * on success, `{"status":503,"body":{},"error":"Invalid Params: invalid code"}` on failure, both
 * with HTTP 200. `adaptTokenResponse` turns that into RFC 6749's shape, so the platform's token
 * code (exchange, refresh, rotation, error categories) needs nothing of Withings':
 * - success: the inner body, with `scope` space-separated (Withings joins scopes with commas;
 *   RFC 6749 and okr's grant checks use spaces) and `userid` (a number or a string in published
 *   samples) as `user_id`, the account okr records;
 * - an error: an RFC 6749 error code, chosen from the status group and, for "invalid params"
 *   (which covers every refused code, refresh token or client), from Withings' words.
 * Light on purpose: a refresh during a sync loads only this.
 */
import type { TokenEndpointAnswer, TokenFailure } from '../types.js';
import { type Envelope, envelopeKind, envelopeOf } from './envelope.js';

/** Withings' words about an error, short and with the status code, for `error_description`. */
function described(env: Envelope): string {
  const words = (env.error ?? '').replace(/\s+/g, ' ').trim().slice(0, 160);
  return `Withings status ${env.status}${words ? `: ${words}` : ''}`;
}

/** The RFC 6749 error an envelope error stands for at the token endpoint, with its HTTP status. */
function oauthError(env: Envelope): { status: number; error?: string } {
  switch (envelopeKind(env.status)) {
    case 'rate_limited':
      return { status: 429 };
    case 'transient':
      return { status: 503, error: 'temporarily_unavailable' };
    case 'unauthorized':
      return { status: 401, error: 'unauthorized_client' };
    case 'auth_failed':
      return { status: 400, error: 'invalid_grant' };
    case 'invalid_params': {
      const words = env.error ?? '';
      if (/client/i.test(words)) return { status: 401, error: 'invalid_client' };
      if (/redirect|grant_type|action|scope/i.test(words)) return { status: 400, error: 'invalid_request' };
      // "invalid code", "invalid refresh_token", or no words: the grant was refused.
      return { status: 400, error: 'invalid_grant' };
    }
  }
}

function userIdOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

/** `DataImportPlugin.adaptTokenResponse` for Withings. */
export function adaptWithingsTokenResponse(answer: TokenEndpointAnswer): TokenEndpointAnswer {
  const env = envelopeOf(answer.body);
  // Not an envelope (a proxy's HTML 502, an empty body): the platform reads HTTP's status.
  if (!env) return answer;
  if (env.status !== 0) {
    const { status, error } = oauthError(env);
    return { ...answer, status, body: { ...(error ? { error } : {}), error_description: described(env) } };
  }
  const inner = env.body;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
    return { ...answer, status: 200, body: inner };
  const { userid, scope, ...rest } = inner as Record<string, unknown>;
  const body: Record<string, unknown> = { ...rest };
  if (typeof scope === 'string')
    body.scope = scope
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(' ');
  else if (scope !== undefined) body.scope = scope;
  const userId = userIdOf(userid);
  if (userId !== undefined) body.user_id = userId;
  return { ...answer, status: 200, body };
}

/**
 * `DataImportPlugin.tokenErrorHint`: what a refused code or refresh token means at Withings.
 * Without stored credentials the failure is the code exchange of `okr connect`.
 */
export function withingsTokenErrorHint(failure: TokenFailure, credentials: unknown): string | undefined {
  if (failure.reason !== 'invalid_grant') return undefined;
  return credentials === undefined
    ? 'Withings codes work once and only for 30 seconds: run `okr connect withings` again and paste the URL as soon as the page loads.'
    : 'Withings refused the stored refresh token: access was removed in the Withings app, a year passed without a sync, or the token was already replaced. Run `okr connect withings` to sign in again.';
}
