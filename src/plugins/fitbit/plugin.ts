/**
 * The `fitbit` plugin: Fitbit and Pixel data through the Google Health API v4 with Google OAuth
 * (a "Desktop app" client, loopback redirect, PKCE S256, client secret at the token endpoint).
 * The legacy Fitbit Web API answers 410, so the id stays `fitbit` but every call goes to Google.
 *
 * This module is what the registry imports at start-up, so it stays light: the HTTP code, zod
 * schemas and mapping (api.ts, fetch-data.ts) load only when a method actually talks to Google.
 */
import { isCivilDate } from '../../dates.js';
import { OkrError, ProviderError } from '../../errors.js';
import { pluginSettings } from '../settings.js';
import type { AdminConfigField, DataFieldDescriptor, DataImportPlugin, OAuthConfig, SetupInfoItem } from '../types.js';
import { parseGoogleClientSecretFile } from './client-secret-file.js';
import { FITBIT_FIELDS, FITBIT_SCOPES, groupsFor } from './fields.js';
import { fitbitTakeoutImporter } from './takeout.js';
import { googleTokenErrorHint } from './token-hints.js';

/** The days one fetchData call gets (the planner's chunk): a year, leap day included. */
export const FITBIT_DAYS_PER_FETCH = 366;

export const FITBIT_PLUGIN_ID = 'fitbit';

/** Google's endpoints; each can be overridden by `plugin.fitbit.<key>` (or its env var). */
export const FITBIT_DEFAULT_URLS = {
  auth_url: 'https://accounts.google.com/o/oauth2/v2/auth',
  token_url: 'https://oauth2.googleapis.com/token',
  revoke_url: 'https://oauth2.googleapis.com/revoke',
  api_base_url: 'https://health.googleapis.com/v4',
} as const;

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const GOOGLE_ISSUER = 'https://accounts.google.com';
const CONSOLE = 'https://console.cloud.google.com';

const settings = pluginSettings(FITBIT_PLUGIN_ID, FITBIT_DEFAULT_URLS);
const url = settings.url;

function setupInfo(configValues: Record<string, string>): SetupInfoItem[] {
  const items: SetupInfoItem[] = [
    {
      kind: 'warning',
      label: 'Google may not be onboarding new projects',
      value:
        'Since October 2026 Google\'s Health API pages say: "While we are not onboarding new projects at this time, we are actively working to open access to more developers." A new Cloud project may be refused. If enabling the API or the first sync fails with PERMISSION_DENIED or SERVICE_DISABLED, okr shows Google\'s message as is.',
    },
    {
      kind: 'info',
      label: 'Why Google',
      value:
        'The legacy Fitbit Web API is shut down (it answers HTTP 410). okr reads Fitbit and Pixel data from the Google Health API, through an OAuth client in your own Google Cloud project.',
    },
    {
      kind: 'step',
      label: 'Create a project',
      value: `Create or pick a Google Cloud project: ${CONSOLE}/projectcreate`,
    },
    {
      kind: 'step',
      label: 'Enable the Google Health API',
      value: `APIs & Services → Library → "Google Health API" → Enable (${CONSOLE}/apis/library/health.googleapis.com), or run: gcloud services enable health.googleapis.com`,
    },
    {
      kind: 'step',
      label: 'Configure the consent screen',
      value: `Google Auth Platform → Branding: an app name, your support email and developer contact (${CONSOLE}/auth/branding).`,
    },
    {
      kind: 'step',
      label: 'Audience: Testing or In production',
      value: `Google Auth Platform → Audience, user type External (${CONSOLE}/auth/audience). In "Testing", add your own Google Account under Test users, but Google then expires the sign-in after 7 days and you must run \`okr connect fitbit\` every week. Click "Publish app" → "In production" to avoid that (no verification is needed for your own use), then connect once more.`,
    },
    {
      kind: 'step',
      label: 'Add the scopes',
      value: `Google Auth Platform → Data Access → Add or remove scopes: ${FITBIT_SCOPES.join(', ')}`,
    },
    {
      kind: 'step',
      label: 'Create a Desktop app client',
      value: `Google Auth Platform → Clients → Create client → Application type "Desktop app" (${CONSOLE}/auth/clients). There is no redirect URI to enter: okr listens on http://127.0.0.1 on a free port. Copy the Client ID and the Client secret, or download the JSON file.`,
    },
    {
      kind: 'step',
      label: 'Paste both the Client ID and the Client secret',
      value:
        'Google requires the client secret at the token endpoint even for Desktop apps with PKCE, so okr asks for both (or reads them from the downloaded client_secret_*.json).',
    },
    {
      kind: 'step',
      label: 'Connect and tick every checkbox',
      value:
        'Run `okr connect fitbit` and sign in with the Google Account that holds your Fitbit data. Google warns "Google hasn\'t verified this app": it is your own app, choose Continue. Tick every checkbox on the consent screen; a data type whose box is left empty later fails with "insufficient authentication scopes".',
    },
    {
      kind: 'info',
      label: 'Google Account required',
      value:
        'Your Fitbit account must be moved to a Google Account (Fitbit app → account settings). Otherwise Google answers ACCOUNT_NOT_LINKED.',
    },
    { kind: 'info', label: 'Scopes', value: FITBIT_SCOPES.join(' '), copyable: true },
  ];
  return [...items, ...settings.apiOverrideInfo(configValues)];
}

export const fitbitPlugin: DataImportPlugin = {
  id: FITBIT_PLUGIN_ID,
  name: 'Fitbit (Google Health)',
  description:
    'Steps, sleep, resting heart rate, HRV and Active Zone Minutes from Fitbit and Pixel devices, via the Google Health API.',
  icon: '⌚',

  getAdminConfigFields(): AdminConfigField[] {
    return [
      {
        key: 'client_id',
        label: 'Client ID',
        description: 'The Client ID of your Google Cloud "Desktop app" OAuth client.',
        type: 'text',
        required: true,
        placeholder: '1234567890-abc123.apps.googleusercontent.com',
        env: 'FITBIT_CLIENT_ID',
      },
      {
        key: 'client_secret',
        label: 'Client secret',
        description: 'The Client secret of the same client (Google requires it even for Desktop apps).',
        type: 'password',
        required: true,
        placeholder: 'GOCSPX-…',
        env: 'FITBIT_CLIENT_SECRET',
      },
      settings.urlField('auth_url', 'Authorization URL'),
      settings.urlField('token_url', 'Token URL'),
      settings.urlField('revoke_url', 'Revoke URL'),
      settings.urlField('api_base_url', 'Google Health API base URL'),
    ];
  },

  getSetupInfo: setupInfo,

  isConfigured: settings.isConfigured,

  async getOAuthConfig(rt): Promise<OAuthConfig> {
    const endpoints = await settings.endpoints(rt);
    const { authorizationUrl } = endpoints;
    return {
      ...endpoints,
      // Google's issuer (its OpenID configuration); an overridden endpoint (the simulator) is its own.
      issuer: authorizationUrl === FITBIT_DEFAULT_URLS.auth_url ? GOOGLE_ISSUER : new URL(authorizationUrl).origin,
      scopes: [...FITBIT_SCOPES],
      usePKCE: true,
      // Google wants the client secret in the body even for Desktop clients (a refresh without it
      // fails with "client_secret is missing.").
      tokenEndpointAuth: 'client_secret_post',
      // A refresh token is only returned with access_type=offline, and only on first consent
      // unless prompt=consent forces the screen again.
      extraAuthParams: { access_type: 'offline', prompt: 'consent' },
    };
  },

  getAvailableFields(): DataFieldDescriptor[] {
    return FITBIT_FIELDS.map((f) => ({ ...f }));
  },

  async validateCredentials(rt, credentials) {
    const { HealthApi } = await import('./api.js');
    const me = await new HealthApi(rt, await url(rt, 'api_base_url'), credentials).identity();
    return { accountId: me.healthUserId };
  },

  async fetchData(rt, credentials, startDate, endDate, fields) {
    for (const d of [startDate, endDate]) {
      if (!isCivilDate(d)) throw new ProviderError('client', `fitbit.fetchData: not a YYYY-MM-DD date: ${d}`);
    }
    const { fetchFitbitData } = await import('./fetch-data.js');
    return fetchFitbitData(rt, await url(rt, 'api_base_url'), credentials, startDate, endDate, fields);
  },

  preload: () => import('./fetch-data.js'),

  // One list or roll-up per data type, all at once (fetch-data.ts).
  requestsAtOnce: (fields) => groupsFor(fields).size,

  async getBaseUrls(rt) {
    return Promise.all([url(rt, 'api_base_url'), url(rt, 'token_url'), url(rt, 'revoke_url')]);
  },

  parseClientFile(text) {
    const { clientId, clientSecret, kind } = parseGoogleClientSecretFile(text);
    if (kind === 'web') {
      // A Web client only accepts its registered redirect URIs; okr's loopback port is random.
      throw new OkrError('This is a "Web application" OAuth client; okr needs a "Desktop app" client.', {
        hint: 'In Google Auth Platform → Clients, create a client of type "Desktop app" and download its JSON.',
      });
    }
    return { client_id: clientId, client_secret: clientSecret };
  },

  // Google documents the loopback redirect without a path, on any port.
  redirect: { kind: 'loopback', path: '/' },
  tokenErrorHint: googleTokenErrorHint,
  quota: { requestsPerMinute: 300 },
  // A chunk (what a killed backfill may have to fetch again) is a year: inside it fetch-data.ts
  // keeps to Google's 90-day roll-up cap and fetches every window at once.
  maxDaysPerFetch: FITBIT_DAYS_PER_FETCH,
  // ~30 requests at once already; a second year in flight would double the memory a backfill
  // holds (sleep pages are ~200 KiB each) to save one round trip a year.
  chunksInFlight: 1,
  shortRefreshTokenLifetimeMs: SEVEN_DAYS_MS,
  fileImport: { importers: [fitbitTakeoutImporter], oauth: true },
};
