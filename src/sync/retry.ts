/**
 * Retry bounds and back-off for the sync's HTTP calls. Every bound is finite, so a misbehaving
 * provider ends in a clear failure instead of a hung cron job. Tests shrink the delays through the
 * environment (read via ctx.env): OKR_RETRY_BASE_MS, OKR_RETRY_MAX_MS, OKR_RETRY_AFTER_MAX_MS,
 * OKR_HTTP_TIMEOUT_MS.
 */

import { REQUEST_TIMEOUT_MS } from '../http/provider-fetch.js';

export interface RetryPolicy {
  /** First back-off step; step n waits between half and all of `baseMs * 2^n` (equal jitter). */
  baseMs: number;
  /** Ceiling of one jittered back-off step. */
  maxDelayMs: number;
  /** Retries of a 429 (after the first attempt). */
  maxRateLimitRetries: number;
  /** Retries of a 5xx, a 408, a network error or a timeout. */
  maxTransientRetries: number;
  /** One attempt, response body included. */
  timeoutMs: number;
  /** A `Retry-After` longer than this is not waited for: the sync fails and says when to retry. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 500,
  maxDelayMs: 20_000,
  maxRateLimitRetries: 5,
  maxTransientRetries: 3,
  timeoutMs: REQUEST_TIMEOUT_MS,
  maxRetryAfterMs: 120_000,
};

function envMs(env: Record<string, string | undefined>, key: string): number | undefined {
  const v = env[key];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** One provider request's deadline, body included (the context's provider fetch and each sync attempt). */
export function requestTimeoutFromEnv(env: Record<string, string | undefined>): number {
  return envMs(env, 'OKR_HTTP_TIMEOUT_MS') ?? REQUEST_TIMEOUT_MS;
}

export function retryPolicyFromEnv(env: Record<string, string | undefined>): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY };
  p.baseMs = envMs(env, 'OKR_RETRY_BASE_MS') ?? p.baseMs;
  p.maxDelayMs = envMs(env, 'OKR_RETRY_MAX_MS') ?? Math.max(p.maxDelayMs, p.baseMs);
  p.timeoutMs = requestTimeoutFromEnv(env);
  p.maxRetryAfterMs = envMs(env, 'OKR_RETRY_AFTER_MAX_MS') ?? p.maxRetryAfterMs;
  return p;
}

/** The wait before retry number `retry` (0-based): equal jitter, so retries never bunch up at 0. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
