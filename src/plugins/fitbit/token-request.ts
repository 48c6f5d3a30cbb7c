/**
 * Sends the refresh request to Google's token endpoint, and nothing else: this module is light so
 * that the request leaves before api.ts (zod and the response schemas, ~300 KB to compile) is
 * loaded; the compile then overlaps the provider's answer (plugin.ts, refreshTokens).
 * Google wants the client secret in the body even for Desktop clients (a refresh without it
 * fails with "client_secret is missing.").
 */
import type { PluginRuntime } from '../types.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The pending response; api.ts `readTokenResponse` reads and checks it. */
export function sendRefreshRequest(
  rt: PluginRuntime,
  tokenUrl: string,
  client: ClientCredentials,
  refreshToken: string,
): Promise<Response> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  const pending = rt.fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
    signal: rt.signal,
  });
  // Read (and its failure reported) by readTokenResponse, once api.ts is loaded; until then a
  // network error must not count as an unhandled rejection.
  pending.catch(() => {});
  return pending;
}
