/**
 * `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP date, as milliseconds from `nowMs`.
 * Shared by the plugins' error mapping and the sync engine's retrying fetch.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/**
 * When a provider's rate-limit window resets, from `X-RateLimit-Reset` / `RateLimit-Reset`
 * (IETF draft): seconds from now, or, for values that can only be a Unix time, an epoch second.
 * Milliseconds from `nowMs`, or undefined when absent or unreadable.
 */
export function parseRateLimitReset(headers: Headers, nowMs: number): number | undefined {
  const v = (headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset'))?.trim();
  if (!v || !/^\d+(\.\d+)?$/.test(v)) return undefined;
  const n = Number(v);
  // Ten years of seconds: anything larger is an epoch time, not a delay.
  return n > 315_360_000 ? Math.max(0, Math.round(n * 1000 - nowMs)) : Math.round(n * 1000);
}

/** `X-RateLimit-Remaining` / `RateLimit-Remaining`: requests left in the window, or undefined. */
export function parseRateLimitRemaining(headers: Headers): number | undefined {
  const v = (headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining'))?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}
