/**
 * The protocol steps of `okr connect`, done by oauth4webapi (a certified implementation):
 * the authorization URL (state of 256 bits, PKCE S256, the plugin's extra parameters), the
 * validation of the authorization response (state, RFC 9207 `iss`), the code exchange with the
 * client authentication the plugin declares, and the mapping of token-endpoint failures to
 * errors that say what to do. Load it with `await import()`: oauth4webapi is not needed by
 * commands that do not talk OAuth.
 *
 * oauth4webapi refuses plain-http endpoints; it is allowed here for loopback URLs only (the
 * simulator, a test server), never for anything that leaves the machine.
 */
import * as oauth from 'oauth4webapi';
import { ExitCode, OkrError } from '../errors.js';
import type { OAuthConfig, OAuthCredentials } from '../plugins/types.js';
import { safeText } from '../safe-text.js';

/** What the protocol steps need from the context. */
export interface OAuthDeps {
  fetch: typeof fetch;
  now(): Date;
  signal?: AbortSignal;
}

/** Each request to the provider gets at most this long. */
export const REQUEST_TIMEOUT_MS = 30_000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/**
 * The authorization server as oauth4webapi sees it. Plugins declare endpoints, not an issuer;
 * the issuer is taken to be the origin of the authorization endpoint (true for Google and for
 * most servers), which is what an RFC 9207 `iss` response parameter is compared against.
 */
export function authorizationServer(cfg: OAuthConfig): oauth.AuthorizationServer {
  return {
    issuer: new URL(cfg.authorizationUrl).origin,
    authorization_endpoint: cfg.authorizationUrl,
    token_endpoint: cfg.tokenUrl,
    ...(cfg.revokeUrl ? { revocation_endpoint: cfg.revokeUrl } : {}),
  };
}

export function clientOf(cfg: OAuthConfig): oauth.Client {
  return { client_id: cfg.clientId };
}

export function clientAuth(cfg: OAuthConfig, pluginId: string): oauth.ClientAuth {
  if (cfg.tokenEndpointAuth === 'none') return oauth.None();
  if (!cfg.clientSecret) {
    throw new OkrError(`The ${pluginId} plugin has no client secret configured.`, {
      hint: `Run \`okr config setup ${pluginId}\`.`,
    });
  }
  return cfg.tokenEndpointAuth === 'client_secret_basic'
    ? oauth.ClientSecretBasic(cfg.clientSecret)
    : oauth.ClientSecretPost(cfg.clientSecret);
}

/** Request options: our fetch (so tests and the simulator see every call), a timeout, Ctrl-C. */
export function requestOptions(deps: OAuthDeps, url: string) {
  const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS)];
  if (deps.signal) signals.push(deps.signal);
  return {
    [oauth.customFetch]: (input: string, init: RequestInit) => deps.fetch(input, init),
    [oauth.allowInsecureRequests]: isLoopbackHttp(url),
    signal: AbortSignal.any(signals),
  };
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  /** Absent when the plugin turned PKCE off. */
  codeVerifier?: string;
  redirectUri: string;
}

/** A fresh `state`: 256 random bits, base64url (RFC 9700 asks for at least 128). */
export function newState(): string {
  return oauth.generateRandomState();
}

/** Builds the URL the browser opens. PKCE is S256. */
export async function buildAuthorizationRequest(
  cfg: OAuthConfig,
  redirectUri: string,
  state = newState(),
): Promise<AuthorizationRequest> {
  const url = new URL(cfg.authorizationUrl);
  if (url.protocol !== 'https:' && !isLoopbackHttp(cfg.authorizationUrl)) {
    throw new OkrError(`The authorization URL must use https: ${cfg.authorizationUrl}`);
  }
  const p = url.searchParams;
  // The plugin's extra parameters first, so none of them can override the protocol ones.
  for (const [k, v] of Object.entries(cfg.extraAuthParams ?? {})) p.set(k, v);
  p.set('response_type', 'code');
  p.set('client_id', cfg.clientId);
  p.set('redirect_uri', redirectUri);
  if (cfg.scopes.length > 0) p.set('scope', cfg.scopes.join(' '));
  p.set('state', state);
  let codeVerifier: string | undefined;
  if (cfg.usePKCE !== false) {
    codeVerifier = oauth.generateRandomCodeVerifier();
    p.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    p.set('code_challenge_method', 'S256');
  }
  return { url: url.href, state, codeVerifier, redirectUri };
}

/** The token response fields okr keeps, on top of the standard ones. */
type TokenResponse = oauth.TokenEndpointResponse & { refresh_token_expires_in?: unknown };

export function credentialsFromTokens(t: TokenResponse, nowMs: number): OAuthCredentials {
  const creds: OAuthCredentials = { accessToken: t.access_token, obtainedAt: nowMs, tokenType: t.token_type };
  if (typeof t.expires_in === 'number') creds.expiresAt = nowMs + t.expires_in * 1000;
  if (t.refresh_token) creds.refreshToken = t.refresh_token;
  // Not in RFC 6749: Google sends it when the refresh token is time-limited (Testing mode: 7 days).
  const rtExpires = Number(t.refresh_token_expires_in);
  if (t.refresh_token && t.refresh_token_expires_in !== undefined && Number.isFinite(rtExpires) && rtExpires > 0) {
    creds.refreshTokenExpiresAt = nowMs + rtExpires * 1000;
  }
  if (t.scope) creds.scope = t.scope;
  return creds;
}

/**
 * Validates the authorization response and exchanges its code (sending the PKCE verifier and
 * authenticating the client as the plugin declares). Throws an OkrError that says what to do.
 */
export async function exchangeCode(
  deps: OAuthDeps,
  pluginId: string,
  cfg: OAuthConfig,
  req: AuthorizationRequest,
  callbackParams: URLSearchParams,
): Promise<OAuthCredentials> {
  const as = authorizationServer(cfg);
  const client = clientOf(cfg);
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, client, callbackParams, req.state);
  } catch (err) {
    throw mapAuthResponseError(err, pluginId);
  }
  const auth = clientAuth(cfg, pluginId);
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      validated,
      req.redirectUri,
      req.codeVerifier ?? oauth.nopkce,
      requestOptions(deps, cfg.tokenUrl),
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    return credentialsFromTokens(tokens, deps.now().getTime());
  } catch (err) {
    throw mapTokenError(err, pluginId, cfg, deps.signal);
  }
}

function interrupted(signal: AbortSignal | undefined): OkrError | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason instanceof OkrError
    ? signal.reason
    : new OkrError('Interrupted.', { exitCode: ExitCode.INTERRUPTED });
}

function mapAuthResponseError(err: unknown, pluginId: string): OkrError {
  // Never attach `err` as the cause: oauth4webapi puts the response parameters (the code) in it.
  const detail = err instanceof Error ? err.message : String(err);
  return new OkrError(`The authorization response of ${pluginId} is not valid: ${detail}.`, {
    hint: `Run \`okr connect ${pluginId}\` again. If it keeps failing, the provider's issuer differs from its authorization URL's origin.`,
  });
}

/** A short, secret-free reason from an oauth4webapi or fetch failure. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'the request timed out';
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Token-endpoint failures, each with what to do. Provider bodies are reduced to their OAuth
 * `error` and a bounded `error_description`; nothing else from a response is ever shown.
 */
export function mapTokenError(err: unknown, pluginId: string, cfg: OAuthConfig, signal?: AbortSignal): OkrError {
  const stop = interrupted(signal);
  if (stop) return stop;
  if (err instanceof OkrError) return err;
  const again = `okr connect ${pluginId}`;
  const setup = `okr config setup ${pluginId}`;
  let error: string | undefined;
  let description: string | undefined;
  let status: number | undefined;
  // The endpoint's own words (`error`, `error_description`) are made safe to print (safe-text.ts).
  if (err instanceof oauth.ResponseBodyError) {
    error = safeText(err.error, 200);
    description = err.error_description && safeText(err.error_description, 200);
    status = err.status;
  } else if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const said = err.cause[0]?.parameters;
    error = safeText(said?.error ?? 'invalid_client', 200);
    description = said?.error_description && safeText(said.error_description, 200);
    status = err.status;
  } else if (err instanceof oauth.OperationProcessingError) {
    if (err.code === oauth.HTTP_REQUEST_FORBIDDEN || err.code === oauth.REQUEST_PROTOCOL_FORBIDDEN) {
      return new OkrError(`The token URL of ${pluginId} must use https: ${cfg.tokenUrl}`, {
        hint: `Fix the endpoint: \`okr config list\` shows the ${pluginId} URL settings.`,
      });
    }
    const res = err.cause instanceof Response ? err.cause : undefined;
    return new OkrError(
      `The token endpoint of ${pluginId} sent an unusable answer${res ? ` (HTTP ${res.status})` : ''}: ${err.message}.`,
      { hint: `Try again: \`${again}\`. If it persists, check the token URL (\`okr config list\`).` },
    );
  } else if (
    err instanceof TypeError ||
    (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
  ) {
    return new OkrError(
      `Could not reach the token endpoint of ${pluginId} (${new URL(cfg.tokenUrl).host}): ${networkReason(err)}.`,
      {
        hint: `Check the network connection, then run \`${again}\` again. Nothing was stored.`,
      },
    );
  } else if (err instanceof Error) {
    return new OkrError(`The code exchange with ${pluginId} failed: ${err.message}.`, {
      hint: `Run \`${again}\` again.`,
    });
  }
  const said = description ? `: ${description}` : '';
  switch (error) {
    case 'invalid_grant':
      return new OkrError(`${pluginId} rejected the authorization code (invalid_grant${said}).`, {
        hint: `The code expired, was already used, or does not match this sign-in. Run \`${again}\` again and finish within a few minutes.`,
      });
    case 'invalid_client':
    case 'unauthorized_client':
      return new OkrError(`${pluginId} rejected okr's client credentials (${error}${said}).`, {
        hint: `Check the client id and secret: \`${setup}\` (re-enter them from the provider's console), then \`${again}\`.`,
      });
    case 'invalid_request':
      return new OkrError(`${pluginId} refused the token request (invalid_request${said}).`, {
        hint: /secret/i.test(description ?? '')
          ? `Enter the client secret: \`${setup}\`, then \`${again}\`.`
          : `Check the plugin's settings (\`${setup}\`), then \`${again}\`.`,
      });
    default:
      return new OkrError(`The token endpoint of ${pluginId} answered ${error ?? `HTTP ${status}`}${said}.`, {
        hint:
          status !== undefined && status >= 500
            ? `The provider has a problem; try \`${again}\` again later.`
            : `Run \`${again}\` again; if it persists, check \`${setup}\`.`,
      });
  }
}
