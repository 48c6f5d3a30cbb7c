/**
 * A small `fetch` over node:http/https, the one okr uses by default.
 *
 * Why not the global fetch: Node 20's fetch (undici) costs ~30 MB of resident memory (its HTTP
 * parser runs as WebAssembly) and 60-100 ms at process exit for a short sync, measured on the
 * 2-year backfill benchmark (bench/sync.bench.mjs). okr makes a handful of plain JSON requests,
 * so this covers what it needs: method, headers, a string/URLSearchParams/Uint8Array body,
 * AbortSignal, redirects ('follow' | 'manual' | 'error'), and a `Response` back: okr's own
 * (response.ts, the usual API), since touching the global one would load undici after all.
 *
 * This is the transport only. Provider calls go through provider-fetch.ts on top of it (in the
 * context), which follows no redirect to another origin, caps the body and sets a deadline. When
 * this fetch follows a redirect itself (the demo's scripted browser), it does what browsers do
 * since the Fetch standard's 2022 change: the credentials headers never go to another origin, and
 * it never goes from https to http.
 *
 * node:http and node:https (with tls and crypto behind them) load on the first request: most
 * commands read the database and never fetch, and those modules cost several ms of start-up.
 * Requests share one keep-alive agent per protocol (warm-agent.ts), with Node's global agent's
 * settings, which can also open connections ahead of them (`preconnect`).
 */
import type { IncomingMessage, request } from 'node:http';
import { requestHeaders } from './headers.js';
import { type ChunkSource, isRequest, NULL_BODY_STATUS, OkrHeaders, response } from './response.js';
import { type WarmAgent, warmAgent } from './warm-agent.js';

const MAX_REDIRECTS = 20;
/** Headers that carry credentials: dropped when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

function bodyOf(body: RequestInit['body']): { data?: Buffer; type?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return { data: Buffer.from(body), type: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) {
    return { data: Buffer.from(body.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (body instanceof Uint8Array) return { data: Buffer.from(body) };
  if (body instanceof ArrayBuffer) return { data: Buffer.from(new Uint8Array(body)) };
  throw new TypeError('okr fetch: unsupported request body type');
}

function headersOf(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  requestHeaders(init).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

interface Transport {
  send: typeof request;
  agent: WarmAgent;
}
const transports = new Map<string, Promise<Transport>>();

/** node:http or node:https, loaded on first use, with the keep-alive agent every request shares. */
function transport(protocol: string): Promise<Transport> {
  let t = transports.get(protocol);
  if (!t) {
    const https = protocol === 'https:';
    // node:net comes with either (they are built on it).
    t = Promise.all([https ? import('node:https') : import('node:http'), import('node:net')]).then(([m, net]) => ({
      send: m.request,
      agent: warmAgent(m.Agent, https ? 443 : 80, net.isIP),
    }));
    transports.set(protocol, t);
  }
  return t;
}

/**
 * Opens up to `count` connections to `url`'s host for the requests that will follow (warm-agent.ts
 * says why), once `url` is known: it may be a promise. Returns a function that closes those no
 * request has taken (and opens none if called before). Never throws: a URL it cannot use, or a
 * promise that rejects, opens nothing.
 */
export function preconnect(url: string | Promise<string | undefined>, count: number): () => void {
  let release: (() => void) | undefined;
  let released = false;
  void Promise.resolve(url)
    .then(async (u) => {
      if (u === undefined || count <= 0) return;
      const target = new URL(u); // not a URL: the catch below, and nothing opens
      if (target.protocol !== 'https:' && target.protocol !== 'http:') return;
      const { agent } = await transport(target.protocol);
      if (!released) release = agent.preconnect(target, count);
    })
    .catch(() => undefined);
  return () => {
    released = true;
    release?.();
  };
}

async function once(url: URL, init: RequestInit, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  const { data, type } = bodyOf(init.body);
  const headers = headersOf(init.headers);
  if (type && !headers['content-type']) headers['content-type'] = type;
  if (data) headers['content-length'] = String(data.length);
  headers['accept-encoding'] = 'identity';
  if (!headers.accept) headers.accept = '*/*';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
  }
  const { send, agent } = await transport(url.protocol);
  return new Promise((resolve, reject) => {
    const req = send(url, { method: (init.method ?? 'GET').toUpperCase(), headers, signal, agent }, resolve);
    req.on('error', (err) => {
      // The same shape as undici: a TypeError whose cause is the socket error, or the abort reason.
      reject(signal?.aborted ? signal.reason : Object.assign(new TypeError('fetch failed'), { cause: err }));
    });
    req.end(data);
  });
}

/**
 * The message's body as a ChunkSource. It is read through the stream's own async iterator, which
 * takes from the socket only as fast as it is asked (back-pressure: a reader that stops, like the
 * size cap in provider-fetch.ts, stops the download instead of queueing it).
 */
function bodySource(res: IncomingMessage, signal: AbortSignal | undefined): ChunkSource {
  let chunks: AsyncIterator<Buffer> | undefined;
  let failed: unknown;
  let finished = false;
  const onAbort = () => res.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  const finish = () => {
    finished = true;
    signal?.removeEventListener('abort', onAbort);
  };
  return {
    async read() {
      if (failed !== undefined) throw failed;
      if (finished) return null;
      try {
        chunks ??= res[Symbol.asyncIterator]();
        const next = await chunks.next();
        if (next.done) finish();
        return next.done ? null : next.value;
      } catch (err) {
        finish();
        // The same shapes as undici: the abort reason, or a TypeError whose cause is the failure.
        failed = signal?.aborted ? signal.reason : Object.assign(new TypeError('terminated'), { cause: err });
        throw failed;
      }
    },
    cancel() {
      if (finished) return;
      finish();
      res.destroy();
    },
  };
}

function toResponse(res: IncomingMessage, url: URL, signal: AbortSignal | undefined): Response {
  const headers = new OkrHeaders();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 0;
  const body = NULL_BODY_STATUS.has(status) ? null : bodySource(res, signal);
  if (!body) res.resume();
  return response(body, { status, statusText: res.statusMessage ?? '', headers, url: url.href });
}

export const nodeFetch: typeof fetch = async (input, init = {}) => {
  if (isRequest(input)) throw new TypeError('okr fetch: pass a URL, not a Request');
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw signal.reason;
  let url = new URL(String(input));
  let current: RequestInit = init;
  for (let hop = 0; ; hop++) {
    const res = await once(url, current, signal);
    const location = res.headers.location;
    const status = res.statusCode ?? 0;
    if (location && status >= 300 && status < 400 && (init.redirect ?? 'follow') !== 'manual') {
      res.resume();
      if (init.redirect === 'error') throw new TypeError('fetch failed: redirect');
      if (hop >= MAX_REDIRECTS) throw new TypeError('fetch failed: too many redirects');
      const next = new URL(location, url);
      if (url.protocol === 'https:' && next.protocol !== 'https:') {
        throw new TypeError('fetch failed: redirect from https to http');
      }
      if (next.origin !== url.origin) {
        const headers = requestHeaders(current.headers);
        for (const name of CREDENTIAL_HEADERS) headers.delete(name);
        current = { ...current, headers };
      }
      url = next;
      // 303 (and 301/302 after a POST) turn into a GET without a body, as browsers do.
      if (status === 303 || ((status === 301 || status === 302) && current.method?.toUpperCase() === 'POST')) {
        current = { ...current, method: 'GET', body: undefined };
      }
      continue;
    }
    return toResponse(res, url, signal);
  }
};
