/**
 * The Withings calls the plugin makes: a form POST with `action=…` and the Bearer token, answered
 * by the `{status, body}` envelope. Every request goes through `rt.fetch` with `rt.signal`; every
 * answer is checked here (HTTP status, content type, JSON, the envelope's status, the body's zod
 * schema), so nothing past this module sees unvalidated data.
 *
 * A list follows `more`/`offset` to its last page (`followPages`: an offset seen twice is a bad
 * response, never a loop).
 */
import type { z } from 'zod';
import { addDays } from '../../dates.js';
import { decodeJson, followPages, type JsonErrors, receiveText } from '../json-api.js';
import type { OAuthCredentials, PluginRuntime } from '../types.js';
import { badResponse, envelopeError, errorFromNetwork, errorFromResponse } from './errors.js';
import { MEASTYPES } from './fields.js';
import {
  type ActivityDay,
  envelope,
  getactivityBody,
  getmeasBody,
  getsummaryBody,
  type MeasureGroup,
  type SleepSummary,
} from './schemas.js';

/** The sleep summary fields okr reads; without `data_fields` Withings leaves out the score and heart rates. */
export const SLEEP_DATA_FIELDS = ['total_sleep_time', 'total_timeinbed', 'sleep_score', 'hr_min'];
export const ACTIVITY_DATA_FIELDS = ['steps'];

/** 00:00 UTC of a date, in Unix seconds. */
function unixDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/**
 * The queries for an inclusive range of local dates, wide enough for any reading of Withings'
 * bounds: measures are chosen by instant, so from a day before `from` to two days after `to` at
 * 00:00 UTC (every zone's local days, ±14 h, fall inside); a night belongs to the day it ended
 * and may start the evening before, and whether `enddateymd` is inclusive is not documented, so
 * sleep asks a day more on both sides and activity a day more at the end. The mapping drops what
 * falls outside the range.
 */
export function queryWindow(
  endpoint: 'measure' | 'sleep' | 'activity',
  from: string,
  to: string,
): Record<string, string> {
  switch (endpoint) {
    case 'measure':
      return { startdate: String(unixDay(addDays(from, -1))), enddate: String(unixDay(addDays(to, 2))) };
    case 'sleep':
      return { startdateymd: addDays(from, -1), enddateymd: addDays(to, 1) };
    case 'activity':
      return { startdateymd: from, enddateymd: addDays(to, 1) };
  }
}

export class WithingsApi {
  constructor(
    private readonly rt: PluginRuntime,
    private readonly base: string,
    private readonly credentials: OAuthCredentials,
  ) {}

  private errors(action: string): JsonErrors {
    return {
      status: (status, headers, text) =>
        errorFromResponse(status, headers, text, { nowMs: this.rt.now().getTime(), action }),
      network: errorFromNetwork,
      bad: badResponse,
    };
  }

  /** One call: its envelope checked, its body parsed with `schema`. */
  async call<T extends z.ZodType>(path: string, action: string, params: Record<string, string>, schema: T) {
    const errors = this.errors(action);
    const init: RequestInit = {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${this.credentials.accessToken}`,
        Accept: 'application/json',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ action, ...params }).toString(),
      signal: this.rt.signal,
    };
    const { res, text } = await receiveText(this.rt, this.rt.fetch(`${this.base}/${path}`, init), errors);
    const env = decodeJson(action, res, text, envelope, errors);
    // Errors come inside HTTP 200 (outside a sync, where no fetch has read the body for them).
    if (env.status !== 0) throw envelopeError(env, { nowMs: this.rt.now().getTime(), action });
    const parsed = schema.safeParse(env.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `body.${issue.path.join('.')}` : 'body';
      throw badResponse(`${action}: ${where}: ${issue?.message ?? 'unexpected shape'}`, parsed.error);
    }
    return parsed.data as z.output<T>;
  }

  /** Every page of a list, following `more`/`offset` to the end. */
  private list<T extends z.ZodType, I>(
    path: string,
    action: string,
    params: Record<string, string>,
    schema: T,
    items: (body: z.output<T>) => I[],
  ): Promise<I[]> {
    return followPages(
      action,
      async (token) => {
        const body = (await this.call(path, action, token ? { ...params, offset: token } : params, schema)) as {
          more: boolean;
          offset?: number | null;
        };
        if (body.more && typeof body.offset !== 'number') throw badResponse(`${action}: more pages but no offset`);
        return { items: items(body as z.output<T>), next: body.more ? String(body.offset) : null };
      },
      { bad: badResponse },
    );
  }

  /** Weight, fat ratio and muscle mass groups (real measurements only: `category=1`), with each page's zone. */
  measures(from: string, to: string) {
    const params = {
      meastypes: Object.values(MEASTYPES).join(','),
      category: '1',
      ...queryWindow('measure', from, to),
    };
    return this.list('measure', 'getmeas', params, getmeasBody, (b) =>
      b.measuregrps.map((g): MeasureGroup & { timezone?: string } => ({ ...g, timezone: b.timezone })),
    );
  }

  sleep(from: string, to: string) {
    const params = { data_fields: SLEEP_DATA_FIELDS.join(','), ...queryWindow('sleep', from, to) };
    return this.list('v2/sleep', 'getsummary', params, getsummaryBody, (b): SleepSummary[] => b.series);
  }

  activity(from: string, to: string) {
    const params = { data_fields: ACTIVITY_DATA_FIELDS.join(','), ...queryWindow('activity', from, to) };
    return this.list('v2/measure', 'getactivity', params, getactivityBody, (b): ActivityDay[] => b.activities);
  }
}

/**
 * Checks that an access token works with the cheapest call there is: the weight measures changed
 * since now (none). Withings has no identity endpoint; the account comes with the token response.
 */
export async function verifyToken(rt: PluginRuntime, base: string, credentials: OAuthCredentials): Promise<void> {
  const now = String(Math.floor(rt.now().getTime() / 1000));
  await new WithingsApi(rt, base, credentials).call(
    'measure',
    'getmeas',
    { meastype: String(MEASTYPES.weight), category: '1', lastupdate: now },
    getmeasBody,
  );
}
