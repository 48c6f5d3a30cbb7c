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
