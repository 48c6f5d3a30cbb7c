/**
 * The Withings provider module of the simulator (src/simulator/module.ts): Withings' OAuth
 * (oauth.ts) and the data calls okr makes (api.ts) over generated data (data.ts), with the
 * `{status, body}` envelope on every answer, Withings' rate limit and faults.
 *
 * `withingsModule(options)` is the module factory: mounted at `/<name>` (`/withings`) it answers
 * `/oauth2_user/authorize2` (+ `/decision`), `/v2/oauth2`, `/measure`, `/v2/sleep` and
 * `/v2/measure` below it. `startWithingsSimulator` hosts it alone on the shared server, for tests
 * and benchmarks of the withings plugin.
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
import type { SimResponse } from '../responses.js';
import { startSimulatorServer } from '../server.js';
import { envelopeError, getactivity, getmeas, getsummary, withingsJson } from './api.js';
import { WithingsDataset } from './data.js';
import { WithingsOAuthServer } from './oauth.js';

export { WithingsDataset, type WithingsSimDay } from './data.js';
export { OLD_REFRESH_GRACE_MS, WITHINGS_SCOPES } from './oauth.js';

/** The redirect URI okr registers by default (`global.base_url` + `/withings/callback`). */
export const DEFAULT_WITHINGS_REDIRECT = 'http://localhost:8765/withings/callback';
/** Withings' limit: 120 requests per minute per application (free plan). */
export const WITHINGS_RATE_LIMIT_PER_MINUTE = 120;

export interface WithingsSimulatorOptions {
  seed?: number;
  /** The simulator's "now" for the data (default: the real now). */
  now?: Date;
  /** The user's home zone, the one measures are reported in (default Europe/Paris). */
  timeZone?: string;
  /** Days of history, today included (default 800). */
  days?: number;
  clientId?: string;
  clientSecret?: string;
  /** The app's registered callback URLs, matched exactly (default DEFAULT_WITHINGS_REDIRECT). */
  redirectUris?: string[];
  /** Approve without the consent page. */
  autoApprove?: boolean;
  /** `expires_in` of access tokens (default 10800, 3 h as documented). */
  accessTokenTtlSeconds?: number;
  /** Authorization code lifetime (default 30 s, as documented). */
  codeTtlSeconds?: number;
  /** Records per list page (default 300, as the sleep sample's `offset`). */
  pageSize?: number;
  /** Requests per minute before status 601 (default 120); null turns the limit off. */
  rateLimitPerMinute?: number | null;
  /** Send `userid` as a string. */
  userIdAsString?: boolean;
  /** The clock for tokens, codes and the rate limit (default Date.now). */
  clock?: () => number;
}

export type WithingsAction = 'getmeas' | 'getsummary' | 'getactivity';

export interface WithingsFaults {
  latencyMs: number;
  /**
   * The next `count` data requests (of `action`, or any) answer the envelope `status` (with
   * `error`) inside HTTP 200, or, with `http`, that HTTP status and a plain-text body.
   */
  failNext?: { status: number; count: number; action?: WithingsAction; error?: string; http?: boolean };
  /** The next `count` token requests answer this envelope status (e.g. 601, 522). */
  failToken?: { status: number; count: number; error?: string };
}

export interface WithingsHandle extends ModuleHandleBase {
  authUrl: string;
  tokenUrl: string;
  /** The API base okr's `plugin.withings.api_base_url` takes (paths add `/measure`, `/v2/sleep`, …). */
  apiBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: string[];
  readonly userId: number;
  readonly data: WithingsDataset;
  readonly oauth: WithingsOAuthServer;
  faults: WithingsFaults;
  /**
   * Requests per endpoint: `authorize`, `authorize:decision`, `token:authorization_code`,
   * `token:refresh_token`, `getmeas`, `getsummary`, `getactivity`, `rate_limited`, `other`, plus
   * the totals `api` and `all`.
   */
  stats: Record<string, number>;
  issueTokens(scopes?: string[]): OAuthCredentials;
  expireAccessTokens(): void;
  revokeAll(): void;
}

/** Which action each data path takes, as Withings routes them. */
const DATA_PATHS: Record<string, WithingsAction> = {
  '/measure': 'getmeas',
  '/v2/sleep': 'getsummary',
  '/v2/measure': 'getactivity',
};

export const withingsModule =
  (opts: WithingsSimulatorOptions = {}): ModuleFactory<WithingsHandle> =>
  (mount) => {
    const seed = opts.seed ?? 1;
    const clock = opts.clock ?? Date.now;
    const idRng = mulberry32(hashSeed(seed, 'withings-identity'));
    const hex = (n: number) => Array.from({ length: n }, () => idRng.int(0, 15).toString(16)).join('');
    const clientId = opts.clientId ?? `${hex(32)}${hex(32)}`;
    const clientSecret = opts.clientSecret ?? `okr-withings-simulator-${hex(16)}`;
    const userId = idRng.int(10_000_000, 99_999_999);
    const redirectUris = opts.redirectUris ?? [DEFAULT_WITHINGS_REDIRECT];
    const data = new WithingsDataset({
      seed,
      now: opts.now ?? new Date(),
      timeZone: opts.timeZone ?? 'Europe/Paris',
      days: opts.days ?? 800,
    });
    const oauth = new WithingsOAuthServer({
      clientId,
      clientSecret,
      redirectUris,
      clock,
      accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 10_800,
      codeTtlSeconds: opts.codeTtlSeconds ?? 30,
      autoApprove: opts.autoApprove,
      userId,
      userIdAsString: opts.userIdAsString,
    });
    const apiOpts = { pageSize: Math.max(1, opts.pageSize ?? 300) };
    const perMinute = opts.rateLimitPerMinute === undefined ? WITHINGS_RATE_LIMIT_PER_MINUTE : opts.rateLimitPerMinute;
    const { stats, count, reset: resetStats } = moduleStats();
    const window: number[] = [];
    const base = mount.baseUrl;
    const handle: WithingsHandle = {
      url: base,
      authUrl: `${base}/oauth2_user/authorize2`,
      tokenUrl: `${base}/v2/oauth2`,
      apiBaseUrl: base,
      env: {
        WITHINGS_CLIENT_ID: clientId,
        WITHINGS_CLIENT_SECRET: clientSecret,
        WITHINGS_REDIRECT_URI: redirectUris[0]!,
        WITHINGS_AUTH_URL: `${base}/oauth2_user/authorize2`,
        WITHINGS_TOKEN_URL: `${base}/v2/oauth2`,
        WITHINGS_API_BASE_URL: base,
      },
      clientId,
      clientSecret,
      redirectUris,
      userId,
      data,
      oauth,
      faults: { latencyMs: 0 },
      stats,
      resetStats,
      issueTokens: (scopes) => oauth.issue(scopes),
      expireAccessTokens: () => oauth.expireAccessTokens(),
      revokeAll: () => oauth.revokeAll(),
    };

    /** True when this request is over the app's per-minute limit (it is not counted then). */
    function overLimit(): boolean {
      if (perMinute === null) return false;
      const now = clock();
      while (window.length && window[0]! <= now - 60_000) window.shift();
      if (window.length >= perMinute) return true;
      window.push(now);
      return false;
    }

    /** A form POST's fields, or a GET's query (older clients). */
    function params(req: ModuleRequest): URLSearchParams {
      return req.method === 'POST' ? new URLSearchParams(req.body) : req.url.searchParams;
    }

    function api(req: ModuleRequest, action: WithingsAction): ModuleAnswer {
      count('api');
      const q = params(req);
      // Withings routes by path AND action: the wrong pair is "unknown action".
      if (q.get('action') !== action) return { endpoint: 'other', response: envelopeError(2554, 'Unknown action') };
      const auth = oauth.authenticate(req.headers.authorization);
      if (!auth.ok) return { endpoint: action, response: auth.response };
      if (overLimit()) {
        count('rate_limited');
        return { endpoint: action, response: envelopeError(601, 'Too Many Requests') };
      }
      const fail = handle.faults.failNext;
      if (fail && fail.count > 0 && (!fail.action || fail.action === action)) {
        fail.count--;
        const response: SimResponse = fail.http
          ? { status: fail.status, headers: { 'Content-Type': 'text/plain' }, body: `Simulated HTTP ${fail.status}` }
          : envelopeError(fail.status, fail.error ?? `Simulated status ${fail.status}`);
        return { endpoint: action, response };
      }
      const scope = action === 'getmeas' ? 'user.metrics' : 'user.activity';
      if (!auth.scopes.includes(scope)) return { endpoint: action, response: envelopeError(214, 'Unauthorized') };
      switch (action) {
        case 'getmeas':
          return { endpoint: action, response: getmeas(data, q, apiOpts) };
        case 'getsummary':
          return { endpoint: action, response: getsummary(data, q, apiOpts) };
        case 'getactivity':
          return { endpoint: action, response: getactivity(data, q, apiOpts) };
      }
    }

    function route(req: ModuleRequest): ModuleAnswer {
      const { method, path, url } = req;
      if (path === '/oauth2_user/authorize2' && method === 'GET') {
        return { endpoint: 'authorize', response: oauth.authorize(url.searchParams) };
      }
      if (path === '/oauth2_user/authorize2/decision' && method === 'POST') {
        return { endpoint: 'authorize:decision', response: oauth.decide(new URLSearchParams(req.body)) };
      }
      if (path === '/v2/oauth2' && method === 'POST') {
        const grant = new URLSearchParams(req.body).get('grant_type') ?? 'unknown';
        const fail = handle.faults.failToken;
        if (fail && fail.count > 0) {
          fail.count--;
          return {
            endpoint: `token:${grant}`,
            response: envelopeError(fail.status, fail.error ?? `Simulated status ${fail.status}`),
          };
        }
        return {
          endpoint: `token:${grant}`,
          response: oauth.token(String(req.headers['content-type'] ?? ''), req.body),
        };
      }
      const action = DATA_PATHS[path];
      if (action && (method === 'POST' || method === 'GET')) return api(req, action);
      // Withings answers unknown paths with its envelope too.
      return { endpoint: 'other', response: withingsJson({ status: 2554, body: {}, error: 'Unknown action' }) };
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

export interface WithingsSimulator extends WithingsHandle {
  close(): Promise<void>;
}

/** The Withings module alone on the shared simulator server on 127.0.0.1, mounted at `/withings`. */
export async function startWithingsSimulator(
  opts: WithingsSimulatorOptions & { port?: number } = {},
): Promise<WithingsSimulator> {
  const { port, ...withings } = opts;
  const server = await startSimulatorServer({ withings: withingsModule(withings) }, { port });
  return Object.assign(server.modules.withings, { close: server.close });
}
