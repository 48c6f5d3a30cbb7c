/**
 * `fetchData` behind the plugin object: one Google Health call (or chunked/paged series) per
 * requested data type, all types in parallel, then the pure mapping. Loaded lazily by plugin.ts so
 * that zod and this code stay out of okr's start-up.
 */

import { chunkRange, daysBetween } from '../../dates.js';
import { isProviderError } from '../../errors.js';
import type { FetchResult, OAuthCredentials, PluginRuntime } from '../types.js';
import { DAILY_PAGE_SIZE, dateFilter, HealthApi, SLEEP_FIELDS, SLEEP_PAGE_SIZE, SLEEP_WINDOW_DAYS } from './api.js';
import { type FieldGroup, fieldsOfGroup, groupsFor } from './fields.js';
import {
  datesInRange,
  exclusiveEnd,
  type FieldSeries,
  mapActiveZoneMinutes,
  mapHrv,
  mapRestingHeartRate,
  mapSleep,
  mapSteps,
  sleepSeries,
  toRecords,
} from './mapping.js';
import { azmRollupPoint, hrvPoint, restingHeartRatePoint, sleepPoint, stepsRollupPoint } from './schemas.js';

interface GroupResult {
  series: FieldSeries;
  provisional?: Iterable<string>;
  /** Google refused this data type for lack of its scope (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT). */
  denied?: unknown;
}

async function fetchGroup(api: HealthApi, group: FieldGroup, from: string, to: string): Promise<GroupResult> {
  const end = exclusiveEnd(to);
  switch (group) {
    case 'steps':
      return { series: new Map([['steps', mapSteps(await api.dailyRollUp('steps', stepsRollupPoint, from, to))]]) };
    case 'activeZoneMinutes': {
      const points = await api.dailyRollUp('active-zone-minutes', azmRollupPoint, from, to);
      return { series: new Map([['activeZoneMinutes', mapActiveZoneMinutes(points)]]) };
    }
    case 'restingHeartRate': {
      const filter = dateFilter('daily_resting_heart_rate.date', from, end);
      const points = await api.list('daily-resting-heart-rate', restingHeartRatePoint, filter, DAILY_PAGE_SIZE);
      return { series: new Map([['restingHeartRate', mapRestingHeartRate(points)]]) };
    }
    case 'hrv': {
      const filter = dateFilter('daily_heart_rate_variability.date', from, end);
      const points = await api.list('daily-heart-rate-variability', hrvPoint, filter, DAILY_PAGE_SIZE);
      return { series: new Map([['hrv', mapHrv(points)]]) };
    }
    case 'sleep': {
      // Sleep can only be filtered on its end, which is exactly what okr keys it by: the local
      // wake-up date. civil_end_time compares in the user's local time. Windows of wake-up dates
      // do not overlap, so no sleep comes twice.
      const windows = chunkRange(from, to, SLEEP_WINDOW_DAYS).map((w) =>
        api.list(
          'sleep',
          sleepPoint,
          dateFilter('sleep.interval.civil_end_time', w.from, exclusiveEnd(w.to)),
          SLEEP_PAGE_SIZE,
          SLEEP_FIELDS,
        ),
      );
      const { days, provisionalDates } = mapSleep((await Promise.all(windows)).flat());
      return { series: sleepSeries(days), provisional: provisionalDates };
    }
  }
}

/** Dates are inclusive; an empty range (from after to) makes no request. */
export async function fetchFitbitData(
  rt: PluginRuntime,
  apiBase: string,
  credentials: OAuthCredentials,
  from: string,
  to: string,
  fields: string[],
): Promise<FetchResult> {
  if (daysBetween(from, to) < 0) return { records: [], provisionalDates: [] };
  const api = new HealthApi(rt, apiBase, credentials);
  const groups = [...groupsFor(fields)];
  // A data type whose scope was not granted costs that type, not the others: its 403 becomes a
  // `denied` result. Any other failure still rejects at once (the engine aborts the siblings).
  const results = await Promise.all(
    groups.map((g) =>
      fetchGroup(api, g, from, to).catch((err: unknown): GroupResult => {
        if (isProviderError(err) && err.category === 'scope') return { series: new Map(), denied: err };
        throw err;
      }),
    ),
  );
  // Nothing could be read: the refusal itself is the error, and the sync fails plainly.
  if (results.length > 0 && results.every((r) => r.denied)) throw results[0]!.denied;
  const series: FieldSeries = new Map();
  const provisional: string[] = [];
  const notGranted: string[] = [];
  results.forEach((r, i) => {
    for (const [field, values] of r.series) series.set(field, values);
    if (r.provisional) provisional.push(...r.provisional);
    if (r.denied) notGranted.push(...fieldsOfGroup(groups[i]!).filter((f) => fields.includes(f)));
  });
  return {
    records: toRecords(series, fields, from, to),
    provisionalDates: datesInRange(provisional, from, to),
    notGranted,
  };
}
