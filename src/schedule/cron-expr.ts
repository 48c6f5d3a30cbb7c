/**
 * The five time fields of a crontab line, parsed as cron(8) reads them: numbers, `*`, ranges
 * `a-b`, steps `*\/n` and `a-b/n`, comma lists, and month/weekday names. `status` reads the
 * installed line back through this (so a hand-edited time still gives the right next run), and the
 * tests use it to check the generated line is valid.
 */

export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  /** 0-6, Sunday = 0 (7 is folded into 0). */
  dayOfWeek: Set<number>;
  /** cron's rule: when both day fields are restricted, a day matches if either matches. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesBase: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesBase: 0 },
];

export class CronSyntaxError extends Error {}

function parseValue(text: string, spec: FieldSpec): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) throw new CronSyntaxError(`${spec.name} ${n} is outside ${spec.min}-${spec.max}`);
    return n;
  }
  const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return i + spec.namesBase!;
  throw new CronSyntaxError(`"${text}" is not a valid ${spec.name}`);
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  if (text === '') throw new CronSyntaxError(`empty ${spec.name} field`);
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronSyntaxError(`"${part}" is not a valid ${spec.name}`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new CronSyntaxError(`step 0 in ${spec.name}`);
    let lo: number;
    let hi: number;
    if (m[1] === '*') {
      lo = spec.min;
      hi = spec.max;
    } else if (m[1]!.includes('-')) {
      const [a, b, ...rest] = m[1]!.split('-');
      if (rest.length > 0 || a === undefined || b === undefined) throw new CronSyntaxError(`"${part}" is not a range`);
      lo = parseValue(a, spec);
      hi = parseValue(b, spec);
      if (lo > hi) throw new CronSyntaxError(`range ${part} runs backwards`);
    } else {
      lo = parseValue(m[1]!, spec);
      // `5/10` means 5, 15, 25, … in most crons.
      hi = m[2] === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses the five time fields (`23 * * * *`). Throws CronSyntaxError with the reason. */
export function parseCron(fields: string): CronSchedule {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronSyntaxError(`expected 5 time fields, got ${parts.length}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  if (dow!.has(7)) {
    dow!.delete(7);
    dow!.add(0);
  }
  return {
    minute: minute!,
    hour: hour!,
    dayOfMonth: dom!,
    month: month!,
    dayOfWeek: dow!,
    domRestricted: parts[2] !== '*',
    dowRestricted: parts[4] !== '*',
  };
}

function dayMatches(s: CronSchedule, t: Date): boolean {
  const dom = s.dayOfMonth.has(t.getDate());
  const dow = s.dayOfWeek.has(t.getDay());
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The first minute strictly after `from` that the schedule fires (local time), or undefined
 * when it never fires within ~4 years (e.g. `0 0 31 2 *`). */
export function nextCronRun(s: CronSchedule, from: Date): Date | undefined {
  const t = new Date(from.getTime());
  t.setSeconds(0, 0);
  t.setMinutes(t.getMinutes() + 1);
  const limit = from.getTime() + 4 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.month.has(t.getMonth() + 1) || !dayMatches(s, t)) {
      t.setDate(t.getDate() + 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hour.has(t.getHours())) {
      t.setHours(t.getHours() + 1, 0, 0, 0);
      continue;
    }
    if (s.minute.has(t.getMinutes())) return t;
    t.setMinutes(t.getMinutes() + 1);
  }
  return undefined;
}
