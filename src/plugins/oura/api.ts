/**
 * The Oura v2 calls the plugin makes. Every request goes through `rt.fetch` with `rt.signal`;
 * every body is checked here (status, content type, JSON, zod schema), so nothing past this
 * module sees unvalidated data.
 *
 * A list is one request per page for the whole range it is given: Oura takes any date range and
 * pages with `next_token` until it is null, so asking for less than the whole range would only
 * add calls.
 */
import type { z } from 'zod';
import { addDays } from '../../dates.js';
import { checkEndpointUrl } from '../../oauth/endpoint-url.js';
import { followPages, type JsonErrors, receiveText, requestJson } from '../json-api.js';
import type { OAuthCredentials, PluginRuntime } from '../types.js';
import { type ApiErrorContext, badResponse, errorFromNetwork, errorFromResponse } from './errors.js';
import type { OuraCollection } from './fields.js';
import { page, personalInfo } from './schemas.js';

export const USERCOLLECTION = 'v2/usercollection';

/**
 * The `start_date`/`end_date` to send for an inclusive range of Oura days. Whether `end_date` is
 * inclusive is not documented, so it is sent one day late: read inclusively or exclusively, the
 * answer then holds every day up to `to` (the extra day is dropped by the mapping). `sleep` also
 * starts a day early, in case Oura selects periods by their start rather than their `day`: a
 * night that begins the evening before `from` belongs to `from`.
 */
export function queryWindow(collection: OuraCollection, from: string, to: string): { start: string; end: string } {
  return { start: collection === 'sleep' ? addDays(from, -1) : from, end: addDays(to, 1) };
}

function errorsFor(rt: PluginRuntime, ctx: Omit<ApiErrorContext, 'nowMs'>): JsonErrors {
  return {
    status: (status, headers, text) => errorFromResponse(status, headers, text, { ...ctx, nowMs: rt.now().getTime() }),
    network: errorFromNetwork,
    bad: badResponse,
  };
}

export class OuraApi {
  constructor(
    private readonly rt: PluginRuntime,
    private readonly base: string,
    private readonly credentials: OAuthCredentials,
  ) {}

  private get<T extends z.ZodType>(what: string, path: string, schema: T, ctx: Omit<ApiErrorContext, 'nowMs'>) {
    const init = { headers: { Authorization: `Bearer ${this.credentials.accessToken}`, Accept: 'application/json' } };
    return requestJson(this.rt, what, `${this.base}/${path}`, init, schema, errorsFor(this.rt, ctx));
  }

  personalInfo() {
    return this.get('personal_info', `${USERCOLLECTION}/personal_info`, personalInfo, {});
  }

  /**
   * Every document of `collection` for the inclusive range, following `next_token` to the last
   * page; `onPage` sees each page as it arrives.
   */
  list<D extends z.ZodType>(
    collection: OuraCollection,
    doc: D,
    from: string,
    to: string,
    onPage?: (docs: z.output<D>[], more: boolean) => void,
  ): Promise<z.output<D>[]> {
    const schema = page(doc);
    const { start, end } = queryWindow(collection, from, to);
    const ctx = { collection, grantedScope: this.credentials.scope };
    return followPages(
      collection,
      async (token) => {
        const q = new URLSearchParams({ start_date: start, end_date: end });
        if (token) q.set('next_token', token);
        const body = await this.get(collection, `${USERCOLLECTION}/${collection}?${q}`, schema, ctx);
        return { items: body.data as z.output<D>[], next: body.next_token };
      },
      { bad: badResponse },
      onPage,
    );
  }
}

/**
 * Oura's revocation: `GET <revoke_url>?access_token=…` (not RFC 7009, which POSTs a form), as
 * integrators call it. It ends the whole grant, refresh token included.
 */
export async function revokeOura(rt: PluginRuntime, revokeUrl: string, credentials: OAuthCredentials): Promise<void> {
  // The access token travels in the query: only over https (or http to this machine), whatever
  // handed the URL over (endpoint-url.ts).
  const u = checkEndpointUrl(revokeUrl, { pluginId: 'oura', what: 'revoke URL' });
  u.searchParams.set('access_token', credentials.accessToken);
  await receiveText(rt, rt.fetch(u.toString(), { signal: rt.signal }), errorsFor(rt, { endpoint: 'revoke' }));
}
