/**
 * The Google Health API v4 endpoints okr uses, with Google's request rules: list filters (only
 * `>=` and `<` joined by AND; sleep filterable on its end only), page sizes and opaque page tokens,
 * dailyRollUp ranges (closed-open, at most 90 days, midnight-aligned), newest-first order, empty
 * days left out, scopes per data type.
 */
import { createHash } from 'node:crypto';
import { addDays, daysBetween, fromYmd, isCivilDate } from '../dates.js';
import type { Dataset, SimDay, SimSleep } from './data.js';
import { SCOPE_PREFIX } from './oauth.js';
import { badRequest, errorInfo, invalidArgument, json, rpcError, type SimResponse } from './responses.js';
import { hrvJson, restingHeartRateJson, rollupJson, sleepPointJson } from './shapes.js';
import { offsetSeconds, wallClock } from './tz.js';

const ACTIVITY = `${SCOPE_PREFIX}activity_and_fitness.readonly`;
const METRICS = `${SCOPE_PREFIX}health_metrics_and_measurements.readonly`;
const SLEEP = `${SCOPE_PREFIX}sleep.readonly`;

/** Every v4 data type (research doc §2.3) and the read scope it needs. */
const DATA_TYPES: Record<string, string> = Object.fromEntries([
  ...[
    'active-energy-burned',
    'active-minutes',
    'active-zone-minutes',
    'activity-level',
    'altitude',
    'basal-energy-burned',
    'calories-in-heart-rate-zone',
    'distance',
    'exercise',
    'floors',
    'sedentary-period',
    'steps',
    'swim-lengths-data',
    'time-in-heart-rate-zone',
    'total-calories',
    'daily-vo2-max',
    'run-vo2-max',
    'vo2-max',
  ].map((t) => [t, ACTIVITY]),
  ...[
    'daily-heart-rate-variability',
    'daily-heart-rate-zones',
    'daily-resting-heart-rate',
    'electrocardiogram',
    'heart-rate',
    'heart-rate-variability',
    'irregular-rhythm-notification',
    'core-body-temperature',
    'daily-oxygen-saturation',
    'daily-respiratory-rate',
    'daily-sleep-temperature-derivations',
    'oxygen-saturation',
    'respiratory-rate-sleep-summary',
    'blood-glucose',
    'body-fat',
    'height',
    'weight',
  ].map((t) => [t, METRICS]),
  ['sleep', SLEEP],
  ...['food', 'food-measurement-unit', 'hydration-log', 'nutrition-log'].map((t) => [
    t,
    `${SCOPE_PREFIX}nutrition.readonly`,
  ]),
]);

const MAX_ROLLUP_DAYS = 90;

export interface HealthApiDeps {
  data: Dataset;
  healthUserId: string;
  legacyUserId: string;
}

function scopeDenied(): SimResponse {
  return rpcError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
    errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com'),
  ]);
}

function unknownDataType(dataType: string): SimResponse {
  return invalidArgument(
    `Invalid data type collection: users/me/dataTypes/${dataType} is not a known data type.`,
    'INVALID_PARENT_DATA_TYPE_COLLECTION',
    'parent',
  );
}

/** The scope check for a data type, or the error to answer. */
export function checkDataType(dataType: string, scopes: string[]): SimResponse | undefined {
  const needed = DATA_TYPES[dataType];
  if (!needed) return unknownDataType(dataType);
  return scopes.includes(needed) ? undefined : scopeDenied();
}

export function identity(deps: HealthApiDeps, scopes: string[]): SimResponse {
  // Any Google Health scope may read the identity.
  if (!scopes.some((s) => s.startsWith(SCOPE_PREFIX))) return scopeDenied();
  return json(200, { name: 'users/me/identity', healthUserId: deps.healthUserId, legacyUserId: deps.legacyUserId });
}

// ---------------------------------------------------------------------------------------------
// Page tokens: opaque to clients, bound to the query they came from.

function queryHash(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function encodeToken(offset: number, hash: string): string {
  return Buffer.from(JSON.stringify({ o: offset, h: hash })).toString('base64url');
}

function decodeToken(token: string, hash: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; h?: unknown };
    return v.h === hash && Number.isInteger(v.o) && (v.o as number) >= 0 ? (v.o as number) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page of `items`. Like Google, a full page carries a token even when nothing follows, so the
 * next (last) page is `{}`; a page that is not full ends the listing.
 */
function page<T>(
  key: 'dataPoints' | 'rollupDataPoints',
  items: T[],
  pageToken: string | null,
  pageSize: number,
  hash: string,
  emptyTokenOnLastPage: boolean,
): SimResponse {
  let offset = 0;
  if (pageToken) {
    const o = decodeToken(pageToken, hash);
    if (o === undefined) return invalidArgument('Invalid page token.', 'INVALID_PAGE_TOKEN', 'page_token');
    offset = o;
  }
  const slice = items.slice(offset, offset + pageSize);
  if (slice.length === 0) return json(200, {});
  const body: Record<string, unknown> = { [key]: slice };
  if (slice.length === pageSize) body.nextPageToken = encodeToken(offset + pageSize, hash);
  else if (emptyTokenOnLastPage) body.nextPageToken = '';
  return json(200, body);
}

// ---------------------------------------------------------------------------------------------
// list

interface Clause {
  member: string;
  op: '>=' | '<';
  value: string;
  column: number;
}

function parseFilter(filter: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<)\s*"([^"]*)"/g;
  let rest = filter;
  for (let m = re.exec(filter); m; m = re.exec(filter)) {
    clauses.push({ member: m[1]!, op: m[2] as Clause['op'], value: m[3]!, column: m.index + 1 });
    rest = rest.replace(m[0], '');
  }
  // What is left must be AND connectives only.
  return rest.replace(/\bAND\b/g, '').trim() === '' ? clauses : undefined;
}

function filterError(bad: Clause[]): SimResponse {
  const reasons = bad.map(() => 'INVALID_DATA_POINT_FILTER_DATA_TYPE_MEMBER');
  return rpcError(400, 'INVALID_ARGUMENT', `Invalid data point filter: ${reasons.join(', ')}.`, [
    errorInfo('INVALID_DATA_POINT_FILTER', 'health.googleapis.com', { detailedReasons: reasons.join(',') }),
    badRequest(
      bad.map((c) => ({
        field: 'filter',
        description: `Member '${c.member}' is not supported for filtering. (at line 1, column ${c.column})`,
      })),
    ),
  ]);
}

function syntaxError(filter: string): SimResponse {
  return rpcError(400, 'INVALID_ARGUMENT', 'Invalid data point filter: INVALID_DATA_POINT_FILTER_SYNTAX.', [
    errorInfo('INVALID_DATA_POINT_FILTER', 'health.googleapis.com', {
      detailedReasons: 'INVALID_DATA_POINT_FILTER_SYNTAX',
    }),
    badRequest([{ field: 'filter', description: `Cannot parse filter: ${filter}` }]),
  ]);
}

/** A `[lo, hi)` bound pair from the clauses on one member. */
function bounds(clauses: Clause[]): { lo?: string; hi?: string } {
  const b: { lo?: string; hi?: string } = {};
  for (const c of clauses) {
    if (c.op === '>=') b.lo = b.lo === undefined || c.value > b.lo ? c.value : b.lo;
    else b.hi = b.hi === undefined || c.value < b.hi ? c.value : b.hi;
  }
  return b;
}

const CIVIL_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/;

function civilValue(v: string): string | undefined {
  if (!CIVIL_RE.test(v) || !isCivilDate(v.slice(0, 10))) return undefined;
  return v.length === 10 ? `${v}T00:00:00` : v.length === 16 ? `${v}:00` : v;
}

function badValue(c: Clause): SimResponse {
  return invalidArgument(
    `Invalid value "${c.value}" for filter member '${c.member}'.`,
    'INVALID_DATA_POINT_FILTER',
    'filter',
  );
}

const DAILY_MEMBERS: Record<string, string> = {
  'daily-resting-heart-rate': 'daily_resting_heart_rate.date',
  'daily-heart-rate-variability': 'daily_heart_rate_variability.date',
};

export function list(deps: HealthApiDeps, dataType: string, q: URLSearchParams): SimResponse {
  const filter = q.get('filter') ?? '';
  const clauses = filter.trim() ? parseFilter(filter) : [];
  if (!clauses) return syntaxError(filter);

  const isSleep = dataType === 'sleep';
  const maxPage = isSleep || dataType === 'exercise' ? 25 : 10_000;
  const defaultPage = isSleep || dataType === 'exercise' ? 25 : 1440;
  const rawSize = q.get('pageSize');
  if (rawSize !== null && !/^\d+$/.test(rawSize))
    return invalidArgument('Invalid page size.', 'INVALID_PAGE_SIZE', 'page_size');
  const pageSize = Math.min(maxPage, rawSize === null || rawSize === '0' ? defaultPage : Number(rawSize));
  const hash = queryHash(['list', dataType, filter]);

  if (isSleep) {
    const allowed = ['sleep.interval.civil_end_time', 'sleep.interval.end_time'];
    const bad = clauses.filter((c) => !allowed.includes(c.member));
    if (bad.length) return filterError(bad);
    const civil = clauses.filter((c) => c.member === allowed[0]);
    const physical = clauses.filter((c) => c.member === allowed[1]);
    for (const c of civil) if (!civilValue(c.value)) return badValue(c);
    for (const c of physical) if (!Number.isFinite(Date.parse(c.value))) return badValue(c);
    const cb = bounds(civil.map((c) => ({ ...c, value: civilValue(c.value)! })));
    const pb = bounds(physical);
    const pLo = pb.lo === undefined ? undefined : Date.parse(pb.lo);
    const pHi = pb.hi === undefined ? undefined : Date.parse(pb.hi);
    // Candidate wake dates, one day of slack on each side for the offsets.
    const from =
      cb.lo?.slice(0, 10) ??
      (pLo !== undefined ? new Date(pLo - 86_400_000).toISOString().slice(0, 10) : deps.data.firstDay);
    const to =
      cb.hi?.slice(0, 10) ??
      (pHi !== undefined ? new Date(pHi + 86_400_000).toISOString().slice(0, 10) : deps.data.today);
    const sleeps: SimSleep[] = [];
    for (const day of deps.data.days(from, to)) {
      for (const s of day.sleeps) {
        const endCivil = wallClock(s.endMs, s.endOffset).iso;
        if (cb.lo !== undefined && endCivil < cb.lo) continue;
        if (cb.hi !== undefined && endCivil >= cb.hi) continue;
        if (pLo !== undefined && s.endMs < pLo) continue;
        if (pHi !== undefined && s.endMs >= pHi) continue;
        sleeps.push(s);
      }
    }
    // "ordered by the interval start time in descending order"
    sleeps.sort((a, b) => b.startMs - a.startMs);
    const tz = deps.data.timeZone;
    const points = sleeps.map((s) => sleepPointJson(s, deps.healthUserId, (ms) => offsetSeconds(tz, ms)));
    return page('dataPoints', points, q.get('pageToken'), pageSize, hash, true);
  }

  const member = DAILY_MEMBERS[dataType];
  if (!member) {
    // A real data type okr's simulator has no data for: an empty listing, like a user without it.
    return json(200, {});
  }
  const bad = clauses.filter((c) => c.member !== member);
  if (bad.length) return filterError(bad);
  for (const c of clauses) if (!isCivilDate(c.value)) return badValue(c);
  const b = bounds(clauses);
  const from = b.lo ?? deps.data.firstDay;
  const last = b.hi === undefined ? deps.data.today : addDays(b.hi, -1);
  const days = daysBetween(from, last) < 0 ? [] : deps.data.days(from, last).reverse();
  const points: unknown[] =
    dataType === 'daily-resting-heart-rate'
      ? days.filter((d) => d.restingHeartRate !== undefined).map(restingHeartRateJson)
      : days.filter((d) => d.hrv !== undefined).map(hrvJson);
  return page('dataPoints', points, q.get('pageToken'), pageSize, hash, true);
}

// ---------------------------------------------------------------------------------------------
// dailyRollUp

interface CivilDateTimeJson {
  date?: { year?: unknown; month?: unknown; day?: unknown };
  time?: { hours?: unknown; minutes?: unknown; seconds?: unknown; nanos?: unknown };
}

function civilDate(v: CivilDateTimeJson | undefined): string | undefined {
  const d = v?.date;
  if (!d || ![d.year, d.month, d.day].every((n) => Number.isInteger(n))) return undefined;
  const s = fromYmd(d.year as number, d.month as number, d.day as number);
  return isCivilDate(s) ? s : undefined;
}

function atMidnight(v: CivilDateTimeJson): boolean {
  const t = v.time ?? {};
  return [t.hours, t.minutes, t.seconds, t.nanos].every((n) => n === undefined || n === 0);
}

const ROLLUP_VALUE: Record<string, (day: SimDay) => [string, Record<string, number>] | undefined> = {
  steps: (d) => (d.steps === undefined ? undefined : ['steps', { countSum: d.steps }]),
  'active-zone-minutes': (d) =>
    d.azm === undefined
      ? undefined
      : [
          'activeZoneMinutes',
          {
            sumInFatBurnHeartZone: d.azm.fatBurn,
            sumInCardioHeartZone: d.azm.cardio,
            sumInPeakHeartZone: d.azm.peak,
          },
        ],
};

export function dailyRollUp(deps: HealthApiDeps, dataType: string, bodyText: string): SimResponse {
  if (dataType === 'sleep') {
    return invalidArgument(
      'DailyRollup is not supported for data type sleep',
      'INVALID_DATA_TYPE_FOR_ROLLUP',
      'parent',
    );
  }
  let body: {
    range?: { start?: CivilDateTimeJson; end?: CivilDateTimeJson };
    windowSizeDays?: unknown;
    pageSize?: unknown;
    pageToken?: unknown;
  };
  try {
    body = JSON.parse(bodyText || '{}');
  } catch {
    return rpcError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.', [
      badRequest([{ field: '', description: 'Invalid JSON payload received.' }]),
    ]);
  }
  const start = civilDate(body.range?.start);
  const end = civilDate(body.range?.end);
  if (!start || !end)
    return invalidArgument('range.start and range.end must be set to valid dates.', 'INVALID_TIME_RANGE', 'range');
  if (!atMidnight(body.range!.start!) || !atMidnight(body.range!.end!)) {
    return invalidArgument(
      'The start time must be aligned with the aggregation window.',
      'INVALID_TIME_RANGE',
      'range',
    );
  }
  const span = daysBetween(start, end);
  if (span <= 0) return invalidArgument('range.end must be after range.start.', 'INVALID_TIME_RANGE', 'range');
  if (span > MAX_ROLLUP_DAYS) {
    return invalidArgument(
      `The time range must not exceed ${MAX_ROLLUP_DAYS} days for data type ${dataType}; got ${span} days.`,
      'INVALID_TIME_RANGE',
      'range',
    );
  }
  const window = body.windowSizeDays ?? 1;
  if (!Number.isInteger(window) || (window as number) < 1) {
    return invalidArgument('windowSizeDays must be a positive integer.', 'INVALID_ROLLUP_WINDOW', 'window_size_days');
  }
  const size = body.pageSize ?? 0;
  if (!Number.isInteger(size) || (size as number) < 0)
    return invalidArgument('Invalid page size.', 'INVALID_PAGE_SIZE', 'page_size');
  const pageSize = Math.min(10_000, (size as number) || 90);

  const rollupValue = ROLLUP_VALUE[dataType];
  const points: unknown[] = [];
  if (rollupValue) {
    for (let w = start; daysBetween(w, end) > 0; w = addDays(w, window as number)) {
      const wEnd = daysBetween(addDays(w, window as number), end) < 0 ? end : addDays(w, window as number);
      let member: string | undefined;
      const sums: Record<string, number> = {};
      for (const day of deps.data.days(w, addDays(wEnd, -1))) {
        const v = rollupValue(day);
        if (!v) continue;
        member = v[0];
        for (const [k, n] of Object.entries(v[1])) sums[k] = (sums[k] ?? 0) + n;
      }
      // Windows without data are left out, never sent as zero.
      if (member) {
        const value = Object.fromEntries(Object.entries(sums).map(([k, n]) => [k, String(n)]));
        points.push(rollupJson(w, wEnd, member, value));
      }
    }
    points.reverse(); // newest first
  } else if (!DATA_TYPES[dataType]) {
    return unknownDataType(dataType);
  }
  const token = typeof body.pageToken === 'string' && body.pageToken ? body.pageToken : null;
  const hash = queryHash(['dailyRollUp', dataType, start, end, window]);
  return page('rollupDataPoints', points, token, pageSize, hash, false);
}
