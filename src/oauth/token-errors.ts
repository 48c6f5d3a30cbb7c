/**
 * Token endpoint failures → `ProviderError` categories, for every plugin. The standard part is
 * RFC 6749 §5.2's error codes and the HTTP status; the plugin's `tokenErrorHint` may replace the
 * hint with provider-specific advice (Google: refresh tokens of a Testing-mode app live 7 days).
 * Only the OAuth `error` and a bounded `error_description` of a body are ever shown.
 */
import { ProviderError, type ProviderErrorCategory } from '../errors.js';
import { HttpPolicyError } from '../http/policy-error.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { categoryForStatus, providerErrorFromPolicy, standardHint, statusText } from '../plugins/provider-errors.js';
import type { DataImportPlugin, OAuthConfig, OAuthCredentials, TokenEndpointAnswer } from '../plugins/types.js';
import { safeText } from '../safe-text.js';
import { clause } from '../text.js';

const MAX_DESCRIPTION = 200;

export function tokenSource(plugin: DataImportPlugin): string {
  return `The token endpoint of ${plugin.name}`;
}

/** The provider's own words, bounded and made safe to print and store (safe-text.ts). */
function shown(s: unknown): string | undefined {
  if (typeof s !== 'string' || s.trim() === '') return undefined;
  return safeText(s.trim(), MAX_DESCRIPTION);
}

type Grant = 'authorization_code' | 'refresh_token';

/** The category of an RFC 6749 `error` code on a token request. */
function categoryFor(error: string, status: number): ProviderErrorCategory {
  switch (error) {
    case 'invalid_grant':
    case 'access_denied':
      // For a code exchange, the code (not the connection) is bad: the user signs in again either way.
      return 'reauth';
    case 'invalid_client':
    case 'unauthorized_client':
    case 'unsupported_grant_type':
    case 'invalid_request':
      return 'client';
    case 'invalid_scope':
    case 'insufficient_scope':
      return 'scope';
    case 'temporarily_unavailable':
    case 'server_error':
      return 'transient';
    case 'slow_down':
      return 'rate_limited';
    default:
      return status >= 200 && status < 300 ? 'client' : categoryForStatus(status === 403 ? 400 : status);
  }
}

function hintFor(
  plugin: DataImportPlugin,
  grant: Grant,
  category: ProviderErrorCategory,
  error: string | undefined,
  description: string | undefined,
): string {
  const again = `okr connect ${plugin.id}`;
  const setup = `okr config setup ${plugin.id}`;
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    const check = `Check the client id and secret: \`${setup}\` (re-enter them from the provider's console), then \`${again}\`.`;
    return grant === 'authorization_code'
      ? check
      : `The client ID or secret is wrong, or the OAuth client was deleted. ${check}`;
  }
  if (error === 'invalid_request' && /secret/i.test(description ?? '')) {
    return `The provider wants the client secret. Enter it: \`${setup}\`, then \`${again}\`.`;
  }
  if (grant === 'authorization_code') {
    if (error === 'invalid_grant') {
      return `The code expired, was already used, or does not match this sign-in. Run \`${again}\` again and finish within a few minutes.`;
    }
    if (category === 'transient' || category === 'rate_limited') {
      return `The provider has a problem; try \`${again}\` again later. Nothing was stored.`;
    }
    if (category === 'client') return `Check the plugin's settings (\`${setup}\`), then \`${again}\`.`;
    return `Run \`${again}\` again.`;
  }
  if (category === 'client') {
    return `The provider refused okr's token request. Check \`${setup}\`; if it persists, run \`${again}\`.`;
  }
  return standardHint(category, plugin.id);
}

/** What `okr connect` says when the code exchange is refused: in the words of the sign-in. */
function exchangeMessage(
  pluginId: string,
  error: string | undefined,
  description: string | undefined,
  status: number,
): string {
  // The provider's sentence goes inside okr's brackets: without its own full stop.
  const said = description ? `: ${clause(description)}` : '';
  switch (error) {
    case 'invalid_grant':
      return `${pluginId} rejected the authorization code (invalid_grant${said}).`;
    case 'invalid_client':
    case 'unauthorized_client':
      return `${pluginId} rejected okr's client credentials (${error}${said}).`;
    case 'invalid_request':
      return `${pluginId} refused the token request (invalid_request${said}).`;
    default:
      return `The token endpoint of ${pluginId} answered ${error ?? statusText(status)}${error ? said : ''}.`;
  }
}

/** A non-2xx (or adapted) token endpoint answer. */
export function tokenEndpointError(
  plugin: DataImportPlugin,
  _cfg: OAuthConfig,
  grant: Grant,
  answer: TokenEndpointAnswer,
  credentials: OAuthCredentials | undefined,
  nowMs: number,
): ProviderError {
  const body = answer.body as { error?: unknown; error_description?: unknown } | undefined;
  const error = typeof body?.error === 'string' && /^[\x21-\x7e]{1,64}$/.test(body.error) ? body.error : undefined;
  const description = shown(body?.error_description);
  const category = categoryFor(error ?? '', answer.status);
  const said = error ? ` ${error}${description ? `: ${description}` : ''}` : '';
  const message =
    grant === 'authorization_code'
      ? exchangeMessage(plugin.id, error, description, answer.status)
      : `${tokenSource(plugin)} answered ${error ? answer.status : statusText(answer.status)}${said}`;
  const reason = error;
  const hint =
    plugin.tokenErrorHint?.({ category, reason, description, status: answer.status }, credentials, nowMs) ??
    hintFor(plugin, grant, category, error, description);
  return new ProviderError(category, message, {
    status: answer.status,
    reason,
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after'), nowMs),
    hint,
  });
}

/** The request never got an answer: DNS, a refused connection, a reset, a timeout. */
export function tokenNetworkError(
  plugin: DataImportPlugin,
  cfg: OAuthConfig,
  grant: Grant,
  err: unknown,
): ProviderError {
  if (err instanceof HttpPolicyError) {
    const e = providerErrorFromPolicy(err, tokenSource(plugin));
    if (grant !== 'authorization_code') return e;
    return new ProviderError(e.category, e.message, {
      status: e.status,
      reason: e.reason,
      cause: err,
      hint: `Nothing was stored. ${err.retryable ? 'Check the network connection' : 'Check the token URL (`okr config list`)'}, then run \`okr connect ${plugin.id}\` again.`,
    });
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why =
    err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
      ? 'the request timed out'
      : (cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)));
  let host = cfg.tokenUrl;
  try {
    host = new URL(cfg.tokenUrl).host;
  } catch {}
  if (grant === 'authorization_code') {
    return new ProviderError(
      'transient',
      `Could not reach the token endpoint of ${plugin.id} (${host}): ${clause(why)}.`,
      {
        cause: err,
        hint: `Check the network connection, then run \`okr connect ${plugin.id}\` again. Nothing was stored.`,
      },
    );
  }
  return new ProviderError('transient', `Could not reach the token endpoint of ${plugin.name} (${host}): ${why}`, {
    cause: err,
    hint: 'Check the network connection; okr retries with back-off.',
  });
}
