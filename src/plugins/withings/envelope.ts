/**
 * Withings' `{status, body, error?}` envelope, which every answer (token endpoint included) is
 * wrapped in, errors too, with HTTP 200. `status` 0 is success; any other value is an error whose
 * meaning is a group of codes, mapped here to the HTTP status that means the same to okr, so an
 * error in the body is treated exactly like that HTTP error (retries, back-off, refresh once on
 * 401, the category the user sees).
 *
 * The groups are the ones a maintained client (aiowithings, `const.py`) uses for Withings' status
 * table; the Withings reference lists the codes without bodies. Note that the numbers are NOT
 * HTTP statuses: 503 is "invalid params" (the token endpoint's answer to a used or expired
 * code: `{"status":503,"error":"Invalid Params: invalid code"}`), not "service unavailable".
 *
 * Light on purpose (no zod): `answerStatus` runs on every answer of a sync.
 */

/** What an envelope status means. */
export type EnvelopeKind = 'auth_failed' | 'unauthorized' | 'rate_limited' | 'transient' | 'invalid_params';

/** Comma-separated codes and ranges, read once. */
function codes(spec: string): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let n = a; n <= (b ?? a); n++) out.add(n);
  }
  return out;
}

const AUTH_FAILED = codes('100-102,200,401');
const UNAUTHORIZED = codes('214,277,2553-2555');
const TOO_MANY_REQUESTS = codes('601');
/** "A timeout occurred", "bad state" and "an error occurred": Withings' side, worth a few retries. */
const TRANSIENT = codes(
  '522,524,215,219,222,224,226,231,233,237,253,255-259,268-270,273,274,278-282,289,291,292,296,298,305,306,308-320,322,370-375,383,391,402,516-521,525-531,533,602,700,1051-1054,2551,2552,2556-2559,3000-3016,3020-3024,5000,5001,5005,5006,6000,6010,6011,9000,10000',
);

/** The group of a non-zero status. Unknown codes count as invalid params: an error to report, not retry. */
export function envelopeKind(status: number): EnvelopeKind {
  if (AUTH_FAILED.has(status)) return 'auth_failed';
  if (UNAUTHORIZED.has(status)) return 'unauthorized';
  if (TOO_MANY_REQUESTS.has(status)) return 'rate_limited';
  if (TRANSIENT.has(status)) return 'transient';
  return 'invalid_params';
}

/** The HTTP status that means the same to okr as each group. */
export const KIND_HTTP_STATUS: Record<EnvelopeKind, number> = {
  auth_failed: 401,
  unauthorized: 403,
  rate_limited: 429,
  transient: 503,
  invalid_params: 400,
};

export interface Envelope {
  status: number;
  body?: unknown;
  /** Withings' words, when it sent any. */
  error?: string;
}

/** Bodies longer than this are not read for a status (okr's response cap is 4 MiB anyway). */
const MAX_ENVELOPE_TEXT = 4 * 1024 * 1024;

/** The envelope in a parsed body, or undefined when the body is not one. */
export function envelopeOf(json: unknown): Envelope | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.status !== 'number' || !Number.isInteger(o.status)) return undefined;
  return { status: o.status, body: o.body, error: typeof o.error === 'string' ? o.error : undefined };
}

/** The envelope in a body's text, or undefined. */
export function parseEnvelope(text: string): Envelope | undefined {
  if (text.length > MAX_ENVELOPE_TEXT) return undefined;
  try {
    return envelopeOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * `DataImportPlugin.answerStatus`: a 2xx answer whose envelope carries an error stands for that
 * error's HTTP status. Anything else (success, a non-2xx answer, a body that is not an envelope)
 * keeps HTTP's status.
 */
export function answerStatus(answer: { status: number; text: string }): number | undefined {
  if (answer.status < 200 || answer.status > 299) return undefined;
  const env = parseEnvelope(answer.text);
  if (!env || env.status === 0) return undefined;
  return KIND_HTTP_STATUS[envelopeKind(env.status)];
}
