import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../src/http/node-fetch.js';
import { OkrResponse } from '../../src/http/response.js';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];

function handler(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-two': 'a' });
      res.end('{"ok":true,"n":"42"}');
    } else if (req.url === '/see-other') {
      res.writeHead(303, { location: '/json' });
      res.end();
    } else if (req.url === '/found') {
      res.writeHead(302, { location: `${base}/json` });
      res.end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (req.url === '/empty') {
      res.writeHead(204);
      res.end();
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.destroy(), 20).unref();
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024, i));
      res.end();
    } else if (req.url === '/slow') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      setTimeout(() => res.end('rest'), 2000).unref();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('nodeFetch (okr’s fetch over node:http)', () => {
  it('returns a Response (okr’s own, http/response.ts) with status, headers and body', async () => {
    const res = await nodeFetch(`${base}/json`, { headers: { Authorization: 'Bearer t' } });
    expect(res).toBeInstanceOf(OkrResponse);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-two')).toBe('a');
    expect(res.url).toBe(`${base}/json`);
    expect(await res.json()).toEqual({ ok: true, n: '42' });
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer t');
    const missing = await nodeFetch(`${base}/nope`);
    expect([missing.status, missing.ok, await missing.text()]).toEqual([404, false, 'not here']);
  });

  it('sends form and JSON bodies with their content type and length', async () => {
    await nodeFetch(`${base}/json`, { method: 'POST', body: new URLSearchParams({ a: '1', b: 'x y' }) });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: 'a=1&b=x+y',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'content-length': '9' },
    });
    await nodeFetch(`${base}/json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ é: 1 }),
    });
    expect(seen.at(-1)).toMatchObject({
      body: '{"é":1}',
      headers: { 'content-type': 'application/json', 'content-length': '8' },
    });
  });

  it('follows redirects (303 becomes a GET), or returns them with redirect: manual, and stops loops', async () => {
    const followed = await nodeFetch(`${base}/see-other`, { method: 'POST', body: 'x' });
    expect(followed.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/json', body: '' });
    const manual = await nodeFetch(`${base}/found`, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([302, `${base}/json`]);
    await expect(nodeFetch(`${base}/loop`)).rejects.toThrow('too many redirects');
  });

  it('gives a null body for 204', async () => {
    const res = await nodeFetch(`${base}/empty`);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('fails like fetch on a refused connection: TypeError with the socket error as cause', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await nodeFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('fetch failed');
    expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('reads a body of many chunks whole, in order', async () => {
    const bytes = new Uint8Array(await (await nodeFetch(`${base}/big`)).arrayBuffer());
    expect(bytes.byteLength).toBe(64 * 16 * 1024);
    expect([bytes[0], bytes[16 * 1024], bytes[bytes.byteLength - 1]]).toEqual([0, 1, 63]);
  });

  it('fails like fetch when the connection is cut mid-body: TypeError "terminated" with the cause', async () => {
    const res = await nodeFetch(`${base}/cut`);
    const err = await res.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('terminated');
    expect((err as TypeError).cause).toBeInstanceOf(Error);
  });

  it('aborts a request in flight with the signal’s reason', async () => {
    const ac = new AbortController();
    const res = await nodeFetch(`${base}/slow`, { signal: ac.signal });
    const reason = new Error('stop');
    setTimeout(() => ac.abort(reason), 50);
    await expect(res.text()).rejects.toBe(reason);
    await expect(nodeFetch(`${base}/json`, { signal: ac.signal })).rejects.toBe(reason);
  });
});
