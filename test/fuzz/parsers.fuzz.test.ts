/**
 * Every parser of user input, fed hostile text (any Unicode, binary, other scripts' digits,
 * whitespace of every kind, huge numbers, near-valid forms): no crash, and either a valid result
 * or a UsageError/OkrError with a one-line message and a hint. This extends the property tests
 * in test/metrics and test/okr (which cover the valid forms) with what a careless paste or a
 * script produces, checks the stored forms' invariants, and drives the real commands in-process.
 * Each property prints how many cases it tried.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, createContext } from '../../src/context.js';
import { daysBetween, isCivilDate } from '../../src/dates.js';
import { type OkrError, UsageError } from '../../src/errors.js';
import { csvLine, exportValue, formulaSafe, ImportError, importCsv } from '../../src/metrics/csv.js';
import { MAX_RANGE_YEARS, resolveRange } from '../../src/metrics/ranges.js';
import { formatMetricSpec, MAX_LABEL_LENGTH, MAX_UNIT_LENGTH, parseMetricSpec } from '../../src/metrics/templates.js';
import { MAX_DURATION_MINUTES, MAX_TEXT_LENGTH, parseValue } from '../../src/metrics/values.js';
import { parsePeriod } from '../../src/okr/period.js';
import { defineKeyResult } from '../../src/okr/progress.js';
import { createDefaultRegistry } from '../../src/plugins/index.js';
import type { FieldType, FieldValue } from '../../src/plugins/types.js';
import { hasUnsafeChar } from '../../src/safe-text.js';
import { runCli, tempHome } from '../helpers/cli.js';

const RUNS = Number(process.env.OKR_FUZZ_RUNS ?? 2000);
const TODAY = '2026-11-10';
const NOW = () => new Date('2026-11-10T12:00:00Z');
const TYPES: FieldType[] = ['number', 'duration', 'time', 'boolean', 'text'];
const tally: string[] = [];

afterAll(() => console.log(`fuzz (parsers):\n${tally.join('\n')}`));

/** Digits of other scripts, odd spaces and signs that look like ASCII ones. */
const LOOKALIKES = [
  '０',
  '７',
  '٣',
  '۵',
  '१',
  '\u00a0',
  '\u2009',
  '\u200b',
  '\u3000',
  '−',
  '＋',
  '：',
  '．',
  '\t',
  '\n',
  '\r',
];

/** Text a user (or a script) might pass: anything, plus near-valid forms with odd characters. */
function hostile(nearValid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const mutated = fc
    .tuple(nearValid, fc.nat(), fc.constantFrom(...LOOKALIKES), fc.constantFrom('insert', 'replace', 'none'))
    .map(([s, at, c, how]) => {
      const i = s.length === 0 ? 0 : at % s.length;
      if (how === 'insert') return s.slice(0, i) + c + s.slice(i);
      if (how === 'replace') return s.slice(0, i) + c + s.slice(i + 1);
      return s;
    });
  return fc.oneof(
    { weight: 4, arbitrary: nearValid },
    { weight: 3, arbitrary: mutated },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e309', '9'.repeat(400), 'null') },
  );
}

/**
 * A clear refusal: the expected class and a one-line message that says something of its own
 * (the user's input, quoted in it, may itself contain "NaN" or anything else).
 */
function expectClearRefusal(
  err: unknown,
  input: string | string[] = [],
  cls: abstract new (...args: never[]) => OkrError = UsageError,
): void {
  expect(err).toBeInstanceOf(cls);
  const e = err as OkrError;
  expect(e.message.trim().length).toBeGreaterThan(0);
  const inputs = [input].flat();
  for (const junk of ['undefined', 'NaN', '[object', 'null']) {
    if (e.message.includes(junk))
      expect(
        inputs.some((i) => i.includes(junk)),
        e.message,
      ).toBe(true);
  }
  expect(e.message.split('\n').length, e.message).toBe(1);
}

function run<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => 'ok' | 'refused', numRuns = RUNS): void {
  let ok = 0;
  let refused = 0;
  fc.assert(
    fc.property(arb, (v) => {
      if (check(v) === 'ok') ok++;
      else refused++;
    }),
    { numRuns },
  );
  tally.push(`  ${name}: ${numRuns} cases, ${ok} accepted, ${refused} refused clearly`);
}

describe('--since / --from / --to (resolveRange)', () => {
  const since = hostile(
    fc.oneof(
      fc
        .tuple(fc.integer({ min: -3, max: 30_000 }), fc.constantFrom('d', 'w', 'm', 'y', 'D', 'W', ' d', ''))
        .map(([n, u]) => `${n}${u}`),
      fc
        .date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    ),
  );
  const date = hostile(
    fc.oneof(
      fc
        .date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc
        .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
        .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    ),
  );
  it('a valid range ending by today, at most 20 years long, or a UsageError with a hint', () => {
    run(
      '--since/--from/--to',
      fc.record({
        since: fc.option(since, { nil: undefined, freq: 2 }),
        from: fc.option(date, { nil: undefined, freq: 2 }),
        to: fc.option(date, { nil: undefined, freq: 2 }),
      }),
      (opts) => {
        try {
          const r = resolveRange(opts, TODAY, 7);
          expect(isCivilDate(r.from) && isCivilDate(r.to)).toBe(true);
          expect(r.from <= r.to && r.to <= TODAY).toBe(true);
          expect(daysBetween(r.from, r.to)).toBeLessThanOrEqual(MAX_RANGE_YEARS * 366);
          return 'ok';
        } catch (err) {
          expectClearRefusal(
            err,
            [opts.since, opts.from, opts.to].filter((x): x is string => x !== undefined),
          );
          expect((err as UsageError).hint).toBeTruthy();
          return 'refused';
        }
      },
    );
  });
});

/** Near-valid spellings of each type. */
const NEAR_VALUE: Record<FieldType, fc.Arbitrary<string>> = {
  number: fc.oneof(
    fc.double({ noNaN: false }).map(String),
    fc.integer().map((n) => n.toLocaleString('en-US')),
    fc.stringMatching(/^[+-]?[0-9]{0,7}([.,][0-9]{0,4})?(e[+-]?[0-9]{1,3})?$/),
  ),
  duration: fc.oneof(
    fc
      .tuple(fc.integer({ min: -2, max: 250 }), fc.integer({ min: 0, max: 99 }))
      .map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
    fc.stringMatching(
      /^[0-9]{0,4}(\.[0-9]{1,2})?\s?(h|hr|hrs|hours?)?\s?[0-9]{0,5}(\.[0-9])?\s?(m|min|mins|minutes?)?$/,
    ),
  ),
  time: fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 70 }))
      .map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
    fc.stringMatching(/^[0-9]{1,2}(:[0-9]{2})?\s?[apAP]\.?[mM]\.?$/),
  ),
  boolean: fc.constantFrom('yes', 'no', 'Y', 'n', 'TRUE', 'false', '1', '0', 'on', 'off', 'yep', 'nah', '2', 'oui'),
  text: fc.string({ unit: 'grapheme', maxLength: 600 }),
};

describe('okr metrics log values by type (parseValue)', () => {
  for (const type of TYPES) {
    it(`${type}: a stored value that exports and parses back to itself, or a UsageError with a hint`, () => {
      run(`metrics log value (${type})`, hostile(NEAR_VALUE[type]), (input) => {
        let v: FieldValue;
        try {
          v = parseValue(type, input);
        } catch (err) {
          expectClearRefusal(err, input);
          expect((err as UsageError).hint ?? (err as UsageError).message).toBeTruthy();
          return 'refused';
        }
        switch (type) {
          case 'number':
            expect(Number.isFinite(v)).toBe(true);
            expect(Object.is(v, -0)).toBe(false);
            break;
          case 'duration':
            expect(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_DURATION_MINUTES).toBe(true);
            break;
          case 'time':
            expect(Number.isInteger(v) && (v as number) >= 0 && (v as number) < 1440).toBe(true);
            break;
          case 'boolean':
            expect([0, 1]).toContain(v);
            break;
          case 'text':
            expect(typeof v).toBe('string');
            expect((v as string).length).toBeGreaterThan(0);
            expect((v as string).length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
            expect(v).toBe((v as string).trim());
            expect(/[\u0000-\u001f\u007f]/.test(v as string)).toBe(false);
        }
        // What export writes reads back as the same stored value (the import/export contract).
        expect(parseValue(type, exportValue(type, v))).toBe(v);
        return 'ok';
      });
    });
  }
});

describe('template definitions (parseMetricSpec)', () => {
  const nearSpec = fc
    .tuple(
      fc.constantFrom(
        'Steps',
        'Sleep',
        'Mood',
        'Weight (kg)',
        'Humeur',
        '睡眠',
        'a',
        'x'.repeat(41),
        '',
        ' ',
        'A=B',
        'Q@',
      ),
      fc.constantFrom('=', ':', '', '=mood:', '=fitbit.', '=x_y:'),
      fc.constantFrom(
        'fitbit.steps',
        'number',
        'duration',
        'time',
        'bool',
        'yes/no',
        'text',
        'external',
        'Fitbit.Steps',
        'a.b.c',
        '',
      ),
      fc.constantFrom('', '[kg]', '[]', '[', ']', '[a very long unit name]', '[\u0007]'),
      fc.constantFrom('', '@>=7:30', '@', '@yes', '@<=80', '@@'),
    )
    .map((parts) => parts.join(''));
  it('a metric whose canonical text parses back to itself, or a UsageError', () => {
    run('template metric spec', hostile(nearSpec), (spec) => {
      let m: ReturnType<typeof parseMetricSpec>;
      try {
        m = parseMetricSpec(spec);
      } catch (err) {
        expectClearRefusal(err, spec);
        return 'refused';
      }
      expect(m.label.length).toBeGreaterThan(0);
      expect(m.label.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
      expect(/[\p{Cc}=@[\]]/u.test(m.label)).toBe(false);
      expect(m.metricName.length).toBeGreaterThan(0);
      if (m.type === 'external') expect(m.source).toMatch(/^[a-z][a-z0-9-]*\.[A-Za-z][A-Za-z0-9_]*$/);
      else expect(m.metricName).not.toContain('.');
      if (m.unit !== undefined) expect(m.unit.length).toBeLessThanOrEqual(MAX_UNIT_LENGTH);
      expect(parseMetricSpec(formatMetricSpec(m))).toEqual(m);
      return 'ok';
    });
  });
});

describe('OKR definitions (defineKeyResult, parsePeriod)', () => {
  const near = hostile(
    fc.oneof(
      fc.stringMatching(/^(>=|<=|>|<|=|≥|≤|=>)?\s?-?[0-9]{0,6}([:.,][0-9]{0,3})?[h%m]?$/),
      fc.constantFrom('yes', 'no', '80%', '7:00', '23:00', '11pm', '10,000', '5'),
    ),
  );
  it('a key result with finite targets, or a UsageError with a hint', () => {
    // Values are spelled for the metric's type most of the time, so that many definitions pass.
    const keyResult = fc.constantFrom(...TYPES).chain((metricType) => {
      const value = metricType === 'text' ? near : fc.oneof(NEAR_VALUE[metricType], near);
      const cmp = fc.tuple(fc.constantFrom('', '>= ', '<=', '>', '< ', '=', '≥'), value).map(([op, v]) => `${op}${v}`);
      const agg = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('avg', 'sum', 'min', 'max', 'last', 'count', 'days', 'AVG ') },
        { weight: 1, arbitrary: fc.oneof(fc.constant('mean'), fc.string({ maxLength: 6 })) },
      );
      const rarely = <T>(a: fc.Arbitrary<T>) =>
        fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
      return agg.chain((a) =>
        fc.record({
          metricType: fc.constant(metricType),
          agg: fc.constant(a),
          // --where belongs to --agg days: mostly given there, rarely elsewhere.
          where: a === 'days' ? fc.option(cmp, { nil: undefined, freq: 6 }) : rarely(cmp),
          per: rarely(fc.oneof(fc.constantFrom('week', 'month', 'Week'), fc.string({ maxLength: 6 }))),
          target: fc.oneof(cmp, fc.constantFrom('80%', '5', '>= 3')),
          baseline: rarely(value),
        }),
      );
    });
    run('key result (agg, --where, --per, --target, --baseline)', keyResult, (input) => {
      try {
        const spec = defineKeyResult(input);
        expect(['>=', '>', '<=', '<']).toContain(spec.target.op);
        expect(Number.isFinite(spec.target.value)).toBe(true);
        if (spec.where) expect(Number.isFinite(spec.where.value)).toBe(true);
        if (spec.baseline !== undefined) expect(Number.isFinite(spec.baseline)).toBe(true);
        if (spec.kind === 'fraction') expect(spec.target.value >= 0 && spec.target.value <= 1).toBe(true);
        return 'ok';
      } catch (err) {
        expectClearRefusal(err, [input.agg, input.where ?? '', input.per ?? '', input.target, input.baseline ?? '']);
        expect((err as UsageError).hint).toBeTruthy();
        return 'refused';
      }
    });
  });

  it('periods: a valid from..to, or a UsageError', () => {
    const nearPeriod = hostile(
      fc.oneof(
        fc
          .tuple(
            fc.oneof(fc.integer({ min: 1890, max: 3010 }), fc.integer({ min: 0, max: 99_999 })),
            fc.constantFrom('-Q', '-H', '-q', '-', '-W', ''),
          )
          .chain(([y, sep]) =>
            fc.integer({ min: 0, max: 14 }).map((n) => `${y}${sep}${sep === '-' ? String(n).padStart(2, '0') : n}`),
          ),
        fc
          .tuple(
            ...[0, 1].map(() =>
              fc.date({ min: new Date('1990-01-01'), max: new Date('2040-12-31'), noInvalidDate: true }),
            ),
          )
          .map(([a, b]) => `${a!.toISOString().slice(0, 10)}..${b!.toISOString().slice(0, 10)}`),
      ),
    );
    run('OKR period', nearPeriod, (s) => {
      try {
        const p = parsePeriod(s);
        expect(isCivilDate(p.from) && isCivilDate(p.to) && p.from <= p.to).toBe(true);
        return 'ok';
      } catch (err) {
        expectClearRefusal(err, s);
        return 'refused';
      }
    });
  });
});

describe('CSV import rows (importCsv)', () => {
  let ctx: Context;
  beforeAll(async () => {
    const home = tempHome('okr-fuzz-csv-');
    const r = await runCli(
      ['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number', '--metric', 'Note:text'],
      {
        home,
        now: NOW,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home, now: NOW });
  });
  afterAll(() => ctx?.close());

  const count = () => ctx.db().prepare('SELECT count(*) FROM daily_metric_values').pluck().get() as number;
  const clear = () => ctx.db().exec('DELETE FROM daily_metric_values');

  const cell = fc.oneof(
    fc.constantFrom(
      '2026-11-01',
      '2026-02-29',
      '2026-11-11',
      '1999-12-31',
      'fitbit.steps',
      'fitbit.sleepLength',
      'fitbit.bedTime',
      'mood',
      'note',
      'x.y',
      'number',
      'duration',
      'time',
      'boolean',
      'text',
      'bogus',
      'manual',
      '',
      '7:30',
      '23:15',
      'yes',
      '10,482',
      '1,5',
      '"',
    ),
    hostile(fc.constantFrom('2026-11-01', '10482', 'mood', '7:30')),
  );
  const quoteOrNot = (s: string, q: boolean) => (q ? `"${s.replace(/"/g, '""')}"` : s);
  const csvText = fc
    .record({
      bom: fc.boolean(),
      header: fc.constantFrom(
        'date,metric,value',
        'date,metric,value,type',
        'Date , Metric, VALUE,source',
        'metric,value',
        'date;metric;value',
        '',
      ),
      rows: fc.array(fc.array(fc.tuple(cell, fc.boolean()), { minLength: 0, maxLength: 5 }), { maxLength: 8 }),
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      tail: fc.constantFrom('', '\n', '"unterminated'),
    })
    .map(
      ({ bom, header, rows, eol, tail }) =>
        (bom ? '\ufeff' : '') +
        [header, ...rows.map((r) => r.map(([c, q]) => quoteOrNot(c, q)).join(','))].join(eol) +
        tail,
    );

  it('arbitrary files: a report, or a clear refusal with bad rows by line, and then nothing imported', () => {
    run(
      'CSV import (arbitrary files)',
      csvText,
      (text) => {
        clear();
        const lines = text.split(/\r\n|\r|\n/).length;
        try {
          const rep = importCsv(ctx, 'in.csv', text);
          // Into an empty table every row is either imported or blank.
          expect(rep.imported + rep.blank).toBe(rep.rows);
          expect(count()).toBe(rep.imported);
          return 'ok';
        } catch (err) {
          expect(count()).toBe(0);
          if (err instanceof ImportError) {
            expect(err.badRows.length).toBeGreaterThan(0);
            for (const b of err.badRows) {
              expect(b.line).toBeGreaterThanOrEqual(2);
              expect(b.line).toBeLessThanOrEqual(lines);
              if (!text.includes('undefined')) expect(b.problem).not.toMatch(/\bundefined\b/);
              expect(b.problem).not.toMatch(/\[object/);
            }
            expect(err.hint).toBeTruthy();
          } else expectClearRefusal(err, text);
          return 'refused';
        }
      },
      Math.ceil(RUNS / 2),
    );
  });

  it('valid rows written with any quoting and line ends import to exactly their values', () => {
    const METRICS: Array<[string, FieldType]> = [
      ['fitbit.steps', 'number'],
      ['fitbit.sleepLength', 'duration'],
      ['fitbit.bedTime', 'time'],
      ['mood', 'number'],
      ['note', 'text'],
    ];
    const value: Record<FieldType, fc.Arbitrary<FieldValue>> = {
      number: fc.oneof(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
      ),
      duration: fc.integer({ min: 0, max: MAX_DURATION_MINUTES }),
      time: fc.integer({ min: 0, max: 1439 }),
      boolean: fc.constantFrom(0, 1),
      text: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 80 })
        // Valid text: okr refuses controls, C1, bidi marks and lone surrogates (src/safe-text.ts).
        .map((s) =>
          Array.from(s, (c) => (hasUnsafeChar(c) ? ' ' : c))
            .join('')
            .trim(),
        )
        .filter((s) => s.length > 0 && !hasUnsafeChar(s)),
    };
    // Valid also means possible: a plugin field's values stay within its declared range
    // (src/metrics/plausible.ts), a manual metric's within its type's.
    const possible = (name: string, type: FieldType): fc.Arbitrary<FieldValue> => {
      const range = createDefaultRegistry().findField(name)?.field.range;
      return range ? fc.integer({ min: Math.ceil(range.min), max: Math.floor(range.max) }) : value[type];
    };
    const rows = fc.uniqueArray(
      fc.tuple(
        fc
          .date({ min: new Date('2020-01-01'), max: new Date('2026-11-10'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
        fc.integer({ min: 0, max: METRICS.length - 1 }),
      ),
      { maxLength: 12, selector: ([d, m]) => `${d}/${m}` },
    );
    const arb = rows.chain((keys) =>
      fc
        .tuple(fc.tuple(...keys.map(([, m]) => possible(...METRICS[m]!))), fc.constantFrom('\n', '\r\n'), fc.boolean())
        .map(([vals, eol, bom]) => ({ keys, vals: vals as FieldValue[], eol, bom })),
    );
    run(
      'CSV import (valid rows round trip)',
      arb,
      ({ keys, vals, eol, bom }) => {
        clear();
        // As `metrics export` writes them: text cells through the formula rule (a leading `'` is doubled).
        const cell = (type: FieldType, v: FieldValue) =>
          type === 'text' ? formulaSafe(exportValue(type, v)) : exportValue(type, v);
        const lines = keys.map(([d, m], i) => csvLine([d, METRICS[m]![0], cell(METRICS[m]![1], vals[i]!)]));
        const text = `${bom ? '\ufeff' : ''}${['date,metric,value', ...lines].join(eol)}${eol}`;
        const rep = importCsv(ctx, 'in.csv', text);
        expect(rep.imported).toBe(keys.length);
        const stored = ctx.db().prepare('SELECT value FROM daily_metric_values WHERE date = ? AND metric_name = ?');
        keys.forEach(([d, m], i) => {
          expect(stored.pluck().get(d, METRICS[m]![0])).toBe(vals[i]);
        });
        return 'ok';
      },
      Math.ceil(RUNS / 4),
    );
  });
});

describe('the commands themselves, in-process', () => {
  let home: string;
  beforeAll(async () => {
    home = tempHome('okr-fuzz-cli-');
    const r = await runCli(
      ['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number', '--metric', 'Slept:duration'],
      {
        home,
        now: NOW,
      },
    );
    expect(r.code, r.stderr).toBe(0);
  });

  /** Exit 0, or exit 2 (usage) / 1 with `error:` and `hint:` lines; never an unexpected error. */
  function expectCleanExit(r: { code: number; stderr: string }): 'ok' | 'refused' {
    expect(r.stderr).not.toMatch(/bug in okr|\n\s+at /);
    if (r.code === 0) return 'ok';
    expect([1, 2]).toContain(r.code);
    expect(r.stderr).toMatch(/^error: .+/m);
    return 'refused';
  }

  it('okr metrics log <metric> <value> --date <date>', async () => {
    const cases = fc.sample(
      fc.tuple(
        fc.constantFrom('mood', 'Mood', 'slept', 'fitbit.steps', 'nothing', ''),
        hostile(fc.oneof(NEAR_VALUE.number, NEAR_VALUE.duration)),
        hostile(fc.constantFrom('2026-11-09', '2026-11-10', '2026-11-11', 'yesterday', '2026-02-30')),
      ),
      300,
    );
    let ok = 0;
    for (const [metric, value, date] of cases) {
      const r = await runCli(['metrics', 'log', metric, value, '--date', date, '--force'], {
        home,
        now: NOW,
        stdin: '',
      });
      if (expectCleanExit(r) === 'ok') ok++;
    }
    tally.push(
      `  okr metrics log (in-process): ${cases.length} cases, ${ok} accepted, ${cases.length - ok} refused clearly`,
    );
  });

  it('okr metrics show --offline --since/--from/--to', async () => {
    const cases = fc.sample(
      fc.tuple(
        fc.constantFrom('--since', '--from', '--to'),
        hostile(fc.constantFrom('7d', '2w', '3m', '1y', '2026-11-01', '400y', '0d')),
      ),
      300,
    );
    let ok = 0;
    for (const [flag, value] of cases) {
      const r = await runCli(['metrics', 'show', '--offline', '--json', flag, value], { home, now: NOW });
      if (expectCleanExit(r) === 'ok') {
        ok++;
        expect(() => JSON.parse(r.stdout)).not.toThrow();
      } else expect(r.code).toBe(2);
    }
    tally.push(
      `  okr metrics show ${'--since/--from/--to'} (in-process): ${cases.length} cases, ${ok} accepted, ${cases.length - ok} refused clearly`,
    );
  });
});
