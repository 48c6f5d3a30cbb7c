/**
 * `fetchData` behind the plugin object: one paged list per call the fields need (measures, sleep,
 * activity), the calls in parallel, then the pure mapping. Loaded lazily by plugin.ts so that zod
 * and this code stay out of okr's start-up.
 *
 * The range is at most WITHINGS_DAYS_PER_FETCH days (the planner chunks longer ones, and each
 * chunk commits whole, so a years-long backfill resumes after the last chunk stored). Days are
 * not handed over page by page: Withings does not sort its series (the sleep sample is in no
 * order), so no page says that a day is finished before the last one.
 */
import { daysBetween, isTimeZone, zoneOffsetSeconds } from '../../dates.js';
import { type FieldSeries, toRecords } from '../records.js';
import type { FetchResult, OAuthCredentials, PluginRuntime } from '../types.js';
import { WithingsApi } from './api.js';
import { endpointsFor, type WithingsEndpoint } from './fields.js';
import { mapActivity, mapMeasures, mapSleep, type ZoneClock } from './mapping.js';

/** The record's own zone when Withings gave a usable one, else the user's. */
export function zoneClock(rt: PluginRuntime): ZoneClock {
  return (instantMs, timeZone) =>
    rt.localClock(instantMs, isTimeZone(timeZone) ? zoneOffsetSeconds(timeZone, instantMs) : undefined);
}

async function fetchEndpoint(api: WithingsApi, e: WithingsEndpoint, clock: ZoneClock, from: string, to: string) {
  switch (e) {
    case 'measure':
      return mapMeasures(await api.measures(from, to), clock);
    case 'sleep':
      return mapSleep(await api.sleep(from, to), clock);
    case 'activity':
      return mapActivity(await api.activity(from, to));
  }
}

/** Dates are inclusive; an empty range (from after to) makes no request. */
export async function fetchWithingsData(
  rt: PluginRuntime,
  apiBase: string,
  credentials: OAuthCredentials,
  from: string,
  to: string,
  fields: string[],
): Promise<FetchResult> {
  if (daysBetween(from, to) < 0) return { records: [], provisionalDates: [] };
  const api = new WithingsApi(rt, apiBase, credentials);
  const clock = zoneClock(rt);
  const parts = await Promise.all([...endpointsFor(fields)].map((e) => fetchEndpoint(api, e, clock, from, to)));
  // Each field comes from one call: the series do not overlap.
  const series: FieldSeries = new Map(parts.flatMap((p) => [...p]));
  // Today's sleep and steps fill in later; the engine fetches the recent days again on every sync.
  return { records: toRecords(series, fields, from, to), provisionalDates: [] };
}
