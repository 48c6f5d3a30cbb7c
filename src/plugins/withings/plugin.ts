/**
 * The `withings` plugin: weight and body composition (`getmeas`), sleep (`getsummary`) and steps
 * (`getactivity`) from the Withings Public API, with Withings' OAuth: an app registered in the
 * Withings Developer Dashboard, no PKCE, the client secret in the form body next to
 * `action=requesttoken`, comma-separated scopes, refresh tokens that rotate, and every answer
 * (errors included) in a `{status, body}` envelope inside HTTP 200.
 *
 * It declares; the platform does the OAuth protocol, retries, quotas and chunking. What is
 * Withings' own: the envelope (envelope.ts: `answerStatus` makes an error in the body count as the
 * HTTP error it means; token.ts: `adaptTokenResponse`), the data and its units.
 *
 * This module is what the registry imports at start-up, so it stays light: zod, the HTTP code and
 * the mapping (api.ts, fetch-data.ts) load only when a method actually talks to Withings.
 */
import { isCivilDate } from '../../dates.js';
import { ProviderError } from '../../errors.js';
import { pluginSettings } from '../settings.js';
import type { AdminConfigField, DataFieldDescriptor, DataImportPlugin, OAuthConfig, SetupInfoItem } from '../types.js';
import { answerStatus } from './envelope.js';
import { endpointsFor, scopesFor, WITHINGS_FIELDS } from './fields.js';
import { adaptWithingsTokenResponse, withingsTokenErrorHint } from './token.js';

export const WITHINGS_PLUGIN_ID = 'withings';

/**
 * Withings' endpoints; each can be overridden by `plugin.withings.<key>` (or its env var). Withings
 * documents no revocation endpoint for public apps (the user removes the app in their account),
 * so `revoke_url` has no setting and revocation is reported as unsupported.
 */
export const WITHINGS_DEFAULT_URLS = {
  auth_url: 'https://account.withings.com/oauth2_user/authorize2',
  token_url: 'https://wbsapi.withings.net/v2/oauth2',
  revoke_url: '',
  api_base_url: 'https://wbsapi.withings.net',
} as const;

/**
 * Days one `fetchData` call covers. Withings pages with `more`/`offset`; the published sleep
 * sample holds 300 nights in one page (10 months in one answer, so ranges are not capped at a
 * week), the activity sample ends at offset 200. Half a year is then one page per call under
 * either page size, and a killed backfill loses at most half a year's three calls.
 */
export const WITHINGS_DAYS_PER_FETCH = 180;
const DASHBOARD = 'https://developer.withings.com/dashboard/';
const DISCONNECT = 'https://account.withings.com/partner/disconnect_partner/<client id>';

const settings = pluginSettings(WITHINGS_PLUGIN_ID, WITHINGS_DEFAULT_URLS);
const url = settings.url;

/** The scopes okr asks for: what the fields need. */
export const WITHINGS_REQUESTED_SCOPES = scopesFor(WITHINGS_FIELDS.map((f) => f.id));

function isLoopback(uri: string | undefined): boolean {
  if (!uri) return true; // unset: global.base_url + /withings/callback, http://localhost:8765 by default
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

function setupInfo(configValues: Record<string, string>): SetupInfoItem[] {
  const configured = configValues[`plugin.${WITHINGS_PLUGIN_ID}.redirect_uri`];
  const loopback = isLoopback(configured);
  const items: SetupInfoItem[] = [
    {
      kind: 'step',
      label: 'Create an application',
      value: `Sign in at ${DASHBOARD} with your Withings account and create an application of the Public API ("Withings Public Cloud", free). Any name, description and logo will do for your own use.`,
    },
    {
      kind: 'step',
      label: 'Register a callback URL, and tell okr which',
      value:
        'Withings checks the "Callback URL" against what okr sends, exactly. Its rules say https only, ports 80 or 443, no IP address and no "localhost", and it sends a HEAD request to check the page exists. So register one of these:\n' +
        '   a) the "Redirect URI to register" shown below (http://localhost…): okr then receives the sign-in by itself. Some Withings accounts still accept it; if the dashboard refuses it, use b).\n' +
        '   b) an https page you control that answers (any page; GitHub Pages works), then run `okr config set plugin.withings.redirect_uri <that URL>`: `okr connect withings` prints the sign-in URL, and you paste back the URL the browser lands on.',
    },
    {
      kind: 'step',
      label: 'Copy the Client ID and the Secret',
      value:
        'Both are on the application page; okr asks for them next (the secret goes to your keychain, or to a 0600 file with OKR_SECRETS=file).',
    },
    {
      kind: 'step',
      label: 'Connect within 30 seconds',
      value:
        'Run `okr connect withings` and approve. A Withings code lives 30 seconds: with a pasted redirect, paste the URL as soon as the page loads.',
    },
    {
      kind: 'info',
      label: 'Disconnecting',
      value: `Withings has no revocation endpoint: \`okr disconnect withings\` deletes okr's tokens; to end the access at Withings too, remove the app at ${DISCONNECT} (or in the Withings app).`,
    },
    { kind: 'info', label: 'Scopes', value: WITHINGS_REQUESTED_SCOPES.join(','), copyable: true },
  ];
  if (!loopback) {
    items.unshift({
      kind: 'warning',
      label: 'Pasted redirect',
      value: `plugin.withings.redirect_uri is ${configured}, which okr cannot serve: \`okr connect withings\` asks you to paste the URL the browser lands on.`,
    });
  }
  return [...items, ...settings.apiOverrideInfo(configValues)];
}

export const withingsPlugin: DataImportPlugin = {
  id: WITHINGS_PLUGIN_ID,
  name: 'Withings',
  description:
    'Weight, body fat and muscle mass from a Withings scale; sleep length, score and times, the night’s lowest heart rate and steps, via the Withings Public API.',
  icon: '⚖️',

  getAdminConfigFields(): AdminConfigField[] {
    return [
      {
        key: 'client_id',
        label: 'Client ID',
        description: `The Client ID of your Withings application (${DASHBOARD}).`,
        type: 'text',
        required: true,
        env: 'WITHINGS_CLIENT_ID',
      },
      {
        key: 'client_secret',
        label: 'Secret',
        description: 'The Secret of the same application.',
        type: 'password',
        required: true,
        env: 'WITHINGS_CLIENT_SECRET',
      },
      {
        key: 'redirect_uri',
        label: 'Callback URL',
        description:
          'The Callback URL registered for the application, exactly (unset: global.base_url + /withings/callback, by default http://localhost:8765/withings/callback, which okr serves itself). An https URL cannot be served by okr: paste the URL the browser lands on.',
        type: 'url',
        required: false,
        env: 'WITHINGS_REDIRECT_URI',
        placeholder: 'https://you.github.io/okr-withings/',
      },
      settings.urlField('auth_url', 'Authorization URL'),
      settings.urlField('token_url', 'Token URL'),
      settings.urlField('api_base_url', 'Withings API base URL'),
    ];
  },

  getSetupInfo: setupInfo,

  isConfigured: settings.isConfigured,

  async getOAuthConfig(rt): Promise<OAuthConfig> {
    // Not settings.endpoints(): Withings has no revocation endpoint, so no revoke_url setting to read.
    const [client, authorizationUrl, tokenUrl] = await Promise.all([
      settings.client(rt),
      url(rt, 'auth_url'),
      url(rt, 'token_url'),
    ]);
    return {
      ...client,
      authorizationUrl,
      tokenUrl,
      scopes: [...WITHINGS_REQUESTED_SCOPES],
      scopeSeparator: ',',
      // PKCE is not in Withings' documentation; the secret authenticates the client.
      usePKCE: false,
      // "POST … with params in the body" (Withings' FAQ); HTTP Basic is not documented.
      tokenEndpointAuth: 'client_secret_post',
      extraTokenParams: { action: 'requesttoken' },
      // Every refresh returns a new refresh token ("always replace the previous one"); the old one
      // dies once the new access token is used: never send one twice.
      singleUseRefreshTokens: true,
    };
  },

  getAvailableFields(): DataFieldDescriptor[] {
    return WITHINGS_FIELDS.map((f) => ({ ...f }));
  },

  async validateCredentials(rt, credentials) {
    const { verifyToken } = await import('./api.js');
    await verifyToken(rt, await url(rt, 'api_base_url'), credentials);
    if (!credentials.userId) {
      throw new ProviderError('bad_response', 'The Withings token response named no user (userid).', {
        hint: 'Run `okr connect withings` again; if it keeps happening, check plugin.withings.token_url (`okr config list`).',
      });
    }
    return { accountId: credentials.userId };
  },

  async fetchData(rt, credentials, startDate, endDate, fields) {
    for (const d of [startDate, endDate]) {
      if (!isCivilDate(d)) throw new ProviderError('client', `withings.fetchData: not a YYYY-MM-DD date: ${d}`);
    }
    const { fetchWithingsData } = await import('./fetch-data.js');
    return fetchWithingsData(rt, await url(rt, 'api_base_url'), credentials, startDate, endDate, fields);
  },

  // One call per endpoint, all at once (fetch-data.ts).
  requestsAtOnce: (fields) => endpointsFor(fields).size,

  async getBaseUrls(rt) {
    return Promise.all([url(rt, 'api_base_url'), url(rt, 'token_url')]);
  },

  adaptTokenResponse: adaptWithingsTokenResponse,
  answerStatus,
  tokenErrorHint: withingsTokenErrorHint,
  redirect: { kind: 'registered', path: '/withings/callback', configKey: 'redirect_uri' },
  // "120 requests per minute" per application (free plan); over it, status 601 in the envelope.
  quota: { requestsPerMinute: 120 },
  maxDaysPerFetch: WITHINGS_DAYS_PER_FETCH,
};
