/**
 * `fetchData` behind the plugin object: one paged list per collection the fields need, the
 * collections in parallel, then the pure mapping. Loaded lazily by plugin.ts so that zod and this
 * code stay out of okr's start-up.
 *
 * The plugin `pagesLongRanges`: a backfill of years is ONE list per collection, as few calls as
 * Oura's pages allow. During a sync (`rt.commitDays`) the days every collection has passed are
 * mapped and handed over as the pages arrive, and their documents dropped, so an interrupted
 * backfill resumes after the last committed day and memory stays at about a page per collection.
 */
import { addDays, daysBetween } from '../../dates.js';
import { type FieldSeries, toRecords } from '../records.js';
import type { FetchResult, OAuthCredentials, PluginRuntime } from '../types.js';
import { OuraApi } from './api.js';
import { badResponse } from './errors.js';
import { collectionsFor, type OuraCollection } from './fields.js';
import { mapActivity, mapDailySleep, mapReadiness, mapSleep, mergeSeries } from './mapping.js';
import { dailyActivityDoc, dailyReadinessDoc, dailySleepDoc, sleepDoc } from './schemas.js';

/** What every collection's documents share: Oura's own `day`. */
type Doc = { day: string };

/** One collection's list, with the mapping of its documents. */
interface Lister {
  list(onPage?: (docs: Doc[], more: boolean) => void): Promise<Doc[]>;
  map(docs: Doc[]): FieldSeries;
}

function lister(api: OuraApi, c: OuraCollection, from: string, to: string): Lister {
  switch (c) {
    case 'daily_readiness':
      return { list: (p) => api.list(c, dailyReadinessDoc, from, to, p), map: (d) => mapReadiness(d as never) };
    case 'daily_sleep':
      return { list: (p) => api.list(c, dailySleepDoc, from, to, p), map: (d) => mapDailySleep(d as never) };
    case 'daily_activity':
      return { list: (p) => api.list(c, dailyActivityDoc, from, to, p), map: (d) => mapActivity(d as never) };
    case 'sleep':
      return { list: (p) => api.list(c, sleepDoc, from, to, p), map: (d) => mapSleep(d as never) };
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
  const collectionNames = [...collectionsFor(fields)];
  const listers = collectionNames.map((c) => lister(api, c, from, to));
  const records = (docs: Doc[][], first: string, last: string) =>
    toRecords(mergeSeries(listers.map((l, i) => l.map(docs[i]!))), fields, first, last);
  // Oura fills recent days in later (sleep after the app syncs); the engine refetches the last
  // days on every sync, so nothing is marked provisional here.
  const commit = rt.commitDays?.bind(rt);
  if (!commit) {
    const docs = await Promise.all(listers.map((l) => l.list()));
    return { records: records(docs, from, to), provisionalDates: [] };
  }

  // Per collection: the documents not yet committed, the latest day seen, the last day finished.
  const held: Doc[][] = listers.map(() => []);
  const latest: string[] = listers.map(() => '');
  const done: string[] = listers.map(() => addDays(from, -1));
  const inOrder: boolean[] = listers.map(() => true);
  let committed = addDays(from, -1);
  const onPage = (i: number) => (docs: Doc[], more: boolean) => {
    held[i]!.push(...docs);
    // Pages come oldest first, so the days before a page's last one are finished (that day may
    // go on in the next page: a night split in two periods). Oura does not document the order:
    // once a list is seen out of order (newest first shows within its first page) it finishes
    // nothing until its last page. A document for a day already committed would be lost: the
    // sync fails instead of storing less than Oura has.
    for (const d of docs) {
      if (d.day <= committed && d.day >= from) {
        throw badResponse(
          `${collectionNames[i]}: a page held ${d.day}, after okr had stored the days through ${committed}`,
        );
      }
      if (d.day < latest[i]!) inOrder[i] = false;
      else latest[i] = d.day;
    }
    if (!more) done[i] = to;
    else if (inOrder[i] && latest[i]) {
      const before = addDays(latest[i]!, -1);
      if (before > done[i]!) done[i] = before;
    }
    const through = [...done].sort()[0]!; // the earliest: every collection has passed it
    if (through <= committed) return;
    const first = addDays(committed, 1);
    commit(
      through,
      records(
        held.map((h) => h.filter((d) => d.day <= through)),
        first,
        through,
      ),
    );
    committed = through;
    for (let k = 0; k < held.length; k++) held[k] = held[k]!.filter((d) => d.day > through);
  };
  await Promise.all(listers.map((l, i) => l.list(onPage(i))));
  return { records: [], provisionalDates: [] };
}
