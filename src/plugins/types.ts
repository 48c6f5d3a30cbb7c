/**
 * The plugin contract: the seed's `types.ts`, typed for a CLI.
 *
 * Differences from the seed (the web app), and why:
 * - Every method that touches the outside world takes a `PluginRuntime` first. The seed's plugins
 *   read `getConfigValue` and the global `fetch` directly; here core code never reads globals, so
 *   tests can point a plugin at the simulator, count its requests and fake the clock.
 * - `validateCredentials` returns who is connected (`accountId`), not only a boolean, because
 *   `okr connect` records the account and refuses a silent account switch.
 * - `DataFieldDescriptor.availability` marks fields the provider does not offer (Google Health has
 *   no Cardio Load or Readiness): they stay declared so templates naming them still resolve.
 * - `OAuthConfig` says how the client authenticates at the token endpoint, which extra
 *   authorization parameters to send, and where the revoke endpoint is.
 * - `fetchData` returns `FetchResult` (records plus the dates to fetch again and the call count)
 *   rather than a bare array, so the sync engine can re-import unfinished days and report calls.
 */

/** How a value is stored and shown. Stored values are numbers except for `text`:
 * `duration` in minutes, `time` in minutes after local midnight (0..1439), `boolean` as 0/1. */
export type FieldType = 'number' | 'duration' | 'time' | 'boolean' | 'text';

export interface AdminConfigField {
  /** Short key; the full config key is `plugin.<pluginId>.<key>`. */
  key: string;
  label: string;
  description?: string;
  /** `password` values live in the OS keychain, never in the conf file. */
  type: 'text' | 'password' | 'url';
  required: boolean;
  placeholder?: string;
  /** Environment variable read when no value is stored (the seed's ENV_FALLBACKS). */
  env?: string;
  /** Shown by `okr config list` but never asked for by `config setup` (e.g. endpoint overrides). */
  advanced?: boolean;
  /** The value used when neither the conf file nor the environment has one. */
  defaultValue?: string;
}

export interface SetupInfoItem {
  label: string;
  value: string;
  copyable?: boolean;
  /** `step` items are numbered console instructions; `warning` items are printed first. */
  kind?: 'info' | 'step' | 'warning' | 'link';
}

export type TokenEndpointAuth = 'client_secret_post' | 'client_secret_basic' | 'none';

export interface OAuthConfig {
  clientId: string;
  clientSecret?: string;
  authorizationUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  scopes: string[];
  /** Filled in by `okr connect` from the loopback server's real port. */
  redirectUri?: string;
  usePKCE: boolean;
  /** How the client authenticates at the token endpoint (Google Desktop apps: secret in the body). */
  tokenEndpointAuth: TokenEndpointAuth;
  /** Extra authorization-request parameters, e.g. Google's `access_type=offline`, `prompt=consent`. */
  extraAuthParams?: Record<string, string>;
  /** Path the loopback redirect uses. Google documents none, so the fitbit plugin uses `/`. */
  redirectPath?: string;
  /** A fixed loopback port, for providers that need a registered redirect URI. */
  fixedPort?: number;
}

export interface OAuthCredentials {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
  /** Epoch milliseconds, when the provider says (Google Testing mode: 7 days). */
  refreshTokenExpiresAt?: number;
  scope?: string;
  tokenType?: string;
  /** Epoch milliseconds when these tokens were obtained. */
  obtainedAt: number;
}

export interface DataFieldDescriptor {
  id: string;
  name: string;
  description: string;
  type: FieldType;
  /** Display unit: `steps`, `bpm`, `ms`, `min`, `HH:MM`. */
  unit?: string;
  /** Absent means available. */
  availability?: { available: false; reason: string; alternatives: string[] };
}

export type FieldValue = number | string;

export interface ImportedDataRecord {
  /** The user's local calendar date, `YYYY-MM-DD`. */
  date: string;
  /** Keys are field ids declared by `getAvailableFields()`. A missing key means no data. */
  fields: Record<string, FieldValue>;
}

export interface FetchResult {
  records: ImportedDataRecord[];
  /** Dates whose data is provisional (e.g. a sleep not yet `processed`): fetch them again next sync. */
  provisionalDates: string[];
}

/** What core code hands a plugin: config lookup, the network, the clock. */
export interface PluginRuntime {
  /** Resolves a full config key (`plugin.fitbit.client_id`) through conf file, keychain, env. */
  getConfig(key: string): Promise<string | undefined>;
  fetch: typeof fetch;
  now(): Date;
  /** Aborts in-flight requests (Ctrl-C, timeouts). */
  signal?: AbortSignal;
}

export interface ValidatedAccount {
  accountId: string;
  /** Human-friendly label, when the provider offers one. */
  label?: string;
}

export interface DataImportPlugin {
  /** Unique id, `[a-z][a-z0-9-]*`; the prefix of every metric name it writes. */
  id: string;
  name: string;
  description: string;
  icon?: string;

  getAdminConfigFields(): AdminConfigField[];
  getSetupInfo(configValues: Record<string, string>): SetupInfoItem[];
  isConfigured(rt: PluginRuntime): Promise<boolean>;
  getOAuthConfig(rt: PluginRuntime): Promise<OAuthConfig>;
  getAvailableFields(): DataFieldDescriptor[];

  /** Calls the provider's identity endpoint; throws a `ProviderError` when the tokens do not work. */
  validateCredentials(rt: PluginRuntime, credentials: OAuthCredentials): Promise<ValidatedAccount>;
  refreshTokens(rt: PluginRuntime, credentials: OAuthCredentials): Promise<OAuthCredentials>;
  /** Dates are inclusive on both ends, in the user's local calendar. */
  fetchData(
    rt: PluginRuntime,
    credentials: OAuthCredentials,
    startDate: string,
    endDate: string,
    fields: string[],
  ): Promise<FetchResult>;

  /** The base URLs this plugin may call (the contract suite checks no request leaves them). */
  getBaseUrls(rt: PluginRuntime): Promise<string[]>;
  /** Provider quota the sync engine must stay within. */
  quota?: { requestsPerMinute: number };
  /** Largest date range `fetchData` should be handed at once; longer syncs are split and resumable. */
  maxDaysPerFetch?: number;
  /** Reads the client file a provider's console downloads (Google: client_secret_*.json) into
   * admin config values by short key (`{ client_id, client_secret }`), for `config setup --from-file`. */
  parseClientFile?(text: string): Record<string, string>;
  /** Refresh-token lifetime that means "test mode" (Google: 7 days), used for warnings. */
  shortRefreshTokenLifetimeMs?: number;
}
