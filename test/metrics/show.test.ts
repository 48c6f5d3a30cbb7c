/**
 * `okr metrics show` at the table level: formatting by type and unit, markers for no data and
 * for fields the provider does not offer, the summary rows (clock times averaged across
 * midnight), empty ranges, fitting 80 columns, colour and trend lines only on a terminal, and
 * the machine-readable forms. The pure formatting and statistics are tested in values/stats tests.
 */
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { shortLabels } from '../../src/metrics/table.js';
import type { ImportedDataRecord } from '../../src/plugins/types.js';
import { putValue, upsertSyncedRecords } from '../../src/store/values.js';
import { runCli, tempHome } from '../helpers/cli.js';

const NOW = () => new Date('2026-11-10T12:00:00Z');
const NOT_CONNECTED = [
  '',
  'note: fitbit is not connected: its columns show stored values only. Run `okr',
  '  connect fitbit`.',
];

function seed(home: string, synced: ImportedDataRecord[], manual: Array<[string, string, number | string]> = []) {
  const ctx = createContext({ env: { OKR_HOME: home }, homedir: home, now: NOW });
  upsertSyncedRecords(ctx.db(), 'fitbit', synced, '2026-11-10T06:00:00.000Z');
  for (const [date, metricName, value] of manual) {
    putValue(ctx.db(), { date, metricName, value, source: 'manual', updatedAt: '2026-11-10T06:00:00.000Z' });
  }
  ctx.close();
}

async function homeWithTemplate(...specs: string[]): Promise<string> {
  const home = tempHome();
  const r = await runCli(['metrics', 'template', 'create', 'daily', ...specs.flatMap((s) => ['--metric', s])], {
    home,
    now: NOW,
  });
  expect(r.code).toBe(0);
  return home;
}

/** Three days of sleep, bedtime (across midnight), steps, mood and meditation. */
async function sampleHome(): Promise<string> {
  const home = await homeWithTemplate(
    'Sleep=fitbit.sleepLength@>=7:30',
    'Bedtime=fitbit.bedTime',
    'Steps=fitbit.steps',
    'Mood:number',
    'Meditated:boolean',
  );
  seed(
    home,
    [
      { date: '2026-11-01', fields: { sleepLength: 452, bedTime: 1410, steps: 10482 } },
      { date: '2026-11-02', fields: { sleepLength: 401, bedTime: 30, steps: 8120 } },
    ],
    [
      ['2026-11-01', 'mood', 7],
      ['2026-11-03', 'mood', 5],
      ['2026-11-01', 'meditated', 1],
      ['2026-11-02', 'meditated', 0],
    ],
  );
  return home;
}

const RANGE = ['--from', '2026-11-01', '--to', '2026-11-03'];

describe('the table', () => {
  it('formats values by type and unit, marks days without data, and summarises across midnight', async () => {
    const home = await sampleHome();
    const r = await runCli(['metrics', 'show', ...RANGE], { home, now: NOW });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // Sleep avg (452 + 401) / 2 = 426.5 min → 7:07 (rounded); bedtimes 23:30 and 00:30 average
    // to 00:00, and the earliest is 23:30, the latest 00:30; 1 yes out of 2 is 50%.
    expect(r.stdout.split('\n')).toEqual([
      'daily: 2026-11-01 .. 2026-11-03',
      'date         Sleep  Bedtime   Steps  Mood  Meditated',
      '              h:mm    hh:mm   steps           yes/no',
      'target      >=7:30',
      '──────────  ──────  ───────  ──────  ────  ─────────',
      '2026-11-01    7:32    23:30  10,482     7        yes',
      '2026-11-02    6:41    00:30   8,120     ·         no',
      '2026-11-03       ·        ·       ·     5          ·',
      '──────────  ──────  ───────  ──────  ────  ─────────',
      'avg           7:07    00:00   9,301     6    50% yes',
      'min           6:41    23:30   8,120     5',
      'max           7:32    00:30  10,482     7',
      ...NOT_CONNECTED,
      '',
    ]);
  });

  it('an empty range shows markers everywhere, never zero, and says so', async () => {
    const home = await homeWithTemplate('Sleep=fitbit.sleepLength', 'Mood:number');
    const r = await runCli(['metrics', 'show', '--since', '3d'], { home, now: NOW });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'daily: 2026-11-08 .. 2026-11-10',
      'date        Sleep  Mood',
      '             h:mm',
      '──────────  ─────  ────',
      '2026-11-08      ·     ·',
      '2026-11-09      ·     ·',
      '2026-11-10      ·     ·',
      '──────────  ─────  ────',
      'avg             ·     ·',
      'min             ·     ·',
      'max             ·     ·',
      '',
      'No values between 2026-11-08 and 2026-11-10.',
      ...NOT_CONNECTED,
      '',
    ]);
    const json = JSON.parse((await runCli(['metrics', 'show', '--since', '3d', '--json'], { home, now: NOW })).stdout);
    expect(json.metrics.map((m: { summary: unknown }) => m.summary)).toEqual([
      { count: 0, avg: null, min: null, max: null, text: { avg: '·', min: '·', max: '·' } },
      { count: 0, avg: null, min: null, max: null, text: { avg: '·', min: '·', max: '·' } },
    ]);
    expect(json.days.map((d: { values: unknown }) => d.values)).toEqual([
      { 'fitbit.sleepLength': null, mood: null },
      { 'fitbit.sleepLength': null, mood: null },
      { 'fitbit.sleepLength': null, mood: null },
    ]);
  });

  it('a field the provider does not offer shows n/a and a footnote', async () => {
    const home = await homeWithTemplate('Steps=fitbit.steps', 'fitbit.cardioLoad');
    seed(home, [{ date: '2026-11-10', fields: { steps: 9000 } }]);
    const r = await runCli(['metrics', 'show', '--since', '2d'], { home, now: NOW });
    expect(r.stdout.split('\n')).toEqual([
      'daily: 2026-11-09 .. 2026-11-10',
      '                   Cardio',
      'date        Steps   load¹',
      '            steps',
      '──────────  ─────  ──────',
      '2026-11-09      ·     n/a',
      '2026-11-10  9,000     n/a',
      '──────────  ─────  ──────',
      'avg         9,000     n/a',
      'min         9,000     n/a',
      'max         9,000     n/a',
      '',
      '¹ Cardio load (fitbit.cardioLoad): not offered by the provider. The Google',
      '  Health API v4 has no Cardio Load data type (the legacy Fitbit Web API that had',
      '  it answers 410). Nearest: fitbit.activeZoneMinutes, fitbit.restingHeartRate.',
      ...NOT_CONNECTED,
      '',
    ]);
  });

  it('clock-time summaries of bedtimes spread around midnight', async () => {
    const home = await homeWithTemplate('Bedtime=fitbit.bedTime');
    seed(home, [
      { date: '2026-11-07', fields: { bedTime: 23 * 60 } },
      { date: '2026-11-08', fields: { bedTime: 60 } },
      { date: '2026-11-09', fields: { bedTime: 0 } },
      { date: '2026-11-10', fields: { bedTime: 23 * 60 + 45 } },
    ]);
    const r = await runCli(['metrics', 'show', '--since', '4d', '--json'], { home, now: NOW });
    const s = JSON.parse(r.stdout).metrics[0].summary;
    // 23:00, 01:00, 00:00, 23:45: the circular mean is a little before midnight (23:56),
    // the earliest 23:00 and the latest 01:00, as a person reads the clock.
    expect(s.text).toEqual({ avg: '23:56', min: '23:00', max: '01:00' });
    expect(s.count).toBe(4);
  });

  it('fits 80 columns: transposed for a few days, wrapped for many', async () => {
    const home = await homeWithTemplate(
      'fitbit.sleepLength',
      'fitbit.wakeUpTime',
      'fitbit.bedTime',
      'fitbit.steps',
      'fitbit.restingHeartRate',
      'fitbit.hrv',
      'fitbit.activeZoneMinutes',
      'Mood:number',
      'Energy level:number',
      'Weight:number[kg]',
    );
    seed(
      home,
      [
        { date: '2026-11-09', fields: { sleepLength: 430, wakeUpTime: 420, bedTime: 1400, steps: 12345, hrv: 41 } },
        { date: '2026-11-10', fields: { sleepLength: 460, wakeUpTime: 445, bedTime: 5, steps: 6789, hrv: 44 } },
      ],
      [['2026-11-10', 'weight', 72.5]],
    );
    const few = await runCli(['metrics', 'show', '--from', '2026-11-10', '--to', '2026-11-10'], { home, now: NOW });
    const fewLines = few.stdout.split('\n');
    expect(fewLines.every((l) => l.length <= 80)).toBe(true);
    expect(fewLines.slice(1, 5)).toEqual([
      'metric                unit   11-10    avg    min    max',
      '────────────────────  ─────  ─────  ─────  ─────  ─────',
      'Sleep length          h:mm    7:40   7:40   7:40   7:40',
      'Wake-up time          hh:mm  07:25  07:25  07:25  07:25',
    ]);
    // Labels longer than 20 characters are cut.
    expect(fewLines).toContain('Heart rate variabil…  ms        44     44     44     44');
    expect(fewLines).toContain(`Weight${' '.repeat(16)}kg${' '.repeat(6)}72.5   72.5   72.5   72.5`);

    const many = await runCli(['metrics', 'show', '--since', '14d'], { home, now: NOW });
    const lines = many.stdout.split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    // Two tables, each with its own date column, and every metric in one of them.
    expect(lines.filter((l) => l.startsWith('date ')).length).toBe(2);
    expect(lines.find((l) => l.startsWith('2026-11-09'))).toBe(
      '2026-11-09    7:10    07:00  23:20  12,345        ·           41        ·     ·',
    );
    // Headers wrap at word boundaries to keep narrow columns narrow.
    const second = lines.findIndex((l) => l.startsWith('date ') && l.includes('Weight'));
    expect(lines.slice(second - 1, second + 2)).toEqual([
      '            Energy',
      'date         level  Weight',
      '                        kg',
    ]);
  });
});

describe('colour and trend lines only on a terminal', () => {
  const ESC = '\u001b[';

  it('a terminal without NO_COLOR gets colour (targets met green, missed red) and a trend per metric', async () => {
    const home = await sampleHome();
    const r = await runCli(['metrics', 'show', ...RANGE], {
      home,
      now: NOW,
      tty: true,
      env: { NO_COLOR: undefined, TERM: 'xterm-256color' },
    });
    expect(r.stdout).toContain(`${ESC}32m7:32${ESC}39m`); // 7:32 >= 7:30: met
    expect(r.stdout).toContain(`${ESC}31m6:41${ESC}39m`); // 6:41: missed
    const plain = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    const trend = plain.split('\n').slice(plain.split('\n').indexOf('trend'));
    // One bar per day from the series' own minimum to maximum; "·" for a day without data;
    // bedtimes are unwrapped first, so 00:30 after 23:30 is later, not lower.
    expect(trend.slice(0, 6)).toEqual([
      'trend',
      '  Sleep      █▁·',
      '  Bedtime    ▁█·',
      '  Steps      █▁·',
      '  Mood       █·▁',
      '  Meditated  █▁·',
    ]);
  });

  it('NO_COLOR on a terminal: no escape codes, trend lines still shown', async () => {
    const home = await sampleHome();
    const r = await runCli(['metrics', 'show', ...RANGE], { home, now: NOW, tty: true, env: { NO_COLOR: '1' } });
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('\ntrend\n');
  });

  it('piped: no escape codes and no trend lines, even without NO_COLOR', async () => {
    const home = await sampleHome();
    const r = await runCli(['metrics', 'show', ...RANGE], { home, now: NOW, env: { NO_COLOR: undefined } });
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).not.toContain('trend');
  });
});

describe('machine-readable output carries units', () => {
  it('--json: stored values, their unit, the formatted text and the source', async () => {
    const home = await sampleHome();
    const r = await runCli(['metrics', 'show', ...RANGE, '--json'], { home, now: NOW });
    const json = JSON.parse(r.stdout);
    expect(json.template).toBe('daily');
    expect(json.from).toBe('2026-11-01');
    expect(json.to).toBe('2026-11-03');
    expect(json.metrics.map((m: Record<string, unknown>) => [m.metric, m.type, m.unit, m.display_unit])).toEqual([
      ['fitbit.sleepLength', 'duration', 'min', 'h:mm'],
      ['fitbit.bedTime', 'time', 'min after midnight', 'hh:mm'],
      ['fitbit.steps', 'number', 'steps', 'steps'],
      ['mood', 'number', null, null],
      ['meditated', 'boolean', '0/1', 'yes/no'],
    ]);
    expect(json.metrics[0].target).toBe('>= 7:30');
    expect(json.metrics[1].summary).toEqual({
      count: 2,
      avg: 0,
      min: 1410,
      max: 30,
      text: { avg: '00:00', min: '23:30', max: '00:30' },
    });
    expect(json.days[1]).toEqual({
      date: '2026-11-02',
      values: {
        'fitbit.sleepLength': { value: 401, text: '6:41', source: 'fitbit' },
        'fitbit.bedTime': { value: 30, text: '00:30', source: 'fitbit' },
        'fitbit.steps': { value: 8120, text: '8,120', source: 'fitbit' },
        mood: null,
        meditated: { value: 0, text: 'no', source: 'manual' },
      },
    });
    expect(json.notes).toEqual([
      'fitbit is not connected: its columns show stored values only. Run `okr connect fitbit`.',
    ]);
  });

  it('--csv: one row per day, units in the header, values as `log` reads them', async () => {
    const home = await sampleHome();
    const r = await runCli(['metrics', 'show', ...RANGE, '--csv'], { home, now: NOW });
    expect(r.stdout).toBe(
      [
        'date,Sleep (h:mm),Bedtime (hh:mm),Steps (steps),Mood,Meditated (yes/no)',
        '2026-11-01,7:32,23:30,10482,7,yes',
        '2026-11-02,6:41,00:30,8120,,no',
        '2026-11-03,,,,5,',
        '',
      ].join('\n'),
    );
    // Notes go to stderr so the CSV stays clean.
    expect(r.stderr).toContain('note: fitbit is not connected');
  });

  it('--json and --csv together are refused', async () => {
    const r = await runCli(['metrics', 'show', '--json', '--csv'], { home: await sampleHome(), now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: Choose one of --json and --csv.');
  });
});

describe('choosing the template', () => {
  it('no template: says how to make one (exit 1: the command is right, the home is not set up yet)', async () => {
    const r = await runCli(['metrics', 'show'], { home: tempHome(), now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: There is no metric template yet.\nhint: Create one: okr metrics template create daily (connecting a plugin creates one too).\n',
    );
  });

  it('--template picks one; an unknown name lists the others', async () => {
    const home = await homeWithTemplate('Mood:number');
    await runCli(['metrics', 'template', 'create', 'sleep', '-m', 'fitbit.sleepLength'], { home, now: NOW });
    let r = await runCli(['metrics', 'show', '--template', 'sleep', '--since', '1d', '--csv'], { home, now: NOW });
    expect(r.stdout.split('\n')[0]).toBe('date,Sleep length (h:mm)');
    r = await runCli(['metrics', 'show', '--template', 'nope'], { home, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: No template is called "nope".\nhint: Templates: daily, sleep (okr metrics template list).\n',
    );
  });
});

describe('labels cut to fit', () => {
  it('cut at the end, or in the middle where two would read the same', () => {
    const labels = ['Heart rate variability', 'Heart rate variability (oura)', 'Temperature deviation', 'Steps'];
    const short = shortLabels(labels, 20);
    expect(short).toEqual(['Heart rate…riability', 'Heart rate…ty (oura)', 'Temperature deviati…', 'Steps']);
    expect(new Set(short).size).toBe(labels.length);
    for (const s of short) expect(s.length).toBeLessThanOrEqual(20);
  });
});
