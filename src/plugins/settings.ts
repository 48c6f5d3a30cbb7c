/**
 * A plugin's own settings (`plugin.<id>.<key>`), read the same way by every plugin: trimmed, an
 * empty value is no value, endpoint URLs fall back to the provider's, lose a trailing slash and
 * are checked before use (https, or http to this machine; oauth/endpoint-url.ts), whether they
 * come from config.json or the environment, and a missing client id or secret is one error that
 * names the command and the env variables. Light on purpose: plugin objects use it at start-up.
 */
import { ProviderError } from '../errors.js';
import { endpointUrlError, endpointUrlProblem } from '../oauth/endpoint-url.js';
import type { AdminConfigField, OAuthConfig, PluginRuntime, SetupInfoItem } from './types.js';

/** The endpoint keys every OAuth plugin has, and its data API's base. */
export type EndpointKey = 'auth_url' | 'token_url' | 'revoke_url' | 'api_base_url';

const ENDPOINT_WHAT: Record<EndpointKey, string> = {
  auth_url: 'authorization URL',
  token_url: 'token URL',
  revoke_url: 'revoke URL',
  api_base_url: 'API base URL',
};

export interface PluginSettings {
  /** A setting's value, or undefined when unset or blank. */
  get(rt: PluginRuntime, key: string): Promise<string | undefined>;
  /**
   * An endpoint: the setting, else the provider's default; never with a trailing slash. Throws a
   * non-retryable ProviderError naming the setting and its source when it breaks the endpoint rule.
   */
  url(rt: PluginRuntime, key: EndpointKey): Promise<string>;
  /** Both client credentials, or an error saying what to run. */
  client(rt: PluginRuntime): Promise<{ clientId: string; clientSecret: string }>;
  isConfigured(rt: PluginRuntime): Promise<boolean>;
  /** The OAuth endpoints and client, for `getOAuthConfig`. */
  endpoints(
    rt: PluginRuntime,
  ): Promise<Pick<OAuthConfig, 'clientId' | 'clientSecret' | 'authorizationUrl' | 'tokenUrl' | 'revokeUrl'>>;
  /** The admin field of an endpoint override (advanced, with the default shown). */
  urlField(key: EndpointKey, label: string): AdminConfigField;
  /** The setup steps' line saying the data API is not the provider's (getSetupInfo's values), if so. */
  apiOverrideInfo(configValues: Record<string, string>): SetupInfoItem[];
}

export function pluginSettings(pluginId: string, defaults: Record<EndpointKey, string>): PluginSettings {
  const env = (key: string) => `${pluginId.toUpperCase().replace(/-/g, '_')}_${key.toUpperCase()}`;
  const get = async (rt: PluginRuntime, key: string) => {
    const v = (await rt.getConfig(`plugin.${pluginId}.${key}`))?.trim();
    return v ? v : undefined;
  };
  const url = async (rt: PluginRuntime, key: EndpointKey) => {
    const setting = `plugin.${pluginId}.${key}`;
    const stored = await get(rt, key);
    // No trailing slash, so paths can be appended with one.
    const value = (stored ?? defaults[key]).replace(/\/+$/, '');
    // Empty: the provider has no such endpoint (Withings' revoke_url), and nothing reads it.
    if (value === '') return value;
    // The one endpoint rule (oauth/endpoint-url.ts), before anything is sent to it.
    const problem = endpointUrlProblem(value);
    if (problem) {
      const source = stored === undefined ? 'default' : await rt.configSource?.(setting);
      const origin = { pluginId, what: ENDPOINT_WHAT[key], setting, env: env(key), source };
      throw endpointUrlError({ ...origin, defaultUrl: defaults[key] || undefined }, problem);
    }
    return value;
  };
  const client = async (rt: PluginRuntime) => {
    const [clientId, clientSecret] = await Promise.all([get(rt, 'client_id'), get(rt, 'client_secret')]);
    if (!clientId || !clientSecret) {
      throw new ProviderError(
        'settings',
        `The ${pluginId} plugin is not configured: the client ${clientId ? 'secret' : 'ID'} is missing.`,
        { hint: `Run \`okr config setup ${pluginId}\` (or set ${env('client_id')} and ${env('client_secret')}).` },
      );
    }
    return { clientId, clientSecret };
  };
  return {
    get,
    url,
    client,
    async isConfigured(rt) {
      const [id, secret] = await Promise.all([get(rt, 'client_id'), get(rt, 'client_secret')]);
      return Boolean(id && secret);
    },
    async endpoints(rt) {
      const [{ clientId, clientSecret }, authorizationUrl, tokenUrl, revokeUrl] = await Promise.all([
        client(rt),
        url(rt, 'auth_url'),
        url(rt, 'token_url'),
        url(rt, 'revoke_url'),
      ]);
      return { clientId, clientSecret, authorizationUrl, tokenUrl, revokeUrl };
    },
    urlField: (key, label) => ({
      key,
      label,
      description: `Override for tests, the simulator (\`npm run simulator\`) or a proxy. Default: ${defaults[key]}`,
      type: 'url',
      required: false,
      env: env(key),
      advanced: true,
      defaultValue: defaults[key],
    }),
    apiOverrideInfo(configValues) {
      const value = configValues[`plugin.${pluginId}.api_base_url`];
      return value && value !== defaults.api_base_url
        ? [{ kind: 'info', label: 'API base URL overridden', value }]
        : [];
    },
  };
}
