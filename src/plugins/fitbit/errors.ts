/**
 * Google Health API error bodies → `ProviderError` categories, each with a hint that says what to
 * run. Only what is Google's lives here: google.rpc.Status (`{"error": {code, message, status,
 * details[]}}`) and its ErrorInfo reasons. Bodies that are not one (HTML from a proxy, an empty
 * 502) and every plain status go through the platform's `providerErrorFromStatus`; the token
 * endpoint's errors are the platform's (src/oauth/token-errors.ts, with token-hints.ts).
 *
 * A 401 maps to `reauth` with status 401: the sync engine refreshes once and retries, and only a
 * second 401 (or `invalid_grant` on refresh) means the user must reconnect.
 */
import { ProviderError } from '../../errors.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import {
  badProviderResponse,
  categoryForStatus,
  providerErrorFromNetwork,
  providerErrorFromStatus,
} from '../provider-errors.js';
import { type RpcStatus, rpcStatus } from './schemas.js';

const SOURCE = 'Google Health API';
const RECONNECT = 'Run `okr connect fitbit` to sign in again.';
const ACCOUNT_SIGNUP_URL = 'https://fitbit.google.com/auth/signup';
const CONNECTIONS_URL = 'https://myaccount.google.com/connections';
const SCOPE_HINT =
  "A permission was not granted. Run `okr connect fitbit` again and tick every checkbox on Google's consent screen.";

/** Google's words for the categories every body shape shares. */
function googleHint(status: number): string | undefined {
  switch (categoryForStatus(status)) {
    case 'retired':
      return 'This API is retired. Update okr. If plugin.fitbit.api_base_url points at the legacy api.fitbit.com, remove it: `okr config unset plugin.fitbit.api_base_url`.';
    case 'rate_limited':
      return 'Google Health allows 300 requests per minute per user; okr waits and retries.';
    case 'reauth':
      return RECONNECT;
    case 'scope':
      return `Sign in with the Google Account that holds your Fitbit data (not a legacy Fitbit login): remove okr at ${CONNECTIONS_URL} and run \`okr connect fitbit\`. Google may also not be onboarding new projects, in which case this project cannot use the API yet.`;
    default:
      return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Maps a non-2xx response. `bodyText` may be anything, including HTML or nothing. */
export function errorFromResponse(status: number, headers: Headers, bodyText: string, nowMs: number): ProviderError {
  const rpc = rpcStatus.safeParse(parseJson(bodyText));
  if (rpc.success) return fromRpcStatus(status, headers, rpc.data.error, nowMs);
  const fitbitHint = googleHint(status);
  // A plain 403 (no google.rpc.Status) says nothing about scopes: treat it as the account problem.
  if (status === 403) {
    return new ProviderError('client', `${SOURCE} answered HTTP 403 Forbidden`, { status, hint: fitbitHint });
  }
  return providerErrorFromStatus({ pluginId: 'fitbit', source: SOURCE, status, headers, nowMs, hint: fitbitHint });
}

function fromRpcStatus(httpStatus: number, headers: Headers, e: RpcStatus['error'], nowMs: number): ProviderError {
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), nowMs);
  const infos = (e.details ?? []).filter((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
  const reason = infos.find((d) => d.reason)?.reason ?? e.status;
  const message = e.message ?? '';
  const what = `${SOURCE} answered ${httpStatus}${e.status ? ` ${e.status}` : ''}: ${message}`.trim();
  const opts = { status: httpStatus, reason, retryAfterMs };

  if (reason === 'ACCOUNT_NOT_LINKED') {
    const signup = infos.find((d) => d.metadata?.redirect_uri)?.metadata?.redirect_uri ?? ACCOUNT_SIGNUP_URL;
    return new ProviderError('account', what, {
      ...opts,
      hint: `This Google Account has no Google Health profile. In the Fitbit app, move your Fitbit account to a Google Account (or set one up at ${signup}), then run \`okr connect fitbit\` with that account.`,
    });
  }
  if (reason === 'SERVICE_DISABLED') {
    const link =
      e.details?.flatMap((d) => d.links ?? []).find((l) => l.url)?.url ??
      /https:\/\/console\.(?:developers|cloud)\.google\.com\/\S+/.exec(message)?.[0].replace(/[.,;)]+$/, '');
    return new ProviderError('setup', what, {
      ...opts,
      hint: `Enable the Google Health API for your project${link ? ` at ${link}` : ' (APIs & Services → Library → "Google Health API")'}, wait a few minutes, then run \`okr sync\` again. Note: Google may not be onboarding new projects; if enabling is refused, this project cannot use the API yet.`,
    });
  }
  if (reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' || /insufficient authentication scopes/i.test(message)) {
    return new ProviderError('scope', what, { ...opts, hint: SCOPE_HINT });
  }
  if (reason === 'RESOURCE_PERMISSION_DENIED') {
    return new ProviderError('reauth', what, {
      ...opts,
      hint: `Remove okr's access at ${CONNECTIONS_URL}, then run \`okr connect fitbit\` and consent again.`,
    });
  }
  const status = reason === 'RATE_LIMIT_EXCEEDED' || e.status === 'RESOURCE_EXHAUSTED' ? 429 : httpStatus;
  if (status === 403) return new ProviderError('client', what, { ...opts, hint: googleHint(403) });
  // INVALID_ARGUMENT says which part of the request was wrong: keep that in the message.
  const violations = (e.details ?? []).flatMap((d) => d.fieldViolations ?? []).map((v) => v.description);
  const full = violations.length ? `${what} (${violations.join('; ')})` : what;
  const category = categoryForStatus(status);
  return new ProviderError(category, full, {
    ...opts,
    hint:
      googleHint(status) ??
      providerErrorFromStatus({ pluginId: 'fitbit', source: SOURCE, status, nowMs }).hint ??
      RECONNECT,
  });
}

/** fetch() itself failed: DNS, refused connection, reset. Always worth a retry. */
export function errorFromNetwork(err: unknown): ProviderError {
  return providerErrorFromNetwork(err, SOURCE);
}

/** A 2xx whose body okr cannot use: wrong content type, broken JSON, or a field of the wrong shape. */
export function badResponse(detail: string, cause?: unknown): ProviderError {
  return badProviderResponse(SOURCE, detail, cause);
}
