/**
 * `fetchData` behind the plugin object: one paged list per collection the fields need, the
 * collections in parallel, then the pure mapping. Loaded lazily by plugin.ts so that zod and this
 * code stay out of okr's start-up.
 */
import { daysBetween } from '../../dates.js';
import { type FieldSeries, toRecords } from '../records.js';
import type { FetchResult, OAuthCredentials, PluginRuntime } from '../types.js';
import { OuraApi } from './api.js';
import { collectionsFor, type OuraCollection } from './fields.js';
import { mapActivity, mapDailySleep, mapReadiness, mapSleep, mergeSeries } from './mapping.js';
import { dailyActivityDoc, dailyReadinessDoc, dailySleepDoc, sleepDoc } from './schemas.js';

async function fetchCollection(api: OuraApi, c: OuraCollection, from: string, to: string): Promise<FieldSeries> {
  switch (c) {
    case 'daily_readiness':
      return mapReadiness(await api.list(c, dailyReadinessDoc, from, to));
    case 'daily_sleep':
      return mapDailySleep(await api.list(c, dailySleepDoc, from, to));
    case 'daily_activity':
      return mapActivity(await api.list(c, dailyActivityDoc, from, to));
    case 'sleep':
      return mapSleep(await api.list(c, sleepDoc, from, to));
  }
}

/** Dates are inclusive; an empty range (from after to) makes no request. */
export async function fetchOuraData(
  rt: PluginRuntime,
  apiBase: string,
  credentials: OAuthCredentials,
  from: string,
  to: string,
  fields: string[],
): Promise<FetchResult> {
  if (daysBetween(from, to) < 0) return { records: [], provisionalDates: [] };
  const api = new OuraApi(rt, apiBase, credentials);
  const parts = await Promise.all([...collectionsFor(fields)].map((c) => fetchCollection(api, c, from, to)));
  // Oura fills recent days in later (sleep after the app syncs); the engine refetches the last
  // days on every sync, so nothing is marked provisional here.
  return { records: toRecords(mergeSeries(parts), fields, from, to), provisionalDates: [] };
}
