/**
 * While a token refresh is on the wire, the sync opens the connections its first data requests
 * will use (`requestsAtOnce`), so their handshakes overlap the refresh. Two real HTTP servers on
 * 127.0.0.1 play the token endpoint and the data API (other hosts, as Google's are) and count the
 * connections they accept.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createContext } from '../../src/context.js';
import type { DataImportPlugin } from '../../src/plugins/types.js';
import { runSync } from '../../src/sync/engine.js';
import { makeTestPlugin, testRegistry } from '../helpers/test-plugin.js';
import { until } from '../helpers/until.js';
import { connectHome } from './helpers.js';

const NOW = new Date('2026-11-10T15:00:00Z');
/** How long the token endpoint takes to answer: time enough for the connections to be opened. */
const TOKEN_DELAY_MS = 300;
const DATA_REQUESTS = 3;

interface Seen {
  accepted: number;
  requests: string[];
  closed: boolean;
}
interface Endpoint {
  url: string;
  server: Server;
  connections: Seen[];
}

function endpoint(answer: (path: string, send: (body: string) => void) => void): Promise<Endpoint> {
  const connections: Seen[] = [];
  const bySocket = new Map<Socket, Seen>();
  const server = createServer((req, res) => {
    bySocket.get(req.socket)?.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () =>
      answer(req.url ?? '', (body) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(body);
      }),
    );
  });
  server.on('connection', (socket: Socket) => {
    const seen = { accepted: performance.now(), requests: [], closed: false };
    connections.push(seen);
    bySocket.set(socket, seen);
    socket.on('close', () => (seen.closed = true));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections }),
    ),
  );
}

let token: Endpoint;
let data: Endpoint;
/** When the token endpoint sent its answer. */
let tokenAnsweredAt = 0;

// New servers for every test: the agent keeps connections alive, and a test must not reuse the
// previous test's.
beforeEach(async () => {
  token = await endpoint((_path, send) =>
    setTimeout(() => {
      tokenAnsweredAt = performance.now();
      send(JSON.stringify({ access_token: 'fresh-token', token_type: 'Bearer', expires_in: 3600 }));
    }, TOKEN_DELAY_MS),
  );
  data = await endpoint((_path, send) => send('{}'));
});
afterEach(async () => {
  for (const e of [token, data]) {
    e.server.closeAllConnections();
    await new Promise((r) => e.server.close(r));
  }
});

function plugin(requestsAtOnce: number): DataImportPlugin {
  return makeTestPlugin({
    getOAuthConfig: async () => ({
      clientId: 'id',
      clientSecret: 'secret',
      authorizationUrl: `${token.url}/authorize`,
      tokenUrl: `${token.url}/token`,
      scopes: ['read'],
      usePKCE: true,
      tokenEndpointAuth: 'client_secret_post',
    }),
    getBaseUrls: async () => [`${data.url}/v1`, token.url],
    requestsAtOnce: () => requestsAtOnce,
    async fetchData(rt, creds) {
      await Promise.all(
        Array.from({ length: DATA_REQUESTS }, async (_, i) => {
          const res = await rt.fetch(`${data.url}/v1/data/${i}`, {
            headers: { Authorization: `Bearer ${creds.accessToken}` },
            signal: rt.signal,
          });
          await res.text();
        }),
      );
      return { records: [], provisionalDates: [] };
    },
  });
}

async function sync(p: DataImportPlugin, expiresAt: number) {
  const c = await connectHome({
    pluginId: 'testsvc',
    credentials: { accessToken: 'old-token', refreshToken: 'refresh-1', expiresAt, obtainedAt: 0 },
  });
  const ctx = createContext({
    env: { ...c.env, OKR_HOME: c.home },
    homedir: c.home,
    now: () => NOW,
    registry: testRegistry(p),
  });
  try {
    const r = await runSync(ctx, { from: '2026-11-04', to: '2026-11-10', trigger: 'manual' });
    expect(r.plugins[0]).toMatchObject({ status: 'ok', refreshed: expiresAt < NOW.getTime() });
  } finally {
    ctx.close();
  }
}

describe('connections opened during a token refresh', () => {
  test('the data requests go out on connections opened before the refresh answered', async () => {
    await sync(plugin(DATA_REQUESTS), NOW.getTime() - 1000);
    // The token endpoint got its one request, on its own connection: nothing of the data went there.
    expect(token.connections.map((c) => c.requests)).toEqual([['POST /token']]);
    // The data API: one connection per request, every one accepted while the refresh was pending.
    expect(data.connections).toHaveLength(DATA_REQUESTS);
    for (const c of data.connections) {
      expect(c.requests).toHaveLength(1);
      expect(c.accepted).toBeLessThan(tokenAnsweredAt);
    }
    expect(data.connections.flatMap((c) => c.requests).sort()).toEqual([
      'GET /v1/data/0',
      'GET /v1/data/1',
      'GET /v1/data/2',
    ]);
  });

  test('connections no request used are closed when the sync ends', async () => {
    await sync(plugin(DATA_REQUESTS + 2), NOW.getTime() - 1000);
    expect(data.connections).toHaveLength(DATA_REQUESTS + 2);
    const unused = data.connections.filter((c) => c.requests.length === 0);
    expect(unused).toHaveLength(2);
    await until(() => unused.every((c) => c.closed), 'the unused connections are closed');
  });

  test('without a refresh, nothing is opened ahead', async () => {
    await sync(plugin(DATA_REQUESTS + 2), NOW.getTime() + 3_600_000);
    expect(token.connections).toEqual([]);
    expect(data.connections).toHaveLength(DATA_REQUESTS);
  });
});
