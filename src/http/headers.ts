/**
 * Request headers, checked without ever quoting a value. Node's `Headers` rejects a bad value with
 * the value in the message ("Headers.append: "Bearer …" is an invalid header value."), which is how
 * a token with a control character used to end up in sync output, `sync_runs.error` and doctor.
 * Here the check is node:http's own rule (tab, visible ASCII, space, and bytes 0x80-0xFF; `Headers`
 * lets ESC and other controls through, node:http then refuses them), and the error names the
 * header only.
 */
import { HttpPolicyError } from './policy-error.js';
import { OkrHeaders } from './response.js';

/** What node:http sends as a header value (its checkInvalidHeaderChar). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** RFC 9110 token: safe to print. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function badHeader(name: string): HttpPolicyError {
  const which = FIELD_NAME.test(name) ? `its ${name.toLowerCase()} header` : 'a header name';
  return new HttpPolicyError('bad_header', `was not called: ${which} holds a character HTTP does not allow`);
}

function pairsOf(init: RequestInit['headers']): Iterable<[string, string]> {
  if (init === undefined || init === null) return [];
  if (Array.isArray(init)) return init.map(([k, v]) => [String(k), String(v)] as [string, string]);
  const any = init as unknown;
  if (typeof (any as Iterable<unknown>)[Symbol.iterator] === 'function') return any as Iterable<[string, string]>;
  return Object.entries(init as Record<string, string>).map(([k, v]) => [k, String(v)] as [string, string]);
}

/**
 * `new Headers(init)` (okr's own, response.ts), except that a bad name or value throws an
 * HttpPolicyError naming the header only.
 */
export function requestHeaders(init: RequestInit['headers']): Headers {
  const out = new OkrHeaders();
  for (const [name, value] of pairsOf(init)) {
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(value)) throw badHeader(name);
    out.append(name, value);
  }
  return out as unknown as Headers;
}
