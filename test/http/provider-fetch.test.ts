/**
 * The provider fetch (src/http/provider-fetch.ts) over the real transport (node-fetch.ts), against
 * real servers: "home" on 127.0.0.1 and "elsewhere" on 127.0.0.2, another origin. Every case checks
 * what reached the servers, not only what the client says.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestHeaders } from '../../src/http/headers.js';
import { nodeFetch } from '../../src/http/node-fetch.js';
import { HttpPolicyError } from '../../src/http/policy-error.js';
import { createProviderFetch, MAX_RESPONSE_BYTES } from '../../src/http/provider-fetch.js';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

let home: Server;
let elsewhere: Server;
let homeUrl: string;
let elsewhereUrl: string;
const atHome: Seen[] = [];
const atElsewhere: Seen[] = [];
/** Bytes the endless route wrote before the client hung up. */
let endlessWritten = 0;

function record(list: Seen[], req: IncomingMessage, then: (body: string) => void) {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    list.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
    then(body);
  });
}

function homeHandler(req: IncomingMessage, res: ServerResponse) {
  record(atHome, req, () => {
    const path = req.url ?? '/';
    if (path === '/away') {
      res.writeHead(307, { location: `${elsewhereUrl}/collect` });
      res.end();
    } else if (path === '/other-port') {
      // Same host, another port: another origin too.
      res.writeHead(308, { location: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/collect` });
      res.end();
    } else if (path === '/moved') {
      res.writeHead(307, { location: '/json' });
      res.end();
    } else if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (path === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (path === '/declared-huge') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(700 * 2 ** 20) });
      res.write('[');
    } else if (path === '/endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        // Stops by itself at 256 MiB, whatever the client does.
        while (!res.destroyed && endlessWritten < 256 * 2 ** 20) {
          endlessWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.destroy();
      };
      pump();
    } else if (path === '/hang') {
      // Never answers; closeAllConnections ends it.
    } else {
      res.writeHead(404);
      res.end();
    }
  });
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  home = createServer(homeHandler);
  elsewhere = createServer((req, res) =>
    record(atElsewhere, req, () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"collected":true}');
    }),
  );
  homeUrl = await listen(home, '127.0.0.1');
  elsewhereUrl = await listen(elsewhere, '127.0.0.2');
});
afterAll(() => {
  for (const s of [home, elsewhere]) {
    s.closeAllConnections();
    s.close();
  }
});
beforeEach(() => {
  atHome.length = 0;
  atElsewhere.length = 0;
});

const TOKEN = 'ya29.secret-bearer-token';
const providerFetch = createProviderFetch(nodeFetch, { timeoutMs: 2_000 });

async function refusal(p: Promise<unknown>): Promise<HttpPolicyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpPolicyError);
  return err as HttpPolicyError;
}

describe('redirects: within the origin only', () => {
  it('a 307 to another host is refused: neither the Bearer token nor the body leaves', async () => {
    const err = await refusal(
      providerFetch(`${homeUrl}/away`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: new URLSearchParams({ refresh_token: 'r-secret', client_secret: 'c-secret' }),
      }),
    );
    expect(err.kind).toBe('redirect');
    expect(err.retryable).toBe(false);
    expect(err.describe('The API')).toBe(
      `The API answered with a redirect (HTTP 307) to another origin (${elsewhereUrl}), which okr does not follow`,
    );
    expect(atHome).toHaveLength(1);
    expect(atElsewhere).toEqual([]);
  });

  it('another port of the same host is another origin', async () => {
    const err = await refusal(
      providerFetch(`${homeUrl}/other-port`, { headers: { Authorization: `Bearer ${TOKEN}` } }),
    );
    expect([err.kind, err.status]).toEqual(['redirect', 308]);
    expect(atElsewhere).toEqual([]);
  });

  it('a redirect within the origin is followed, with its headers and body; loops stop', async () => {
    const res = await providerFetch(`${homeUrl}/moved`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: 'x=1',
    });
    expect(await res.json()).toEqual({ ok: true });
    expect(res.url).toBe(`${homeUrl}/json`);
    expect(atHome.map((s) => [s.method, s.url, s.authorization, s.body])).toEqual([
      ['POST', '/moved', `Bearer ${TOKEN}`, 'x=1'],
      ['POST', '/json', `Bearer ${TOKEN}`, 'x=1'],
    ]);
    expect((await refusal(providerFetch(`${homeUrl}/loop`))).describe('It')).toBe(
      'It answered with more than 5 redirects',
    );
    expect(atHome.length).toBeLessThanOrEqual(2 + 6);
  });

  it("redirect: 'manual' (oauth4webapi's choice) gets the 3xx itself", async () => {
    const res = await providerFetch(`${homeUrl}/away`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([307, `${elsewhereUrl}/collect`]);
    expect(atElsewhere).toEqual([]);
  });

  it('the bare transport, following on its own, drops the credentials when it leaves the origin', async () => {
    const res = await nodeFetch(`${homeUrl}/away`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Kept': 'yes' },
      body: 'b',
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(atElsewhere).toHaveLength(1);
    expect(atElsewhere[0]!.authorization).toBeUndefined();
  });
});

describe('the body cap', () => {
  it(`an endless 200 body stops at ${MAX_RESPONSE_BYTES / 2 ** 20} MiB: the download is cancelled`, async () => {
    endlessWritten = 0;
    const t0 = performance.now();
    const err = await refusal(providerFetch(`${homeUrl}/endless`));
    expect(err.kind).toBe('too_large');
    expect(err.describe('The API')).toBe('The API sent a response larger than 4 MiB, the most okr reads');
    // The server stopped writing soon after: the cap, plus what the socket buffers held.
    await new Promise((r) => setTimeout(r, 100));
    expect(endlessWritten).toBeLessThan(MAX_RESPONSE_BYTES + 16 * 2 ** 20);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('a declared Content-Length over the cap is refused before any of it is read', async () => {
    const err = await refusal(providerFetch(`${homeUrl}/declared-huge`));
    expect(err.kind).toBe('too_large');
  });

  it('a body under the cap arrives whole', async () => {
    const small = createProviderFetch(nodeFetch, { maxBodyBytes: 11 });
    expect(await (await small(`${homeUrl}/json`)).text()).toBe('{"ok":true}');
    expect((await refusal(createProviderFetch(nodeFetch, { maxBodyBytes: 10 })(`${homeUrl}/json`))).kind).toBe(
      'too_large',
    );
  });
});

describe('the deadline', () => {
  it('a server that never answers fails after the deadline, as a retryable refusal', async () => {
    const t0 = performance.now();
    const err = await refusal(createProviderFetch(nodeFetch, { timeoutMs: 300 })(`${homeUrl}/hang`));
    expect(err.kind).toBe('deadline');
    expect(err.retryable).toBe(true);
    expect(err.describe('The API')).toBe('The API sent no complete answer within 0.3 s');
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it("the caller's own abort stays the caller's", async () => {
    const ac = new AbortController();
    const reason = new Error('Ctrl-C');
    setTimeout(() => ac.abort(reason), 50);
    await expect(providerFetch(`${homeUrl}/hang`, { signal: ac.signal })).rejects.toBe(reason);
  });
});

describe('header values are never quoted', () => {
  const hostile = ['ya29.a\r\nX-Injected: 1', 'ya29.a\u0000b', 'ya29.\u001b[2Jwiped', 'ya29.\u0100wide'];
  it.each(hostile)('a token with control characters (%j) fails naming the header only', async (token) => {
    const err = await refusal(nodeFetch(`${homeUrl}/json`, { headers: { Authorization: `Bearer ${token}` } }));
    expect(err.kind).toBe('bad_header');
    expect(err.message).toBe(
      'the server was not called: its authorization header holds a character HTTP does not allow',
    );
    expect(err.message).not.toContain('ya29');
    expect(atHome).toEqual([]);
  });

  it('requestHeaders keeps good values as Headers does', () => {
    const h = requestHeaders([
      ['Accept', 'application/json'],
      ['X-Latin', 'caf\u00e9'],
    ]);
    expect([h.get('accept'), h.get('x-latin')]).toEqual(['application/json', 'caf\u00e9']);
  });
});
