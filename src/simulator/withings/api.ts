/**
 * The Withings data calls okr makes, with the shapes of the samples in test/fixtures/withings/:
 * - every call is a POST with a form body naming the `action` (a GET with the query works too,
 *   as older clients send it), and every answer is HTTP 200 with `{"status": 0, "body": {...}}`,
 *   errors included (`status` ≠ 0 and an `error` string, see `envelopeError`);
 * - `getmeas` (`/measure`): `startdate`/`enddate` (Unix s, inclusive) or `lastupdate`,
 *   `meastypes` (or `meastype`) keeps only those measures, `category` (1 real, 2 goals);
 *   `body{updatetime, timezone, measuregrps, more, offset}`, groups newest first;
 * - `getsummary` (`/v2/sleep`): `startdateymd`/`enddateymd` (by the night's `date`, inclusive) or
 *   `lastupdate`; without `data_fields` the summary has the durations but no score and no heart
 *   or breathing rates (as the paired aiowithings samples show); `body{series, more, offset}`,
 *   the series in no particular order;
 * - `getactivity` (`/v2/measure`): `startdateymd`/`enddateymd` (inclusive) or `lastupdate`;
 *   `body{activities, more, offset}`;
 * - lists hold at most `pageSize` records; `more` true means call again with `offset`.
 */
import { isCivilDate } from '../../dates.js';
import type { SimResponse } from '../responses.js';
import type { WithingsDataset, WithingsDoc, WithingsMeasureGroup } from './data.js';

export interface WithingsApiOptions {
  pageSize: number;
}

/** Withings answers compact JSON as `application/json`, with HTTP 200 whatever happened. */
export function withingsJson(value: unknown, status = 200): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(value),
    json: value,
  };
}

export function ok(body: unknown): SimResponse {
  return withingsJson({ status: 0, body });
}

/** An error in the envelope, inside HTTP 200. */
export function envelopeError(status: number, error: string): SimResponse {
  return withingsJson({ status, body: {}, error });
}

/** The body sent for an expired or unknown access token (as captured by integrators). */
export const INVALID_TOKEN = 'XRequestID: Not provided invalid_token: The access token provided is invalid';

/** Summary fields sent without `data_fields`. */
const DEFAULT_SLEEP_FIELDS = new Set([
  'wakeupduration',
  'wakeupcount',
  'durationtosleep',
  'remsleepduration',
  'durationtowakeup',
  'total_sleep_time',
  'total_timeinbed',
  'sleep_efficiency',
  'sleep_latency',
  'wakeup_latency',
  'waso',
  'nb_rem_episodes',
  'out_of_bed_count',
  'lightsleepduration',
  'deepsleepduration',
]);

function integer(q: URLSearchParams, key: string): number | undefined | 'bad' {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  return /^\d{1,11}$/.test(v) ? Number(v) : 'bad';
}

/** A page of `all` at `offset`, as Withings lists them. */
function page<T>(
  all: T[],
  q: URLSearchParams,
  opts: WithingsApiOptions,
): { items: T[]; more: boolean; offset: number } | undefined {
  const offset = integer(q, 'offset');
  if (offset === 'bad') return undefined;
  const from = offset ?? 0;
  const items = all.slice(from, from + opts.pageSize);
  const more = from + opts.pageSize < all.length;
  return { items, more, offset: more ? from + opts.pageSize : 0 };
}

const invalid = (what: string) => envelopeError(503, `Invalid Params: ${what}`);

/** A deterministic shuffle: the real series come in no order. */
function unsorted<T>(items: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i % 3 === 1) out.unshift(items[i]!);
    else out.push(items[i]!);
  }
  return out;
}

/** `action=getmeas`. */
export function getmeas(data: WithingsDataset, q: URLSearchParams, opts: WithingsApiOptions): SimResponse {
  const start = integer(q, 'startdate');
  const end = integer(q, 'enddate');
  const since = integer(q, 'lastupdate');
  if (start === 'bad' || end === 'bad' || since === 'bad') return invalid('startdate, enddate or lastupdate');
  const types = (q.get('meastypes') ?? q.get('meastype') ?? '').split(',').filter(Boolean).map(Number);
  const category = q.get('category');
  // Only the days that can hold the asked instants (±1 day for any zone), not the whole history.
  const dayOf = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
  const span =
    since === undefined && start !== undefined && end !== undefined
      ? data.days(dayOf(start - 86_400), dayOf(end + 86_400))
      : data.days(data.firstDay, data.today);
  let groups: WithingsMeasureGroup[] = span.flatMap((d) => d.measureGroups);
  if (since !== undefined) groups = groups.filter((g) => g.modified > since);
  else groups = groups.filter((g) => (start === undefined || g.date >= start) && (end === undefined || g.date <= end));
  if (category) groups = groups.filter((g) => String(g.category) === category);
  if (types.length) {
    groups = groups
      .map((g) => ({ ...g, measures: g.measures.filter((m) => types.includes(m.type)) }))
      .filter((g) => g.measures.length > 0);
  }
  groups.sort((a, b) => b.date - a.date);
  const p = page(groups, q, opts);
  if (!p) return invalid('offset');
  return ok({
    updatetime: Math.floor(data.nowMs / 1000),
    timezone: data.timeZone,
    measuregrps: p.items,
    more: p.more,
    offset: p.offset,
  });
}

function ymdRange(q: URLSearchParams): { from?: string; to?: string; since?: number } | undefined {
  const from = q.get('startdateymd') ?? undefined;
  const to = q.get('enddateymd') ?? undefined;
  const since = integer(q, 'lastupdate');
  if (since === 'bad') return undefined;
  if ((from !== undefined && !isCivilDate(from)) || (to !== undefined && !isCivilDate(to))) return undefined;
  if (since === undefined && (from === undefined || to === undefined)) return undefined;
  return { from, to, since };
}

function inDates(date: string, r: { from?: string; to?: string }): boolean {
  return (r.from === undefined || date >= r.from) && (r.to === undefined || date <= r.to);
}

/** `action=getsummary` on `/v2/sleep`. */
export function getsummary(data: WithingsDataset, q: URLSearchParams, opts: WithingsApiOptions): SimResponse {
  const r = ymdRange(q);
  if (!r) return invalid('startdateymd, enddateymd or lastupdate');
  const asked = q.get('data_fields');
  const keep = asked ? new Set(asked.split(',')) : DEFAULT_SLEEP_FIELDS;
  const days = r.since === undefined ? data.days(r.from!, r.to!) : data.days(data.firstDay, data.today);
  const series = days
    .flatMap((d) => d.sleeps)
    .filter((s) => (r.since === undefined ? inDates(s.date as string, r) : (s.modified as number) > r.since))
    .map((s): WithingsDoc => {
      const full = s.data as Record<string, number>;
      return { ...s, data: Object.fromEntries(Object.entries(full).filter(([k]) => keep.has(k))) };
    });
  const p = page(unsorted(series), q, opts);
  if (!p) return invalid('offset');
  return ok({ series: p.items, more: p.more, offset: p.offset });
}

/** `action=getactivity` on `/v2/measure`. */
export function getactivity(data: WithingsDataset, q: URLSearchParams, opts: WithingsApiOptions): SimResponse {
  const r = ymdRange(q);
  if (!r) return invalid('startdateymd, enddateymd or lastupdate');
  const days = r.since === undefined ? data.days(r.from!, r.to!) : data.days(data.firstDay, data.today);
  const activities = days
    .flatMap((d) => (d.activity ? [d.activity] : []))
    .filter((a) => (r.since === undefined ? true : (a.modified as number) > r.since));
  const p = page(activities, q, opts);
  if (!p) return invalid('offset');
  return ok({ activities: p.items, more: p.more, offset: p.offset });
}
