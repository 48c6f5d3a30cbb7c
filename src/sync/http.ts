/**
 * The `fetch` a plugin gets during a sync. It sits under the plugin's own HTTP code, so every
 * plugin gets the same behaviour without knowing about it:
 * - counts every attempt (the report's "calls"), refreshes included;
 * - takes a token from the quota bucket before each attempt;
 * - retries 429 with bounded exponential back-off and jitter, honouring `Retry-After` (or, without
 *   it, `X-RateLimit-Reset`); a response saying the window is spent (`X-RateLimit-Remaining: 0`)
 *   pauses every request of the sync until the reset;
 * - keeps to a daily budget (`dailyBudget`: the plugin's per-day quota minus what earlier runs
 *   spent): once it is spent, requests are answered 429 here, without reaching the provider;
 * - retries 5xx, 408, network errors and timeouts a bounded number of times, except for a request
 *   marked SINGLE_ATTEMPT (a single-use refresh token must never be spent twice);
 * - on a 401 to a request carrying a Bearer token, refreshes the tokens once for the whole sync
 *   (single-flight: parallel requests that all get 401 share that one refresh) and retries each
 *   such request once with the new token. A second 401 goes back to the plugin, which reports it
 *   as re-authentication needed: never a refresh loop;
 * - reads the whole body inside the timeout, so a response that stalls mid-body is retried too;
 * - with `answerStatus` (the plugin's hook), gives an answer the status its body stands for (an
 *   error inside HTTP 200, as Withings sends them) before any of the rules above look at it;
 * - never retries what okr's HTTP policy refused (a redirect to another origin, a body over the
 *   cap: http/provider-fetch.ts); they would fail the same way again;
 * - with `deadlineMs`, ends everything (attempts, back-off and quota waits) when the deadline
 *   passes: `okr metrics show` uses it so a hung provider cannot hold the table for minutes.
 *
 * When the retries run out the last response (or network error) is handed to the plugin
 * unchanged, so the plugin's own error mapping still produces the message and hint.
 */

import { isSingleAttempt } from '../http/attempts.js';
import { requestHeaders } from '../http/headers.js';
import { HttpPolicyError, secondsText } from '../http/policy-error.js';
import { bodyBytes, isRequest, NULL_BODY_STATUS, response } from '../http/response.js';
import { parseRateLimitRemaining, parseRateLimitReset, parseRetryAfter } from '../http/retry-after.js';
import type { QuotaLimiter, TokenBucket } from './rate-limit.js';
import { backoffDelay, type RetryPolicy } from './retry.js';

export interface HttpStats {
  /** HTTP attempts made, retries and refreshes included. */
  calls: number;
  retries: number;
  /** Milliseconds spent in back-off and quota waits. */
  waitedMs: number;
}

export type RetryEvent = {
  reason: 'rate_limited' | 'server_error' | 'network' | 'timeout';
  status?: number;
  retry: number;
  delayMs: number;
  url: string;
};

export interface SyncFetchOptions {
  baseFetch: typeof fetch;
  /** The sync's abort signal (Ctrl-C). */
  signal: AbortSignal;
  policy: RetryPolicy;
  bucket?: TokenBucket | QuotaLimiter;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  /** Wall-clock epoch ms, for HTTP-date `Retry-After` values. */
  wallNow: () => number;
  /**
   * Called at most once per rejected access token (every request it rejected waits for the same
   * call), on a 401 to a Bearer request. Returns the new access token, or undefined when the
   * refresh failed or is refused (the 401 then goes back to the plugin; the engine decides how
   * many refreshes a sync may make and reports a refresh's own error).
   */
  refreshOn401?: (rejectedAccessToken: string) => Promise<string | undefined>;
  onRetry?: (e: RetryEvent) => void;
  /** Every request of this fetch ends within this many ms of its creation (retries included). */
  deadlineMs?: number;
  /** Requests this sync may still make today (the plugin's per-day quota minus earlier runs'). */
  dailyBudget?: { remaining: number; perDay: number };
  /** The HTTP status an answer stands for when its body says otherwise (`DataImportPlugin.answerStatus`). */
  answerStatus?: (answer: { status: number; headers: Headers; text: string }) => number | undefined;
}

export interface SyncFetch {
  fetch: typeof fetch;
  stats: HttpStats;
  /** Set when the wrapper gave up for a reason the plugin's error cannot know (a long Retry-After). */
  note?: string;
  /** Stops the deadline's timer (call when the sync is over). */
  close(): void;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function bearerOf(headers: Headers): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '');
  return m?.[1];
}

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

export function createSyncFetch(opts: SyncFetchOptions): SyncFetch {
  const stats: HttpStats = { calls: 0, retries: 0, waitedMs: 0 };
  /** Old access token → the one that replaced it, so requests built with a stale token are fixed. */
  const replaced = new Map<string, string>();
  /** Rejected access token → its refresh, shared by every request that token failed. */
  const refreshes = new Map<string, Promise<string | undefined>>();
  const deadline = new AbortController();
  const deadlineTimer =
    opts.deadlineMs === undefined
      ? undefined
      : setTimeout(
          () =>
            deadline.abort(
              new HttpPolicyError('deadline', `sent no complete answer within ${secondsText(opts.deadlineMs!)}`, {
                retryable: false,
              }),
            ),
          opts.deadlineMs,
        );
  const self: SyncFetch = {
    fetch: undefined as unknown as typeof fetch,
    stats,
    close: () => clearTimeout(deadlineTimer),
  };

  async function wait(ms: number, signal: AbortSignal): Promise<void> {
    stats.waitedMs += ms;
    await opts.sleep(ms, signal);
  }

  /** Monotonic time before which no request is sent (the provider said its window is spent). */
  let pausedUntil = 0;
  let budget = opts.dailyBudget?.remaining;

  /** Reads the provider's rate-limit headers: a spent window pauses the whole sync until it resets. */
  function noteLimits(res: Response): void {
    if (parseRateLimitRemaining(res.headers) !== 0) return;
    const reset = parseRateLimitReset(res.headers, opts.wallNow());
    if (reset === undefined) return;
    if (reset > opts.policy.maxRetryAfterMs) {
      self.note = `The provider's rate limit resets in ${Math.ceil(reset / 1000)} s (X-RateLimit-Reset).`;
      return;
    }
    pausedUntil = Math.max(pausedUntil, performance.now() + reset);
  }

  /** The status the answer stands for: HTTP's, unless the plugin reads another one in the body. */
  function statusOf(res: Response, body: Uint8Array | null): number {
    if (!opts.answerStatus || body === null) return res.status;
    const text = new TextDecoder().decode(body);
    const said = opts.answerStatus({ status: res.status, headers: res.headers, text });
    // Only a status a Response can carry (200..599); anything else keeps HTTP's.
    return said !== undefined && Number.isInteger(said) && said >= 200 && said <= 599 ? said : res.status;
  }

  async function attempt(url: string, init: RequestInit, callerSignal: AbortSignal): Promise<Response> {
    if (callerSignal.aborted) throw callerSignal.reason;
    const pause = pausedUntil - performance.now();
    if (pause > 0) await wait(Math.ceil(pause), callerSignal);
    if (budget !== undefined) {
      if (budget <= 0) {
        self.note = `The plugin's quota of ${opts.dailyBudget!.perDay} requests a day is spent (counting earlier syncs in the last 24 hours).`;
        return response(null, { status: 429, statusText: 'Too Many Requests (daily quota, okr)' });
      }
      budget--;
    }
    if (opts.bucket) {
      const before = opts.bucket.waitedMs;
      await opts.bucket.take(callerSignal);
      stats.waitedMs += opts.bucket.waitedMs - before;
    }
    if (callerSignal.aborted) throw callerSignal.reason;
    stats.calls++;
    const ac = new AbortController();
    const onAbort = () => ac.abort(callerSignal.reason);
    callerSignal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ac.abort(new TimeoutError(opts.policy.timeoutMs)), opts.policy.timeoutMs);
    try {
      const res = await opts.baseFetch(url, { ...init, signal: ac.signal });
      // Buffer the body inside the timeout: the plugin then reads it from memory.
      const body = NULL_BODY_STATUS.has(res.status) ? null : await bodyBytes(res);
      const status = statusOf(res, body);
      const buffered = response(body, {
        status,
        statusText: status === res.status ? res.statusText : '',
        headers: res.headers,
        url,
      });
      noteLimits(buffered);
      return buffered;
    } catch (err) {
      if (ac.signal.reason instanceof TimeoutError && !callerSignal.aborted) throw ac.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      callerSignal.removeEventListener('abort', onAbort);
    }
  }

  async function syncFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const url = urlOf(input);
    const base: RequestInit = isRequest(input)
      ? {
          method: input.method,
          headers: input.headers,
          body: input.body ? await input.clone().arrayBuffer() : undefined,
          ...init,
        }
      : init;
    const callerSignal = AbortSignal.any([init.signal ?? opts.signal, deadline.signal]);
    // A request that may already have done its work when its answer was lost (a single-use
    // refresh): a 429 is retried (nothing was done), a 5xx, a timeout or a network error is not.
    const once = isSingleAttempt(init);
    const headers = requestHeaders(base.headers);
    let rateRetries = 0;
    let transientRetries = 0;
    let retried401 = false;

    for (;;) {
      const sent = bearerOf(headers);
      const newer = sent && replaced.get(sent);
      if (newer) headers.set('authorization', `Bearer ${newer}`);
      const token = bearerOf(headers);

      let res: Response;
      try {
        res = await attempt(url, { ...base, headers }, callerSignal);
      } catch (err) {
        if (callerSignal.aborted || opts.signal.aborted) throw err;
        if (err instanceof HttpPolicyError && !err.retryable) throw err;
        if (once || transientRetries >= opts.policy.maxTransientRetries) throw err;
        const delayMs = backoffDelay(transientRetries, opts.policy, opts.random);
        transientRetries++;
        stats.retries++;
        opts.onRetry?.({
          reason: err instanceof TimeoutError || err instanceof HttpPolicyError ? 'timeout' : 'network',
          retry: transientRetries,
          delayMs,
          url,
        });
        await wait(delayMs, callerSignal);
        continue;
      }

      if (res.status === 401 && token && !retried401 && opts.refreshOn401) {
        retried401 = true;
        let fresh = replaced.get(token);
        if (!fresh) {
          let pending = refreshes.get(token);
          if (!pending) {
            pending = opts.refreshOn401(token).catch(() => undefined);
            refreshes.set(token, pending);
          }
          fresh = await pending;
        }
        if (!fresh || fresh === token) return res;
        replaced.set(token, fresh);
        continue;
      }

      const isRateLimit = res.status === 429;
      const isTransient = res.status >= 500 || res.status === 408;
      if (!isRateLimit && (!isTransient || once)) return res;

      const used = isRateLimit ? rateRetries : transientRetries;
      const max = isRateLimit ? opts.policy.maxRateLimitRetries : opts.policy.maxTransientRetries;
      if (used >= max || (isRateLimit && budget !== undefined && budget <= 0)) return res;
      const retryAfter =
        parseRetryAfter(res.headers.get('retry-after'), opts.wallNow()) ??
        (isRateLimit ? parseRateLimitReset(res.headers, opts.wallNow()) : undefined);
      if (retryAfter !== undefined && retryAfter > opts.policy.maxRetryAfterMs) {
        self.note = `The provider asked okr to wait ${Math.ceil(retryAfter / 1000)} s before the next request (Retry-After).`;
        return res;
      }
      const delayMs = retryAfter ?? backoffDelay(used, opts.policy, opts.random);
      if (isRateLimit) rateRetries++;
      else transientRetries++;
      stats.retries++;
      opts.onRetry?.({
        reason: isRateLimit ? 'rate_limited' : 'server_error',
        status: res.status,
        retry: used + 1,
        delayMs,
        url,
      });
      await wait(delayMs, callerSignal);
    }
  }

  self.fetch = syncFetch as typeof fetch;
  return self;
}
