/**
 * The `oura` plugin: Readiness, Sleep and Activity from the Oura API v2 with Oura's OAuth (an app
 * registered at cloud.ouraring.com with an exact redirect URI, no PKCE, the client secret in the
 * token request body, single-use refresh tokens that rotate).
 *
 * It declares; the platform does the OAuth protocol (exchange, refresh and rotation, the standard
 * errors), retries, quotas and chunking. What is Oura's own lives here: the revoke call (a GET
 * with the access token, not RFC 7009), the identity, the data and its 403s.
 *
 * This module is what the registry imports at start-up, so it stays light: the HTTP code, zod
 * schemas and mapping (api.ts, fetch-data.ts) load only when a method actually talks to Oura.
 */
import { isCivilDate } from '../../dates.js';
import { ProviderError } from '../../errors.js';
import { pluginSettings } from '../settings.js';
import type { AdminConfigField, DataFieldDescriptor, DataImportPlugin, OAuthConfig, SetupInfoItem } from '../types.js';
import { collectionsFor, LABEL_SCOPE, OURA_FIELDS, scopesFor } from './fields.js';

export const OURA_PLUGIN_ID = 'oura';

/** Oura's endpoints; each can be overridden by `plugin.oura.<key>` (or its env var). */
export const OURA_DEFAULT_URLS = {
  auth_url: 'https://cloud.ouraring.com/oauth/authorize',
  token_url: 'https://api.ouraring.com/oauth/token',
  revoke_url: 'https://api.ouraring.com/oauth/revoke',
  api_base_url: 'https://api.ouraring.com',
} as const;

/** The redirect okr serves when neither plugin.oura.redirect_uri nor global.base_url is set. */
export const OURA_DEFAULT_REDIRECT = 'http://localhost:8765/oura/callback';
const APPLICATIONS = 'https://cloud.ouraring.com/oauth/applications';

const settings = pluginSettings(OURA_PLUGIN_ID, OURA_DEFAULT_URLS);
const url = settings.url;

/** The scopes okr asks for: what the fields need (`daily`), and `email` for the account label. */
export const OURA_REQUESTED_SCOPES = [...scopesFor(OURA_FIELDS.map((f) => f.id)), LABEL_SCOPE];

function setupInfo(configValues: Record<string, string>): SetupInfoItem[] {
  const items: SetupInfoItem[] = [
    {
      kind: 'warning',
      label: 'An active Oura Membership is needed',
      value:
        'Oura serves no API data for Gen3 and Oura Ring 4 accounts without an active Oura Membership: every request then fails with 403, which okr reports as a membership problem.',
    },
    {
      kind: 'step',
      label: 'Create an API application',
      value: `Sign in at ${APPLICATIONS} with your Oura account and choose "New Application". Fill in a name, a description, your email and any website, privacy and terms URLs (they are not checked for your own use).`,
    },
    {
      kind: 'step',
      label: 'Register the redirect URI exactly',
      value:
        'Under Redirect URIs add exactly the "Redirect URI to register" shown below (scheme, host, port and path must match character for character; Oura compares them as text). To use another one, register it and run `okr config set plugin.oura.redirect_uri <uri>`.',
    },
    {
      kind: 'step',
      label: 'Copy the Client ID and the Client Secret',
      value:
        'Both are on the application page; okr asks for them next (the secret goes to your keychain, or to a 0600 file with OKR_SECRETS=file).',
    },
    {
      kind: 'step',
      label: 'Connect and leave "daily" ticked',
      value: `Run \`okr connect oura\` and approve. Oura lets you untick scopes: okr asks for ${OURA_REQUESTED_SCOPES.join(' and ')}. Without "daily" no field gets data; without "email" the connection is labelled by its account id only.`,
    },
    {
      kind: 'info',
      label: '10 users without approval',
      value:
        'An Oura API application serves up to 10 users until Oura approves it; one person syncing their own ring needs no approval. The API is free.',
    },
    { kind: 'info', label: 'Scopes', value: OURA_REQUESTED_SCOPES.join(' '), copyable: true },
  ];
  return [...items, ...settings.apiOverrideInfo(configValues)];
}

export const ouraPlugin: DataImportPlugin = {
  id: OURA_PLUGIN_ID,
  name: 'Oura',
  description:
    'Readiness, Sleep and Activity scores, sleep length and times, HRV, lowest heart rate, steps, active calories and temperature deviation from an Oura ring, via the Oura API v2.',
  icon: '💍',

  getAdminConfigFields(): AdminConfigField[] {
    return [
      {
        key: 'client_id',
        label: 'Client ID',
        description: `The Client ID of your Oura API application (${APPLICATIONS}).`,
        type: 'text',
        required: true,
        env: 'OURA_CLIENT_ID',
      },
      {
        key: 'client_secret',
        label: 'Client Secret',
        description: 'The Client Secret of the same application.',
        type: 'password',
        required: true,
        env: 'OURA_CLIENT_SECRET',
      },
      {
        key: 'redirect_uri',
        label: 'Redirect URI',
        description:
          'The redirect URI registered for the application, exactly (unset: global.base_url + /oura/callback, by default http://localhost:8765/oura/callback). okr listens on it during `okr connect` when it is http on localhost or 127.0.0.1; otherwise paste the URL the browser lands on.',
        type: 'url',
        required: false,
        env: 'OURA_REDIRECT_URI',
        placeholder: OURA_DEFAULT_REDIRECT,
      },
      settings.urlField('auth_url', 'Authorization URL'),
      settings.urlField('token_url', 'Token URL'),
      settings.urlField('revoke_url', 'Revoke URL'),
      settings.urlField('api_base_url', 'Oura API base URL'),
    ];
  },

  getSetupInfo: setupInfo,

  isConfigured: settings.isConfigured,

  async getOAuthConfig(rt): Promise<OAuthConfig> {
    return {
      ...(await settings.endpoints(rt)),
      // Oura sends no RFC 9207 `iss`: nothing to check.
      scopes: [...OURA_REQUESTED_SCOPES],
      // PKCE is not in Oura's documentation; the client secret authenticates instead.
      usePKCE: false,
      // Every Oura example sends client_id and client_secret in the form body; Basic is not documented.
      tokenEndpointAuth: 'client_secret_post',
      // Integrators report that a spent refresh token stops working: never send one twice.
      singleUseRefreshTokens: true,
    };
  },

  getAvailableFields(): DataFieldDescriptor[] {
    return OURA_FIELDS.map((f) => ({ ...f }));
  },

  async validateCredentials(rt, credentials) {
    const { OuraApi } = await import('./api.js');
    const me = await new OuraApi(rt, await url(rt, 'api_base_url'), credentials).personalInfo();
    // `email` is present only when the user left the email scope ticked.
    return me.email ? { accountId: me.id, label: me.email } : { accountId: me.id };
  },

  async fetchData(rt, credentials, startDate, endDate, fields) {
    for (const d of [startDate, endDate]) {
      if (!isCivilDate(d)) throw new ProviderError('client', `oura.fetchData: not a YYYY-MM-DD date: ${d}`);
    }
    const { fetchOuraData } = await import('./fetch-data.js');
    return fetchOuraData(rt, await url(rt, 'api_base_url'), credentials, startDate, endDate, fields);
  },

  async revokeTokens(rt, cfg, credentials) {
    const { revokeOura } = await import('./api.js');
    await revokeOura(rt, cfg.revokeUrl ?? (await url(rt, 'revoke_url')), credentials);
  },

  // One listing per collection, all at once (fetch-data.ts).
  requestsAtOnce: (fields) => collectionsFor(fields).size,

  async getBaseUrls(rt) {
    return Promise.all([url(rt, 'api_base_url'), url(rt, 'token_url'), url(rt, 'revoke_url')]);
  },

  redirect: { kind: 'registered', path: '/oura/callback', configKey: 'redirect_uri' },
  // Oura: "5000 requests in a 5 minute period", per access token and per application.
  quota: { windows: [{ requests: 5000, seconds: 300 }] },
  // Oura takes any date range and pages with `next_token`: a backfill of years is one list per
  // collection, committed page by page (fetch-data.ts), so it makes the fewest calls and resumes.
  pagesLongRanges: true,
};
