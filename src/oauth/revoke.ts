/**
 * Token revocation, best effort: the plugin's `revokeTokens` hook for a provider that does not
 * speak RFC 7009 (Oura's GET with the access token), else RFC 7009 through oauth4webapi. `okr disconnect` reports a
 * failure but carries on, and `okr connect` revokes tokens it decided not to keep.
 * Revoking the refresh token ends the whole grant at providers that follow RFC 7009 §2.1
 * (Google does), so that is the one sent when there is one.
 */
import * as oauth from 'oauth4webapi';
import { isProviderError } from '../errors.js';
import { HttpPolicyError } from '../http/policy-error.js';
import type { DataImportPlugin, OAuthConfig, OAuthCredentials, PluginRuntime } from '../plugins/types.js';
import { safeText } from '../safe-text.js';
import { endpointUrlProblem } from './endpoint-url.js';
import { authorizationServer, clientAuth, clientOf, type OAuthDeps, requestOptions } from './flow.js';

export type RevokeResult = { ok: true } | { ok: false; reason: string } | { ok: 'unsupported' };

/** Revokes with the plugin's hook when it has one, else RFC 7009 at `cfg.revokeUrl`. */
export async function revokeForPlugin(
  rt: PluginRuntime,
  plugin: DataImportPlugin,
  cfg: OAuthConfig,
  creds: OAuthCredentials,
): Promise<RevokeResult> {
  if (!plugin.revokeTokens) {
    return revokeCredentials({ fetch: rt.fetch, now: rt.now, signal: rt.signal }, plugin.id, cfg, creds);
  }
  try {
    // rt.fetch is the context's provider fetch: each request has its deadline there.
    await plugin.revokeTokens(rt, cfg, creds);
    return { ok: true };
  } catch (err) {
    // A ProviderError's message is already made safe; anything else is reduced as below.
    return { ok: false, reason: isProviderError(err) ? err.message : revokeReason(err) };
  }
}

export async function revokeCredentials(
  deps: OAuthDeps,
  pluginId: string,
  cfg: OAuthConfig,
  creds: OAuthCredentials,
): Promise<RevokeResult> {
  if (!cfg.revokeUrl) return { ok: 'unsupported' };
  // The endpoint rule (endpoint-url.ts): the token never goes over plain http to another machine.
  const problem = endpointUrlProblem(cfg.revokeUrl);
  if (problem) return { ok: false, reason: `the revoke URL ${problem}` };
  const [token, hint] = creds.refreshToken
    ? [creds.refreshToken, 'refresh_token']
    : [creds.accessToken, 'access_token'];
  try {
    const response = await oauth.revocationRequest(
      authorizationServer(cfg),
      clientOf(cfg),
      clientAuth(cfg, pluginId),
      token,
      {
        ...requestOptions(deps, cfg.revokeUrl),
        additionalParameters: { token_type_hint: hint },
      },
    );
    await oauth.processRevocationResponse(response);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: revokeReason(err) };
  }
}

/** A secret-free, one-line reason. */
function revokeReason(err: unknown): string {
  if (err instanceof HttpPolicyError) return err.describe('the provider');
  if (err instanceof oauth.ResponseBodyError) {
    // The provider's own words: made safe to print (safe-text.ts).
    const said = err.error_description ? ` (${safeText(err.error_description, 200)})` : '';
    return `the provider answered ${safeText(err.error, 200)}${said}, HTTP ${err.status}`;
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) return `the provider refused the client (HTTP ${err.status})`;
  if (err instanceof oauth.OperationProcessingError) {
    if (err.code === oauth.HTTP_REQUEST_FORBIDDEN) return 'the revoke URL must use https';
    const res = err.cause instanceof Response ? err.cause : undefined;
    return res ? `the provider answered HTTP ${res.status}` : err.message;
  }
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'the request timed out';
    const code = (err as { cause?: { code?: string } }).cause?.code;
    return code ? `network error (${code})` : err.message;
  }
  return String(err);
}
