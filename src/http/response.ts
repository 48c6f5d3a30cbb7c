/**
 * `Headers` and `Response` as okr's own small classes, for every response okr's fetch hands back.
 *
 * Why not the globals: in Node 20 the first touch of `Headers`, `Response` or `Request` loads
 * undici whole (its fetch, its WebAssembly HTTP parser), ~9 MB of resident memory and ~10 ms,
 * even when node:http does the transport (node-fetch.ts). A sync reads a status, a few headers
 * and a body; these cover that and what callers of a fetch commonly use (`ok`, `text()`,
 * `json()`, `arrayBuffer()`, `body` as a web stream, `clone()`), typed as the standard ones so that
 * code and tests keep the usual API. oauth4webapi insists on real instances: oauth/flow.ts
 * converts with `toStandardResponse` (connect and revoke, not sync).
 */

/** `Headers` and `OkrHeaders` are iterables of pairs too. */
type HeaderPairs = Iterable<readonly [string, string]> | Record<string, string>;

/** Statuses whose response has no body, whatever the server sent (the Fetch standard's list). */
export const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Case-insensitive, values of a repeated name joined with ", ", iterated in name order: as `Headers`. */
export class OkrHeaders {
  readonly #map = new Map<string, string>();

  constructor(init?: HeaderPairs | null) {
    if (!init) return;
    if (Symbol.iterator in init) {
      for (const [k, v] of init as Iterable<readonly [string, string]>) this.append(k, v);
    } else {
      for (const [k, v] of Object.entries(init)) this.append(k, String(v));
    }
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const had = this.#map.get(key);
    this.#map.set(key, had === undefined ? value : `${had}, ${value}`);
  }
  set(name: string, value: string): void {
    this.#map.set(name.toLowerCase(), value);
  }
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }
  delete(name: string): void {
    this.#map.delete(name.toLowerCase());
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of [...this.#map.keys()].sort()) yield [k, this.#map.get(k)!];
  }
  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(fn: (value: string, name: string, parent: OkrHeaders) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * A body read chunk by chunk, without web streams. The first `ReadableStream` of a Node 20
 * process loads ~20 internal modules (~3.5 ms, ~0.6 MB) and then compiles its reader code, all on
 * the path of a sync's first response: okr's fetch hands socket bodies over as this, and `body`
 * still makes a web stream of it for code that asks for one.
 */
export interface ChunkSource {
  /** The next chunk, or null at the end; rejects on a network error or an abort. */
  read(): Promise<Uint8Array | null>;
  /** Stops reading (the connection closes). */
  cancel(): void;
}

type Body = ChunkSource | ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | string | null;

export interface OkrResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeaderPairs;
  url?: string;
}

function isChunkSource(body: object): body is ChunkSource {
  return typeof (body as ChunkSource).read === 'function' && !('getReader' in body);
}

function bytesSource(bytes: Uint8Array): ChunkSource {
  let left: Uint8Array | null = bytes;
  return {
    read: async () => {
      const out = left;
      left = null;
      return out;
    },
    cancel: () => {
      left = null;
    },
  };
}

function streamSource(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader();
  return {
    read: async () => {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    cancel: () => void reader.cancel().catch(() => {}),
  };
}

/**
 * A response whose body is a chunk source or a web stream (as the transport reads it) or bytes
 * in memory. The globals are never touched on the way (`instanceof ReadableStream` would load
 * web streams): a body that is not bytes, text or a chunk source is taken for a web stream.
 */
export class OkrResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected = false;
  readonly type = 'basic';
  #source: ChunkSource | null = null;
  #stream: ReadableStream<Uint8Array> | null = null;
  #bytes: Uint8Array | null = null;
  #used = false;

  constructor(body: Body = null, init: OkrResponseInit = {}) {
    this.status = init.status ?? 200;
    this.statusText = init.statusText ?? '';
    this.headers = new OkrHeaders(init.headers) as unknown as Headers;
    this.url = init.url ?? '';
    if (body === null) return;
    if (typeof body === 'string') this.#bytes = new TextEncoder().encode(body);
    else if (body instanceof Uint8Array) this.#bytes = body;
    else if (body instanceof ArrayBuffer) this.#bytes = new Uint8Array(body);
    else if (isChunkSource(body)) this.#source = body;
    else this.#stream = body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }
  get bodyUsed(): boolean {
    return this.#used;
  }
  /** The body as a web stream, made on first access when it is bytes or a chunk source. */
  get body(): ReadableStream<Uint8Array> | null {
    const source = this.#source ?? (this.#bytes && bytesSource(this.#bytes));
    if (source) {
      this.#stream = new ReadableStream({
        async pull(c) {
          const chunk = await source.read();
          if (chunk) c.enqueue(chunk);
          else c.close();
        },
        cancel: () => source.cancel(),
      });
      this.#source = null;
      this.#bytes = null;
    }
    return this.#stream;
  }

  /** The body chunk by chunk (no web stream unless it came as one); the body is then used. */
  chunks(): ChunkSource | null {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (this.#bytes) return bytesSource(this.#bytes);
    if (this.#source) return this.#source;
    return this.#stream && streamSource(this.#stream);
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#bytes && !this.#used) {
      this.#used = true;
      return this.#bytes;
    }
    const source = this.chunks();
    return source ? ((await readAll(source)) as Uint8Array) : new Uint8Array(0);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.bytes();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
  /** UTF-8, a byte-order mark dropped and bad sequences replaced: the Fetch standard's decoding. */
  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  clone(): OkrResponse {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    let body: Body = this.#bytes;
    if (this.#source || this.#stream) {
      const [a, b] = this.body!.tee();
      this.#stream = a;
      body = b;
    }
    return new OkrResponse(body, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      url: this.url,
    });
  }
}

/** A response's body chunk by chunk: okr's without a web stream, any other through its reader. */
export function chunksOf(res: Response): ChunkSource | null {
  const okr = res as unknown as OkrResponse;
  if (okr instanceof OkrResponse) return okr.chunks();
  return res.body && streamSource(res.body);
}

/**
 * Every chunk of `source`, in one buffer (no copy when there is a single chunk). Past `max` bytes
 * the source is cancelled and the answer is undefined: the caller says what the limit was.
 */
export async function readAll(source: ChunkSource, max = Number.POSITIVE_INFINITY): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await source.read(); chunk; chunk = await source.read()) {
    total += chunk.byteLength;
    if (total > max) {
      source.cancel();
      return undefined;
    }
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** An OkrResponse as okr's fetch returns it: typed as the standard Response. */
export function response(body: Body, init: OkrResponseInit): Response {
  return new OkrResponse(body, init) as unknown as Response;
}

/** A real `Response` (loads undici), for libraries that check the class: oauth4webapi. */
export async function toStandardResponse(res: Response): Promise<Response> {
  if (!(res instanceof OkrResponse)) return res;
  const body = NULL_BODY_STATUS.has(res.status) ? null : await res.arrayBuffer();
  const out = new Response(body, { status: res.status, statusText: res.statusText, headers: [...res.headers] });
  Object.defineProperty(out, 'url', { value: res.url });
  return out;
}

/** `x instanceof Request` without touching the global (which loads undici). */
export function isRequest(x: unknown): x is Request {
  return (
    typeof x === 'object' &&
    x !== null &&
    !(x instanceof URL) &&
    typeof (x as Request).clone === 'function' &&
    'method' in x
  );
}

/** The whole body: without a copy from an OkrResponse; any other Response through arrayBuffer(). */
export async function bodyBytes(res: Response): Promise<Uint8Array> {
  const okr = res as unknown as OkrResponse;
  return okr instanceof OkrResponse ? okr.bytes() : new Uint8Array(await res.arrayBuffer());
}
