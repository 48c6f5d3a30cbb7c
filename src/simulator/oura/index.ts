/**
 * The Oura provider module of the simulator (src/simulator/module.ts): Oura's OAuth (oauth.ts)
 * and the v2 `usercollection` endpoints okr reads (api.ts) over generated data (data.ts), with
 * Oura's rate limit and faults.
 *
 * `ouraModule(options)` is the module factory: mounted at `/<name>` (`/oura`) it answers
 * `/oauth/authorize` (+ `/decision`), `/oauth/token`, `/oauth/revoke` and
 * `/v2/usercollection/<collection>` below it. `startOuraSimulator` hosts it alone on the shared
 * simulator server (server.ts), for tests and benchmarks of the oura plugin.
 */
import type { OAuthCredentials } from '../../plugins/types.js';
import {
  type ModuleAnswer,
  type ModuleFactory,
  type ModuleHandleBase,
  type ModuleRequest,
  moduleStats,
  type SimulatorModule,
} from '../module.js';
import { hashSeed, mulberry32 } from '../prng.js';
import { startSimulatorServer } from '../server.js';
import { detail, forbidden, listCollection, type OuraUser, personalInfo } from './api.js';
import { OURA_COLLECTIONS, type OuraCollectionName, OuraDataset } from './data.js';
import { OuraOAuthServer } from './oauth.js';

export { OURA_COLLECTIONS, type OuraCollectionName, OuraDataset, type OuraSimDay } from './data.js';
export { OURA_SCOPES } from './oauth.js';

/** The redirect URI okr registers by default (`global.base_url` + `/oura/callback`). */
export const DEFAULT_OURA_REDIRECT = 'http://localhost:8765/oura/callback';
/** Oura's documented limit: 5000 requests per 5 minutes (per access token and per application). */
export const OURA_RATE_LIMIT = { requests: 5000, seconds: 300 };

export interface OuraSimulatorOptions {
  seed?: number;
  /** The simulator's "now" for the data (default: the real now). */
  now?: Date;
  /** The user's home zone (default America/New_York, which has DST). */
  timeZone?: string;
  /** Days of history, today included (default 800). */
  days?: number;
  clientId?: string;
  clientSecret?: string;
  /** The app's registered redirect URIs, matched exactly (default DEFAULT_OURA_REDIRECT). */
  redirectUris?: string[];
  /** Approve without the consent page: true for every requested scope, or the scopes left ticked. */
  autoApprove?: boolean | string[];
  /** Send `scope` in every token response, not only when the grant is narrower than asked. */
  alwaysSendScope?: boolean;
  /** `expires_in` of access tokens (default 86400). */
  accessTokenTtlSeconds?: number;
  /** Authorization code lifetime (default 600 s). */
  codeTtlSeconds?: number;
  /** Documents per list page (default 100). */
  pageSize?: number;
  /** Read `end_date` inclusively (default false: exclusive, as reported). */
  endInclusive?: boolean;
  /** Requests allowed per window (default OURA_RATE_LIMIT); null turns the limit off. */
  rateLimit?: { requests: number; seconds: number } | null;
  /** `Retry-After` seconds on a 429 (Oura documents none; default none). */
  retryAfterSeconds?: number;
  /** 403 bodies that say what is wrong (default true); false: a bare "Forbidden". */
  wordedErrors?: boolean;
  /** The clock for tokens, codes and the rate limit (default Date.now). */
  clock?: () => number;
}

export interface OuraFaults {
  /** Every data request answers 403: the user's Oura Membership has lapsed. */
  membershipExpired: boolean;
  latencyMs: number;
  /** The next `count` data requests (of `collection`, or any) answer `status`. */
  failNext?: { status: number; count: number; collection?: OuraCollectionName };
  /** Lists whose `start_date` is before `date` answer `ms` later (a slow archive: old data last). */
  slowBefore?: { date: string; ms: number };
}

/** What tests, benchmarks and the demo use: URLs, env, stats, faults, data, token helpers. */
export interface OuraHandle extends ModuleHandleBase {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** The API base okr's `plugin.oura.api_base_url` takes (paths add `/v2/usercollection/…`). */
  apiBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: string[];
  readonly data: OuraDataset;
  readonly user: OuraUser;
  readonly oauth: OuraOAuthServer;
  faults: OuraFaults;
  /**
   * Requests per endpoint: `authorize`, `authorize:decision`, `token:authorization_code`,
   * `token:refresh_token`, `revoke`, `personal_info`, `<collection>`, `rate_limited`, plus the
   * totals `api` and `all`.
   */
  stats: Record<string, number>;
  issueTokens(scopes?: string[], requested?: string[]): OAuthCredentials;
  expireAccessTokens(): void;
  revokeAll(): void;
  /** The fewest list calls that return `collection` for [from, to]: one per page. */
  minimumCalls(collection: OuraCollectionName, from: string, to: string): number;
}

const USERCOLLECTION = /^\/v2\/usercollection\/([a-z0-9_]+)$/;

export const ouraModule =
  (opts: OuraSimulatorOptions = {}): ModuleFactory<OuraHandle> =>
  (mount) => {
    const seed = opts.seed ?? 1;
    const clock = opts.clock ?? Date.now;
    const idRng = mulberry32(hashSeed(seed, 'oura-identity'));
    const hex = (n: number) => Array.from({ length: n }, () => idRng.int(0, 15).toString(16)).join('');
    const clientId = opts.clientId ?? `OKRSIM${hex(10).toUpperCase()}`;
    const clientSecret = opts.clientSecret ?? `okr-oura-simulator-secret-${hex(8)}`;
    const redirectUris = opts.redirectUris ?? [DEFAULT_OURA_REDIRECT];
    const user: OuraUser = {
      id: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
      email: 'sleeper@example.com',
      age: 38,
      weight: 72.5,
      height: 1.78,
      biological_sex: 'female',
    };
    const data = new OuraDataset({
      seed,
      now: opts.now ?? new Date(),
      timeZone: opts.timeZone ?? 'America/New_York',
      days: opts.days ?? 800,
    });
    const oauth = new OuraOAuthServer({
      clientId,
      clientSecret,
      redirectUris,
      clock,
      accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 86_400,
      codeTtlSeconds: opts.codeTtlSeconds ?? 600,
      autoApprove: opts.autoApprove,
      alwaysSendScope: opts.alwaysSendScope,
    });
    const apiOpts = { pageSize: Math.max(1, opts.pageSize ?? 100), endInclusive: opts.endInclusive ?? false };
    const limit = opts.rateLimit === undefined ? OURA_RATE_LIMIT : opts.rateLimit;
    const worded = opts.wordedErrors ?? true;
    const { stats, count, reset: resetStats } = moduleStats();
    // Request times, for the app-wide and the per-token window.
    const appWindow: number[] = [];
    const tokenWindows = new Map<string, number[]>();
    const base = mount.baseUrl;
    const handle: OuraHandle = {
      url: base,
      authUrl: `${base}/oauth/authorize`,
      tokenUrl: `${base}/oauth/token`,
      revokeUrl: `${base}/oauth/revoke`,
      apiBaseUrl: base,
      env: {
        OURA_CLIENT_ID: clientId,
        OURA_CLIENT_SECRET: clientSecret,
        OURA_REDIRECT_URI: redirectUris[0]!,
        OURA_AUTH_URL: `${base}/oauth/authorize`,
        OURA_TOKEN_URL: `${base}/oauth/token`,
        OURA_REVOKE_URL: `${base}/oauth/revoke`,
        OURA_API_BASE_URL: base,
      },
      clientId,
      clientSecret,
      redirectUris,
      data,
      user,
      oauth,
      faults: { membershipExpired: false, latencyMs: 0 },
      stats,
      resetStats,
      issueTokens: (scopes, requested) => oauth.issue(scopes, requested),
      expireAccessTokens: () => oauth.expireAccessTokens(),
      revokeAll: () => oauth.revokeAll(),
      minimumCalls: (collection, from, to) =>
        Math.max(1, Math.ceil(data.documents(collection, from, to).length / apiOpts.pageSize)),
    };

    /** True when this request is over the limit (it is not counted then). */
    function overLimit(token: string): boolean {
      if (!limit) return false;
      const now = clock();
      const cut = now - limit.seconds * 1000;
      let mine = tokenWindows.get(token);
      if (!mine) {
        mine = [];
        tokenWindows.set(token, mine);
      }
      for (const w of [appWindow, mine]) while (w.length && w[0]! <= cut) w.shift();
      if (appWindow.length >= limit.requests || mine.length >= limit.requests) return true;
      appWindow.push(now);
      mine.push(now);
      return false;
    }

    function api(req: ModuleRequest): ModuleAnswer {
      const m = USERCOLLECTION.exec(req.path);
      const name = m?.[1] ?? 'other';
      const known = name === 'personal_info' || (OURA_COLLECTIONS as string[]).includes(name);
      if (req.method !== 'GET' || !known) return { endpoint: 'other', response: detail(404, 'Not Found') };
      count('api');
      const auth = oauth.authenticate(req.headers.authorization);
      if (!auth.ok) return { endpoint: name, response: auth.response };
      if (overLimit(auth.token)) {
        count('rate_limited');
        const headers: Record<string, string> =
          opts.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(opts.retryAfterSeconds) };
        return { endpoint: name, response: detail(429, 'Request rate limit exceeded', headers) };
      }
      const fail = handle.faults.failNext;
      if (fail && fail.count > 0 && (!fail.collection || fail.collection === name)) {
        fail.count--;
        return { endpoint: name, response: detail(fail.status, `Simulated HTTP ${fail.status}`) };
      }
      if (name === 'personal_info') return { endpoint: name, response: personalInfo(user, auth.scopes) };
      if (handle.faults.membershipExpired) return { endpoint: name, response: forbidden('membership', worded) };
      // Every collection okr reads is a daily summary: scope `daily`.
      if (!auth.scopes.includes('daily')) return { endpoint: name, response: forbidden('scope', worded, 'daily') };
      return {
        endpoint: name,
        response: listCollection(data, name as OuraCollectionName, req.url.searchParams, apiOpts),
      };
    }

    function route(req: ModuleRequest): ModuleAnswer {
      const { method, path, url } = req;
      if (path === '/oauth/authorize' && method === 'GET') {
        return { endpoint: 'authorize', response: oauth.authorize(url.searchParams) };
      }
      if (path === '/oauth/authorize/decision' && method === 'POST') {
        return { endpoint: 'authorize:decision', response: oauth.decide(new URLSearchParams(req.body)) };
      }
      if (path === '/oauth/token' && method === 'POST') {
        const grant = new URLSearchParams(req.body).get('grant_type') ?? 'unknown';
        return {
          endpoint: `token:${grant}`,
          response: oauth.token(String(req.headers['content-type'] ?? ''), req.headers.authorization, req.body),
        };
      }
      if (path === '/oauth/revoke' && (method === 'GET' || method === 'POST')) {
        return { endpoint: 'revoke', response: oauth.revoke(url.searchParams) };
      }
      return api(req);
    }

    const module: SimulatorModule = {
      handle(req) {
        const answer = route(req);
        count(answer.endpoint);
        count('all');
        return answer;
      },
      latencyMs: () => handle.faults.latencyMs,
    };
    return { module, handle };
  };

export interface OuraSimulator extends OuraHandle {
  close(): Promise<void>;
}

/** The simulator with only the Oura module, mounted at `/oura`. */
export async function startOuraSimulator(opts: OuraSimulatorOptions & { port?: number } = {}): Promise<OuraSimulator> {
  const { port, ...oura } = opts;
  const server = await startSimulatorServer({ oura: ouraModule(oura) }, { port });
  return Object.assign(server.modules.oura, { close: server.close });
}
