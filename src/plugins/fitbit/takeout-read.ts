/**
 * Reads a Google Takeout of Fitbit data into daily `fitbit.*` values.
 *
 * The formats (no official documentation exists; these are the shapes exports carry, as
 * recorded by the projects listed in test/fixtures/fitbit-takeout/SOURCES.md):
 *
 * Legacy layout, `Takeout/Fitbit/Global Export Data/` (also present under `Google Health/`):
 * - `steps-YYYY-MM-DD.json`: `[{"dateTime":"MM/DD/YY HH:MM:SS","value":"12"}]`, one entry per
 *   minute. The clock times are UTC (the files are cut at local midnight, the values are not).
 * - `sleep-YYYY-MM-DD.json`: sleep logs with `logId`, `dateOfSleep`, `startTime`/`endTime` in
 *   local time without an offset (`2024-06-21T23:30:00.000`), `duration` (ms), `minutesAsleep`,
 *   `mainSleep`, `type` (`stages`/`classic`), `levels`. Files overlap: logs are kept once by logId.
 * - `resting_heart_rate-YYYY-MM-DD.json`: `[{"dateTime":"MM/DD/YY 00:00:00","value":{"date":
 *   "MM/DD/YY","value":58.3,"error":7.2}}]`; a value of 0 means no estimate that day.
 * - `Heart Rate Variability/Daily Heart Rate Variability Summary - YYYY-MM-DD.csv`:
 *   `timestamp,rmssd,nremhr,entropy`, local time without an offset.
 * - `Active Zone Minutes (AZM)/Active Zone Minutes - YYYY-MM-DD.csv`:
 *   `date_time,heart_zone_id,total_minutes`, local time without an offset; minutes as credited.
 * - `Your Profile/Profile.csv`: one row with a `timezone` column (IANA, or a Windows zone name).
 *
 * Newer layout, `Takeout/Google Health/Physical Activity_GoogleData/`, UTC times with `Z`:
 * - `steps_YYYY-MM-DD.csv`: `timestamp,steps,data source`; several devices interleave (a watch
 *   and the phone), so devices are totalled apart and the day keeps the largest (OriginSums).
 * - `daily_resting_heart_rate.csv`: `timestamp,beats per minute,data source`, stamped at UTC
 *   midnight of the day they describe (the date is read as written).
 * - `daily_heart_rate_variability.csv`: `timestamp,average heart rate variability milliseconds,…`,
 *   likewise.
 * - `active_zone_minutes_YYYY-MM-DD.csv` (monthly): `timestamp,heart rate zone,total minutes`, a
 *   row per credited minute (`fat burn` 1, `cardio` and `peak` 2), UTC times with `Z`; no device
 *   column in the exports seen, one is used when present. The same minutes as the legacy AZM
 *   CSVs, so the day keeps the larger of the two totals (OriginSums), never their sum.
 *
 * Where both layouts hold a value for a day, the newer one is used; where they hold the same
 * steps or zone minutes, the largest-origin rule keeps them from adding up. Everything else in the
 * export is counted by kind and listed, never silently dropped. Weight among them
 * (`weight-*.json`, `weight_*.csv`): an import writes only the metrics the sync writes, and the
 * fitbit plugin has no weight field (fields.ts); the report says so in a note.
 */
import { DailyPick, OriginSums, round, toDailyRecords } from '../../import/daily.js';
import { csvRows, EntryError, entryJson } from '../../import/read-entry.js';
import { pickMainSleeps, type SleepCandidate } from '../../import/sleep.js';
import { toIanaZone, ZoneClock } from '../../import/zones.js';
import type { ImportEntry, ImportedHistory, ImportRun } from '../import-types.js';
import type { FieldValue } from '../types.js';

const D = String.raw`\d{4}-\d{2}-\d{2}`;
const KINDS = {
  profile: /(?:^|\/)Your Profile\/Profile\.csv$/,
  legacySteps: new RegExp(String.raw`(?:^|/)Global Export Data/steps-${D}\.json$`),
  sleep: new RegExp(String.raw`(?:^|/)Global Export Data/sleep-${D}\.json$`),
  legacyRestingHr: new RegExp(String.raw`(?:^|/)Global Export Data/resting_heart_rate-${D}\.json$`),
  hrvSummary: /(?:^|\/)Heart Rate Variability\/Daily Heart Rate Variability Summary - [^/]*\.csv$/,
  azm: /(?:^|\/)Active Zone Minutes \(AZM\)\/Active Zone Minutes - [^/]*\.csv$/,
  stepsCsv: new RegExp(String.raw`(?:^|/)Physical Activity_GoogleData/steps_${D}\.csv$`),
  restingHrCsv: /(?:^|\/)Physical Activity_GoogleData\/daily_resting_heart_rate\.csv$/,
  hrvCsv: /(?:^|\/)Physical Activity_GoogleData\/daily_heart_rate_variability\.csv$/,
  azmCsv: new RegExp(String.raw`(?:^|/)Physical Activity_GoogleData/active_zone_minutes_${D}\.csv$`),
} as const;
/** Weight logs (`weight-*.json`, `weight_*.csv`): counted as not read, with a note saying why. */
const WEIGHT_FILE = /(?:^|\/)(?:weight-\d{4}-\d{2}-\d{2}\.json|weight_[^/]*\.csv)$/;
type Kind = keyof typeof KINDS;

/** Ranks for DailyPick: the newer layout's daily files beat the legacy ones. */
const LEGACY = 0;
const NEWER = 1;

/** `MM/DD/YY` (Fitbit's legacy date) → `YYYY-MM-DD`; Fitbit data starts in 2008, so 20YY. */
export function legacyDate(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  // Four digits first: `(\d{2}|\d{4})` read 01/01/1900 as 2019-01-01 (the `19` of 1900).
  const m = /^(\d{2})\/(\d{2})\/(\d{4}|\d{2})(?!\d)/.exec(s);
  if (!m) return undefined;
  const year = m[3]!.length === 2 ? `20${m[3]}` : m[3]!;
  const date = `${year}-${m[1]}-${m[2]}`;
  return isDate(date) ? date : undefined;
}

function isDate(s: string): boolean {
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** `MM/DD/YY HH:MM:SS` read as UTC → epoch ms. */
function legacyUtc(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const date = legacyDate(s);
  const m = /\s(\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!date || !m) return undefined;
  return Date.parse(`${date}T${m[1]}:${m[2]}:${m[3]}Z`);
}

/** A local clock time without an offset (`2024-06-21T23:30:00.000`): its date and minutes after midnight. */
function naiveLocal(s: unknown): { date: string; minutes: number } | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})/.exec(s);
  if (!m || !isDate(m[1]!) || Number(m[2]) > 23 || Number(m[3]) > 59) return undefined;
  return { date: m[1]!, minutes: Number(m[2]) * 60 + Number(m[3]) };
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** An ISO stamp that says its offset (`2024-05-01T07:00:00Z`, `…+02:00`) → epoch ms; a naive one is refused. */
function utcInstant(s: string | undefined): number | undefined {
  if (!s || !/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(s)) return undefined;
  const at = Date.parse(s);
  return Number.isFinite(at) ? at : undefined;
}

/** The date of an ISO stamp as written (`2016-10-04T00:00:00Z` → 2016-10-04), for daily files. */
function writtenDate(s: string | undefined): string | undefined {
  const d = s?.slice(0, 10);
  return d && isDate(d) ? d : undefined;
}

/** What one file contributes; merged into the import only when the whole file was read. */
class Contribution {
  steps = new OriginSums();
  azm = new OriginSums();
  restingHr = new DailyPick();
  hrv = new DailyPick();
  sleeps: Array<SleepCandidate & { id: string }> = [];
  malformed = 0;
}

/** A label for a file the importer does not read: its folder and name with dates as `*`. */
function kindOf(path: string): string {
  const parts = path.split('/');
  const product = parts.findIndex((p) => p === 'Fitbit' || p === 'Google Health');
  const tail = (product >= 0 ? parts.slice(product + 1) : parts.slice(parts[0] === 'Takeout' ? 1 : 0)).slice(-2);
  if (product < 0 && parts[0] === 'Takeout' && parts.length > 2) return `not Fitbit: Takeout/${parts[1]}`;
  return tail
    .join('/')
    .replace(/\d{4}-\d{2}-\d{2}/g, '*')
    .replace(/ - \d+/g, ' - *')
    .replace(/_\d+\./, '_*.');
}

export async function readTakeout(run: ImportRun): Promise<ImportedHistory> {
  const notes: string[] = [];
  const classified: Array<{ entry: ImportEntry; kind: Kind }> = [];
  for (const entry of run.files.entries) {
    const kind = (Object.keys(KINDS) as Kind[]).find((k) => KINDS[k].test(entry.path));
    if (kind) classified.push({ entry, kind });
    else run.unknown(kindOf(entry.path));
  }
  const weightFiles = run.files.entries.filter((e) => WEIGHT_FILE.test(e.path)).length;
  if (weightFiles > 0) {
    notes.push(
      `Weight was not imported (${weightFiles} weight file${weightFiles === 1 ? '' : 's'}): the fitbit plugin has no weight metric; they are listed under not read.`,
    );
  }

  // The profile first: it names the zone the UTC times are turned into local dates in.
  let zone = { zone: run.timeZone, from: run.zoneIsExplicit ? '--time-zone' : 'your system (TZ)' };
  for (const { entry } of classified.filter((c) => c.kind === 'profile')) {
    try {
      for await (const row of csvRows(run, entry)) {
        const named = row.timezone ? toIanaZone(row.timezone) : undefined;
        if (row.timezone && !named) notes.push(`Profile.csv names an unknown time zone; used ${zone.zone}.`);
        if (named && !run.zoneIsExplicit) zone = { zone: named, from: 'Profile.csv' };
        break;
      }
    } catch (err) {
      run.fileProblem(entry, err instanceof Error ? err.message : String(err));
    }
  }
  if (zone.from === 'your system (TZ)') notes.push(`No Profile.csv time zone; UTC times were read in ${zone.zone}.`);
  const clock = new ZoneClock(zone.zone);

  const total = new Contribution();
  const seenSleep = new Set<string>();
  let filesRead = 0;
  let exportedAt: number | undefined;
  for (const { entry, kind } of classified) {
    if (kind === 'profile') continue;
    const c = new Contribution();
    try {
      await READERS[kind](run, entry, c, clock);
    } catch (err) {
      if (run.signal.aborted) throw run.signal.reason;
      run.fileProblem(entry, err instanceof Error ? err.message : String(err));
      continue;
    }
    filesRead++;
    if (entry.mtimeMs !== undefined) exportedAt = Math.max(exportedAt ?? 0, entry.mtimeMs);
    total.steps.merge(c.steps);
    total.azm.merge(c.azm);
    total.restingHr.merge(c.restingHr);
    total.hrv.merge(c.hrv);
    for (const s of c.sleeps) {
      if (seenSleep.has(s.id)) continue; // the same log in two overlapping files
      seenSleep.add(s.id);
      total.sleeps.push(s);
    }
    if (c.malformed > 0) run.unknown(`${kindOf(entry.path)}: entries without a usable value`, c.malformed);
  }

  const nights = pickMainSleeps(total.sleeps);
  const series: Record<string, Map<string, FieldValue>> = {
    steps: mapValues(total.steps.totals(), (v) => round(v)),
    activeZoneMinutes: mapValues(total.azm.totals(), (v) => round(v)),
    restingHeartRate: mapValues(total.restingHr.values(), (v) => round(v)),
    hrv: mapValues(total.hrv.values(), (v) => round(v, 1)),
    sleepLength: new Map([...nights].flatMap(([d, n]) => (n.sleepLength === undefined ? [] : [[d, n.sleepLength]]))),
    bedTime: new Map([...nights].map(([d, n]) => [d, n.bedTime])),
    wakeUpTime: new Map([...nights].map(([d, n]) => [d, n.wakeUpTime])),
  };
  return { records: toDailyRecords(series), exportedAt, timeZone: zone, filesRead, notes };
}

function mapValues(m: Map<string, number>, f: (v: number) => number): Map<string, FieldValue> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}

/**
 * The folder a legacy file sits in, up to its product (`Takeout/Fitbit`, `Takeout/Google
 * Health`): the origin of its steps and zone minutes. Takeouts carry the same legacy files under
 * both products; as one origin their copies added up (2,000 steps for 1,000), as two the day
 * keeps the larger total (OriginSums), as README says layouts are "not added up".
 */
function productFolder(path: string): string {
  const parts = path.split('/');
  const product = parts.findIndex((p) => p === 'Fitbit' || p === 'Google Health');
  return (product >= 0 ? parts.slice(0, product + 1) : parts.slice(0, -2)).join('/');
}

type Reader = (run: ImportRun, entry: ImportEntry, c: Contribution, clock: ZoneClock) => Promise<void>;

async function jsonArray(run: ImportRun, entry: ImportEntry): Promise<unknown[]> {
  const doc = await entryJson(run, entry);
  if (!Array.isArray(doc)) throw new EntryError('not a JSON list (a Fitbit export file is one)');
  return doc;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const READERS: Record<Exclude<Kind, 'profile'>, Reader> = {
  async legacySteps(run, entry, c, clock) {
    for (const item of await jsonArray(run, entry)) {
      const e = obj(item);
      const at = legacyUtc(e?.dateTime);
      const v = num(e?.value);
      if (at === undefined || v === undefined || v < 0) {
        c.malformed++;
        continue;
      }
      if (v > 0) c.steps.add(clock.local(at).date, `legacy:${productFolder(entry.path)}`, v);
    }
  },

  async sleep(run, entry, c) {
    for (const item of await jsonArray(run, entry)) {
      const s = obj(item);
      const start = naiveLocal(s?.startTime);
      const end = naiveLocal(s?.endTime);
      if (!s || !start || !end) {
        c.malformed++;
        continue;
      }
      const duration = num(s.duration);
      const lengthMinutes = duration !== undefined ? duration / 60_000 : dayMinutes(end) - dayMinutes(start);
      const summary = obj(obj(s.levels)?.summary);
      let asleep = num(s.minutesAsleep);
      if (asleep === undefined && summary) {
        const stage = (k: string) => num(obj(summary[k])?.minutes) ?? 0;
        asleep = s.type === 'classic' ? stage('asleep') : stage('light') + stage('deep') + stage('rem');
      }
      c.sleeps.push({
        id: String(s.logId ?? `${s.startTime}|${s.endTime}`),
        wakeDate: end.date,
        bedTime: start.minutes,
        wakeUpTime: end.minutes,
        minutesAsleep: asleep,
        lengthMinutes,
        main: typeof s.mainSleep === 'boolean' ? s.mainSleep : undefined,
      });
    }
  },

  async legacyRestingHr(run, entry, c) {
    for (const item of await jsonArray(run, entry)) {
      const e = obj(item);
      const v = obj(e?.value);
      const date = legacyDate(v?.date) ?? legacyDate(e?.dateTime);
      const bpm = num(v?.value);
      if (!date || bpm === undefined) {
        c.malformed++;
        continue;
      }
      if (bpm > 0) c.restingHr.offer(date, bpm, LEGACY);
    }
  },

  async hrvSummary(run, entry, c) {
    for await (const row of csvRows(run, entry)) {
      const at = naiveLocal(row.timestamp);
      const v = num(row.rmssd);
      if (!at || v === undefined) {
        c.malformed++;
        continue;
      }
      if (v > 0) c.hrv.offer(at.date, v, LEGACY);
    }
  },

  async azm(run, entry, c) {
    for await (const row of csvRows(run, entry)) {
      const at = naiveLocal(row.date_time);
      const v = num(row.total_minutes);
      if (!at || v === undefined || v < 0) {
        c.malformed++;
        continue;
      }
      c.azm.add(at.date, `azm:${productFolder(entry.path)}`, v);
    }
  },

  async azmCsv(run, entry, c, clock) {
    for await (const row of csvRows(run, entry)) {
      const at = utcInstant(row.timestamp);
      const v = num(row['total minutes']);
      if (at === undefined || v === undefined || v < 0) {
        c.malformed++;
        continue;
      }
      if (v > 0) c.azm.add(clock.local(at).date, `device:${(row['data source'] ?? '').slice(0, 80)}`, v);
    }
  },

  async stepsCsv(run, entry, c, clock) {
    for await (const row of csvRows(run, entry)) {
      const at = utcInstant(row.timestamp);
      const v = num(row.steps);
      if (at === undefined || v === undefined || v < 0) {
        c.malformed++;
        continue;
      }
      if (v > 0) c.steps.add(clock.local(at).date, `device:${(row['data source'] ?? '').slice(0, 80)}`, v);
    }
  },

  async restingHrCsv(run, entry, c) {
    for await (const row of csvRows(run, entry)) {
      const date = writtenDate(row.timestamp);
      const v = num(row['beats per minute']);
      if (!date || v === undefined) {
        c.malformed++;
        continue;
      }
      if (v > 0) c.restingHr.offer(date, v, NEWER);
    }
  },

  async hrvCsv(run, entry, c) {
    for await (const row of csvRows(run, entry)) {
      const date = writtenDate(row.timestamp);
      const v = num(row['average heart rate variability milliseconds']);
      if (!date || v === undefined) {
        c.malformed++;
        continue;
      }
      if (v > 0) c.hrv.offer(date, v, NEWER);
    }
  },
};

function dayMinutes(t: { date: string; minutes: number }): number {
  return Date.parse(`${t.date}T00:00:00Z`) / 60_000 + t.minutes;
}
