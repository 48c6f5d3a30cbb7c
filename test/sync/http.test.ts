/**
 * The sync's fetch wrapper against a scripted fake server: retries, their bounds, Retry-After,
 * timeouts, the one refresh on 401, and the quota bucket.
 */
import { describe, expect, test } from 'vitest';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import { MAX_REFRESHES_PER_SYNC, mayRefreshAfter401 } from '../../src/sync/engine.js';
import { createSyncFetch, type RetryEvent } from '../../src/sync/http.js';
import { bucketForQuota, TokenBucket } from '../../src/sync/rate-limit.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../src/sync/retry.js';

const policy: RetryPolicy = {
  baseMs: 100,
  maxDelayMs: 1000,
  maxRateLimitRetries: 3,
  maxTransientRetries: 2,
  timeoutMs: 50,
  maxRetryAfterMs: 5000,
};

type Step = number | { status: number; headers?: Record<string, string> } | 'network' | 'hang';

/** A fake server answering each request with the next scripted step (then 200s). */
function scripted(steps: Step[]) {
  const seen: Array<{ url: string; auth: string | null; body: string | null }> = [];
  const baseFetch = (async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    seen.push({ url, auth: headers.get('authorization'), body: (init.body as string) ?? null });
    const step = steps.shift() ?? 200;
    if (step === 'network') throw new TypeError('fetch failed');
    if (step === 'hang') {
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
      });
    }
    const s = typeof step === 'number' ? { status: step } : step;
    return new Response(JSON.stringify({ status: s.status }), {
      status: s.status,
      headers: { 'content-type': 'application/json', ...s.headers },
    });
  }) as typeof fetch;
  return { baseFetch, seen };
}

function make(steps: Step[], extra: Partial<Parameters<typeof createSyncFetch>[0]> = {}) {
  const server = scripted(steps);
  const sleeps: number[] = [];
  const retries: RetryEvent[] = [];
  const http = createSyncFetch({
    baseFetch: server.baseFetch,
    signal: new AbortController().signal,
    policy,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    wallNow: () => Date.parse('2026-11-10T12:00:00Z'),
    onRetry: (e) => retries.push(e),
    ...extra,
  });
  return { ...server, http, sleeps, retries };
}

describe('retries', () => {
  test('a 429 is retried after back-off, then succeeds', async () => {
    const t = make([429, 429, 200]);
    const res = await t.http.fetch('https://api.test/x');
    expect(res.status).toBe(200);
    expect(t.http.stats.calls).toBe(3);
    // equal jitter with random 0.5: step/2 + 0.5*step/2 = 0.75 * step; steps 100 then 200
    expect(t.sleeps).toEqual([75, 150]);
    expect(t.retries.map((r) => r.reason)).toEqual(['rate_limited', 'rate_limited']);
  });

  test('Retry-After (seconds) is honoured instead of the back-off', async () => {
    const t = make([{ status: 429, headers: { 'retry-after': '2' } }, 200]);
    expect((await t.http.fetch('https://api.test/x')).status).toBe(200);
    expect(t.sleeps).toEqual([2000]);
  });

  test('Retry-After as an HTTP date is honoured', async () => {
    const t = make([{ status: 503, headers: { 'retry-after': 'Tue, 10 Nov 2026 12:00:03 GMT' } }, 200]);
    expect((await t.http.fetch('https://api.test/x')).status).toBe(200);
    expect(t.sleeps).toEqual([3000]);
  });

  test('429 retries are bounded: the last 429 goes back to the caller', async () => {
    const t = make([429, 429, 429, 429, 429, 429]);
    const res = await t.http.fetch('https://api.test/x');
    expect(res.status).toBe(429);
    expect(t.http.stats.calls).toBe(4); // 1 + maxRateLimitRetries (3)
    expect(t.sleeps).toEqual([75, 150, 300]);
  });

  test('a Retry-After beyond the bound is not waited for, and says why', async () => {
    const t = make([{ status: 429, headers: { 'retry-after': '3600' } }]);
    const res = await t.http.fetch('https://api.test/x');
    expect(res.status).toBe(429);
    expect(t.sleeps).toEqual([]);
    expect(t.http.note).toBe('The provider asked okr to wait 3600 s before the next request (Retry-After).');
  });

  test('5xx is retried a bounded number of times', async () => {
    const ok = make([500, 502, 200]);
    expect((await ok.http.fetch('https://api.test/x')).status).toBe(200);
    const bad = make([500, 500, 500, 500]);
    expect((await bad.http.fetch('https://api.test/x')).status).toBe(500);
    expect(bad.http.stats.calls).toBe(3); // 1 + maxTransientRetries (2)
  });

  test('network errors are retried, then rethrown', async () => {
    const ok = make(['network', 200]);
    expect((await ok.http.fetch('https://api.test/x')).status).toBe(200);
    const bad = make(['network', 'network', 'network']);
    await expect(bad.http.fetch('https://api.test/x')).rejects.toThrow('fetch failed');
    expect(bad.http.stats.calls).toBe(3);
  });

  test('a request that hangs times out and is retried; repeated timeouts fail clearly', async () => {
    const ok = make(['hang', 200]);
    expect((await ok.http.fetch('https://api.test/x')).status).toBe(200);
    expect(ok.retries.map((r) => r.reason)).toEqual(['timeout']);
    const bad = make(['hang', 'hang', 'hang']);
    await expect(bad.http.fetch('https://api.test/x')).rejects.toThrow('no complete answer within 50 ms');
  });

  test('4xx other than 401/408/429 is not retried', async () => {
    const t = make([403, 200]);
    expect((await t.http.fetch('https://api.test/x')).status).toBe(403);
    expect(t.http.stats.calls).toBe(1);
  });

  test('the POST body is sent again on a retry', async () => {
    const t = make([500, 200]);
    await t.http.fetch('https://api.test/x', { method: 'POST', body: '{"a":1}' });
    expect(t.seen.map((s) => s.body)).toEqual(['{"a":1}', '{"a":1}']);
  });

  test('Ctrl-C during a back-off stops at once', async () => {
    const ac = new AbortController();
    const t = make([500, 200], {
      signal: ac.signal,
      sleep: (_ms, signal) =>
        new Promise((_r, reject) => {
          ac.abort(new Error('Interrupted.'));
          reject(signal?.reason);
        }),
    });
    await expect(t.http.fetch('https://api.test/x')).rejects.toThrow('Interrupted.');
    expect(t.http.stats.calls).toBe(1);
  });
});

describe('401: one refresh, one retry', () => {
  test('a 401 refreshes once and retries with the new token', async () => {
    const refreshed: string[] = [];
    const t = make([401, 200], {
      refreshOn401: async (rejected) => {
        refreshed.push(rejected);
        return 'new-token';
      },
    });
    const res = await t.http.fetch('https://api.test/x', { headers: { Authorization: 'Bearer old-token' } });
    expect(res.status).toBe(200);
    expect(refreshed).toEqual(['old-token']);
    expect(t.seen.map((s) => s.auth)).toEqual(['Bearer old-token', 'Bearer new-token']);
  });

  test('a second 401 goes back to the caller: no refresh loop', async () => {
    const asked: string[] = [];
    const t = make([401, 401, 401, 401], {
      // The engine refuses a second refresh for a token rejected before its time.
      refreshOn401: async (rejected) => {
        asked.push(rejected);
        return asked.length === 1 ? 'new-token' : undefined;
      },
    });
    const first = await t.http.fetch('https://api.test/a', { headers: { Authorization: 'Bearer old-token' } });
    expect(first.status).toBe(401);
    // A later request built with the old token is sent with the new one; its 401 asks about the
    // new token once, and the refusal makes it final.
    const second = await t.http.fetch('https://api.test/b', { headers: { Authorization: 'Bearer old-token' } });
    expect(second.status).toBe(401);
    expect(asked).toEqual(['old-token', 'new-token']);
    expect(t.seen.map((s) => s.auth)).toEqual(['Bearer old-token', 'Bearer new-token', 'Bearer new-token']);
    // Asked once per rejected token: a third request does not ask about the new token again.
    expect((await t.http.fetch('https://api.test/c', { headers: { Authorization: 'Bearer new-token' } })).status).toBe(
      401,
    );
    expect(asked).toEqual(['old-token', 'new-token']);
  });

  test('each token generation that expires gets its own refresh, shared by its requests', async () => {
    const asked: string[] = [];
    const t = make([401, 401, 200, 200, 401, 200], {
      refreshOn401: async (rejected) => {
        asked.push(rejected);
        await new Promise((r) => setTimeout(r, 5));
        return rejected === 't1' ? 't2' : 't3';
      },
    });
    const both = await Promise.all(
      ['a', 'b'].map((p) => t.http.fetch(`https://api.test/${p}`, { headers: { Authorization: 'Bearer t1' } })),
    );
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const later = await t.http.fetch('https://api.test/c', { headers: { Authorization: 'Bearer t2' } });
    expect(later.status).toBe(200);
    expect(asked).toEqual(['t1', 't2']);
    expect(t.seen.at(-1)?.auth).toBe('Bearer t3');
  });

  test('parallel 401s share one refresh', async () => {
    let refreshes = 0;
    const t = make([401, 401, 401, 200, 200, 200], {
      refreshOn401: async () => {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return 'new-token';
      },
    });
    const init = { headers: { Authorization: 'Bearer old-token' } };
    const res = await Promise.all([1, 2, 3].map((i) => t.http.fetch(`https://api.test/${i}`, init)));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
    expect(t.http.stats.calls).toBe(6);
  });

  test('a failed refresh hands the 401 back', async () => {
    const t = make([401], { refreshOn401: async () => undefined });
    expect((await t.http.fetch('https://api.test/x', { headers: { Authorization: 'Bearer t' } })).status).toBe(401);
    expect(t.http.stats.calls).toBe(1);
  });

  test('a 401 without a Bearer token (the token endpoint) triggers no refresh', async () => {
    let refreshes = 0;
    const t = make([401], {
      refreshOn401: async () => {
        refreshes++;
        return 'x';
      },
    });
    expect(
      (await t.http.fetch('https://auth.test/token', { method: 'POST', body: 'grant_type=refresh_token' })).status,
    ).toBe(401);
    expect(refreshes).toBe(0);
  });
});

describe('quota', () => {
  test('the bucket admits half the quota at once, then paces the rest', async () => {
    let t = 0;
    const waits: number[] = [];
    const bucket = bucketForQuota(60, {
      now: () => t,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
    });
    for (let i = 0; i < 30; i++) await bucket.take();
    expect(waits).toEqual([]);
    await bucket.take();
    await bucket.take();
    // 30 per minute refill: one token every 2000 ms.
    expect(waits).toEqual([2000, 2000]);
  });

  test('no 60-second window ever holds more than the quota', async () => {
    let t = 0;
    const stamps: number[] = [];
    const bucket = bucketForQuota(300, {
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    for (let i = 0; i < 1000; i++) {
      await bucket.take();
      stamps.push(t);
      t += 10; // a request every 10 ms if the bucket allowed it
    }
    let worst = 0;
    for (let i = 0, j = 0; i < stamps.length; i++) {
      while (stamps[i]! - stamps[j]! >= 60_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(300);
    expect(worst).toBeGreaterThan(250);
  });

  test('every attempt, retries included, takes a token', async () => {
    let taken = 0;
    const bucket = new TokenBucket(100, 1, { now: () => 0, sleep: async () => {} });
    const orig = bucket.take.bind(bucket);
    bucket.take = (s) => {
      taken++;
      return orig(s);
    };
    const t = make([429, 500, 200], { bucket });
    await t.http.fetch('https://api.test/x');
    expect(taken).toBe(3);
  });
});

describe('rate-limit headers and the daily budget', () => {
  test('a 429 without Retry-After waits for X-RateLimit-Reset (seconds) instead of the back-off', async () => {
    const t = make([{ status: 429, headers: { 'x-ratelimit-reset': '3' } }, 200]);
    expect((await t.http.fetch('https://api.test/x')).status).toBe(200);
    expect(t.sleeps).toEqual([3000]);
  });

  test('X-RateLimit-Reset as an epoch second is read as a time, not a delay', async () => {
    // wallNow is 2026-11-10T12:00:00Z; the window resets 4 s later.
    const reset = String(Date.parse('2026-11-10T12:00:04Z') / 1000);
    const t = make([{ status: 429, headers: { 'x-ratelimit-reset': reset } }, 200]);
    expect((await t.http.fetch('https://api.test/x')).status).toBe(200);
    expect(t.sleeps).toEqual([4000]);
  });

  test('a response saying the window is spent pauses the next request until the reset', async () => {
    const t = make([{ status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' } }, 200]);
    expect((await t.http.fetch('https://api.test/a')).status).toBe(200);
    expect(t.sleeps).toEqual([]);
    expect((await t.http.fetch('https://api.test/b')).status).toBe(200);
    expect(t.sleeps).toHaveLength(1);
    expect(t.sleeps[0]).toBeGreaterThan(1900);
    expect(t.sleeps[0]).toBeLessThanOrEqual(2000);
  });

  test('requests left in the window (X-RateLimit-Remaining > 0) cause no pause', async () => {
    const t = make([{ status: 200, headers: { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '2' } }, 200]);
    await t.http.fetch('https://api.test/a');
    await t.http.fetch('https://api.test/b');
    expect(t.sleeps).toEqual([]);
  });

  test('a spent daily budget answers 429 here: the provider never sees the request', async () => {
    const t = make([200, 200, 200], { dailyBudget: { remaining: 2, perDay: 10 } });
    expect((await t.http.fetch('https://api.test/1')).status).toBe(200);
    expect((await t.http.fetch('https://api.test/2')).status).toBe(200);
    const third = await t.http.fetch('https://api.test/3');
    expect(third.status).toBe(429);
    expect(t.seen.map((r) => r.url)).toEqual(['https://api.test/1', 'https://api.test/2']);
    expect(t.sleeps).toEqual([]); // no retry can help until the day has passed
    expect(t.http.note).toContain('quota of 10 requests a day is spent');
  });

  test('a provider 429 is not retried once the daily budget is spent', async () => {
    const t = make([429, 200], { dailyBudget: { remaining: 1, perDay: 10 } });
    expect((await t.http.fetch('https://api.test/x')).status).toBe(429);
    expect(t.seen).toHaveLength(1);
  });
});

describe('retry helpers', () => {
  test('back-off doubles per retry, with equal jitter, up to the ceiling', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseMs: 500, maxDelayMs: 4000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 0))).toEqual([250, 500, 1000, 2000, 2000]);
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 1))).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  test('Retry-After parsing', () => {
    const now = Date.parse('2026-11-10T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 10 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Tue, 10 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('mayRefreshAfter401: how many refreshes a sync makes', () => {
  const creds = (accessToken: string, expiresAt?: number) => ({ accessToken, expiresAt, obtainedAt: 0 });
  test('the first 401 of a sync always may', () => {
    expect(mayRefreshAfter401({ refreshesMade: 0, rejected: 'a', credentials: creds('a', 10_000), nowMs: 0 })).toBe(
      true,
    );
    expect(mayRefreshAfter401({ refreshesMade: 0, rejected: 'a', credentials: undefined, nowMs: 0 })).toBe(true);
  });
  test('after one: only a token that expired by its own clock, and never past the cap', () => {
    const expired = { rejected: 'b', credentials: creds('b', 1000), nowMs: 1000 };
    expect(mayRefreshAfter401({ refreshesMade: 1, ...expired })).toBe(true);
    expect(mayRefreshAfter401({ refreshesMade: MAX_REFRESHES_PER_SYNC - 1, ...expired })).toBe(true);
    expect(mayRefreshAfter401({ refreshesMade: MAX_REFRESHES_PER_SYNC, ...expired })).toBe(false);
    // Rejected before its time: the provider does not want it; sign in again.
    expect(mayRefreshAfter401({ refreshesMade: 1, rejected: 'b', credentials: creds('b', 1001), nowMs: 1000 })).toBe(
      false,
    );
    // No expiry known, or an older token than the current one.
    expect(mayRefreshAfter401({ refreshesMade: 1, rejected: 'b', credentials: creds('b'), nowMs: 1000 })).toBe(false);
    expect(mayRefreshAfter401({ refreshesMade: 1, rejected: 'a', credentials: creds('b', 0), nowMs: 1000 })).toBe(
      false,
    );
  });
});

describe('answerStatus: errors inside a 2xx body (a provider envelope)', () => {
  // The scripted server answers `{"status": <n>}` with HTTP <n>; here every answer is HTTP 200
  // and the body says what it stands for.
  function enveloped(bodies: number[], extra: Partial<Parameters<typeof createSyncFetch>[0]> = {}) {
    const seen: Array<string | null> = [];
    const baseFetch = (async (_url: string, init: RequestInit = {}) => {
      seen.push(new Headers(init.headers).get('authorization'));
      return new Response(JSON.stringify({ status: bodies.shift() ?? 0 }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    const http = createSyncFetch({
      baseFetch,
      signal: new AbortController().signal,
      policy,
      sleep: async () => {},
      random: () => 0.5,
      wallNow: () => 0,
      answerStatus: ({ text }) => {
        const s = (JSON.parse(text) as { status: number }).status;
        return s === 0 ? undefined : s;
      },
      ...extra,
    });
    return { http, seen };
  }

  test('a body saying 401 refreshes once and retries with the new token; 429 and 503 retry; success passes', async () => {
    let refreshes = 0;
    const t = enveloped([401, 429, 503], {
      refreshOn401: async () => {
        refreshes++;
        return 'fresh';
      },
    });
    const res = await t.http.fetch('http://x/api', { headers: { Authorization: 'Bearer stale' } });
    expect(res.status).toBe(200);
    expect(refreshes).toBe(1);
    expect(t.seen).toEqual(['Bearer stale', 'Bearer fresh', 'Bearer fresh', 'Bearer fresh']);
    expect(t.http.stats).toMatchObject({ calls: 4, retries: 2 });
  });

  test('the status it gives reaches the caller, with the body; a status no Response can carry is ignored', async () => {
    const t = enveloped([400, 42]);
    const bad = await t.http.fetch('http://x/api');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ status: 400 });
    expect((await t.http.fetch('http://x/api')).status).toBe(200);
  });
});
