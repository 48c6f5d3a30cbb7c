/**
 * A token bucket that keeps a sync inside a provider's per-minute quota.
 *
 * A bucket of capacity C refilled at r tokens per minute admits at most C + r requests in any
 * 60-second window. To never exceed `requestsPerMinute` (Google Health: 300 per user) the bucket
 * holds half the quota as burst and refills the other half per minute. A 7-day sync (5 calls) and
 * a 2-year backfill (about 100) both fit in the burst and never wait; only longer runs are paced.
 */

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

export function bucketForQuota(requestsPerMinute: number, clock: Clock): TokenBucket {
  const capacity = Math.max(1, Math.floor(requestsPerMinute / 2));
  const perMinute = Math.max(1, requestsPerMinute - capacity);
  return new TokenBucket(capacity, perMinute / 60_000, clock);
}
