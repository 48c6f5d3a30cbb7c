/**
 * The Google provider module of the simulator (src/simulator/module.ts): Google OAuth 2.0 for a
 * Desktop app client (oauth.ts) and the Google Health API v4 endpoints okr uses (health-api.ts)
 * over generated data (data.ts), with Google's faults (faults.ts).
 *
 * Mounted at `/google` it answers `/o/oauth2/v2/auth` (+ `/decision`), `/token`, `/revoke` and
 * `/v4/users/…` below it; `startSimulator` (server.ts) hosts it alone.
 */
import type { OAuthCredentials } from '../plugins/types.js';
import { Dataset } from './data.js';
import {
  ENDLESS_PAGE_TOKEN,
  earlyFault,
  faultApplies,
  goneResponse,
  lateFault,
  noFaults,
  type SimulatorFaults,
  tokenFault,
} from './faults.js';
import { applyFieldMask, parseFieldMask, unknownPath } from './field-mask.js';
import { checkDataType, dailyRollUp, type HealthApiDeps, identity, list } from './health-api.js';
import {
  type ModuleAnswer,
  type ModuleFactory,
  type ModuleHandleBase,
  type ModuleRequest,
  moduleStats,
  type SimulatorModule,
} from './module.js';
import { OAuthServer } from './oauth.js';
import { digits, hashSeed, mulberry32 } from './prng.js';
import { badRequest, html, json, rpcError, type SimResponse } from './responses.js';
import { SLEEP_LIST_SHAPE } from './shapes.js';

export interface GoogleHealthOptions {
  /** Seed of the generated data (default 1). The same seed and `now` give the same data. */
  seed?: number;
  /** The simulator's "now": its today and the unprocessed last night follow from it (default: the real now). */
  now?: Date;
  /** The simulated user's IANA time zone; default America/New_York (it has DST). */
  timeZone?: string;
  /** Days of history, today included (default 800: more than two years). */
  days?: number;
  clientId?: string;
  clientSecret?: string;
  /** Redirect from the authorize endpoint at once, as if the user clicked Allow (default false). */
  autoApprove?: boolean;
  /** `expires_in` of access tokens (default 3599, as Google). */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime; set 604799 to act like a Testing-mode project. Default: unlimited. */
  refreshTokenTtlSeconds?: number;
  /** Authorization code lifetime (default 300 s). */
  codeTtlSeconds?: number;
  /** Return a new refresh token on every refresh and invalidate the old one (Google does not). */
  rotateRefreshTokens?: boolean;
  /** Enforce this many Health API requests per minute (Google: 300 per user); default off. */
  rateLimitPerMinute?: number;
  /** The clock used for token and code expiry (default Date.now). */
  clock?: () => number;
}

/** What tests, benchmarks and the demo use: URLs, env, stats, faults, data, token helpers. */
export interface GoogleHealthHandle extends ModuleHandleBase {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /**
   * Requests per endpoint: `authorize`, `authorize:decision`, `token`, `token:authorization_code`,
   * `token:refresh_token`, `revoke`, `identity`, `dailyRollUp:<type>`, `list:<type>`, `other`,
   * plus the totals `api` (Health API) and `all`, and `endlessBodyBytes` (bytes of endless bodies
   * written: what a client read before it hung up, plus the socket buffers).
   */
  stats: Record<string, number>;
  /** Mutable fault injection; see SimulatorFaults. */
  faults: SimulatorFaults;
  /** `expires_in` for access tokens issued from now on. */
  setTokenTtl(seconds: number): void;
  /** Tokens as if the user had consented, skipping the browser (default: the three read scopes). */
  issueTokens(scopes?: string[]): OAuthCredentials;
  /** Every access token issued so far expires now. */
  expireAccessTokens(): void;
  /** Every grant is revoked (the user removed the app). */
  revokeAll(): void;
  /** The generated data, for tests that compare what okr imported with the truth. */
  data: Dataset;
  healthUserId: string;
}

function notFound(path: string): SimResponse {
  // Google's front end answers unknown paths with an HTML page, not a google.rpc.Status.
  return html(
    404,
    `<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>${path.replace(/[<>&]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>`,
  );
}

const DATA_POINTS = /^\/v4\/users\/([^/]+)\/dataTypes\/([a-z0-9-]+)\/dataPoints(:dailyRollUp)?$/;

/**
 * A successful answer cut down to the `fields` mask (field-mask.ts). A mask that does not parse,
 * or names a field the answer cannot carry, is Google's 400 (the message as other Google APIs
 * word it); the `refuseFieldMask` fault refuses every mask so.
 */
function maskRefused(detail: string): SimResponse {
  return rpcError(400, 'INVALID_ARGUMENT', `Request contains an invalid argument.`, [
    badRequest([{ field: 'fields', description: detail }]),
  ]);
}

function masked(r: SimResponse, mask: string, endpoint: string, refuse: boolean): SimResponse {
  if (r.status !== 200 || r.json === undefined) return r;
  if (refuse) return maskRefused(`Error expanding 'fields' parameter: field masks are not supported here.`);
  const tree = parseFieldMask(mask);
  if (!tree) return maskRefused(`Error expanding 'fields' parameter. Invalid field selection: ${mask}`);
  const bad = unknownPath(tree, endpoint === 'list:sleep' ? SLEEP_LIST_SHAPE : r.json);
  if (bad) return maskRefused(`Error expanding 'fields' parameter. Cannot find matching fields for path '${bad}'.`);
  return json(200, applyFieldMask(r.json, tree));
}

export const googleHealthModule =
  (opts: GoogleHealthOptions = {}): ModuleFactory<GoogleHealthHandle> =>
  (mount) => {
    const seed = opts.seed ?? 1;
    const clock = opts.clock ?? Date.now;
    const idRng = mulberry32(hashSeed(seed, 'identity'));
    const healthUserId = digits(idRng, 19);
    const clientId = opts.clientId ?? `${digits(idRng, 12)}-okrsimulator.apps.googleusercontent.com`;
    const clientSecret = opts.clientSecret ?? 'GOCSPX-okr-simulator-secret';
    const data = new Dataset({
      seed,
      now: opts.now ?? new Date(),
      timeZone: opts.timeZone ?? 'America/New_York',
      days: opts.days ?? 800,
    });
    const deps: HealthApiDeps = { data, healthUserId, legacyUserId: digits(idRng, 6).replace(/^./, 'B') };
    const oauth = new OAuthServer({
      clientId,
      clientSecret,
      clock,
      accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3599,
      refreshTokenTtlSeconds: opts.refreshTokenTtlSeconds,
      codeTtlSeconds: opts.codeTtlSeconds ?? 300,
      rotateRefreshTokens: opts.rotateRefreshTokens ?? false,
      autoApprove: opts.autoApprove ?? false,
    });
    const faults = noFaults();
    const { stats, count, reset: resetStats } = moduleStats();
    const recent: number[] = [];

    function route(req: ModuleRequest): ModuleAnswer {
      const { method, path, url, body } = req;
      const contentType = req.headers['content-type'] ?? '';

      // OAuth endpoints: faults apply only when `faults.endpoints` names them.
      // `gone` answers before any handler runs, so a retired API consumes no code and issues no token.
      const oauthRoute = (endpoint: string, fn: () => SimResponse) => ({
        endpoint,
        response: faults.gone
          ? goneResponse()
          : (earlyFault(faults, faultApplies(faults, endpoint, false), false, url.pathname + url.search) ?? fn()),
      });
      if (path === '/o/oauth2/v2/auth' && method === 'GET') {
        return oauthRoute('authorize', () => oauth.authorize(url.searchParams));
      }
      if (path === '/o/oauth2/v2/auth/decision' && method === 'POST') {
        return oauthRoute('authorize:decision', () => oauth.decide(new URLSearchParams(body)));
      }
      if (path === '/token' && method === 'POST') {
        const grant = new URLSearchParams(body).get('grant_type');
        if (grant) count(`token:${grant}`);
        return oauthRoute('token', () => tokenFault(faults, oauth.token(contentType, body)));
      }
      if (path === '/revoke' && method === 'POST') {
        return oauthRoute('revoke', () => oauth.revoke(url.searchParams, body));
      }

      let endpoint = 'other';
      let handler: ((scopes: string[]) => SimResponse) | undefined;
      const m = DATA_POINTS.exec(path);
      if (path === '/v4/users/me/identity' && method === 'GET') {
        endpoint = 'identity';
        handler = (scopes) => identity(deps, scopes);
      } else if (m && (m[1] === 'me' || m[1] === healthUserId)) {
        const dataType = m[2]!;
        if (m[3] && method === 'POST') {
          endpoint = `dailyRollUp:${dataType}`;
          // As for lists below: the endless-pagination fault's token reads as the first page again
          // (without this, the roll-up answered 400 "Invalid page token" instead of looping).
          const rollupBody = body.split(ENDLESS_PAGE_TOKEN).join('');
          handler = (scopes) => checkDataType(dataType, scopes) ?? dailyRollUp(deps, dataType, rollupBody);
        } else if (!m[3] && method === 'GET') {
          endpoint = `list:${dataType}`;
          const q = new URLSearchParams(url.searchParams);
          if (q.get('pageToken') === ENDLESS_PAGE_TOKEN) q.delete('pageToken');
          handler = (scopes) => checkDataType(dataType, scopes) ?? list(deps, dataType, q);
        }
      }
      if (!path.startsWith('/v4/')) return { endpoint, response: notFound(url.pathname) };
      count('api');
      if (!handler) return { endpoint, response: notFound(url.pathname) };
      if (faults.gone) return { endpoint, response: goneResponse() };

      oauth.expireAll = faults.expiredToken;
      const auth = oauth.authenticate(req.headers.authorization);
      if (!auth.ok) return { endpoint, response: auth.response };
      const early = earlyFault(faults, faultApplies(faults, endpoint, true), true, url.pathname + url.search);
      if (early) return { endpoint, response: early };
      if (opts.rateLimitPerMinute !== undefined) {
        const now = clock();
        while (recent.length && recent[0]! <= now - 60_000) recent.shift();
        if (recent.length >= opts.rateLimitPerMinute) {
          return {
            endpoint,
            response: rpcError(
              429,
              'RESOURCE_EXHAUSTED',
              "Quota exceeded for quota metric 'Queries per minute per user'.",
            ),
          };
        }
        recent.push(now);
      }
      const mask =
        url.searchParams.get('fields') ??
        url.searchParams.get('$fields') ??
        (req.headers['x-goog-fieldmask'] as string | undefined);
      const full = handler(auth.scopes);
      const response = mask === undefined ? full : masked(full, mask, endpoint, faults.refuseFieldMask === true);
      return { endpoint, response: faultApplies(faults, endpoint, true) ? lateFault(faults, response) : response };
    }

    const module: SimulatorModule = {
      handle(req) {
        let answer: ModuleAnswer;
        try {
          answer = route(req);
          if (faults.gone) answer = { endpoint: answer.endpoint, response: goneResponse() }; // "410 for everything"
        } catch (err) {
          answer = {
            endpoint: 'other',
            response: rpcError(500, 'INTERNAL', `Simulator error: ${(err as Error).message}`),
          };
        }
        count(answer.endpoint);
        count('all');
        return answer;
      },
      latencyMs: () => faults.latencyMs,
      handshakeMs: () => faults.handshakeMs ?? 0,
      endlessBytes: (n) => {
        stats.endlessBodyBytes = (stats.endlessBodyBytes ?? 0) + n;
      },
    };

    const base = mount.baseUrl;
    const handle: GoogleHealthHandle = {
      url: base,
      authUrl: `${base}/o/oauth2/v2/auth`,
      tokenUrl: `${base}/token`,
      revokeUrl: `${base}/revoke`,
      apiBaseUrl: `${base}/v4`,
      clientId,
      clientSecret,
      env: {
        FITBIT_CLIENT_ID: clientId,
        FITBIT_CLIENT_SECRET: clientSecret,
        FITBIT_AUTH_URL: `${base}/o/oauth2/v2/auth`,
        FITBIT_TOKEN_URL: `${base}/token`,
        FITBIT_REVOKE_URL: `${base}/revoke`,
        FITBIT_API_BASE_URL: `${base}/v4`,
      },
      stats,
      resetStats,
      faults,
      setTokenTtl: (seconds) => {
        oauth.accessTokenTtlSeconds = seconds;
      },
      issueTokens: (scopes) => oauth.issue(scopes),
      expireAccessTokens: () => oauth.expireAccessTokens(),
      revokeAll: () => oauth.revokeAll(),
      data,
      healthUserId,
    };
    return { module, handle };
  };
