/**
 * The Google Health API v4 calls the plugin makes (the token endpoint is the platform's). Every request goes
 * through `rt.fetch` with `rt.signal`; every body is checked here (content type, JSON, zod schema)
 * so that nothing past this module sees unvalidated data.
 */
import type { z } from 'zod';
import { chunkRange, toYmd } from '../../dates.js';
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
/** A hard stop for a server that keeps inventing new page tokens. */
const MAX_PAGES = 1000;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** The body of a response, or the provider's error for it (network, status, error body). */
async function send(rt: PluginRuntime, url: string, init: RequestInit): Promise<{ res: Response; text: string }> {
  let res: Response;
  let text: string;
  try {
    res = await rt.fetch(url, { ...init, signal: rt.signal });
    text = await res.text();
  } catch (err) {
    // Ctrl-C or a timeout aborted us: that is not a provider failure, let the caller see the abort.
    if (rt.signal?.aborted) throw err;
    throw errorFromNetwork(err);
  }
  if (!res.ok) throw errorFromResponse(res.status, res.headers, text, rt.now().getTime());
  return { res, text };
}

function decode<T extends z.ZodType>(what: string, res: Response, text: string, schema: T) {
  const type = res.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(type)) throw badResponse(`${what}: expected JSON, got content type "${type || 'none'}"`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badResponse(`${what}: the JSON is invalid or cut short`, err);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(body)';
    throw badResponse(`${what}: ${where}: ${issue?.message ?? 'unexpected shape'}`, parsed.error);
  }
  return parsed.data as z.output<T>;
}

/**
 * Follows `nextPageToken` until it is empty or missing (the last page may be `{}`; an empty page may
 * still carry a token). A token seen before means the server would loop forever: that is a bad
 * response, not something to retry.
 */
async function paginate<P>(
  what: string,
  fetchPage: (token: string | undefined) => Promise<{ points?: P[]; nextPageToken?: string }>,
): Promise<P[]> {
  const seen = new Set<string>();
  const out: P[] = [];
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(token);
    if (page.points) out.push(...page.points);
    const next = page.nextPageToken;
    if (!next) return out;
    if (seen.has(next)) throw badResponse(`${what}: the same page token came back twice`);
    if (pages >= MAX_PAGES) throw badResponse(`${what}: more than ${MAX_PAGES} pages`);
    seen.add(next);
    token = next;
  }
}

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

  private async request<T extends z.ZodType>(what: string, path: string, schema: T, init: RequestInit = {}) {
    const { res, text } = await send(this.rt, `${this.base}/${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${this.credentials.accessToken}`,
        Accept: 'application/json',
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      },
    });
    return decode(what, res, text, schema);
  }

  identity() {
    return this.request('identity', 'users/me/identity', identity);
  }

  /**
   * `dataPoints:dailyRollUp` over the inclusive user range, one request per chunk of at most 90
   * days (more only if Google pages). The API range is closed-open, so `end` is the next day.
   */
  async dailyRollUp<P extends z.ZodType>(dataType: string, point: P, from: string, to: string) {
    const schema = rollupPage(point);
    const out: z.output<P>[] = [];
    for (const chunk of chunkRange(from, to, MAX_ROLLUP_DAYS)) {
      const what = `${dataType} dailyRollUp`;
      const body = {
        range: { start: civil(chunk.from), end: civil(exclusiveEnd(chunk.to)) },
        // Documented optional (default 1) but reported required: always send it.
        windowSizeDays: 1,
        pageSize: MAX_ROLLUP_DAYS,
      };
      const points = await paginate(what, async (pageToken) => {
        const page = await this.request(what, `users/me/dataTypes/${dataType}/dataPoints:dailyRollUp`, schema, {
          method: 'POST',
          body: JSON.stringify(pageToken ? { ...body, pageToken } : body),
        });
        return { points: page.rollupDataPoints as z.output<P>[] | undefined, nextPageToken: page.nextPageToken };
      });
      out.push(...points);
    }
    return out;
  }

  /** `dataPoints` list with a filter, every page. */
  async list<P extends z.ZodType>(dataType: string, point: P, filter: string, pageSize: number) {
    const schema = listPage(point);
    const what = `${dataType} list`;
    return paginate(what, async (pageToken) => {
      const q = new URLSearchParams({ filter, pageSize: String(pageSize) });
      if (pageToken) q.set('pageToken', pageToken);
      const page = await this.request(what, `users/me/dataTypes/${dataType}/dataPoints?${q}`, schema);
      return { points: page.dataPoints as z.output<P>[] | undefined, nextPageToken: page.nextPageToken };
    });
  }
}
