/**
 * The protocol steps of `okr connect`: the authorization URL (state of 256 bits, PKCE S256, the
 * plugin's extra parameters), the validation of the authorization response (state, RFC 9207
 * `iss`) by oauth4webapi (a certified implementation), and the code exchange through the
 * platform's token request (tokens.ts: the declared client authentication, the plugin's token
 * response adapter, the standard error mapping). Load it with `await import()`: oauth4webapi is
 * not needed by commands that do not talk OAuth.
 *
 * oauth4webapi refuses plain-http endpoints; it is allowed here for loopback URLs only (the
 * simulator, a test server), never for anything that leaves the machine.
 */
import * as oauth from 'oauth4webapi';
import { ExitCode, isProviderError, OkrError } from '../errors.js';
import { toStandardResponse } from '../http/response.js';
import type { DataImportPlugin, OAuthConfig, OAuthCredentials, PluginRuntime } from '../plugins/types.js';
import { checkEndpointUrl } from './endpoint-url.js';
import { isLoopbackHttp } from './loopback-url.js';
import { requestTokens } from './tokens.js';

export { isLoopbackHttp } from './loopback-url.js';

/**
 * What the protocol steps need from the context. `fetch` is the context's provider fetch, which
 * gives every request its deadline and body cap (http/provider-fetch.ts).
 */
export interface OAuthDeps {
  fetch: typeof fetch;
  now(): Date;
  signal?: AbortSignal;
}

/**
 * The authorization server as oauth4webapi sees it. The issuer is the one the plugin declares,
 * which an RFC 9207 `iss` response parameter is compared against. A provider without one
 * (`issuer` absent) has nothing to compare with: its `iss`, if any, is not checked
 * (see `exchangeCode`), and the placeholder here is never compared.
 */
export function authorizationServer(cfg: OAuthConfig): oauth.AuthorizationServer {
  return {
    issuer: cfg.issuer ?? new URL(cfg.authorizationUrl).origin,
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

/** Request options: our fetch (so tests and the simulator see every call), Ctrl-C. */
export function requestOptions(deps: OAuthDeps, url: string) {
  return {
    // oauth4webapi checks for the real Response class; okr's fetch returns its own (http/response.ts).
    [oauth.customFetch]: async (input: string, init: RequestInit) => toStandardResponse(await deps.fetch(input, init)),
    [oauth.allowInsecureRequests]: isLoopbackHttp(url),
    ...(deps.signal ? { signal: deps.signal } : {}),
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

/**
 * Builds the URL the browser opens. PKCE is S256. `redirectUri` is sent as given, byte for byte:
 * providers compare it with the registered one as text.
 */
export async function buildAuthorizationRequest(
  cfg: OAuthConfig,
  redirectUri: string,
  state = newState(),
  pluginId = 'this plugin',
): Promise<AuthorizationRequest> {
  // The endpoint rule (endpoint-url.ts), before the URL is parsed for anything else.
  const url = checkEndpointUrl(cfg.authorizationUrl, { pluginId, what: 'authorization URL' });
  const p = url.searchParams;
  // The plugin's extra parameters first, so none of them can override the protocol ones.
  for (const [k, v] of Object.entries(cfg.extraAuthParams ?? {})) p.set(k, v);
  p.set('response_type', 'code');
  p.set('client_id', cfg.clientId);
  p.set('redirect_uri', redirectUri);
  if (cfg.scopes.length > 0) p.set('scope', cfg.scopes.join(cfg.scopeSeparator ?? ' '));
  p.set('state', state);
  let codeVerifier: string | undefined;
  if (cfg.usePKCE !== false) {
    codeVerifier = oauth.generateRandomCodeVerifier();
    p.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    p.set('code_challenge_method', 'S256');
  }
  return { url: url.href, state, codeVerifier, redirectUri };
}

/**
 * Validates the authorization response and exchanges its code (sending the PKCE verifier and
 * authenticating the client as the plugin declares). Throws an OkrError that says what to do;
 * nothing is stored by this step, so every failure exits 1, never "re-authenticate" (3).
 */
export async function exchangeCode(
  rt: PluginRuntime,
  plugin: DataImportPlugin,
  cfg: OAuthConfig,
  req: AuthorizationRequest,
  callbackParams: URLSearchParams,
): Promise<OAuthCredentials> {
  const params = new URLSearchParams(callbackParams);
  if (cfg.issuer === undefined) params.delete('iss');
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(authorizationServer(cfg), clientOf(cfg), params, req.state);
  } catch (err) {
    throw mapAuthResponseError(err, plugin.id);
  }
  const code = validated.get('code') ?? '';
  try {
    return await requestTokens(rt, plugin, cfg, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: req.redirectUri,
      code_verifier: req.codeVerifier,
    });
  } catch (err) {
    const stop = interrupted(rt.signal);
    if (stop) throw stop;
    if (isProviderError(err)) {
      throw new OkrError(err.message, { hint: err.hint, exitCode: ExitCode.ERROR });
    }
    throw err;
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
