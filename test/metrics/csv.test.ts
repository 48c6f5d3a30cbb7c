/**
 * `okr metrics export` and `okr metrics import`: the round trip into a new home, bad rows by line
 * number (and nothing imported), --dry-run, stored values kept unless --force, and the CSV reader.
 */
import { lstatSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { parseCsv } from '../../src/metrics/csv.js';
import { MAX_METRIC_NAME_LENGTH } from '../../src/metrics/templates.js';
import { putValue, upsertSyncedRecords } from '../../src/store/values.js';
import { tempHome as newTempHome, runBin, runCli } from '../helpers/cli.js';

const homes: string[] = [];
function tempHome(prefix?: string): string {
  const h = newTempHome(prefix);
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const NOW = () => new Date('2026-11-10T12:00:00Z');
const SPECS = [
  'Sleep=fitbit.sleepLength@>=7:30',
  'Bedtime=fitbit.bedTime@<=23:30',
  'Steps=fitbit.steps',
  'HRV=fitbit.hrv',
  'Mood:number',
  'Meditated:boolean@yes',
  'Note:text',
];

async function createTemplate(home: string): Promise<void> {
  const r = await runCli(['metrics', 'template', 'create', 'daily', ...SPECS.flatMap((s) => ['--metric', s])], {
    home,
    now: NOW,
  });
  expect(r.code).toBe(0);
}

function count(home: string): number {
  const ctx = createContext({ env: { OKR_HOME: home }, homedir: home, now: NOW });
  try {
    return (ctx.db().prepare('SELECT count(*) AS n FROM daily_metric_values').get() as { n: number }).n;
  } finally {
    ctx.close();
  }
}

function file(text: string): string {
  const f = join(tempHome('okr-csv-'), 'in.csv');
  writeFileSync(f, text);
  return f;
}

describe('the round trip', () => {
  it('export, then import into a new home, gives an identical table', async () => {
    const a = tempHome();
    await createTemplate(a);
    const ctx = createContext({ env: { OKR_HOME: a }, homedir: a, now: NOW });
    upsertSyncedRecords(
      ctx.db(),
      'fitbit',
      [
        { date: '2026-11-01', fields: { sleepLength: 452, bedTime: 1410, steps: 10482, hrv: 41.37 } },
        { date: '2026-11-02', fields: { sleepLength: 401, bedTime: 30, steps: 8120 } },
        { date: '2026-11-04', fields: { sleepLength: 480, bedTime: 1385, steps: 0, hrv: 0.0000001 } },
      ],
      '2026-11-05T00:00:00.000Z',
    );
    const manual: Array<[string, string, number | string]> = [
      ['2026-11-01', 'mood', 7],
      ['2026-11-03', 'mood', -2.5],
      ['2026-11-02', 'meditated', 0],
      ['2026-11-03', 'meditated', 1],
      ['2026-11-02', 'note', 'ran, then "rested"'],
      ['2026-11-04', 'note', 'café ☕ 5 km'],
    ];
    for (const [date, metricName, value] of manual) {
      putValue(ctx.db(), { date, metricName, value, source: 'manual', updatedAt: '2026-11-05T00:00:00.000Z' });
    }
    ctx.close();

    const out = join(tempHome('okr-export-'), 'all.csv');
    const exp = await runCli(['metrics', 'export', '-o', out], { home: a, now: NOW });
    expect(exp.code).toBe(0);
    expect(exp.stderr).toBe(`Exported 17 values to ${out}.\n`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n').slice(0, 9)).toEqual([
      'date,metric,value,unit,type,source',
      '2026-11-01,fitbit.bedTime,23:30,hh:mm,time,fitbit',
      '2026-11-01,fitbit.hrv,41.37,ms,number,fitbit',
      '2026-11-01,fitbit.sleepLength,7:32,h:mm,duration,fitbit',
      '2026-11-01,fitbit.steps,10482,steps,number,fitbit',
      '2026-11-01,mood,7,,number,manual',
      '2026-11-02,fitbit.bedTime,00:30,hh:mm,time,fitbit',
      '2026-11-02,fitbit.sleepLength,6:41,h:mm,duration,fitbit',
      '2026-11-02,fitbit.steps,8120,steps,number,fitbit',
    ]);
    expect(text).toContain('\n2026-11-02,note,"ran, then ""rested""",,text,manual\n');
    expect(text).toContain('\n2026-11-04,fitbit.hrv,0.0000001,ms,number,fitbit\n');

    const b = tempHome();
    await createTemplate(b);
    const imp = await runCli(['metrics', 'import', out], { home: b, now: NOW });
    expect(imp.stderr).toBe('');
    expect(imp.stdout).toBe('Imported 17 values (7 metrics, 2026-11-01..2026-11-04).\n');
    expect(imp.code).toBe(0);

    const show = ['metrics', 'show', '--from', '2026-11-01', '--to', '2026-11-04', '--offline'];
    const before = await runCli(show, { home: a, now: NOW });
    const after = await runCli(show, { home: b, now: NOW });
    expect(after.stdout).toBe(before.stdout);
    expect(after.stdout).toContain(
      '\n2026-11-02    6:41    00:30    8,120     ·     ·         no  ran, then "rested"\n',
    );
    const json = ['metrics', 'show', '--from', '2026-11-01', '--to', '2026-11-04', '--json', '--offline'];
    const ja = JSON.parse((await runCli(json, { home: a, now: NOW })).stdout);
    const jb = JSON.parse((await runCli(json, { home: b, now: NOW })).stdout);
    // Identical values; only the source says where they came from (import, or manual kept).
    const strip = (j: { days: Array<{ values: Record<string, { value: unknown } | null> }> }) =>
      j.days.map((d) => Object.fromEntries(Object.entries(d.values).map(([k, v]) => [k, v?.value ?? null])));
    expect(strip(jb)).toEqual(strip(ja));
    expect(jb.days[1].values.note).toEqual({
      value: 'ran, then "rested"',
      text: 'ran, then "rested"',
      source: 'manual',
    });
    expect(jb.days[1].values['fitbit.steps'].source).toBe('import');

    // Importing the same file again changes nothing.
    const again = await runCli(['metrics', 'import', out], { home: b, now: NOW });
    expect(again.stdout).toBe(
      'Imported 0 values (7 metrics, 2026-11-01..2026-11-04).\n17 already stored with the same value.\n',
    );
  });

  it('JSON export: stored values with their unit and formatted text', async () => {
    const h = tempHome();
    await createTemplate(h);
    await runCli(['metrics', 'log', 'Sleep', '7:05', '--date', '2026-11-09'], { home: h, now: NOW });
    await runCli(['metrics', 'log', 'Mood', '6', '--date', '2026-11-09'], { home: h, now: NOW });
    const r = await runCli(['metrics', 'export', '--format', 'json'], { home: h, now: NOW });
    expect(JSON.parse(r.stdout)).toEqual({
      format: 'okr-metrics-export',
      version: 1,
      from: '2026-11-09',
      to: '2026-11-09',
      metrics: {
        'fitbit.sleepLength': { type: 'duration', unit: 'min', display_unit: 'h:mm' },
        mood: { type: 'number', unit: null, display_unit: '' },
      },
      values: [
        { date: '2026-11-09', metric: 'fitbit.sleepLength', value: 425, unit: 'min', text: '7:05', source: 'manual' },
        { date: '2026-11-09', metric: 'mood', value: 6, unit: null, text: '6', source: 'manual' },
      ],
    });
  });

  it('export --from/--to limits the range; a bad format is refused', async () => {
    const h = tempHome();
    await createTemplate(h);
    for (const d of ['2026-11-01', '2026-11-02', '2026-11-03']) {
      await runCli(['metrics', 'log', 'mood', '5', '--date', d], { home: h, now: NOW });
    }
    let r = await runCli(['metrics', 'export', '--from', '2026-11-02', '--to', '2026-11-02'], { home: h, now: NOW });
    expect(r.stdout).toBe('date,metric,value,unit,type,source\n2026-11-02,mood,5,,number,manual\n');
    r = await runCli(['metrics', 'export', '--format', 'xml'], { home: h, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --format must be csv or json, got "xml".');
    r = await runCli(['metrics', 'export', '--from', '2026-11-03', '--to', '2026-11-01'], { home: h, now: NOW });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('error: --from 2026-11-03 is after --to 2026-11-01.');
    // --json is --format json.
    r = await runCli(['metrics', 'export', '--json', '--from', '2026-11-01', '--to', '2026-11-01'], {
      home: h,
      now: NOW,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'okr-metrics-export', from: '2026-11-01', to: '2026-11-01' });
  });

  it('-o replaces only an export okr wrote: a file of your own, a link or a folder is left alone', async () => {
    const h = tempHome();
    await createTemplate(h);
    await runCli(['metrics', 'log', 'mood', '5', '--date', '2026-11-01'], { home: h, now: NOW });
    const dir = tempHome('okr-export-');
    const own = join(dir, 'notes.txt');
    writeFileSync(own, 'my own notes\n', { mode: 0o644 });
    let r = await runCli(['metrics', 'export', '-o', own], { home: h, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('notes.txt exists and is not an export okr wrote, so okr left it alone.');
    expect(readFileSync(own, 'utf8')).toBe('my own notes\n');
    // Through a link: refused; with --force the link itself is replaced, its target never written.
    const link = join(dir, 'link.csv');
    symlinkSync(own, link);
    expect((await runCli(['metrics', 'export', '-o', link], { home: h, now: NOW })).code).toBe(1);
    expect((await runCli(['metrics', 'export', '-o', link, '--force'], { home: h, now: NOW })).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(own, 'utf8')).toBe('my own notes\n');
    // A folder, even with --force.
    r = await runCli(['metrics', 'export', '-o', dir, '--force'], { home: h, now: NOW });
    expect([r.code, r.stderr]).toEqual([
      1,
      `error: ${dir} is a folder.\nhint: Name a file in it: -o ${join(dir, 'okr-export.csv')}\n`,
    ]);
    // An export okr wrote, CSV or JSON, is replaced without --force, mode 0600.
    for (const [file, args] of [
      [join(dir, 'a.csv'), []],
      [join(dir, 'a.json'), ['--json']],
    ] as const) {
      expect((await runCli(['metrics', 'export', '-o', file, ...args], { home: h, now: NOW })).code).toBe(0);
      r = await runCli(['metrics', 'export', '-o', file, ...args], { home: h, now: NOW });
      expect([r.code, r.stderr]).toEqual([0, `Exported 1 value to ${file} (replaced).\n`]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });
});

describe('import', () => {
  it('reports every bad row by line number and imports nothing', async () => {
    const h = tempHome();
    await createTemplate(h);
    const f = file(
      [
        'date,metric,value',
        '2026-11-01,mood,7',
        '2026-13-01,mood,7',
        '2026-11-02,fitbit.steps,lots',
        '2026-11-02,happiness,3',
        '"2026-11-03",note,"a note, with a comma"',
        '2026-11-03,sleep,7:30',
        '2026-11-01,mood,8',
        '2026-11-04,fitbit.bedTime,25:00',
        '2026-11-30,mood,1',
        '2026-11-05,mood',
        '',
      ].join('\n'),
    );
    const r = await runCli(['metrics', 'import', f], { home: h, now: NOW });
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'line 3: "2026-13-01" is not a date (YYYY-MM-DD)',
      expect.stringMatching(/^line 4: fitbit\.steps: Not a number: "lots"/),
      'line 5: unknown metric "happiness": add it to a template first, or give a type column',
      'line 7: unknown metric "sleep": add it to a template first, or give a type column',
    ]);
    expect(lines.slice(4, 8)).toEqual([
      'line 8: 2026-11-01 mood is already on line 2',
      expect.stringMatching(/^line 9: fitbit\.bedTime: /),
      'line 10: 2026-11-30 is in the future (today is 2026-11-10)',
      'line 11: 2 columns, the header has 3',
    ]);
    expect(lines.slice(8)).toEqual([
      `error: 8 bad rows in ${f}; nothing was imported.`,
      'hint: Fix the rows listed above and run the import again (add --dry-run to check without writing).',
      '',
    ]);
    expect(count(h)).toBe(0);
  });

  it('refuses rows whose date or value cannot be real, by line, and imports nothing', async () => {
    const h = tempHome();
    await createTemplate(h);
    const f = file(
      [
        'date,metric,value',
        '2026-11-01,mood,7',
        '1900-01-01,mood,7',
        '2026-11-02,fitbit.sleepLength,25:00',
        '2026-11-02,fitbit.steps,"1,000,000,000,000,000"',
        '2026-11-02,fitbit.hrv,501',
        '2026-11-03,fitbit.sleepLength,24:00',
        '',
      ].join('\n'),
    );
    const r = await runCli(['metrics', 'import', f], { home: h, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').slice(0, 5)).toEqual([
      'line 3: 1900-01-01 is before 1970-01-01: okr stores no values that old',
      'line 4: fitbit.sleepLength: 25:00 is outside 0:00–24:00, the values it can take',
      'line 5: fitbit.steps: 1,000,000,000,000,000 steps is outside 0–200,000 steps, the values it can take',
      'line 6: fitbit.hrv: 501 ms is outside 0–500 ms, the values it can take',
      `error: 4 bad rows in ${f}; nothing was imported.`,
    ]);
    expect(count(h)).toBe(0);
  });

  it('--json lists the bad rows', async () => {
    const h = tempHome();
    await createTemplate(h);
    const r = await runCli(['metrics', 'import', file('date,metric,value\n2026-11-01,mood,x\n'), '--json'], {
      home: h,
      now: NOW,
    });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(false);
    expect(json.imported).toBe(0);
    expect(json.badRows).toHaveLength(1);
    expect(json.badRows[0].line).toBe(2);
  });

  it('--dry-run checks and reports, and writes nothing', async () => {
    const h = tempHome();
    await createTemplate(h);
    const f = file('date,metric,value\n2026-11-01,mood,7\n2026-11-01,meditated,yes\n2026-11-02,mood,\n');
    const r = await runCli(['metrics', 'import', f, '--dry-run'], { home: h, now: NOW });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Would import 2 values (2 metrics, 2026-11-01..2026-11-01).\n1 empty value skipped.\n');
    expect(count(h)).toBe(0);
  });

  it('keeps stored values that differ unless --force, and names them', async () => {
    const h = tempHome();
    await createTemplate(h);
    await runCli(['metrics', 'log', 'mood', '4', '--date', '2026-11-01'], { home: h, now: NOW });
    const f = file('date,metric,value\n2026-11-01,mood,9\n2026-11-02,mood,8\n');
    let r = await runCli(['metrics', 'import', f], { home: h, now: NOW });
    expect(r.stdout).toBe(
      'Imported 1 value (1 metric, 2026-11-01..2026-11-02).\n' +
        '1 differs from its stored value and was kept (add --force to replace it):\n' +
        '  line 2: 2026-11-01 mood stored 4 (manual), file 9\n',
    );
    r = await runCli(['metrics', 'import', f, '--force'], { home: h, now: NOW });
    expect(r.stdout).toBe(
      'Imported 1 value (1 metric, 2026-11-01..2026-11-02).\n1 already stored with the same value.\n',
    );
    const show = await runCli(['metrics', 'show', '--from', '2026-11-01', '--to', '2026-11-02', '--json'], {
      home: h,
      now: NOW,
    });
    expect(
      JSON.parse(show.stdout).days.map((d: { values: { mood: { value: number } } }) => d.values.mood.value),
    ).toEqual([9, 8]);
  });

  it('a type column brings in a metric no template has yet, and says how to show it', async () => {
    const h = tempHome();
    await createTemplate(h);
    const f = file(
      'date,metric,value,type\n2026-11-01,energy,3,number\n2026-11-02,energy,4,\n2026-11-03,energy,5,text\n',
    );
    let r = await runCli(['metrics', 'import', f], { home: h, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('line 4: energy is a number metric, the row says text');
    // A plugin's namespace is the plugin's: a typo of its fields is a bad row, type column or not;
    // a plugin not installed here may come with a type column.
    writeFileSync(f, 'date,metric,value,type\n2026-11-01,fitbit.stepz,3,number\n2026-11-01,Fitbit.Steps,3,number\n');
    r = await runCli(['metrics', 'import', f], { home: h, now: NOW });
    expect([r.code, ...r.stderr.split('\n').slice(0, 2)]).toEqual([
      1,
      'line 2: fitbit.stepz: the fitbit plugin declares no field "stepz" (did you mean fitbit.steps?)',
      'line 3: Fitbit.Steps: the fitbit plugin declares no field "Steps" (did you mean fitbit.steps?)',
    ]);
    writeFileSync(f, 'date,metric,value,type\n2026-11-01,garmin.vo2max,51,number\n');
    expect((await runCli(['metrics', 'import', f, '--dry-run'], { home: h, now: NOW })).code).toBe(0);
    writeFileSync(f, 'date,metric,value,type\n2026-11-01,energy,3,number\n2026-11-02,energy,4,\n');
    r = await runCli(['metrics', 'import', f], { home: h, now: NOW });
    expect(r.stdout).toBe(
      'Imported 2 values (1 metric, 2026-11-01..2026-11-02).\n' +
        'No template shows energy yet: add it with `okr metrics template edit <name> --add "Label=energy:<type>"`.\n',
    );
  });

  it('refuses a file too large to be one of daily values, before it fills the memory', async () => {
    const h = tempHome();
    await createTemplate(h);
    const r = await runBin(['metrics', 'import', '/dev/zero'], { home: h, timeoutMs: 30_000 });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('error: /dev/zero is larger than 64 MB, too large for a file of daily values.');
  });

  it('reads standard input with -', async () => {
    const h = tempHome();
    await createTemplate(h);
    const r = await runCli(['metrics', 'import', '-'], {
      home: h,
      now: NOW,
      stdin: 'date,metric,value\r\n2026-11-01,mood,3\r\n',
    });
    expect(r.stdout).toBe('Imported 1 value (1 metric, 2026-11-01..2026-11-01).\n');
  });

  it('refuses a file without the date, metric and value columns', async () => {
    const h = tempHome();
    const r = await runCli(['metrics', 'import', file('day,name,v\n2026-11-01,mood,3\n')], { home: h, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the first line must name the columns date, metric and value (it has: day, name, v)');
  });
});

/** Any character a terminal acts on, except the newline that ends each line. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** The built okr, in a home of its own (real clock: the dates below are in the past). */
async function okr(home: string, args: string[], stdin?: string) {
  return runBin(args, { home, stdin, env: { NO_COLOR: '1', OKR_SECRETS: 'file' } });
}

function storedValues(home: string): string[] {
  const db = new Database(join(home, 'data', 'okr.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT date, metric_name, value FROM daily_metric_values ORDER BY date, metric_name')
      .all()
      .map((r) => JSON.stringify(r));
  } finally {
    db.close();
  }
}

describe('formula injection and hostile names (the built okr)', () => {
  const HOSTILE_TEXT = [
    ['2025-01-01', '=HYPERLINK(""http://127.0.0.1/x"",""click"")'],
    ['2025-01-02', '+1+1'],
    ['2025-01-03', '-2+3'],
    ['2025-01-04', '@SUM(A1:A2)'],
    ['2025-01-06', "it's plain"],
  ];

  it('export puts a single quote before text cells a spreadsheet would run (OWASP), never before numbers, and import reads it back', async () => {
    const a = tempHome('okr-csv-owasp-');
    expect(
      (
        await okr(a, [
          'metrics',
          'template',
          'create',
          'daily',
          '--metric',
          'Note:text',
          '--metric',
          'Mood:number[=kg]',
        ])
      ).code,
    ).toBe(0);
    const rows = [
      'date,metric,value,type',
      ...HOSTILE_TEXT.map(([d, v]) => `${d},note,"${v}",text`),
      '2025-01-01,mood,-5,number',
      '2025-01-02,mood,+7,number',
      '2025-01-01,=SUM(1+1),3,number',
      '2025-01-02,-weird,-1.5,number',
    ];
    const imp = await okr(a, ['metrics', 'import', '-'], `${rows.join('\n')}\n`);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    // Typed by hand with a quote already in front (an import would read that quote as a guard).
    expect((await okr(a, ['metrics', 'log', 'note', "'=already quoted", '--date', '2025-01-05'])).code).toBe(0);

    const exp = await okr(a, ['metrics', 'export']);
    expect(exp.code).toBe(0);
    const lines = exp.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `2025-01-01,note,"'=HYPERLINK(""http://127.0.0.1/x"",""click"")",,text,import`,
        "2025-01-02,note,'+1+1,,text,import",
        "2025-01-03,note,'-2+3,,text,import",
        "2025-01-04,note,'@SUM(A1:A2),,text,import",
        // Already quoted: one more, so that import can take exactly one off.
        "2025-01-05,note,''=already quoted,,text,manual",
        "2025-01-06,note,it's plain,,text,import",
        // Numbers are not text cells: -5 stays -5; the unit is text.
        "2025-01-01,mood,-5,'=kg,number,import",
        "2025-01-02,mood,7,'=kg,number,import",
        "2025-01-01,'=SUM(1+1),3,,number,import",
        "2025-01-02,'-weird,-1.5,,number,import",
      ]),
    );
    // No text cell of any line starts a formula (a number value may start with -).
    for (const line of lines.slice(1).filter(Boolean)) {
      const [, metric, value, unit, type, source] = parseCsv(line)[0]!.fields;
      for (const cell of [metric, unit, source, ...(type === 'text' ? [value] : [])]) {
        expect(cell, line).not.toMatch(/^[=+\-@\t\r]/);
      }
    }

    // The table as CSV follows the same rule.
    const show = await okr(a, ['metrics', 'show', '--from', '2025-01-01', '--to', '2025-01-06', '--csv', '--offline']);
    expect(show.stdout).toContain("2025-01-03,'-2+3,");
    expect(show.stdout).toContain('2025-01-01,"\'=HYPERLINK(');
    expect(show.stdout).toContain(',-5\n');

    // Round trip: the export imports into a new home as exactly the stored values.
    const b = tempHome('okr-csv-owasp-b-');
    expect(
      (
        await okr(b, [
          'metrics',
          'template',
          'create',
          'daily',
          '--metric',
          'Note:text',
          '--metric',
          'Mood:number[=kg]',
        ])
      ).code,
    ).toBe(0);
    const back = await okr(b, ['metrics', 'import', '-'], exp.stdout);
    expect(back.stderr).toBe('');
    expect(storedValues(b)).toEqual(storedValues(a));
    expect(storedValues(b)).toContain(
      JSON.stringify({ date: '2025-01-05', metric_name: 'note', value: "'=already quoted" }),
    );
    expect(storedValues(b)).toContain(JSON.stringify({ date: '2025-01-01', metric_name: 'mood', value: -5 }));
  });

  it('import refuses metric names with control characters or over the length limit, by line, with visible escapes', async () => {
    const h = tempHome('okr-csv-names-');
    expect((await okr(h, ['metrics', 'template', 'create', 'daily', '--metric', 'Note:text'])).code).toBe(0);
    const long = 'a'.repeat(MAX_METRIC_NAME_LENGTH + 1);
    const text = [
      'date,metric,value,type',
      '2025-01-01,"mood\u001b]0;pwned\u0007",3,number',
      '2025-01-01,"x\u001b[2J\nConnected Fitbit as admin",3,number',
      '2025-01-02,\u202eevil,3,number',
      `2025-01-02,${long},3,number`,
      '2025-01-03,\u009b31m,3,number',
      '2025-01-03,note,"bad\u001b[2J",text',
      '2025-01-04,fine,3,number',
      '',
    ].join('\n');
    const r = await okr(h, ['metrics', 'import', '-'], text);
    expect(r.code).toBe(1);
    expect(RAW_CONTROL.exec(r.stdout + r.stderr)?.[0]).toBeUndefined();
    expect(r.stderr.split('\n').slice(0, 6)).toEqual([
      'line 2: the metric name "mood\\x1b]0;pwned\\x07" contains a control character (\\x1b)',
      'line 3: the metric name "x\\x1b[2J\\x0aConnected Fitbit as admin" contains a control character (\\x1b)',
      'line 5: the metric name "\\u202eevil" contains a control character (\\u202e)',
      `line 6: the metric name "${'a'.repeat(24)}…" is ${MAX_METRIC_NAME_LENGTH + 1} characters long; names have at most ${MAX_METRIC_NAME_LENGTH}`,
      'line 7: the metric name "\\x9b31m" contains a control character (\\x9b)',
      expect.stringMatching(/^line 8: note: Text values must be one line of printable text/),
    ]);
    expect(r.stderr).toContain('error: 6 bad rows in -; nothing was imported.');
    expect(storedValues(h)).toEqual([]);

    const json = await okr(h, ['metrics', 'import', '-', '--json'], text);
    expect(RAW_CONTROL.exec(json.stdout)?.[0]).toBeUndefined();
    expect(JSON.parse(json.stdout).badRows).toHaveLength(6);

    // At the limit is fine.
    const ok = await okr(
      h,
      ['metrics', 'import', '-'],
      `date,metric,value,type\n2025-01-01,${long.slice(1)},3,number\n`,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('--help of export states the formula rule, and of import the name limit', async () => {
    const h = tempHome('okr-csv-help-');
    const exp = await okr(h, ['metrics', 'export', '--help']);
    expect(exp.stdout).toContain('OWASP');
    expect(exp.stdout).toMatch(/starts with = \+ - @, a tab or a carriage return is\s+written with a ' in front/);
    expect(exp.stdout).toContain('-5 stays -5');
    const imp = await okr(h, ['metrics', 'import', '--help']);
    expect(imp.stdout).toContain(`at most ${MAX_METRIC_NAME_LENGTH}`);
  });
});

describe('the CSV reader', () => {
  it('handles quotes, doubled quotes, CRLF, a BOM, blank lines and line numbers across quoted newlines', () => {
    const text = '\ufeffa,b\r\n"x, y","he said ""hi"""\r\n\r\n"multi\nline",2\n3,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'he said "hi"'] },
      { line: 4, fields: ['multi\nline', '2'] },
      { line: 6, fields: ['3', ''] },
    ]);
  });

  it('reports an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow('Unterminated quoted field starting on line 2.');
  });
});
