/**
 * The fetch every provider call goes through (the context wraps its transport with it): the
 * token exchange, refreshes, revokes, the identity check, data calls. Whatever the server does:
 *
 * - **Redirects** are followed only within the origin of the request (same scheme, host and
 *   port), at most 5 times. A redirect to another origin (another host, another port, https → http)
 *   is an HttpPolicyError, so an `Authorization: Bearer …` header, a refresh token or a client
 *   secret never reaches a server the configuration did not name. `redirect: 'manual'` (what
 *   oauth4webapi asks for) gets the 3xx response itself, unfollowed.
 * - **The body** is read here, while it streams, up to `MAX_RESPONSE_BYTES` (4 MiB; okr's largest
 *   real answer, a 90-day roll-up page, is a few tens of KiB). One byte more and the download is
 *   cancelled (the socket closes) with an HttpPolicyError: an endless body costs 4 MiB, not
 *   gigabytes. The Response handed back holds the whole body in memory.
 * - **The deadline**: the whole request, redirects and body included, ends within `timeoutMs`
 *   (default 30 s, OKR_HTTP_TIMEOUT_MS), or fails with a retryable HttpPolicyError.
 *
 * Errors never quote a header value or a body (see policy-error.ts).
 */
import { bytesText, HttpPolicyError, secondsText } from './policy-error.js';
import { chunksOf, isRequest, NULL_BODY_STATUS, readAll, response } from './response.js';

export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
export const REQUEST_TIMEOUT_MS = 30_000;
const MAX_SAME_ORIGIN_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export interface ProviderFetchLimits {
  maxBodyBytes?: number;
  timeoutMs?: number;
}

function refusedRedirect(status: number, to: URL | undefined): HttpPolicyError {
  const where = to ? ` to another origin (${to.origin})` : ' to an address that is not a URL';
  return new HttpPolicyError(
    'redirect',
    `answered with a redirect (HTTP ${status})${where}, which okr does not follow`,
    {
      status,
    },
  );
}

function tooLarge(max: number, status: number): HttpPolicyError {
  return new HttpPolicyError('too_large', `sent a response larger than ${bytesText(max)}, the most okr reads`, {
    status,
  });
}

/** The body, read up to `max` bytes; past that the download is cancelled. */
async function readCapped(res: Response, max: number): Promise<Uint8Array | null> {
  const source = chunksOf(res);
  if (!source) return null;
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    source.cancel();
    throw tooLarge(max, res.status);
  }
  const body = await readAll(source, max);
  if (!body) throw tooLarge(max, res.status);
  return body;
}

async function buffered(res: Response, url: URL, max: number): Promise<Response> {
  const body = await readCapped(res, max);
  return response(NULL_BODY_STATUS.has(res.status) ? null : body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
    url: url.href,
  });
}

export function createProviderFetch(base: typeof fetch, limits: ProviderFetchLimits = {}): typeof fetch {
  const maxBytes = limits.maxBodyBytes ?? MAX_RESPONSE_BYTES;
  const timeoutMs = limits.timeoutMs ?? REQUEST_TIMEOUT_MS;

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    if (isRequest(input)) throw new TypeError('okr fetch: pass a URL, not a Request');
    let url = new URL(String(input));
    const mode = init.redirect ?? 'follow';
    const caller = init.signal ?? undefined;
    if (caller?.aborted) throw caller.reason;
    const ac = new AbortController();
    const onAbort = () => ac.abort(caller?.reason);
    caller?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => ac.abort(new HttpPolicyError('deadline', `sent no complete answer within ${secondsText(timeoutMs)}`)),
      timeoutMs,
    );
    let current: RequestInit = { ...init, redirect: 'manual', signal: ac.signal };
    try {
      for (let hop = 0; ; hop++) {
        const res = await base(url.href, current);
        const location = res.headers.get('location');
        if (mode === 'manual' || !REDIRECT_STATUS.has(res.status) || location === null) {
          return await buffered(res, url, maxBytes);
        }
        chunksOf(res)?.cancel();
        let next: URL | undefined;
        try {
          next = new URL(location, url);
        } catch {
          next = undefined;
        }
        if (mode === 'error' || !next || next.origin !== url.origin) throw refusedRedirect(res.status, next);
        if (hop >= MAX_SAME_ORIGIN_REDIRECTS) {
          throw new HttpPolicyError('redirect', `answered with more than ${MAX_SAME_ORIGIN_REDIRECTS} redirects`, {
            status: res.status,
          });
        }
        // 303 (and 301/302 after a POST) turn into a GET without a body, as browsers do.
        const method = (current.method ?? 'GET').toUpperCase();
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          current = { ...current, method: 'GET', body: undefined };
        }
        url = next;
      }
    } catch (err) {
      // Our deadline fired (not the caller's signal): say so, whatever the transport threw.
      if (ac.signal.aborted && !caller?.aborted) throw ac.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    }
  }) as typeof fetch;
}
