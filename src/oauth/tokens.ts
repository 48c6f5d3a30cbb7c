/**
 * The token endpoint, for every plugin: the authorization-code exchange and the refresh, with the
 * client authentication the plugin declares (`client_secret_post`, `client_secret_basic`, `none`),
 * its extra token parameters, and its `adaptTokenResponse` hook for providers that wrap their
 * answer (Withings: `{status, body}` inside HTTP 200). Failures become `ProviderError`s through
 * the standard OAuth error codes (token-errors.ts), refined by the plugin's `tokenErrorHint`.
 *
 * Light on purpose (no oauth4webapi, no zod): a sync that refreshes loads only this.
 * Requests go through `rt.fetch`, so a sync counts, paces and retries them; a refresh with a
 * single-use refresh token is marked SINGLE_ATTEMPT, since a retry would spend it twice.
 */
import { ProviderError } from '../errors.js';
import { SINGLE_ATTEMPT } from '../http/attempts.js';
import type { DataImportPlugin, OAuthConfig, OAuthCredentials, PluginRuntime } from '../plugins/types.js';
import { credentialsProblem } from '../store/tokens.js';
import { checkEndpointUrl } from './endpoint-url.js';
import { tokenEndpointError, tokenNetworkError, tokenSource } from './token-errors.js';

export type TokenGrant =
  | { grant_type: 'authorization_code'; code: string; redirect_uri: string; code_verifier?: string }
  | { grant_type: 'refresh_token'; refresh_token: string };

/** A token response is a few hundred bytes; anything far larger is not one. */
const MAX_TOKEN_BODY = 64 * 1024;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** RFC 6749 §2.3.1: the Basic credentials are the form-encoded id and secret. */
function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

function missingSecret(pluginId: string): ProviderError {
  return new ProviderError('settings', `The ${pluginId} plugin has no client secret configured.`, {
    hint: `Run \`okr config setup ${pluginId}\`.`,
  });
}

/** The form and headers of a token request, client authentication included. */
export function tokenRequest(
  pluginId: string,
  cfg: OAuthConfig,
  grant: TokenGrant,
): { body: URLSearchParams; headers: Record<string, string> } {
  // The plugin's extras first, so none of them can override the protocol parameters.
  const body = new URLSearchParams(cfg.extraTokenParams ?? {});
  for (const [k, v] of Object.entries(grant)) if (v !== undefined) body.set(k, v);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  switch (cfg.tokenEndpointAuth) {
    case 'none':
      body.set('client_id', cfg.clientId);
      break;
    case 'client_secret_basic':
      if (!cfg.clientSecret) throw missingSecret(pluginId);
      headers.Authorization = basic(cfg.clientId, cfg.clientSecret);
      break;
    default:
      if (!cfg.clientSecret) throw missingSecret(pluginId);
      body.set('client_id', cfg.clientId);
      body.set('client_secret', cfg.clientSecret);
  }
  return { body, headers };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Longer than any provider grants; past it a lifetime is a broken or hostile answer (1e308). */
export const MAX_TOKEN_LIFETIME_S = 10 * 365 * 24 * 3600;

/** Seconds from 0 to 10 years; some servers send them as strings. */
function seconds(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= MAX_TOKEN_LIFETIME_S ? n : undefined;
}

/**
 * A successful token response → stored credentials. A refresh response without a refresh token
 * keeps the previous one (and its expiry): providers that do not rotate send none.
 */
export function credentialsFromTokenBody(
  body: Record<string, unknown>,
  nowMs: number,
  previous?: OAuthCredentials,
): OAuthCredentials {
  const creds: OAuthCredentials = { accessToken: body.access_token as string, obtainedAt: nowMs };
  creds.tokenType = typeof body.token_type === 'string' && body.token_type !== '' ? body.token_type : 'Bearer';
  const expiresIn = seconds(body.expires_in);
  if (expiresIn !== undefined) creds.expiresAt = nowMs + expiresIn * 1000;
  const rotated = typeof body.refresh_token === 'string' && body.refresh_token !== '';
  const refreshToken = rotated ? (body.refresh_token as string) : previous?.refreshToken;
  if (refreshToken !== undefined) creds.refreshToken = refreshToken;
  // Not in RFC 6749: Google sends it for time-limited refresh tokens.
  const refreshIn = seconds(body.refresh_token_expires_in);
  const refreshExpiry =
    refreshIn !== undefined && refreshIn > 0 && refreshToken !== undefined
      ? nowMs + refreshIn * 1000
      : rotated
        ? undefined
        : previous?.refreshTokenExpiresAt;
  if (refreshExpiry !== undefined) creds.refreshTokenExpiresAt = refreshExpiry;
  const scope = typeof body.scope === 'string' ? body.scope : previous?.scope;
  if (scope !== undefined) creds.scope = scope;
  // Not in RFC 6749: the account, for providers that name it only here (Withings, via its adapter).
  const userId = typeof body.user_id === 'string' && body.user_id !== '' ? body.user_id : previous?.userId;
  if (userId !== undefined) creds.userId = userId;
  return creds;
}

/**
 * Why a 2xx token body cannot be used, or undefined when it can. Never quotes a value. The shape
 * is checked here; what the tokens may hold, by the store's rule once they are mapped
 * (credentialsProblem, in requestTokens).
 */
export function tokenBodyProblem(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.access_token !== 'string' || b.access_token === '') return 'access_token is missing';
  if (b.refresh_token !== undefined && (typeof b.refresh_token !== 'string' || b.refresh_token === '')) {
    return 'refresh_token is not a string';
  }
  if (b.token_type !== undefined && (typeof b.token_type !== 'string' || !/^bearer$/i.test(b.token_type))) {
    return 'token_type is not Bearer';
  }
  if (b.expires_in !== undefined && seconds(b.expires_in) === undefined) {
    return 'expires_in is not a number of seconds from 0 to 10 years';
  }
  if (b.refresh_token_expires_in !== undefined && seconds(b.refresh_token_expires_in) === undefined) {
    return 'refresh_token_expires_in is not a number of seconds from 0 to 10 years';
  }
  if (b.scope !== undefined && typeof b.scope !== 'string') return 'scope is not a string';
  if (b.user_id !== undefined && typeof b.user_id !== 'string') return 'user_id is not a string';
  return undefined;
}

export interface TokenRequestOptions {
  /** The stored credentials a refresh replaces: kept fields and the plugin's error advice use them. */
  previous?: OAuthCredentials;
}

/** Sends one token request and returns the new credentials, or throws a ProviderError. */
export async function requestTokens(
  rt: PluginRuntime,
  plugin: DataImportPlugin,
  cfg: OAuthConfig,
  grant: TokenGrant,
  opts: TokenRequestOptions = {},
): Promise<OAuthCredentials> {
  // The endpoint rule (endpoint-url.ts): the plugin's settings check it too, a plugin's own config may not.
  checkEndpointUrl(cfg.tokenUrl, { pluginId: plugin.id, what: 'token URL' });
  const { body, headers } = tokenRequest(plugin.id, cfg, grant);
  const single = grant.grant_type === 'refresh_token' && cfg.singleUseRefreshTokens === true;
  let status: number;
  let resHeaders: Headers;
  let text: string;
  try {
    const res = await rt.fetch(cfg.tokenUrl, {
      method: 'POST',
      headers,
      body: body.toString(),
      signal: rt.signal,
      // A token endpoint never redirects: a 3xx is an error to report, not something to follow.
      redirect: 'manual',
      ...(single ? { [SINGLE_ATTEMPT]: true } : {}),
    } as RequestInit);
    status = res.status;
    resHeaders = res.headers;
    text = await res.text();
  } catch (err) {
    // Ctrl-C or a timeout of the caller: not a provider failure.
    if (rt.signal?.aborted) throw err;
    throw tokenNetworkError(plugin, cfg, grant.grant_type, err);
  }
  if (status >= 300 && status < 400) {
    // Following it would send the code or refresh token, and the client secret, on to wherever it points.
    throw new ProviderError(
      'redirect',
      `${tokenSource(plugin)} answered with a redirect (HTTP ${status}), which okr does not follow`,
      {
        status,
        reason: 'redirect',
        hint: 'Nothing was sent on. Check the token URL (`okr config list`): set it to the final address.',
      },
    );
  }
  const nowMs = rt.now().getTime();
  const isJson = JSON_TYPE.test(resHeaders.get('content-type') ?? '') || /^\s*[{[]/.test(text);
  let answer = {
    status,
    headers: resHeaders,
    body: text.length <= MAX_TOKEN_BODY && isJson ? parseJson(text) : undefined,
  };
  if (plugin.adaptTokenResponse) answer = plugin.adaptTokenResponse(answer);
  if (answer.status < 200 || answer.status > 299) {
    throw tokenEndpointError(plugin, cfg, grant.grant_type, answer, opts.previous, nowMs);
  }
  const shapeProblem = tokenBodyProblem(answer.body);
  const creds = shapeProblem
    ? undefined
    : credentialsFromTokenBody(answer.body as Record<string, unknown>, nowMs, opts.previous);
  // The one check of what tokens may hold, before anything is stored (store/tokens.ts).
  const problem = shapeProblem ?? credentialsProblem(creds!);
  if (problem) {
    throw new ProviderError(
      'bad_response',
      `${tokenSource(plugin)} sent a token response okr cannot use (HTTP ${answer.status}): ${problem}`,
      {
        status: answer.status,
        hint:
          grant.grant_type === 'refresh_token'
            ? 'Try again later. If it keeps happening, check the token URL (`okr config list`).'
            : `Try again: \`okr connect ${plugin.id}\`. If it persists, check the token URL (\`okr config list\`).`,
      },
    );
  }
  return creds!;
}

/** The refresh grant, for the sync engine and the read path (under the token lock, see sync/credentials.ts). */
export async function refreshCredentials(
  rt: PluginRuntime,
  plugin: DataImportPlugin,
  cfg: OAuthConfig,
  stored: OAuthCredentials,
): Promise<OAuthCredentials> {
  if (!stored.refreshToken) {
    throw new ProviderError('reauth', `No refresh token is stored for ${plugin.id}.`, {
      hint: `Run \`okr connect ${plugin.id}\` to sign in again.`,
    });
  }
  return requestTokens(
    rt,
    plugin,
    cfg,
    { grant_type: 'refresh_token', refresh_token: stored.refreshToken },
    {
      previous: stored,
    },
  );
}
