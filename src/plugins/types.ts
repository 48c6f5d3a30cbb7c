/**
 * The plugin contract: the seed's `types.ts`, typed for a CLI. A plugin DECLARES what its
 * provider does; the platform (src/oauth/, src/sync/) does it. A plugin never implements OAuth
 * (exchange, refresh, rotation, revocation, the standard error codes), retries, quotas, chunking
 * or resuming: it maps its provider's data and its provider-specific errors, nothing else.
 *
 * Differences from the seed (the web app), and why:
 * - Every method that touches the outside world takes a `PluginRuntime` first. The seed's plugins
 *   read `getConfigValue` and the global `fetch` directly; here core code never reads globals, so
 *   tests can point a plugin at the simulator, count its requests and fake the clock.
 * - `validateCredentials` returns who is connected (`accountId`), not only a boolean, because
 *   `okr connect` records the account and refuses a silent account switch.
 * - `DataFieldDescriptor.availability` marks fields the provider does not offer: they stay
 *   declared so templates naming them still resolve.
 * - There is no `refreshTokens`: the seed's plugins each called `refreshAccessToken`; here the
 *   platform refreshes with what `OAuthConfig` declares (client authentication, rotation, extra
 *   token parameters) and the optional `adaptTokenResponse` hook for providers whose token
 *   endpoint does not answer in RFC 6749's shape (Withings' `{status, body}` envelope).
 * - `fetchData` returns `FetchResult` (records plus the dates to fetch again) rather than a bare
 *   array, so the sync engine can re-import unfinished days.
 */

import type { FileImportCapability } from './import-types.js';

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

/** How the client authenticates at the token (and revocation) endpoint, as RFC 7591 names it:
 * the secret in the form body, in an HTTP Basic header, or no secret (a public client). */
export type TokenEndpointAuth = 'client_secret_post' | 'client_secret_basic' | 'none';

/**
 * Where the browser is sent back to after consent.
 * - `loopback`: RFC 8252 §7.3, `http://127.0.0.1:<any port><path>`; the provider accepts any port
 *   (Google "Desktop app" clients). okr picks a free port for each sign-in.
 * - `registered`: the exact URI registered in the provider's developer console, host, port and
 *   path included (Oura). The URI is `<global.base_url><path>` (default base
 *   `http://localhost:8765`, default path `/<pluginId>/callback`); `okr config setup` prints it.
 *   An `http://localhost` or `http://127.0.0.1` URI is served by a one-shot server on that port;
 *   any other URI (an https page, as Withings demands) cannot be served by okr, so the user pastes
 *   the URL the browser landed on.
 */
export type RedirectSpec =
  | { kind: 'loopback'; path?: string }
  | {
      kind: 'registered';
      path?: string;
      /**
       * A setting of the plugin's own (`plugin.<id>.<configKey>`) holding the exact URI: when it is
       * set it replaces `<global.base_url><path>` (Oura's `plugin.oura.redirect_uri`).
       */
      configKey?: string;
    };

export interface OAuthConfig {
  clientId: string;
  clientSecret?: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** RFC 7009 revocation endpoint. Without it (and without `revokeTokens`) revocation is unsupported. */
  revokeUrl?: string;
  /**
   * The authorization server's issuer identifier (RFC 9207): an `iss` parameter in the
   * authorization response must equal it. Absent: the provider has none, and `iss` is not checked.
   */
  issuer?: string;
  scopes: string[];
  /** How `scope` is joined in the authorization request: RFC 6749's space, or Withings' comma. */
  scopeSeparator?: ' ' | ',';
  usePKCE: boolean;
  tokenEndpointAuth: TokenEndpointAuth;
  /** Extra authorization-request parameters, e.g. Google's `access_type=offline`, `prompt=consent`. */
  extraAuthParams?: Record<string, string>;
  /** Extra form parameters of every token request (code exchange and refresh): Withings' `action=requesttoken`. */
  extraTokenParams?: Record<string, string>;
  /**
   * Refresh tokens are single-use: each refresh returns a new one and the old one dies (Oura,
   * Withings). The platform then never sends a refresh request twice (no automatic retry of a
   * refresh that may have reached the provider), and saves the new pair before using it.
   */
  singleUseRefreshTokens?: boolean;
}

export interface OAuthCredentials {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
  /** Epoch milliseconds, when the provider says (e.g. a test-mode app's refresh token). */
  refreshTokenExpiresAt?: number;
  scope?: string;
  tokenType?: string;
  /** Epoch milliseconds when these tokens were obtained. */
  obtainedAt: number;
  /**
   * The account the token response named (`user_id`, not in RFC 6749: Fitbit's legacy API sent
   * it; Withings' `userid` once its adapter has mapped it), for a provider with no identity
   * endpoint. Kept across refreshes that do not repeat it.
   */
  userId?: string;
}

/** A token endpoint's answer as the platform read it: HTTP status, headers, and the body parsed as
 * JSON (`undefined` when it is not JSON). `adaptTokenResponse` maps one to the RFC 6749 shape. */
export interface TokenEndpointAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A token-endpoint failure as the platform categorised it, for `tokenErrorHint`. */
export interface TokenFailure {
  category: string;
  /** The OAuth `error` code, e.g. `invalid_grant`. */
  reason?: string;
  /** Its `error_description`, bounded and printable. */
  description?: string;
  status?: number;
}

/** The values a metric can really take, inclusive on both ends, in its stored form (minutes for durations). */
export interface ValueRange {
  min: number;
  max: number;
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
  /**
   * The OAuth scope that reads this field. When the stored grant lists its scopes and this one is
   * not among them (the user left its box unticked), the sync skips the field and reports it,
   * and `okr connect` names the fields an unticked scope leaves without data.
   */
  scope?: string;
  /**
   * The values this field can really take (src/metrics/plausible.ts `RANGES`); without it, its
   * type's range. Every path that stores a value refuses one outside it, and a date outside
   * 1970-01-01..tomorrow, through the one rule in src/metrics/plausible.ts.
   */
  range?: ValueRange;
}

export type FieldValue = number | string;

export interface ImportedDataRecord {
  /** The user's local calendar date, `YYYY-MM-DD`. */
  date: string;
  /** Keys are field ids declared by `getAvailableFields()`. A missing key means no data. */
  fields: Record<string, FieldValue>;
  /**
   * The UTC offset (minutes east of UTC) of the user's day this record describes, when the
   * provider gives one (Oura's `-05:00`, Google's `utcOffset`): a traveller's days keep their own.
   */
  utcOffsetMinutes?: number;
}

export interface FetchResult {
  records: ImportedDataRecord[];
  /** Dates whose data is provisional (e.g. a sleep not yet processed): fetch them again next sync. */
  provisionalDates: string[];
  /**
   * Requested fields the provider refused for lack of a granted scope (a 403 for that data type),
   * while the others were fetched. A plugin throws instead when nothing could be fetched.
   */
  notGranted?: string[];
}

/** What core code hands a plugin: config lookup, the network, the clock, the user's time zone. */
export interface PluginRuntime {
  /** Resolves a full config key (`plugin.fitbit.client_id`, `global.base_url`) through conf file, keychain, env. */
  getConfig(key: string): Promise<string | undefined>;
  /**
   * Where `getConfig(key)` found its value (`file`, `env`, …), for an error that names it (a bad
   * endpoint URL: fix the config file, or unset the variable). Optional: test runtimes need not.
   */
  configSource?(key: string): Promise<'file' | 'keychain' | 'secrets-file' | 'env' | 'default' | 'unset'>;
  fetch: typeof fetch;
  now(): Date;
  /** Aborts in-flight requests (Ctrl-C, timeouts, a sibling request's failure). */
  signal?: AbortSignal;
  /** The user's IANA time zone (`TZ`, else the system's), for providers that answer in UTC only. */
  timeZone: string;
  /**
   * The user's local calendar date and minutes after midnight of an instant: with the UTC offset
   * the provider reported for it (seconds east of UTC) when there is one, else in `timeZone`.
   */
  localClock(instantMs: number, offsetSeconds?: number): { date: string; minutes: number };
  /**
   * During a sync, for a plugin that `pagesLongRanges`: hands over every day from the start of
   * the range through `through` (inclusive) as finished, with their records. The engine stores
   * them and marks those days covered in one transaction at once, so an interrupted backfill
   * resumes after the last committed day. Call it as pages arrive, oldest days first, once every
   * endpoint has passed `through`; records already committed need not be returned again. Absent
   * outside a sync (the contract suite, `okr connect`): then just return everything.
   */
  commitDays?(through: string, records: ImportedDataRecord[], provisionalDates?: string[]): void;
}

export interface ValidatedAccount {
  accountId: string;
  /** Human-friendly label, when the provider offers one. */
  label?: string;
}

/** Requests a provider allows. Every window given is honoured; the per-day one across runs. */
export interface Quota {
  requestsPerMinute?: number;
  requestsPerDay?: number;
  /** Any other window, e.g. Oura's 5000 requests per 5 minutes: `{ requests: 5000, seconds: 300 }`. */
  windows?: Array<{ requests: number; seconds: number }>;
}

export interface DataImportPlugin {
  /** Unique id, `[a-z][a-z0-9-]*`; the prefix of every metric name it writes. */
  id: string;
  name: string;
  description: string;
  icon?: string;

  getAdminConfigFields(): AdminConfigField[];
  /** Console steps for `okr config setup`. `configValues` holds the plugin's non-secret settings
   * by full key, plus `global.base_url`. The platform adds the redirect URI to register itself. */
  getSetupInfo(configValues: Record<string, string>): SetupInfoItem[];
  isConfigured(rt: PluginRuntime): Promise<boolean>;
  getOAuthConfig(rt: PluginRuntime): Promise<OAuthConfig>;
  getAvailableFields(): DataFieldDescriptor[];

  /** Calls the provider's identity endpoint; throws a `ProviderError` when the tokens do not work. */
  validateCredentials(rt: PluginRuntime, credentials: OAuthCredentials): Promise<ValidatedAccount>;
  /**
   * Dates are inclusive on both ends, in the user's local calendar; the range is at most
   * `maxDaysPerFetch` days. Requests go through `rt.fetch` with `rt.signal`. Errors are
   * `ProviderError`s: a 401 is `reauth` with `status: 401` (the engine refreshes once and retries),
   * 429 `rate_limited`, 5xx and network failures `transient`, 410 `retired`
   * (`providerErrorFromStatus` in src/plugins/provider-errors.ts does the standard part).
   * A day without data has no record (never zeros).
   */
  fetchData(
    rt: PluginRuntime,
    credentials: OAuthCredentials,
    startDate: string,
    endDate: string,
    fields: string[],
  ): Promise<FetchResult>;

  /**
   * The base URLs this plugin may call (the contract suite checks no request leaves them). The
   * first is the data API's, where `fetchData` sends its requests.
   */
  getBaseUrls(rt: PluginRuntime): Promise<string[]>;
  /**
   * Requests a `fetchData` of these fields sends at once for a recent range (Google Health: one per
   * data type). While a token refresh is on the wire the sync opens that many connections to the
   * data API, so their TCP and TLS handshakes overlap the refresh instead of following it.
   * Default 1.
   */
  requestsAtOnce?(fields: string[]): number;

  /** Where the browser returns after consent; default `{ kind: 'loopback' }` at `/`. */
  redirect?: RedirectSpec;
  /** Maps a token endpoint answer that is not RFC 6749's shape to one that is (envelopes, errors inside HTTP 200). */
  adaptTokenResponse?(answer: TokenEndpointAnswer): TokenEndpointAnswer;
  /**
   * For a provider that reports errors inside 2xx answers (Withings' `{status, body}` envelope):
   * the HTTP status an answer stands for, read from its body, or undefined to keep HTTP's. The
   * sync's fetch reads every answer through it, so its retries, quota back-off and the one
   * refresh on 401 treat an error in the body as that status; the plugin's own HTTP code then
   * receives that status too. Called often: keep it light (no schema library).
   */
  answerStatus?(answer: { status: number; headers: Headers; text: string }): number | undefined;
  /**
   * Revocation for a provider that does not speak RFC 7009 (Oura: `GET /oauth/revoke?access_token=`).
   * Throws on failure. Without it, `OAuthConfig.revokeUrl` is used as an RFC 7009 endpoint.
   */
  revokeTokens?(rt: PluginRuntime, cfg: OAuthConfig, credentials: OAuthCredentials): Promise<void>;
  /**
   * Provider-specific advice for a token-endpoint failure the platform has already categorised
   * (`reason` is the OAuth `error`, e.g. `invalid_grant`). Returns the hint to show instead of the
   * generic one, or undefined. Google uses it for its 7-day Testing-mode refresh tokens.
   */
  tokenErrorHint?(failure: TokenFailure, credentials: OAuthCredentials | undefined, nowMs: number): string | undefined;

  /** Provider quota the sync engine must stay within (every window), plus `Retry-After` / `X-RateLimit-*`. */
  quota?: Quota;
  /**
   * Largest date range one `fetchData` call is given: the provider's range cap (Google Health
   * roll-ups: 90). Without it (and without `pagesLongRanges`) the planner still cuts long ranges
   * into DEFAULT_CHUNK_DAYS, so every backfill is resumable.
   */
  maxDaysPerFetch?: number;
  /**
   * The provider takes any range and pages through it (Oura's `next_token`): the planner hands
   * `fetchData` the whole range at once, which costs only the pages the data fills, and the
   * plugin reports finished days through `rt.commitDays` so that an interrupted backfill resumes.
   */
  pagesLongRanges?: boolean;
  /**
   * Chunks a backfill fetches at once (default 3, CHUNK_CONCURRENCY in src/sync/engine.ts). A
   * plugin whose `fetchData` already sends all of a chunk's requests at once sets 1: a second
   * chunk in flight would save one round trip per chunk but hold twice the responses in memory.
   */
  chunksInFlight?: number;
  /** Days before today always fetched again (late data: sleeps synced from the app later). Default 7. */
  recentDays?: number;
  /**
   * Loads the modules `fetchData` needs (schemas, mapping). The engine calls it while the token
   * refresh is on the wire, so their compile overlaps the round trip instead of following it.
   */
  preload?(): Promise<unknown>;
  /** Reads the client file a provider's console downloads (Google: client_secret_*.json) into
   * admin config values by short key (`{ client_id, client_secret }`), for `config setup --from-file`. */
  parseClientFile?(text: string): Record<string, string>;
  /** Refresh-token lifetime that means "test mode" (Google: 7 days), used for warnings. */
  shortRefreshTokenLifetimeMs?: number;
  /** File importers for `okr import`, and whether the plugin also signs in (src/plugins/import-types.ts). */
  fileImport?: FileImportCapability;
}
