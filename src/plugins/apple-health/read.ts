/**
 * Reads the Health app's export into daily `apple-health.*` values.
 *
 * The format (Apple publishes none; see test/fixtures/apple-health/SOURCES.md): one
 * `apple_health_export/export.xml` with a `<Record>` per sample:
 * `<Record type="HKQuantityTypeIdentifierStepCount" sourceName="…" unit="count"
 *  creationDate="…" startDate="2024-01-01 08:00:00 +0100" endDate="…" value="512"/>`.
 * Dates carry the UTC offset they were written in, so a record's local date and clock time are
 * the ones written; nothing here depends on the zone of the machine importing.
 *
 * Rules, one per field:
 * - steps, activeEnergy: cumulative. A record that spans local midnight is split between the two
 *   days in proportion to its time on each. iPhone and Watch both count the same steps, so each
 *   source (`sourceName`) is totalled apart and the day keeps the largest (OriginSums); a record
 *   repeated verbatim (same type, source, start, end, value) right after itself counts once.
 * - restingHeartRate, hrv (SDNN): the mean of the day's records (by start date).
 * - weight: the last BodyMass record of the day, in kg (lb, g and st converted).
 * - sleep: SleepAnalysis records of each source are joined into sessions (gaps under two hours);
 *   a session's minutes asleep are the union of its asleep stages (Core, Deep, REM, Asleep,
 *   AsleepUnspecified; InBed and Awake are not sleep), its bed time is its first record's start
 *   and its wake-up time its last record's end. Each wake-up date keeps one session: the one with
 *   the most minutes asleep (a source that only says "in bed" only when no source has more). A
 *   session that starts after 10:00 and ends before 20:00 is a nap and never the night's.
 * Every other record type, unit or sleep value is counted and listed in the report, and so is a
 * record okr cannot place on days: a date that is not a real one (month 13, 25:00), outside
 * 1970..tomorrow, a cumulative or sleep record spanning more than two days, a value that is not a
 * plain decimal number or that its field cannot really hold (src/metrics/plausible.ts: a BodyMass of
 * 1e308, a StepCount of 1e15).
 */
import { DailyMean, DailyPick, OriginSums, round, toDailyRecords } from '../../import/daily.js';
import { DamagedEntryError, EntryError, entryChunks } from '../../import/read-entry.js';
import { pickMainSleeps } from '../../import/sleep.js';
import { EARLIEST_DATE, implausibleValue, type PlausibleMetric, refusalKind } from '../../metrics/plausible.js';
import type { ImportedHistory, ImportRun } from '../import-types.js';
import type { FieldValue } from '../types.js';
import { HealthXmlError, scanHealthXml, type XmlTag } from './export-xml.js';
import { APPLE_HEALTH_FIELDS } from './fields.js';
import { isHealthXml } from './plugin.js';
import { SleepLog } from './sleep-log.js';

const Q = 'HKQuantityTypeIdentifier';
const SLEEP = 'HKCategoryTypeIdentifierSleepAnalysis';
const ASLEEP = new Set([
  'HKCategoryValueSleepAnalysisAsleep',
  'HKCategoryValueSleepAnalysisAsleepUnspecified',
  'HKCategoryValueSleepAnalysisAsleepCore',
  'HKCategoryValueSleepAnalysisAsleepDeep',
  'HKCategoryValueSleepAnalysisAsleepREM',
]);
const NOT_ASLEEP = new Set(['HKCategoryValueSleepAnalysisInBed', 'HKCategoryValueSleepAnalysisAwake']);
/** The record types okr reads; every other type is counted by name. */
const READ_TYPES = new Set([
  SLEEP,
  ...['StepCount', 'ActiveEnergyBurned', 'RestingHeartRate', 'HeartRateVariabilitySDNN', 'BodyMass'].map(
    (t) => `${Q}${t}`,
  ),
]);

/** Records summed over the time they span (split at midnights). */
const CUMULATIVE = new Set([`${Q}StepCount`, `${Q}ActiveEnergyBurned`]);

const ENERGY_KCAL: Record<string, number> = { kcal: 1, Cal: 1, kJ: 1 / 4.184 };
const MASS_KG: Record<string, number> = { kg: 1, lb: 0.45359237, g: 0.001, st: 6.35029318 };

/**
 * The field each quantity record feeds, for the plausibility rule (src/metrics/plausible.ts): a
 * single record outside its field's range (a BodyMass of 1e308 kg, a StepCount of 1e15) is
 * counted as not read, so it neither becomes the day's value nor skews its mean or its sum. The
 * day's total is checked again when the import keeps it (src/import/run.ts).
 */
const RECORD_RULES: ReadonlyMap<string, PlausibleMetric> = new Map(
  (
    [
      ['StepCount', 'steps'],
      ['ActiveEnergyBurned', 'activeEnergy'],
      ['RestingHeartRate', 'restingHeartRate'],
      ['HeartRateVariabilitySDNN', 'hrv'],
      ['BodyMass', 'weight'],
    ] as const
  ).map(([t, id]) => {
    const f = APPLE_HEALTH_FIELDS.find((x) => x.id === id)!;
    return [`${Q}${t}`, { name: `${Q}${t}`, type: f.type, unit: f.unit, range: f.range }];
  }),
);

const MINUTE = 60_000;
/** A value as HealthKit writes one: `512`, `0.0833333`, `-3`, `1.5e-05`. */
const DECIMAL_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A copy of `s` that holds no reference to the text it was cut from. V8 keeps the whole chunk a
 * sliced string came from alive, so a source name kept as a map key for every day would keep a
 * chunk of the file per day; kept names go through here, once per distinct name.
 */
const interned = new Map<string, string>();
function intern(s: string): string {
  let v = interned.get(s);
  if (v === undefined) {
    if (interned.size > 10_000) interned.clear(); // a hostile file with endless names
    v = Buffer.from(s, 'utf8').toString('utf8');
    interned.set(v, v);
  }
  return v;
}

/** An export date, `2024-01-01 08:00:00 +0100`: the instant, and the wall clock as written. */
export interface ExportTime {
  ms: number;
  date: string;
  minutes: number;
  offsetMinutes: number;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `2024-01-01 08:00:00 +0100` → the instant and the wall clock, or undefined unless every part is
 * a real one: month 1–12, a day of that month, 00:00:00–23:59:59, an offset within ±14:00. Date.UTC
 * would quietly turn month 13 into January of the next year (and years below 100 into 19xx), and
 * the stored date is built from the checked parts, so no such text reaches the database.
 */
export function parseExportTime(s: string | undefined): ExportTime | undefined {
  const m = s ? TIME_RE.exec(s) : null;
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const se = Number(m[6]);
  const oh = Number(m[8]);
  const om = Number(m[9]);
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59 || oh > 14 || om > 59 || (oh === 14 && om > 0)) {
    return undefined;
  }
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d < 1 || d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return undefined;
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (oh * 60 + om);
  let wall = Date.UTC(y, mo - 1, d, h, mi, se);
  if (y < 100) {
    // Date.UTC reads years 0–99 as 1900–1999.
    const at = new Date(0);
    at.setUTCFullYear(y, mo - 1, d);
    at.setUTCHours(h, mi, se, 0);
    wall = at.getTime();
  }
  return { ms: wall - offsetMinutes * MINUTE, date: `${m[1]}-${m[2]}-${m[3]}`, minutes: h * 60 + mi, offsetMinutes };
}

/**
 * The dates a record may have: from 1970-01-01 (no device counted steps before; a year like 1000
 * or 0050 is a typing error or a damaged file) to a day after now (a phone in a zone ahead of
 * this machine's, or its clock a little fast). Records outside are counted as not read.
 */
const DAY_MS = 24 * 60 * MINUTE;
function plausible(t: ExportTime, now: number): boolean {
  return t.date >= EARLIEST_DATE && t.ms <= now + DAY_MS;
}

/**
 * A cumulative record (steps, energy) or a sleep record longer than this is not read. Devices
 * write samples of seconds to minutes, apps that write a daily total write one day (25 hours
 * across a DST change), a sleep stage lasts minutes and a night's in-bed record hours; two days
 * leaves room for all of them. A longer one cannot be put on days honestly (spreading a year's
 * steps evenly would invent every day's value), and splitting it per day would cost memory and
 * time in proportion to its span: 1000-01-01..9999-12-31 was 3.3 million days and 2.9 GB.
 */
const MAX_SPAN_MS = 2 * DAY_MS;

/** Splits [start, end) at local midnights (in the start's offset): date → fraction of the span. */
function shareByDay(start: ExportTime, end: ExportTime): Array<[string, number]> {
  const span = end.ms - start.ms;
  if (span <= 0 || start.date === end.date) return [[start.date, 1]];
  const out: Array<[string, number]> = [];
  const shift = start.offsetMinutes * MINUTE;
  let from = start.ms;
  while (from < end.ms) {
    const wall = new Date(from + shift);
    const nextMidnight = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() + 1) - shift;
    const to = Math.min(nextMidnight, end.ms);
    out.push([wall.toISOString().slice(0, 10), (to - from) / span]);
    from = to;
  }
  return out;
}

export async function readHealthExport(run: ImportRun): Promise<ImportedHistory> {
  const xmls = run.files.entries.filter((e) => isHealthXml(e.path));
  for (const e of run.files.entries) {
    if (e !== xmls[0]) run.unknown(`file ${e.path.replace(/\d{4}-\d{2}-\d{2}[^/]*/g, '*').replace(/^[^/]+\//, '')}`);
  }
  const entry = xmls[0];
  if (!entry) throw new EntryError('no export.xml in it');

  const steps = new OriginSums();
  const energy = new OriginSums();
  const restingHr = new DailyMean();
  const hrv = new DailyMean();
  const weight = new DailyPick();
  const sleeps = new SleepLog();
  let exportedAt: number | undefined;
  const now = run.now().getTime();
  let previous = '';
  let records = 0;

  const unknown = new Map<string, number>();
  const skip = (kind: string) => {
    const n = unknown.get(kind);
    unknown.set(n === undefined ? intern(kind) : kind, (n ?? 0) + 1);
  };

  /** A record's value (in the field's unit) that cannot be real: counted by type, true. */
  const refused = (type: string, value: number): boolean => {
    const rule = RECORD_RULES.get(type)!;
    if (!implausibleValue(rule, value)) return false;
    skip(refusalKind(rule, value, 'value'));
    return true;
  };

  const onTag = (tag: XmlTag) => {
    if (tag.name === 'ExportDate') {
      const t = parseExportTime(tag.attr('value'));
      exportedAt = t && plausible(t, now) ? t.ms : undefined;
      return;
    }
    if (tag.name !== 'Record') return;
    records++;
    const type = tag.attr('type') ?? '';
    if (!READ_TYPES.has(type)) {
      skip(type.slice(0, 100) || 'Record without a type');
      return;
    }
    const startDate = tag.attr('startDate');
    const endDate = tag.attr('endDate');
    const rawValue = tag.attr('value');
    const start = parseExportTime(startDate);
    const end = parseExportTime(endDate);
    if (!start || !end || end.ms < start.ms) {
      skip(`${type || 'Record'} with an unreadable date`);
      return;
    }
    if (!plausible(start, now) || !plausible(end, now)) {
      skip(`${type} dated before ${EARLIEST_DATE} or after tomorrow`);
      return;
    }
    if (end.ms - start.ms > MAX_SPAN_MS && (type === SLEEP || CUMULATIVE.has(type))) {
      skip(`${type} spanning more than two days`);
      return;
    }
    const source = intern((tag.attr('sourceName') ?? '').slice(0, 80));
    const unit = tag.attr('unit') ?? '';
    if (type === SLEEP) {
      const v = rawValue ?? '';
      if (ASLEEP.has(v) || NOT_ASLEEP.has(v)) sleeps.add(source, start, end, ASLEEP.has(v));
      else skip(`${SLEEP} value ${v.slice(0, 60)}`);
      return;
    }
    // A plain decimal only: Number() would read "" as 0 and "0x10" as 16.
    const value = rawValue !== undefined && DECIMAL_RE.test(rawValue) ? Number(rawValue) : Number.NaN;
    if (!Number.isFinite(value) || value < 0) {
      skip(`${type} with a value that is not a number`);
      return;
    }
    switch (type) {
      case `${Q}StepCount`:
      case `${Q}ActiveEnergyBurned`: {
        const factor = type === `${Q}StepCount` ? (unit === 'count' ? 1 : undefined) : ENERGY_KCAL[unit];
        if (factor === undefined) return skip(`${type} in ${unit.slice(0, 20) || 'no unit'}`);
        if (refused(type, value * factor)) return;
        const key = `${type}|${source}|${startDate}|${endDate}|${rawValue}`;
        if (key === previous) return; // the same record twice in a row
        previous = key;
        const sums = type === `${Q}StepCount` ? steps : energy;
        for (const [date, share] of shareByDay(start, end)) sums.add(date, source, value * factor * share);
        return;
      }
      case `${Q}RestingHeartRate`:
        if (unit !== 'count/min') return skip(`${type} in ${unit.slice(0, 20) || 'no unit'}`);
        if (refused(type, value)) return;
        restingHr.add(start.date, value);
        return;
      case `${Q}HeartRateVariabilitySDNN`:
        if (unit !== 'ms') return skip(`${type} in ${unit.slice(0, 20) || 'no unit'}`);
        if (refused(type, value)) return;
        hrv.add(start.date, value);
        return;
      case `${Q}BodyMass`: {
        const f = MASS_KG[unit];
        if (f === undefined) return skip(`${type} in ${unit.slice(0, 20) || 'no unit'}`);
        if (refused(type, value * f)) return;
        weight.offer(start.date, value * f, 0, start.ms);
        return;
      }
      default:
        skip(type.slice(0, 100) || 'Record without a type');
    }
  };

  let other: Map<string, number>;
  try {
    ({ otherElements: other } = await scanHealthXml(entryChunks(run, entry), onTag));
  } catch (err) {
    if (err instanceof HealthXmlError) throw new EntryError(err.message);
    if (err instanceof DamagedEntryError) throw new DamagedEntryError(`${entry.path} is ${err.message}`);
    throw err;
  }
  for (const [kind, n] of unknown) run.unknown(kind, n);
  for (const [name, n] of other) run.unknown(`<${name}> element`, n);

  const nights = pickMainSleeps(sleeps.sessions());
  const series: Record<string, Map<string, FieldValue>> = {
    steps: mapValues(steps.totals(), (v) => round(v)),
    activeEnergy: mapValues(energy.totals(), (v) => round(v)),
    restingHeartRate: mapValues(restingHr.values(), (v) => round(v, 1)),
    hrv: mapValues(hrv.values(), (v) => round(v, 1)),
    weight: mapValues(weight.values(), (v) => round(v, 2)),
    sleepLength: new Map([...nights].flatMap(([d, n]) => (n.sleepLength === undefined ? [] : [[d, n.sleepLength]]))),
    bedTime: new Map([...nights].map(([d, n]) => [d, n.bedTime])),
    wakeUpTime: new Map([...nights].map(([d, n]) => [d, n.wakeUpTime])),
  };
  const notes = [`${records} records read from ${entry.path}.`];
  return { records: toDailyRecords(series), exportedAt, filesRead: 1, notes };
}

function mapValues(m: Map<string, number>, f: (v: number) => number): Map<string, FieldValue> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}
