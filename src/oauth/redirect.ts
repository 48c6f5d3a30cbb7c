/**
 * Where a plugin's browser sign-in comes back to (`DataImportPlugin.redirect`), resolved for
 * `okr connect` and shown by `okr config setup`:
 * - `loopback`: RFC 8252 §7.3, `http://127.0.0.1:<free port><path>`; nothing to register.
 * - `registered`: exactly `<global.base_url><path>` (default `http://localhost:8765` and
 *   `/<pluginId>/callback`), or the plugin's own setting when it declares one (`configKey`),
 *   which the developer registers in the provider's console. okr serves
 *   it when it is plain http on localhost or 127.0.0.1; any other URI (Withings wants https and
 *   no localhost) is a page okr cannot serve, so the sign-in ends with a pasted URL.
 */
import { OkrError } from '../errors.js';
import type { DataImportPlugin } from '../plugins/types.js';
import { safeText } from '../safe-text.js';

export const BASE_URL_KEY = 'global.base_url';
export const DEFAULT_BASE_URL = 'http://localhost:8765';

export type ResolvedRedirect =
  | { kind: 'loopback'; path: string }
  | { kind: 'registered'; uri: string; serve: true }
  | { kind: 'registered'; uri: string; serve: false };

export function registeredRedirectUri(
  plugin: DataImportPlugin,
  baseUrl: string | undefined,
  configured?: string,
): string {
  if (configured?.trim()) return configured.trim();
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

export function resolveRedirect(
  plugin: DataImportPlugin,
  baseUrl: string | undefined,
  configured?: string,
): ResolvedRedirect {
  const spec = plugin.redirect ?? { kind: 'loopback' };
  if (spec.kind === 'loopback') return { kind: 'loopback', path: spec.path ?? '/' };
  const uri = registeredRedirectUri(plugin, baseUrl, configured);
  // `localhost:8765/cb` parses, as a URL of scheme "localhost:": a browser can only come back to
  // an http or https one.
  const scheme = URL.canParse(uri) ? new URL(uri).protocol : undefined;
  if (scheme !== 'http:' && scheme !== 'https:') {
    // From an environment variable or a hand-edited config.json (`config set` checks URLs).
    const key = redirectSettingKey(plugin);
    throw new OkrError(`The redirect URI ${JSON.stringify(safeText(uri, 200))} (${key}) is not an http or https URL.`, {
      hint: `Set it to the URI registered for okr: okr config set ${key} <URI>, or unset the variable that gives it.`,
    });
  }
  return servable(uri) ? { kind: 'registered', uri, serve: true } : { kind: 'registered', uri, serve: false };
}

/** The setting that decides a plugin's registered redirect: its own key when it declares one, else the base URL. */
export function redirectSettingKey(plugin: DataImportPlugin): string {
  const spec = plugin.redirect;
  return spec?.kind === 'registered' && spec.configKey ? `plugin.${plugin.id}.${spec.configKey}` : BASE_URL_KEY;
}

/** `resolveRedirect` with the settings read through `get` (the config service's `getConfigValue`). */
export async function lookupRedirect(
  plugin: DataImportPlugin,
  get: (key: string) => Promise<string | undefined>,
): Promise<ResolvedRedirect> {
  const own = redirectSettingKey(plugin);
  const [baseUrl, configured] = await Promise.all([get(BASE_URL_KEY), own === BASE_URL_KEY ? undefined : get(own)]);
  return resolveRedirect(plugin, baseUrl, configured);
}
