/**
 * Where a plugin's browser sign-in comes back to (`DataImportPlugin.redirect`), resolved for
 * `okr connect` and shown by `okr config setup`:
 * - `loopback`: RFC 8252 §7.3, `http://127.0.0.1:<free port><path>`; nothing to register.
 * - `registered`: exactly `<global.base_url><path>` (default `http://localhost:8765` and
 *   `/<pluginId>/callback`), which the developer registers in the provider's console. okr serves
 *   it when it is plain http on localhost or 127.0.0.1; any other URI (Withings wants https and
 *   no localhost) is a page okr cannot serve, so the sign-in ends with a pasted URL.
 */
import type { DataImportPlugin } from '../plugins/types.js';

export const BASE_URL_KEY = 'global.base_url';
export const DEFAULT_BASE_URL = 'http://localhost:8765';

export type ResolvedRedirect =
  | { kind: 'loopback'; path: string }
  | { kind: 'registered'; uri: string; serve: true }
  | { kind: 'registered'; uri: string; serve: false };

export function registeredRedirectUri(plugin: DataImportPlugin, baseUrl: string | undefined): string {
  const base = (baseUrl?.trim() || DEFAULT_BASE_URL).replace(/\/+$/, '');
  const path =
    plugin.redirect?.kind === 'registered' && plugin.redirect.path ? plugin.redirect.path : `/${plugin.id}/callback`;
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

/** A URI okr's one-shot server can listen on: plain http on localhost or 127.0.0.1. */
export function servable(uri: string): boolean {
  const u = new URL(uri);
  return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
}

export function resolveRedirect(plugin: DataImportPlugin, baseUrl: string | undefined): ResolvedRedirect {
  const spec = plugin.redirect ?? { kind: 'loopback' };
  if (spec.kind === 'loopback') return { kind: 'loopback', path: spec.path ?? '/' };
  const uri = registeredRedirectUri(plugin, baseUrl);
  return servable(uri) ? { kind: 'registered', uri, serve: true } : { kind: 'registered', uri, serve: false };
}
