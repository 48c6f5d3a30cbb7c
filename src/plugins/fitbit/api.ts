/**
 * The Google Health API v4 calls the plugin makes (the token endpoint is the platform's). Every request goes
 * through `rt.fetch` with `rt.signal`; every body is checked here (content type, JSON, zod schema)
 * so that nothing past this module sees unvalidated data.
 */
import type { z } from 'zod';
import { chunkRange, toYmd } from '../../dates.js';
import { followPages, type JsonErrors, requestJson } from '../json-api.js';
import type { OAuthCredentials, PluginRuntime } from '../types.js';
import { badResponse, errorFromNetwork, errorFromResponse } from './errors.js';
import { exclusiveEnd } from './mapping.js';
import { identity, listPage, rollupPage } from './schemas.js';

/** Google caps a dailyRollUp range at 90 days (14 for a few types okr does not use). */
export const MAX_ROLLUP_DAYS = 90;
/** Sleep (like exercise) pages hold at most 25 points. */
export const SLEEP_PAGE_SIZE = 25;
/** Daily types default to 1440 per page; one page covers any range okr asks for. */
export const DAILY_PAGE_SIZE = 1000;
/**
 * Sleep is listed in windows of this many days, all at once: a night a day plus a few naps stays
 * under one page of 25, so a year costs about as many calls as paging it in one chain would
 * (365 / 21 = 18 against 15) but one round trip instead of 15.
 */
export const SLEEP_WINDOW_DAYS = 21;

/** Google's error bodies, through the shared JSON boundary (src/plugins/json-api.ts). */
const ERRORS: (nowMs: number) => JsonErrors = (nowMs) => ({
  status: (status, headers, text) => errorFromResponse(status, headers, text, nowMs),
  network: errorFromNetwork,
  bad: badResponse,
});

/** `field >= "from" AND field < "endExclusive"`: the only comparison forms Google's filters allow. */
export function dateFilter(member: string, from: string, endExclusive: string): string {
  return `${member} >= "${from}" AND ${member} < "${endExclusive}"`;
}

function civil(date: string) {
  const { year, month, day } = toYmd(date);
  return { date: { year, month, day } };
}

export class HealthApi {
  constructor(
    private readonly rt: PluginRuntime,
    private readonly base: string,
    private readonly credentials: OAuthCredentials,
  ) {}

  private request<T extends z.ZodType>(what: string, path: string, schema: T, init: RequestInit = {}) {
    const headers = {
      Authorization: `Bearer ${this.credentials.accessToken}`,
      Accept: 'application/json',
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
    };
    const url = `${this.base}/${path}`;
    return requestJson(this.rt, what, url, { ...init, headers }, schema, ERRORS(this.rt.now().getTime()));
  }

  identity() {
    return this.request('identity', 'users/me/identity', identity);
  }

  /**
   * `dataPoints:dailyRollUp` over the inclusive user range, one request per window of at most 90
   * days (more only if Google pages), the windows at once. The API range is closed-open, so `end`
   * is the next day.
   */
  async dailyRollUp<P extends z.ZodType>(dataType: string, point: P, from: string, to: string) {
    const schema = rollupPage(point);
    const windows = chunkRange(from, to, MAX_ROLLUP_DAYS).map(async (chunk) => {
      const what = `${dataType} dailyRollUp`;
      const body = {
        range: { start: civil(chunk.from), end: civil(exclusiveEnd(chunk.to)) },
        // Documented optional (default 1) but reported required: always send it.
        windowSizeDays: 1,
        pageSize: MAX_ROLLUP_DAYS,
      };
      const points = await followPages(
        what,
        async (pageToken) => {
          const page = await this.request(what, `users/me/dataTypes/${dataType}/dataPoints:dailyRollUp`, schema, {
            method: 'POST',
            body: JSON.stringify(pageToken ? { ...body, pageToken } : body),
          });
          return { items: page.rollupDataPoints as z.output<P>[] | undefined, next: page.nextPageToken };
        },
        { bad: badResponse },
      );
      return points;
    });
    return (await Promise.all(windows)).flat();
  }

  /** `dataPoints` list with a filter, every page. */
  async list<P extends z.ZodType>(dataType: string, point: P, filter: string, pageSize: number) {
    const schema = listPage(point);
    const what = `${dataType} list`;
    return followPages(
      what,
      async (pageToken) => {
        const q = new URLSearchParams({ filter, pageSize: String(pageSize) });
        if (pageToken) q.set('pageToken', pageToken);
        const page = await this.request(what, `users/me/dataTypes/${dataType}/dataPoints?${q}`, schema);
        return { items: page.dataPoints as z.output<P>[] | undefined, next: page.nextPageToken };
      },
      { bad: badResponse },
    );
  }
}
