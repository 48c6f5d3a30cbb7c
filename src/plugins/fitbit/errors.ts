/**
 * Google's error bodies → `ProviderError` categories the sync engine acts on, each with a hint that
 * says what to run. Two body shapes exist:
 * - google.rpc.Status (`{"error": {code, message, status, details[]}}`) from health.googleapis.com;
 * - RFC 6749 (`{"error": "invalid_grant", "error_description": "…"}`) from the OAuth endpoints.
 * Bodies that are neither (HTML from a proxy, an empty 502) fall back to the HTTP status.
 *
 * A 401 from the API maps to `reauth` with status 401: the sync engine refreshes once and retries,
 * and only a second 401 (or `invalid_grant` on refresh) means the user must reconnect.
 */
import { ProviderError } from '../../errors.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import type { OAuthCredentials } from '../types.js';
import { type OAuthErrorBody, oauthError, type RpcStatus, rpcStatus } from './schemas.js';

export type ErrorSource = 'api' | 'token' | 'revoke';

export interface ErrorContext {
  source: ErrorSource;
  nowMs: number;
  /** The stored credentials, to tell a Testing-mode (7-day) refresh token apart. */
  credentials?: OAuthCredentials;
}

const SOURCE_LABEL: Record<ErrorSource, string> = {
  api: 'Google Health API',
  token: "Google's token endpoint",
  revoke: "Google's revoke endpoint",
};

const RECONNECT = 'Run `okr connect fitbit` to sign in again.';
const SETUP =
  'Run `okr config setup fitbit` and paste both the Client ID and the Client secret of your Desktop app client.';
const ACCOUNT_SIGNUP_URL = 'https://fitbit.google.com/auth/signup';
const CONNECTIONS_URL = 'https://myaccount.google.com/connections';

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from now. */

/**
 * The hint for an `invalid_grant` on refresh. Google only sends `refresh_token_expires_in` for
 * time-limited tokens, which for a personal project means the consent screen is in Testing mode.
 */
export function reauthHint(credentials: OAuthCredentials | undefined, nowMs: number): string {
  const expiresAt = credentials?.refreshTokenExpiresAt;
  if (expiresAt === undefined) {
    return `${RECONNECT} If your Google Cloud project's consent screen is in Testing mode, Google expires its refresh tokens after 7 days: publish it "In production" (Google Auth Platform → Audience) to stop this.`;
  }
  const when = expiresAt <= nowMs ? `expired on ${new Date(expiresAt).toISOString().slice(0, 10)}` : 'was time-limited';
  return `Your refresh token ${when}: Google gives 7-day refresh tokens to projects whose consent screen is in Testing mode. Publish the app "In production" (Google Auth Platform → Audience → Publish app), then ${RECONNECT.charAt(0).toLowerCase()}${RECONNECT.slice(1)}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Maps a non-2xx response. `bodyText` may be anything, including HTML or nothing. */
export function errorFromResponse(
  status: number,
  headers: Headers,
  bodyText: string,
  ctx: ErrorContext,
): ProviderError {
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), ctx.nowMs);
  const body = parseJson(bodyText);
  const rpc = rpcStatus.safeParse(body);
  if (rpc.success) return fromRpcStatus(status, rpc.data.error, retryAfterMs, ctx);
  const oauth = oauthError.safeParse(body);
  if (oauth.success) return fromOAuthError(status, oauth.data, retryAfterMs, ctx);
  return statusOnly(status, retryAfterMs, ctx);
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A body that is neither JSON shape: only the HTTP status is known. */
function statusOnly(status: number, retryAfterMs: number | undefined, ctx: ErrorContext): ProviderError {
  const text = STATUS_TEXT[status];
  return fromStatus(
    status,
    `${SOURCE_LABEL[ctx.source]} answered HTTP ${status}${text ? ` ${text}` : ''}`,
    retryAfterMs,
    ctx,
  );
}

/** The categories every body shape shares: they depend on the HTTP status alone. */
function fromStatus(
  status: number,
  what: string,
  retryAfterMs: number | undefined,
  ctx: ErrorContext,
  reason?: string,
): ProviderError {
  const opts = { status, reason, retryAfterMs };
  if (status === 410) {
    return new ProviderError('retired', what, {
      ...opts,
      hint: 'This API is retired. Update okr. If plugin.fitbit.api_base_url points at the legacy api.fitbit.com, remove it: `okr config unset plugin.fitbit.api_base_url`.',
    });
  }
  if (status === 429) {
    return new ProviderError('rate_limited', what, {
      ...opts,
      hint: 'Google Health allows 300 requests per minute per user; okr waits and retries.',
    });
  }
  if (status >= 500 || status === 408) {
    return new ProviderError('transient', what, {
      ...opts,
      hint: 'This is usually temporary; okr retries with back-off. Run `okr sync` again later.',
    });
  }
  if (status === 401) {
    return new ProviderError('reauth', what, {
      ...opts,
      hint: ctx.source === 'api' ? RECONNECT : reauthHint(ctx.credentials, ctx.nowMs),
    });
  }
  return new ProviderError('client', what, {
    ...opts,
    hint: 'This looks like a bug in okr: report it with the message above (run with --verbose for details).',
  });
}

function fromRpcStatus(
  httpStatus: number,
  e: RpcStatus['error'],
  retryAfterMs: number | undefined,
  ctx: ErrorContext,
): ProviderError {
  const infos = (e.details ?? []).filter((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
  const reason = infos.find((d) => d.reason)?.reason ?? e.status;
  const message = e.message ?? '';
  const what = `${SOURCE_LABEL[ctx.source]} answered ${httpStatus}${e.status ? ` ${e.status}` : ''}: ${message}`.trim();
  const opts = { status: httpStatus, reason, retryAfterMs };

  if (reason === 'ACCOUNT_NOT_LINKED') {
    const signup = infos.find((d) => d.metadata?.redirect_uri)?.metadata?.redirect_uri ?? ACCOUNT_SIGNUP_URL;
    return new ProviderError('account_not_linked', what, {
      ...opts,
      hint: `This Google Account has no Google Health profile. In the Fitbit app, move your Fitbit account to a Google Account (or set one up at ${signup}), then run \`okr connect fitbit\` with that account.`,
    });
  }
  if (reason === 'SERVICE_DISABLED') {
    const link =
      e.details?.flatMap((d) => d.links ?? []).find((l) => l.url)?.url ??
      /https:\/\/console\.(?:developers|cloud)\.google\.com\/\S+/.exec(message)?.[0].replace(/[.,;)]+$/, '');
    return new ProviderError('api_disabled', what, {
      ...opts,
      hint: `Enable the Google Health API for your project${link ? ` at ${link}` : ' (APIs & Services → Library → "Google Health API")'}, wait a few minutes, then run \`okr sync\` again. Note: Google may not be onboarding new projects; if enabling is refused, this project cannot use the API yet.`,
    });
  }
  if (reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' || /insufficient authentication scopes/i.test(message)) {
    return new ProviderError('scope', what, {
      ...opts,
      hint: "A permission was not granted. Run `okr connect fitbit` again and tick every checkbox on Google's consent screen.",
    });
  }
  if (reason === 'RESOURCE_PERMISSION_DENIED') {
    return new ProviderError('reauth', what, {
      ...opts,
      hint: `Remove okr's access at ${CONNECTIONS_URL}, then run \`okr connect fitbit\` and consent again.`,
    });
  }
  if (reason === 'RATE_LIMIT_EXCEEDED' || e.status === 'RESOURCE_EXHAUSTED') {
    return fromStatus(429, what, retryAfterMs, ctx, reason);
  }
  if (httpStatus === 403) {
    return new ProviderError('client', what, {
      ...opts,
      hint: `Sign in with the Google Account that holds your Fitbit data (not a legacy Fitbit login): remove okr at ${CONNECTIONS_URL} and run \`okr connect fitbit\`. Google may also not be onboarding new projects, in which case this project cannot use the API yet.`,
    });
  }
  // INVALID_ARGUMENT says which part of the request was wrong: keep that in the message.
  const violations = (e.details ?? []).flatMap((d) => d.fieldViolations ?? []).map((v) => v.description);
  const full = violations.length ? `${what} (${violations.join('; ')})` : what;
  return fromStatus(httpStatus, full, retryAfterMs, ctx, reason);
}

function fromOAuthError(
  httpStatus: number,
  body: OAuthErrorBody,
  retryAfterMs: number | undefined,
  ctx: ErrorContext,
): ProviderError {
  const what = `${SOURCE_LABEL[ctx.source]} answered ${httpStatus} ${body.error}${body.error_description ? `: ${body.error_description}` : ''}`;
  const opts = { status: httpStatus, reason: body.error, retryAfterMs };
  switch (body.error) {
    case 'invalid_grant':
    case 'access_denied':
      return new ProviderError('reauth', what, { ...opts, hint: reauthHint(ctx.credentials, ctx.nowMs) });
    case 'invalid_client':
    case 'unauthorized_client':
      return new ProviderError('client', what, {
        ...opts,
        hint: `The client ID or secret is wrong, or the OAuth client was deleted. ${SETUP}`,
      });
    case 'insufficient_scope':
      return new ProviderError('scope', what, {
        ...opts,
        hint: "A permission was not granted. Run `okr connect fitbit` again and tick every checkbox on Google's consent screen.",
      });
    case 'invalid_request':
      if (/client_secret/i.test(body.error_description ?? '')) {
        return new ProviderError('client', what, {
          ...opts,
          hint: `Google requires the client secret for Desktop app clients. ${SETUP}`,
        });
      }
      break;
    case 'temporarily_unavailable':
    case 'server_error':
      return fromStatus(httpStatus >= 500 ? httpStatus : 503, what, retryAfterMs, ctx, body.error);
  }
  return fromStatus(httpStatus, what, retryAfterMs, ctx, body.error);
}

/** fetch() itself failed: DNS, refused connection, reset. Always worth a retry. */
export function errorFromNetwork(err: unknown, source: ErrorSource): ProviderError {
  const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new ProviderError('transient', `Could not reach ${SOURCE_LABEL[source]}: ${cause}`, {
    cause: err,
    hint: 'Check the network connection; okr retries with back-off.',
  });
}

/** A 2xx whose body okr cannot use: wrong content type, broken JSON, or a field of the wrong shape. */
export function badResponse(source: ErrorSource, detail: string, cause?: unknown): ProviderError {
  return new ProviderError('bad_response', `${SOURCE_LABEL[source]} sent a response okr cannot read: ${detail}`, {
    cause,
    hint: 'Try again later. If it keeps happening, report it (run with --verbose for details).',
  });
}
