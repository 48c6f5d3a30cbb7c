/**
 * A token bucket that keeps a sync inside a provider's per-minute quota.
 *
 * A bucket of capacity C refilled at r tokens per minute admits at most C + r requests in any
 * 60-second window. To never exceed `requestsPerMinute` (Google Health: 300 per user) the bucket
 * holds half the quota as burst and refills the other half per minute. A 7-day sync (5 calls) and
 * a 2-year backfill (about 100) both fit in the burst and never wait; only longer runs are paced.
 */

import type { Quota } from '../plugins/types.js';

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class TokenBucket {
  #tokens: number;
  #last: number;
  /** Requests waiting, in order: each waits for the one before it. */
  #queue: Promise<void> = Promise.resolve();
  waitedMs = 0;

  constructor(
    readonly capacity: number,
    readonly refillPerMs: number,
    private readonly clock: Clock,
  ) {
    this.#tokens = capacity;
    this.#last = clock.now();
  }

  #refill(): void {
    const t = this.clock.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + (t - this.#last) * this.refillPerMs);
    this.#last = t;
  }

  /** Waits until a token is available and takes it. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      this.#refill();
      if (this.#tokens < 1) {
        const wait = Math.ceil((1 - this.#tokens) / this.refillPerMs);
        this.waitedMs += wait;
        await this.clock.sleep(wait, signal);
        this.#refill();
      }
      this.#tokens -= 1;
    });
    // A rejected turn (abort) must not block the requests queued behind it.
    this.#queue = turn.catch(() => {});
    return turn;
  }
}

/** `requests` per `seconds`: half as burst, half refilled over the window (see above). */
export function bucketForWindow(requests: number, seconds: number, clock: Clock): TokenBucket {
  const capacity = Math.max(1, Math.floor(requests / 2));
  const perWindow = Math.max(1, requests - capacity);
  return new TokenBucket(capacity, perWindow / (seconds * 1000), clock);
}

export function bucketForQuota(requestsPerMinute: number, clock: Clock): TokenBucket {
  return bucketForWindow(requestsPerMinute, 60, clock);
}

/** The windows a plugin's quota declares (per minute, per day, any other), as [requests, seconds]. */
export function quotaWindows(q: Quota | undefined): Array<{ requests: number; seconds: number }> {
  if (!q) return [];
  const out = [...(q.windows ?? [])];
  if (q.requestsPerMinute) out.push({ requests: q.requestsPerMinute, seconds: 60 });
  if (q.requestsPerDay) out.push({ requests: q.requestsPerDay, seconds: 86_400 });
  return out.filter((w) => w.requests > 0 && w.seconds > 0);
}

/** Several windows at once: a request waits until every one of them admits it. */
export class QuotaLimiter {
  constructor(readonly buckets: TokenBucket[]) {}

  get waitedMs(): number {
    return this.buckets.reduce((n, b) => n + b.waitedMs, 0);
  }

  async take(signal?: AbortSignal): Promise<void> {
    for (const b of this.buckets) await b.take(signal);
  }
}

export function limiterForQuota(q: Quota | undefined, clock: Clock): QuotaLimiter | undefined {
  const windows = quotaWindows(q);
  return windows.length
    ? new QuotaLimiter(windows.map((w) => bucketForWindow(w.requests, w.seconds, clock)))
    : undefined;
}
