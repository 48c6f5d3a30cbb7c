/**
 * Oura's API answers → `ProviderError` categories, each with a hint that says what to do. Only
 * what is Oura's own lives here; the token endpoint's RFC 6749 errors are mapped by the shared
 * OAuth code.
 *
 * Oura documents status codes, not bodies (see schemas.ts `errorBody`):
 * - 401: invalid or expired token. The sync engine refreshes once and retries; a second 401 means
 *   the user must reconnect.
 * - 403: "requires additional permissions or the user's Oura subscription has expired". The two
 *   need different fixes, so they are told apart: by the body's words when it has any, else by the
 *   scopes the token was granted (a 403 on a collection whose scope was granted can only be the
 *   membership).
 * - 429: more than 5000 requests in 5 minutes. 400 and 422: okr's query was wrong (a bug).
 */
import { ProviderError } from '../../errors.js';
import {
  badProviderResponse,
  categoryForStatus,
  providerErrorFromNetwork,
  providerErrorFromStatus,
} from '../provider-errors.js';
import { COLLECTION_SCOPE, fieldsOf, type OuraCollection } from './fields.js';
import { type ErrorBody, errorBody } from './schemas.js';

export interface ApiErrorContext {
  nowMs: number;
  /** The collection asked for; absent for `personal_info` and `revoke`. */
  collection?: OuraCollection;
  /** What was called when it is not a collection (default `personal_info`). */
  endpoint?: 'personal_info' | 'revoke';
  /** The token's granted scopes (space-separated), when the token response said. */
  grantedScope?: string;
}

const SOURCE = 'Oura API';
/** Longest piece of a provider body quoted in a message. */
const MAX_DETAIL = 200;
/** Bodies longer than this are not parsed: an error body is a line, not a page. */
const MAX_ERROR_BODY = 64 * 1024;

export const MEMBERSHIP_HINT =
  'Oura gives API access only while the account has an active Oura Membership (Gen3 and Oura Ring 4). Renew it in the Oura app (Settings → Membership), then run `okr sync oura` again. Values already synced are kept.';

/** Why a scope is missing, and what brings it back, naming the fields it costs. */
export function scopeHint(scope: string, fields: string[]): string {
  const what = fields.length ? ` Without it ${fields.map((f) => `oura.${f}`).join(', ')} get no data.` : '';
  return `The "${scope}" permission was not granted on Oura's consent page.${what} Run \`okr connect oura\` and leave "${scope}" ticked.`;
}

function parseBody(text: string): ErrorBody | undefined {
  if (text.length > MAX_ERROR_BODY) return undefined;
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The provider's own words from an error body, bounded; empty when it has none. */
export function bodyDetail(body: ErrorBody | undefined): string {
  if (!body) return '';
  let detail: string | undefined;
  if (typeof body.detail === 'string') detail = body.detail;
  else if (Array.isArray(body.detail)) {
    // FastAPI validation errors: [{loc: ["query", "start_date"], msg: "..."}].
    detail = body.detail
      .map((d) => [d.loc?.join('.'), d.msg].filter(Boolean).join(': '))
      .filter(Boolean)
      .join('; ');
  }
  detail ||= body.message ?? body.title ?? body.error_description ?? body.error;
  const text = (detail ?? '').replace(/\s+/g, ' ').trim();
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/** 403: a missing scope or a lapsed membership. */
function forbiddenKind(detail: string, ctx: ApiErrorContext): 'scope' | 'membership' {
  if (/\b(subscription|membership)\b/i.test(detail)) return 'membership';
  if (/\bscopes?\b|\bpermissions?\b|\bconsent\b/i.test(detail)) return 'scope';
  if (ctx.collection && ctx.grantedScope !== undefined) {
    const granted = new Set(ctx.grantedScope.split(/\s+/));
    if (!granted.has(COLLECTION_SCOPE[ctx.collection])) return 'scope';
  }
  return 'membership';
}

/** Maps a non-2xx answer from the data API. `bodyText` may be anything, including HTML or nothing. */
export function errorFromResponse(
  status: number,
  headers: Headers,
  bodyText: string,
  ctx: ApiErrorContext,
): ProviderError {
  const detail = bodyDetail(parseBody(bodyText));
  const where = ctx.collection ?? ctx.endpoint ?? 'personal_info';
  const base = { pluginId: 'oura', source: `${SOURCE} (${where})`, status, headers, nowMs: ctx.nowMs, detail };
  if (status === 403) {
    if (forbiddenKind(detail, ctx) === 'membership') {
      return new ProviderError(
        'account',
        `${SOURCE} (${where}) answered HTTP 403 Forbidden${detail ? `: ${detail}` : ''}`,
        {
          status,
          reason: 'membership',
          hint: MEMBERSHIP_HINT,
        },
      );
    }
    const scope = ctx.collection ? COLLECTION_SCOPE[ctx.collection] : 'daily';
    return providerErrorFromStatus({
      ...base,
      reason: `missing scope ${scope}`,
      hint: scopeHint(scope, ctx.collection ? fieldsOf(ctx.collection) : []),
    });
  }
  switch (categoryForStatus(status)) {
    case 'rate_limited':
      return providerErrorFromStatus({
        ...base,
        hint: 'Oura allows 5000 requests per 5 minutes; okr waits and retries. Run `okr sync oura` again later if it gave up.',
      });
    case 'retired':
      return providerErrorFromStatus({
        ...base,
        hint: 'Oura has retired this endpoint. Update okr; if plugin.oura.api_base_url is set, check it (`okr config list`).',
      });
    default:
      // 401 reauth, 5xx transient; 400 (bad query parameters), 404 and 422 (validation): a bug in okr.
      return providerErrorFromStatus(base);
  }
}

/** fetch() itself failed: DNS, refused connection, reset. Always worth a retry. */
export const errorFromNetwork = (err: unknown): ProviderError => providerErrorFromNetwork(err, SOURCE);

/** A 2xx whose body okr cannot use: wrong content type, broken JSON, or a field of the wrong shape. */
export const badResponse = (detail: string, cause?: unknown): ProviderError =>
  badProviderResponse(SOURCE, detail, cause);
