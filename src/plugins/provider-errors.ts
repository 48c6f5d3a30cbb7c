/**
 * The part of every provider's error mapping that depends on HTTP alone, so a plugin maps only
 * what is particular to its provider (Google's `google.rpc.Status` reasons, Withings' status codes)
 * and hands everything else here:
 *   401 → reauth (the sync engine refreshes once and retries; a second 401 reaches the user),
 *   429 → rate_limited (with `Retry-After`), 5xx and 408 → transient, 410 → retired,
 *   403 → scope (a permission the user did not grant), any other status → client.
 */
import { ProviderError, type ProviderErrorCategory } from '../errors.js';
import { HttpPolicyError } from '../http/policy-error.js';
import { parseRetryAfter } from '../http/retry-after.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  410: 'Gone',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `HTTP 503 Service Unavailable`. */
export function statusText(status: number): string {
  const text = STATUS_TEXT[status];
  return `HTTP ${status}${text ? ` ${text}` : ''}`;
}

export function categoryForStatus(status: number): ProviderErrorCategory {
  if (status === 401) return 'reauth';
  if (status === 403) return 'scope';
  if (status === 410) return 'retired';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 408) return 'transient';
  return 'client';
}

export interface StatusErrorOptions {
  /** The plugin id, for the hints' commands. */
  pluginId: string;
  /** What answered, for the message: "the Oura API". */
  source: string;
  status: number;
  headers?: Headers;
  nowMs: number;
  /** The provider's own words, when its body had any (kept short by the caller). */
  detail?: string;
  reason?: string;
  /** Replaces the standard hint for this category. */
  hint?: string;
}

export function standardHint(category: ProviderErrorCategory, pluginId: string): string {
  switch (category) {
    case 'reauth':
      return `Run \`okr connect ${pluginId}\` to sign in again.`;
    case 'scope':
      return `A permission was not granted. Run \`okr connect ${pluginId}\` again and allow every requested access.`;
    case 'retired':
      return 'This provider API is retired. Update okr (npm install -g okr@latest).';
    case 'rate_limited':
      return "The provider's rate limit was reached; okr waits and retries.";
    case 'transient':
      return 'This is usually temporary; okr retries with back-off. Run `okr sync` again later.';
    case 'bad_response':
      return 'Try again later. If it keeps happening, report it (run with --verbose for details).';
    default:
      return 'This looks like a bug in okr: report it with the message above (run with --verbose for details).';
  }
}

/** The error for a non-2xx answer, from its status (and `Retry-After`) alone. */
export function providerErrorFromStatus(o: StatusErrorOptions): ProviderError {
  const category = categoryForStatus(o.status);
  const retryAfterMs = parseRetryAfter(o.headers?.get('retry-after'), o.nowMs);
  return new ProviderError(category, `${o.source} answered ${statusText(o.status)}${o.detail ? `: ${o.detail}` : ''}`, {
    status: o.status,
    reason: o.reason,
    retryAfterMs,
    hint: o.hint ?? standardHint(category, o.pluginId),
  });
}

/**
 * A request okr's HTTP policy stopped (http/provider-fetch.ts): a redirect to another origin, a
 * body over the cap, no answer by the deadline, a header HTTP does not allow. Never a network
 * problem, and (but for the deadline) never worth a retry.
 */
export function providerErrorFromPolicy(err: HttpPolicyError, source: string): ProviderError {
  const what = err.describe(source);
  const opts = { status: err.status, reason: err.kind, cause: err };
  switch (err.kind) {
    case 'redirect':
      return new ProviderError('redirect', what, {
        ...opts,
        hint: "okr sends tokens only to the addresses it is configured with. If one of the plugin's URL settings (`okr config list`) points at an old address or a proxy, set it to the final one; otherwise report it.",
      });
    case 'too_large':
      return new ProviderError('bad_response', what, {
        ...opts,
        hint: "Try again later. If it keeps happening, check the plugin's URL settings (`okr config list`) and report it.",
      });
    case 'deadline':
      return new ProviderError('transient', what, { ...opts, hint: standardHint('transient', '') });
    case 'bad_header':
      return new ProviderError('client', what, {
        ...opts,
        hint: 'The stored sign-in holds characters HTTP does not allow: run `okr connect` for this plugin again.',
      });
  }
}

/** Node's code for a string that is not a URL (`new URL()`, or fetch() wrapping it). */
function isInvalidUrl(err: unknown): boolean {
  const code = (e: unknown) => (e as { code?: unknown } | null | undefined)?.code;
  return (
    code(err) === 'ERR_INVALID_URL' ||
    code((err as { cause?: unknown } | null | undefined)?.cause) === 'ERR_INVALID_URL'
  );
}

/**
 * fetch() itself failed (DNS, refused connection, reset): always worth a retry. But a request
 * whose URL is not one never left okr: a setting to fix, so never retried, and its text (which
 * may hold a password) is not quoted.
 */
export function providerErrorFromNetwork(err: unknown, source: string): ProviderError {
  if (err instanceof HttpPolicyError) return providerErrorFromPolicy(err, source);
  if (isInvalidUrl(err)) {
    // No cause attached: it holds the URL itself (`input`), which --verbose would print.
    return new ProviderError('settings', `okr could not send a request to ${source}: its URL is not valid`, {
      hint: "Check the plugin's URL settings with `okr config list`, and fix the one that is not a URL with `okr config set <key> <https URL>` (or unset its environment variable).",
    });
  }
  const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new ProviderError('transient', `Could not reach ${source}: ${cause}`, {
    cause: err,
    hint: 'Check the network connection; okr retries with back-off.',
  });
}

/** A 2xx whose body okr cannot use: wrong content type, broken JSON, a field of the wrong shape. */
export function badProviderResponse(source: string, detail: string, cause?: unknown): ProviderError {
  return new ProviderError('bad_response', `${source} sent a response okr cannot read: ${detail}`, {
    cause,
    hint: standardHint('bad_response', ''),
  });
}
