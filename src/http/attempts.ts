/**
 * A request the sync's retrying fetch (src/sync/http.ts) must send at most once. A refresh with a
 * single-use refresh token is one: if a first attempt reached the provider and only its answer was
 * lost, a second attempt spends the same token again, and the provider (Oura, Withings) may then
 * end the whole grant. Set it on the RequestInit: `{ ...init, [SINGLE_ATTEMPT]: true }`.
 */
export const SINGLE_ATTEMPT: unique symbol = Symbol.for('okr.http.singleAttempt');

export function isSingleAttempt(init: RequestInit | undefined): boolean {
  return (init as Record<symbol, unknown> | undefined)?.[SINGLE_ATTEMPT] === true;
}
