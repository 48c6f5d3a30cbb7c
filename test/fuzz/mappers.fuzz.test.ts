/**
 * The fitbit plugin's response path (content type and JSON checks, zod schemas, mapping, paging,
 * fetch-data) fed mutated versions of the shared Google Health samples in
 * test/fixtures/google-health/: keys deleted, values replaced (wrong types, NaN-ish strings,
 * huge or negative numbers, impossible dates and offsets), points duplicated, dates bent, page
 * tokens added, bodies cut short or served as another content type.
 *
 * Every case must end in valid records or a categorised ProviderError (bad_response): never an
 * uncaught TypeError, a NaN, a date outside the asked range or not on the calendar, a clock time
 * outside 0..1439, or a zero the response never said (a "silent zero").
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isCivilDate } from '../../src/dates.js';
import { ProviderError } from '../../src/errors.js';
import { fitbitPlugin } from '../../src/plugins/fitbit/plugin.js';
import type { FetchResult } from '../../src/plugins/types.js';
import { fixture } from '../fixtures-helpers.js';
import { cannedRuntime, DUMMY_CREDENTIALS } from '../plugins/fitbit/helpers.js';

const RUNS = Number(process.env.OKR_FUZZ_RUNS ?? 2000) >= 2000 ? 600 : 150;
const SLEEP = ['sleepLength', 'bedTime', 'wakeUpTime'];
/** The samples that carry data, each with a range around its dates and the fields it feeds. */
const SEEDS: Array<{ file: string; from: string; to: string; fields: string[] }> = [
  { file: 'steps_dailyRollUp.ansanloms-measured.json', from: '2026-09-15', to: '2026-09-30', fields: ['steps'] },
  { file: 'steps_dailyRollUp.ha-core-synthetic.json', from: '2026-06-20', to: '2026-07-05', fields: ['steps'] },
  { file: 'sleep_list.ansanloms-measured.json', from: '2026-09-20', to: '2026-09-30', fields: SLEEP },
  { file: 'sleep_reconcile.ansanloms-measured.json', from: '2026-09-20', to: '2026-09-30', fields: SLEEP },
  { file: 'sleep_list.google-doc-abridged.json', from: '2026-02-25', to: '2026-03-10', fields: SLEEP },
  { file: 'sleep_list.ha-core-synthetic.json', from: '2026-06-25', to: '2026-07-05', fields: SLEEP },
  {
    file: 'daily_resting_heart_rate_list.ha-core-synthetic.json',
    from: '2026-06-25',
    to: '2026-07-05',
    fields: ['restingHeartRate'],
  },
];
const COUNTS = new Set(['steps', 'sleepLength', 'restingHeartRate', 'hrv', 'activeZoneMinutes']);
const tally: string[] = [];
afterAll(() => console.log(`fuzz (fitbit response mappers):\n${tally.join('\n')}`));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => void paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

function parentOf(root: Json, path: Path): { parent: Json[] | Record<string, Json>; key: string | number } {
  let cur = root as Json;
  for (const k of path.slice(0, -1)) cur = (cur as Record<string, Json>)[k as string]!;
  return { parent: cur as Json[] | Record<string, Json>, key: path[path.length - 1]! };
}

/** Values that break things: wrong types, NaN-ish strings, out-of-range numbers, bad dates. */
const EVIL: Json[] = [
  0,
  '0',
  -1,
  '-1',
  -0.5,
  '',
  null,
  true,
  false,
  'NaN',
  'Infinity',
  '-Infinity',
  1e308,
  '1e400',
  2 ** 53 + 2, // beyond the safe integers
  '9007199254740993',
  1.5,
  '1.5',
  ' 7',
  '7 ',
  '0x10',
  [],
  {},
  [1],
  { year: 2026 },
  '2026-02-30T00:00:00Z',
  '2026-09-26T25:00:00Z',
  '2026-09-26',
  'not a time',
  '32400',
  '99999s',
  '+25:00',
  '-07:00',
  'Z',
  '0s',
  '86400s',
  { year: 2026, month: 2, day: 30 },
  { year: 2026, month: 13, day: 1 },
  { year: -1, month: 1, day: 1 },
  { year: 1e9, month: 1, day: 1 },
  { year: 2026.5, month: 1, day: 1 },
];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: Json }
  | { op: 'duplicate'; at: number }
  | { op: 'bump'; at: number; by: number }
  | { op: 'negate'; at: number }
  | { op: 'pageToken'; token: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...EVIL) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
    ),
  }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('bump' as const), at: fc.nat(), by: fc.integer({ min: -40, max: 40 }) }),
  fc.record({ op: fc.constant('negate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('pageToken' as const), token: fc.string({ maxLength: 10 }) }),
);

function mutate(original: Json, ms: Mutation[]): Json {
  const body = structuredClone(original);
  for (const m of ms) {
    if (m.op === 'pageToken') {
      if (body && typeof body === 'object' && !Array.isArray(body)) body.nextPageToken = m.token;
      continue;
    }
    const all = paths(body);
    if (all.length === 0) continue;
    const path = all[m.at % all.length]!;
    const { parent, key } = parentOf(body, path);
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else if (m.op === 'set') {
      (parent as Record<string, Json>)[key as string] = structuredClone(m.value);
    } else if (m.op === 'duplicate') {
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]!));
    } else if (m.op === 'negate') {
      // The first number at or after the chosen path turns negative (a count, a date part…).
      const num = all
        .slice(m.at % all.length)
        .concat(all)
        .find((p) => {
          const { parent: pp, key: kk } = parentOf(body, p);
          const v = (pp as Record<string, Json>)[kk as string];
          return typeof v === 'number' ? v > 0 : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v);
        });
      if (num) {
        const { parent: pp, key: kk } = parentOf(body, num);
        const v = (pp as Record<string, Json>)[kk as string];
        (pp as Record<string, Json>)[kk as string] = typeof v === 'number' ? -v : `-${v}`;
      }
    } else {
      // Numbers and numeric strings move by `by` (dates' days and months, counts, epoch seconds).
      const v = (parent as Record<string, Json>)[key as string];
      if (typeof v === 'number') (parent as Record<string, Json>)[key as string] = v + m.by;
      else if (typeof v === 'string' && /^-?\d+$/.test(v))
        (parent as Record<string, Json>)[key as string] = String(Number(v) + m.by);
    }
  }
  return body;
}

/** The body as served: JSON, or cut short, or the right JSON under a wrong content type. */
const serving = fc.constantFrom('json', 'json', 'json', 'json', 'truncated', 'html', 'no-type');

async function fetchMutated(seed: (typeof SEEDS)[number], body: string, how: string): Promise<FetchResult> {
  const headers: Record<string, string> =
    how === 'html' ? { 'Content-Type': 'text/html' } : how === 'no-type' ? { 'Content-Type': '' } : {};
  const rt = cannedRuntime(() => ({
    body: how === 'truncated' ? body.slice(0, Math.floor(body.length / 2)) : body,
    headers,
  }));
  return fitbitPlugin.fetchData(rt, DUMMY_CREDENTIALS, seed.from, seed.to, seed.fields);
}

/** Did the response say zero anywhere (0, "0", 0.0…)? A stored 0 must come from such a value. */
function saysZero(body: string): boolean {
  return /(?<![\d.])-?0(?:\.0+)?(?![\d.])/.test(body);
}

describe('fitbit response mappers on mutated shared samples', () => {
  for (const seed of SEEDS) {
    it(`${seed.file}: valid records or a bad_response error`, async () => {
      const original = fixture<Json>(seed.file);
      const baseline = await fetchMutated(seed, JSON.stringify(original), 'json');
      expect(baseline.records.length).toBeGreaterThan(0); // the seed itself maps to data
      let valid = 0;
      let refused = 0;
      let changed = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), serving, async (ms, how) => {
          const body = JSON.stringify(mutate(original, ms));
          let result: FetchResult;
          try {
            result = await fetchMutated(seed, body, how);
          } catch (err) {
            // Categorised, with a message that says what was wrong; never a TypeError.
            expect(err, String(err)).toBeInstanceOf(ProviderError);
            const e = err as ProviderError;
            expect(['bad_response', 'client']).toContain(e.category);
            expect(e.message).toMatch(/cannot read|answered/);
            refused++;
            return;
          }
          valid++;
          if (JSON.stringify(result) !== JSON.stringify(baseline)) changed++;
          expect(how).toBe('json'); // a cut or mislabelled body is never read as data
          for (const r of result.records) {
            expect(isCivilDate(r.date), r.date).toBe(true);
            expect(r.date >= seed.from && r.date <= seed.to, r.date).toBe(true);
            for (const [field, v] of Object.entries(r.fields)) {
              expect(seed.fields).toContain(field);
              expect(typeof v).toBe('number');
              expect(Number.isFinite(v), `${field}=${v}`).toBe(true);
              if (field === 'bedTime' || field === 'wakeUpTime') {
                expect(Number.isInteger(v) && (v as number) >= 0 && (v as number) < 1440, `${field}=${v}`).toBe(true);
              }
              if (COUNTS.has(field)) expect(v as number, `${field}=${v} from ${body}`).toBeGreaterThanOrEqual(0);
              if (COUNTS.has(field) && v === 0) expect(saysZero(body), `${field}=0 from ${body}`).toBe(true);
            }
          }
          for (const d of result.provisionalDates ?? []) {
            expect(isCivilDate(d) && d >= seed.from && d <= seed.to).toBe(true);
          }
        }),
        { numRuns: RUNS },
      );
      tally.push(
        `  ${seed.file}: ${RUNS} mutated responses, ${valid} mapped (${changed} differing from the sample), ${refused} refused as bad_response`,
      );
    });
  }
});
