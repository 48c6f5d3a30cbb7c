/**
 * The simulator: one node:http server on 127.0.0.1 speaking Google OAuth 2.0 (for a Desktop app
 * client) and the Google Health API v4 endpoints okr uses, backed by generated data. Used by the
 * tests, the benchmarks and `okr demo`; `npm run simulator` runs it by hand (main.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { checkDataType, dailyRollUp, type HealthApiDeps, identity, list } from './health-api.js';
import { OAuthServer } from './oauth.js';
import { digits, hashSeed, mulberry32 } from './prng.js';
import { html, rpcError, type SimResponse } from './responses.js';

export interface SimulatorOptions {
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
  /** Port to listen on; default 0 (any free port). */
  port?: number;
}

export interface Simulator {
  /** http://127.0.0.1:<port> */
  url: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Environment variables that point okr at this simulator. */
  env: Record<string, string>;
  /**
   * Requests per endpoint: `authorize`, `authorize:decision`, `token`, `token:authorization_code`,
   * `token:refresh_token`, `revoke`, `identity`, `dailyRollUp:<type>`, `list:<type>`, `other`,
   * plus the totals `api` (Health API) and `all`, and `endlessBodyBytes` (bytes of endless bodies
   * written: what a client read before it hung up, plus the socket buffers).
   */
  stats: Record<string, number>;
  resetStats(): void;
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
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function notFound(path: string): SimResponse {
  // Google's front end answers unknown paths with an HTML page, not a google.rpc.Status.
  return html(
    404,
    `<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>${path.replace(/[<>&]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>`,
  );
}

/**
 * The endless-body fault: `[{"n":0},{"n":0},…` in 64 KiB writes, as fast as the client reads, until
 * it hangs up (`onBytes` counts what was written). The 256 MiB stop only keeps a client that
 * reads forever from running forever: for okr, whose cap is 4 MiB, the body has no end.
 */
async function streamEndless(res: ServerResponse, onBytes: (n: number) => void): Promise<void> {
  const chunk = Buffer.from('{"n":0},'.repeat(8192));
  let sent = 0;
  res.write('[');
  while (!res.destroyed && sent < 256 * 2 ** 20) {
    sent += chunk.length;
    onBytes(chunk.length);
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
  res.destroy();
}

const DATA_POINTS = /^\/v4\/users\/([^/]+)\/dataTypes\/([a-z0-9-]+)\/dataPoints(:dailyRollUp)?$/;

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
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
  const stats: Record<string, number> = {};
  const count = (key: string) => {
    stats[key] = (stats[key] ?? 0) + 1;
  };
  const recent: number[] = [];

  async function route(req: IncomingMessage, url: URL): Promise<{ endpoint: string; response: SimResponse }> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const body = method === 'POST' ? await readBody(req) : '';
    const contentType = req.headers['content-type'] ?? '';

    // OAuth endpoints: faults apply only when `faults.endpoints` names them.
    // `gone` answers before any handler runs, so a retired API consumes no code and issues no token.
    const oauthRoute = (endpoint: string, fn: () => SimResponse) => ({
      endpoint,
      response: faults.gone
        ? goneResponse()
        : (earlyFault(faults, faultApplies(faults, endpoint, false), false, req.url) ?? fn()),
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
    if (!path.startsWith('/v4/')) return { endpoint, response: notFound(path) };
    count('api');
    if (!handler) return { endpoint, response: notFound(path) };
    if (faults.gone) return { endpoint, response: goneResponse() };

    oauth.expireAll = faults.expiredToken;
    const auth = oauth.authenticate(req.headers.authorization);
    if (!auth.ok) return { endpoint, response: auth.response };
    const early = earlyFault(faults, faultApplies(faults, endpoint, true), true, req.url);
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
    const response = handler(auth.scopes);
    return { endpoint, response: faultApplies(faults, endpoint, true) ? lateFault(faults, response) : response };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let endpoint = 'other';
    let response: SimResponse;
    try {
      ({ endpoint, response } = await route(req, url));
      if (faults.gone) response = goneResponse(); // unknown paths too: "410 for everything"
    } catch (err) {
      response = rpcError(500, 'INTERNAL', `Simulator error: ${(err as Error).message}`);
    }
    count(endpoint);
    count('all');
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (response.hang) return; // close() ends the connection (closeAllConnections)
    res.writeHead(response.status, response.headers);
    if (response.endless) {
      return streamEndless(res, (n) => {
        stats.endlessBodyBytes = (stats.endlessBodyBytes ?? 0) + n;
      });
    }
    res.end(response.body);
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const sim: Simulator = {
    url,
    authUrl: `${url}/o/oauth2/v2/auth`,
    tokenUrl: `${url}/token`,
    revokeUrl: `${url}/revoke`,
    apiBaseUrl: `${url}/v4`,
    clientId,
    clientSecret,
    env: {
      FITBIT_CLIENT_ID: clientId,
      FITBIT_CLIENT_SECRET: clientSecret,
      FITBIT_AUTH_URL: `${url}/o/oauth2/v2/auth`,
      FITBIT_TOKEN_URL: `${url}/token`,
      FITBIT_REVOKE_URL: `${url}/revoke`,
      FITBIT_API_BASE_URL: `${url}/v4`,
    },
    stats,
    resetStats: () => {
      for (const k of Object.keys(stats)) delete stats[k];
    },
    faults,
    setTokenTtl: (seconds) => {
      oauth.accessTokenTtlSeconds = seconds;
    },
    issueTokens: (scopes) => oauth.issue(scopes),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeAll: () => oauth.revokeAll(),
    data,
    healthUserId,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
  return sim;
}
