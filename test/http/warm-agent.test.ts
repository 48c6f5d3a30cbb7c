/**
 * Connections opened ahead of requests (src/http/warm-agent.ts through node-fetch's preconnect),
 * against real loopback servers that count the connections they accept.
 */
import { createServer, Agent as HttpAgent, request as httpRequest, type Server } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createServer as createNetServer, isIP, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFetch, preconnect } from '../../src/http/node-fetch.js';
import { MAX_WARM_PER_HOST, warmAgent } from '../../src/http/warm-agent.js';
import { until } from '../helpers/until.js';

interface Counted {
  url: string;
  server: Server;
  /** Every connection accepted, in order, with the requests it carried. */
  connections: Array<{ socket: Socket; requests: string[]; closed: boolean }>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function countingServer(opts: { closeFirst?: boolean } = {}): Promise<Counted> {
  const connections: Counted['connections'] = [];
  const server = createServer((req, res) => {
    connections.find((c) => c.socket === req.socket)?.requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  server.on('connection', (socket: Socket) => {
    const c = { socket, requests: [] as string[], closed: false };
    connections.push(c);
    socket.on('close', () => (c.closed = true));
    socket.unref(); // so that the process-alive check counts only the client's handles
    if (opts.closeFirst && connections.length === 1) socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, connections };
}

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('preconnect', () => {
  it('opens the connections before any request, and the requests that follow use them', async () => {
    const s = await countingServer();
    const release = preconnect(`${s.url}/api`, 3);
    await until(() => s.connections.length === 3, '3 connections are accepted');
    const texts = await Promise.all([1, 2, 3].map(async (n) => (await nodeFetch(`${s.url}/api/${n}`)).text()));
    expect(texts).toEqual(['ok', 'ok', 'ok']);
    // No new connection: each request went on one of the warm ones.
    expect(s.connections).toHaveLength(3);
    expect(s.connections.map((c) => c.requests.length)).toEqual([1, 1, 1]);
    release();
  });

  it('never hands a warm connection to a request for another origin', async () => {
    const a = await countingServer();
    const b = await countingServer();
    const release = preconnect(a.url, 2);
    await until(() => a.connections.length === 2, 'a accepts 2 connections');
    expect(await (await nodeFetch(`${b.url}/x`)).text()).toBe('ok');
    expect(a.connections.flatMap((c) => c.requests)).toEqual([]);
    expect(b.connections.map((c) => c.requests)).toEqual([['/x']]);
    // The two nobody used are closed by release.
    release();
    await until(() => a.connections.every((c) => c.closed), "a's warm connections are closed");
  });

  it('release closes only the connections no request took', async () => {
    const s = await countingServer();
    const release = preconnect(s.url, 3);
    await until(() => s.connections.length === 3, '3 connections are accepted');
    expect(await (await nodeFetch(`${s.url}/one`)).text()).toBe('ok');
    release();
    await until(() => s.connections.filter((c) => c.closed).length === 2, 'the 2 unused ones are closed');
    const used = s.connections.find((c) => c.requests.length > 0)!;
    expect(used.closed).toBe(false);
    // The used one went back to the keep-alive pool and carries the next request.
    expect(await (await nodeFetch(`${s.url}/two`)).text()).toBe('ok');
    expect(used.requests).toEqual(['/one', '/two']);
    expect(s.connections).toHaveLength(3);
  });

  it(`opens at most ${MAX_WARM_PER_HOST} per host, however many are asked for`, async () => {
    const s = await countingServer();
    const release = preconnect(s.url, 50);
    await until(() => s.connections.length >= MAX_WARM_PER_HOST, `${MAX_WARM_PER_HOST} connections are accepted`);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.connections).toHaveLength(MAX_WARM_PER_HOST);
    release();
    await until(() => s.connections.every((c) => c.closed), 'all are closed');
  });

  it('does not keep the process alive while its connections wait', async () => {
    const s = await countingServer();
    const before = tcpHandles();
    const release = preconnect(s.url, 2);
    await until(() => s.connections.length === 2, '2 connections are accepted');
    // Unref'd handles are not active resources: these two would not hold the process open.
    expect(tcpHandles()).toBe(before);
    release();
  });

  it('skips a warm connection the server has closed, and the request goes on a new one', async () => {
    const s = await countingServer({ closeFirst: true });
    const url = new URL(`${s.url}/x`);
    const agent = warmAgent(HttpAgent, 80, isIP);
    try {
      agent.preconnect(url, 1);
      await until(() => s.connections[0]?.closed === true, 'the server closed it');
      await until(() => agent.waiting(url) === 0, 'the client dropped it');
      const status = await new Promise<number | undefined>((resolve, reject) =>
        httpRequest(url, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode)))
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(200);
      expect(s.connections.map((c) => c.requests)).toEqual([[], ['/x']]);
    } finally {
      agent.destroy();
    }
  });

  it('closes a warm connection no request took once it has waited idleMs, and only that one', async () => {
    const s = await countingServer();
    const url = new URL(`${s.url}/x`);
    // Long enough for the request below to take one first, on a busy machine too.
    const agent = warmAgent(HttpAgent, 80, isIP, 1000);
    try {
      agent.preconnect(url, 2);
      await until(() => s.connections.length === 2, '2 connections are accepted');
      const status = await new Promise<number | undefined>((resolve, reject) =>
        httpRequest(url, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode)))
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(200);
      expect(agent.waiting(url)).toBe(1);
      await until(() => s.connections.some((c) => c.closed), 'the unused one is closed');
      expect(agent.waiting(url)).toBe(0);
      const [used, unused] = [...s.connections].sort((a, b) => b.requests.length - a.requests.length);
      expect(unused).toMatchObject({ requests: [], closed: true });
      // The one a request took is the keep-alive pool's now (its own 5 s timeout), not idle-closed.
      await new Promise((r) => setTimeout(r, 1200));
      expect(used).toMatchObject({ requests: ['/x'], closed: false });
    } finally {
      agent.destroy();
    }
  });

  it('an https request takes the warm connection too (the same agent key as Node computes)', async () => {
    // A plain TCP server: the TLS handshake never completes, but which connection the request
    // goes on is decided before it, by the agent key.
    const accepted: Socket[] = [];
    const tcp = createNetServer((socket) => {
      accepted.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const url = new URL(`https://localhost:${(tcp.address() as { port: number }).port}/x`);
    const agent = warmAgent(HttpsAgent, 443, isIP);
    try {
      const release = agent.preconnect(url, 1);
      await until(() => accepted.length === 1, 'the warm connection is accepted');
      const req = httpsRequest(url, { agent });
      req.on('error', () => {});
      req.end();
      await new Promise((r) => setTimeout(r, 100));
      expect(accepted).toHaveLength(1);
      req.destroy();
      release();
    } finally {
      agent.destroy();
      for (const s of accepted) s.destroy();
      await new Promise((r) => tcp.close(r));
    }
  });

  it('ignores what it cannot connect to', () => {
    expect(() => preconnect('not a url', 2)()).not.toThrow();
    expect(() => preconnect('ftp://127.0.0.1/', 2)()).not.toThrow();
  });
});
