/**
 * Withings' data API answers → `ProviderError` categories. An error inside the envelope (HTTP 200,
 * `status` ≠ 0) and the HTTP error it stands for (envelope.ts) give the same category: 401 and the
 * other "authentication failed" codes reauth (the sync refreshes once first), 601 rate limited,
 * the "timeout", "bad state" and "an error occurred" codes transient, "unauthorized" a missing
 * permission, "invalid params" a bug in okr's request. The token endpoint's envelope is read by
 * token.ts; plain HTTP errors (a proxy's 502) by the shared mapping.
 */
import { ProviderError } from '../../errors.js';
import { safeText } from '../../safe-text.js';
import {
  badProviderResponse,
  categoryForStatus,
  providerErrorFromNetwork,
  providerErrorFromStatus,
  standardHint,
} from '../provider-errors.js';
import { type Envelope, envelopeKind, KIND_HTTP_STATUS, parseEnvelope } from './envelope.js';

const SOURCE = 'Withings API';
const MAX_DETAIL = 200;

export const RATE_LIMIT_HINT =
  'Withings allows 120 requests a minute per application; okr waits and retries. If it gave up, run `okr sync withings` again in a minute.';

/** What was called, for messages: `getmeas`, `getsummary`, `getactivity`. */
export interface ApiErrorContext {
  nowMs: number;
  action: string;
}

function hintFor(category: string): string {
  if (category === 'rate_limited') return RATE_LIMIT_HINT;
  if (category === 'scope') {
    return 'Withings refused access to this data. Run `okr connect withings` again and allow every requested access.';
  }
  return standardHint(category as Parameters<typeof standardHint>[0], 'withings');
}

/** The error an envelope with `status` ≠ 0 carries. */
export function envelopeError(env: Envelope, ctx: ApiErrorContext): ProviderError {
  const http = KIND_HTTP_STATUS[envelopeKind(env.status)];
  const category = categoryForStatus(http);
  const words = env.error ? safeText(env.error.replace(/\s+/g, ' ').trim(), MAX_DETAIL) : '';
  return new ProviderError(
    category,
    `${SOURCE} (${ctx.action}) answered status ${env.status}${words ? `: ${words}` : ''}`,
    { status: http, reason: `withings status ${env.status}`, hint: hintFor(category) },
  );
}

/**
 * A non-2xx answer. Its body may still be an envelope: the sync's fetch gives an error inside
 * HTTP 200 its HTTP status (`answerStatus`), and the envelope then says which error it was.
 */
export function errorFromResponse(status: number, headers: Headers, text: string, ctx: ApiErrorContext): ProviderError {
  const env = parseEnvelope(text);
  if (env && env.status !== 0) return envelopeError(env, ctx);
  const category = categoryForStatus(status);
  return providerErrorFromStatus({
    pluginId: 'withings',
    source: `${SOURCE} (${ctx.action})`,
    status,
    headers,
    nowMs: ctx.nowMs,
    hint: category === 'rate_limited' ? RATE_LIMIT_HINT : undefined,
  });
}

export const errorFromNetwork = (err: unknown): ProviderError => providerErrorFromNetwork(err, SOURCE);

export const badResponse = (detail: string, cause?: unknown): ProviderError =>
  badProviderResponse(SOURCE, detail, cause);
