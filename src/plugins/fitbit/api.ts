/**
 * The Google Health API v4 calls the plugin makes (the token endpoint is the platform's). Every request goes
 * through `rt.fetch` with `rt.signal`; every body is checked here (content type, JSON, zod schema)
 * so that nothing past this module sees unvalidated data.
 */
import type { z } from 'zod';
import { chunkRange, toYmd } from '../../dates.js';
import { isProviderError } from '../../errors.js';
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

/**
 * The parts of a sleep point okr reads (schemas.ts `sleepPoint`), as a partial-response mask:
 * Google's `fields` system parameter, which every Google REST API takes
 * (https://cloud.google.com/apis/docs/system-parameters; Google's .NET client for this API,
 * generated from its discovery document, has `Fields` on the list request). Without it every
 * point brings its stages and short awakenings, ~90% of a page that okr never reads: a year of
 * sleep was ~3 MB to download and parse, and 2.4 MB of a 2-year backfill's peak memory
 * (bench/sync.bench.mjs). Only fields present in Google's measured answer
 * (test/fixtures/google-health/sleep_list.ansanloms-measured.json) are named, and whole: a path
 * Google does not know is a 400, not an empty selection.
 */
export const SLEEP_FIELDS = 'nextPageToken,dataPoints(sleep(interval,type,metadata,summary))';

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
  /** Google answered a masked request 400: ask for whole points from then on. */
  private masksRefused = false;

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

  /**
   * `dataPoints` list with a filter, every page; with `fields`, only those parts of each page.
   * A masked request Google answers 400 is asked again without the mask (and so is every later
   * one): a mask must never be what stops a sync. A 400 for another reason comes back again.
   */
  async list<P extends z.ZodType>(dataType: string, point: P, filter: string, pageSize: number, fields?: string) {
    const schema = listPage(point);
    const what = `${dataType} list`;
    const path = `users/me/dataTypes/${dataType}/dataPoints`;
    const get = async (q: URLSearchParams) => {
      if (fields && !this.masksRefused) {
        try {
          return await this.request(what, `${path}?${q}&${new URLSearchParams({ fields })}`, schema);
        } catch (err) {
          if (!(isProviderError(err) && err.status === 400)) throw err;
          this.masksRefused = true;
        }
      }
      return this.request(what, `${path}?${q}`, schema);
    };
    return followPages(
      what,
      async (pageToken) => {
        const q = new URLSearchParams({ filter, pageSize: String(pageSize) });
        if (pageToken) q.set('pageToken', pageToken);
        const page = await get(q);
        return { items: page.dataPoints as z.output<P>[] | undefined, next: page.nextPageToken };
      },
      { bad: badResponse },
    );
  }
}
