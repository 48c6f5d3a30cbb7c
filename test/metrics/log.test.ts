/**
 * `okr metrics log`: finding the metric by label or name, validating by type, and the rule
 * between manual and synced values in both directions.
 */
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { getValue, upsertSyncedRecords } from '../../src/store/values.js';
import { runCli, tempHome } from '../helpers/cli.js';

const NOW = () => new Date('2026-11-10T12:00:00Z');

async function home(): Promise<string> {
  const h = tempHome();
  const r = await runCli(
    [
      'metrics',
      'template',
      'create',
      'daily',
      '-m',
      'Sleep=fitbit.sleepLength',
      '-m',
      'Steps=fitbit.steps',
      '-m',
      'Mood:number',
      '-m',
      'Lights out:time',
      '-m',
      'Reading:duration',
      '-m',
      'Meditated:boolean',
      '-m',
      'Note:text',
      '-m',
      'Weight:number[kg]',
    ],
    { home: h, now: NOW },
  );
  expect(r.code).toBe(0);
  return h;
}

function stored(h: string, date: string, metric: string) {
  const ctx = createContext({ env: { OKR_HOME: h }, homedir: h, now: NOW });
  try {
    const v = getValue(ctx.db(), date, metric);
    return v && { value: v.value, source: v.source };
  } finally {
    ctx.close();
  }
}

function sync(h: string, records: Parameters<typeof upsertSyncedRecords>[2]) {
  const ctx = createContext({ env: { OKR_HOME: h }, homedir: h, now: NOW });
  try {
    return upsertSyncedRecords(ctx.db(), 'fitbit', records, '2026-11-10T13:00:00.000Z');
  } finally {
    ctx.close();
  }
}

describe('log validates by the metric type', () => {
  it('stores each type in its stored form (today by default), found by label or by name', async () => {
    const h = await home();
    const log = (...args: string[]) => runCli(['metrics', 'log', ...args], { home: h, now: NOW });
    expect((await log('mood', '7')).stdout).toBe('Logged Mood = 7 for 2026-11-10.\n');
    expect((await log('Lights out', '23:15', '--date', '2026-11-09')).stdout).toBe(
      'Logged Lights out = 23:15 for 2026-11-09.\n',
    );
    expect((await log('reading', '1:30')).stdout).toBe('Logged Reading = 1:30 for 2026-11-10.\n');
    expect((await log('MEDITATED', 'yes')).stdout).toBe('Logged Meditated = yes for 2026-11-10.\n');
    expect((await log('note', 'ran, then rested')).stdout).toBe('Logged Note = ran, then rested for 2026-11-10.\n');
    expect((await log('Weight', '72.5')).stdout).toBe('Logged Weight = 72.5 kg for 2026-11-10.\n');
    // A plugin field can be logged by hand (the tracker was not worn): by label or by source.
    expect((await log('Sleep', '7:30', '--date', '2026-11-08')).stdout).toBe('Logged Sleep = 7:30 for 2026-11-08.\n');
    expect((await log('fitbit.steps', '4,200', '--date', '2026-11-08')).stdout).toBe(
      'Logged Steps = 4,200 steps for 2026-11-08.\n',
    );

    expect(stored(h, '2026-11-10', 'mood')).toEqual({ value: 7, source: 'manual' });
    expect(stored(h, '2026-11-09', 'lights_out')).toEqual({ value: 23 * 60 + 15, source: 'manual' });
    expect(stored(h, '2026-11-10', 'reading')).toEqual({ value: 90, source: 'manual' });
    expect(stored(h, '2026-11-10', 'meditated')).toEqual({ value: 1, source: 'manual' });
    expect(stored(h, '2026-11-10', 'note')).toEqual({ value: 'ran, then rested', source: 'manual' });
    expect(stored(h, '2026-11-10', 'weight')).toEqual({ value: 72.5, source: 'manual' });
    expect(stored(h, '2026-11-08', 'fitbit.sleepLength')).toEqual({ value: 450, source: 'manual' });
    expect(stored(h, '2026-11-08', 'fitbit.steps')).toEqual({ value: 4200, source: 'manual' });
  });

  it('refuses values that do not fit the type, and stores nothing', async () => {
    const h = await home();
    const cases: Array<[string, string, string]> = [
      ['mood', 'great', 'error: Not a number: "great"'],
      ['Lights out', '25:00', 'error:'],
      ['reading', '90', 'error:'],
      ['meditated', 'maybe', 'error:'],
    ];
    for (const [metric, value, message] of cases) {
      const r = await runCli(['metrics', 'log', metric, value], { home: h, now: NOW });
      expect(r.code, `${metric} ${value}`).toBe(2);
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
      expect(r.stderr).toContain('hint:');
    }
    expect(stored(h, '2026-11-10', 'mood')).toBeUndefined();
    expect(stored(h, '2026-11-10', 'lights_out')).toBeUndefined();
    expect(stored(h, '2026-11-10', 'reading')).toBeUndefined();
    expect(stored(h, '2026-11-10', 'meditated')).toBeUndefined();
  });

  it('refuses unknown metrics, future dates and a missing value', async () => {
    const h = await home();
    let r = await runCli(['metrics', 'log', 'happiness', '7'], { home: h, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: No metric is called "happiness".\n' +
        'hint: Use a label or a metric name from your templates (Sleep, Steps, Mood, Lights out, Reading, Meditated, Note, Weight), or add it: okr metrics template edit <template> --add "happiness:number".\n',
    );
    // A typo gets the nearest label; a name in a plugin's namespace is never offered as a new metric.
    r = await runCli(['metrics', 'log', 'Moood', '7'], { home: h, now: NOW });
    expect(r.stderr.split('\n')[0]).toBe('error: No metric is called "Moood" (did you mean Mood?).');
    r = await runCli(['metrics', 'log', 'fitbit.stepz', '7'], { home: h, now: NOW });
    expect([r.code, r.stderr]).toEqual([
      2,
      'error: No metric is called "fitbit.stepz": the fitbit plugin declares no field "stepz" (did you mean fitbit.steps?).\n' +
        'hint: Run `okr metrics fields` for every plugin field.\n',
    ]);
    r = await runCli(['metrics', 'log', 'mood', '7', '--date', '2026-11-11'], { home: h, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --date 2026-11-11 is in the future (today is 2026-11-10).');
    r = await runCli(['metrics', 'log', 'mood'], { home: h, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: Missing the value to log.');
  });
});

describe('log refuses values that cannot be real (src/metrics/plausible.ts)', () => {
  it('names the value, the bound and the metric, exits 2 and stores nothing', async () => {
    const h = await home();
    const cases: Array<[string[], string]> = [
      // A day's sleep holds at most 24 hours: the field declares it.
      [['Sleep', '25:00'], 'error: 25:00 is not a possible Sleep (fitbit.sleepLength): it takes 0:00–24:00.'],
      [
        ['fitbit.sleepLength', '24:01'],
        'error: 24:01 is not a possible Sleep (fitbit.sleepLength): it takes 0:00–24:00.',
      ],
      [
        ['fitbit.steps', '1,000,000'],
        'error: 1,000,000 steps is not a possible Steps (fitbit.steps): it takes 0–200,000 steps.',
      ],
      [
        ['fitbit.restingHeartRate', '7'],
        'error: 7 bpm is not a possible Resting heart rate (fitbit.restingHeartRate): it takes 20–250 bpm.',
      ],
      [['fitbit.hrv', '-1'], 'error: -1 ms is not a possible Heart rate variability (fitbit.hrv): it takes 0–500 ms.'],
      [['withings.weight', '900'], 'error: 900 kg is not a possible Weight (withings.weight): it takes 0.1–700 kg.'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['metrics', 'log', ...args, '--date', '2026-11-09'], { home: h, now: NOW });
      expect([r.code, r.stderr], args.join(' ')).toEqual([
        2,
        `${message}\nhint: Check the value and its unit; nothing was stored.\n`,
      ]);
    }
    expect(stored(h, '2026-11-09', 'fitbit.sleepLength')).toBeUndefined();
    expect(stored(h, '2026-11-09', 'fitbit.steps')).toBeUndefined();
    expect(stored(h, '2026-11-09', 'withings.weight')).toBeUndefined();
    // The bounds themselves are real values; a manual duration keeps its week (a 30-hour fast).
    for (const args of [
      ['Sleep', '24:00'],
      ['fitbit.steps', '200,000'],
      ['fitbit.restingHeartRate', '20'],
      ['reading', '30:00'],
    ]) {
      const r = await runCli(['metrics', 'log', ...args, '--date', '2026-11-09'], { home: h, now: NOW });
      expect([r.code, r.stderr], args.join(' ')).toEqual([0, '']);
    }
    expect(stored(h, '2026-11-09', 'reading')).toEqual({ value: 30 * 60, source: 'manual' });
  });

  it('refuses dates before 1970-01-01', async () => {
    const h = await home();
    for (const date of ['1900-01-01', '1969-12-31']) {
      const r = await runCli(['metrics', 'log', 'mood', '7', '--date', date], { home: h, now: NOW });
      expect([r.code, r.stderr]).toEqual([
        2,
        `error: --date ${date} is before 1970-01-01: okr stores no values that old.\nhint: Use a date from 1970-01-01 to 2026-11-10.\n`,
      ]);
      expect(stored(h, date, 'mood')).toBeUndefined();
    }
    const r = await runCli(['metrics', 'log', 'mood', '7', '--date', '1970-01-01'], { home: h, now: NOW });
    expect(r.code).toBe(0);
  });
});

describe('manual and synced values', () => {
  it('log refuses to replace a synced value without --force; with --force the value becomes manual', async () => {
    const h = await home();
    sync(h, [{ date: '2026-11-09', fields: { steps: 10482 } }]);
    let r = await runCli(['metrics', 'log', 'steps', '12000', '--date', '2026-11-09'], { home: h, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: Steps on 2026-11-09 already has 10,482, synced from fitbit; not replaced.\n' +
        'hint: Add --force to replace it with 12,000 steps: it then counts as yours and later syncs keep it.\n',
    );
    expect(stored(h, '2026-11-09', 'fitbit.steps')).toEqual({ value: 10482, source: 'fitbit' });

    r = await runCli(['metrics', 'log', 'steps', '12000', '--date', '2026-11-09', '--force'], { home: h, now: NOW });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Logged Steps = 12,000 steps for 2026-11-09 (was 10,482, from fitbit).\n');
    expect(stored(h, '2026-11-09', 'fitbit.steps')).toEqual({ value: 12000, source: 'manual' });
    // Clearing it leaves the day empty, and says how to get the plugin's value back.
    r = await runCli(['metrics', 'log', 'steps', '--clear', '--date', '2026-11-09'], { home: h, now: NOW });
    expect(r.stdout).toBe(
      'Cleared Steps for 2026-11-09 (was 12,000).\n' +
        'To bring back what fitbit has for that day: okr sync fitbit --from 2026-11-09 --to 2026-11-09\n',
    );
    expect(stored(h, '2026-11-09', 'fitbit.steps')).toBeUndefined();
  });

  it('a sync never overwrites a manual value', async () => {
    const h = await home();
    await runCli(['metrics', 'log', 'Sleep', '6:00', '--date', '2026-11-09'], { home: h, now: NOW });
    const result = sync(h, [{ date: '2026-11-09', fields: { sleepLength: 420, steps: 5000 } }]);
    expect(result).toEqual({ written: 1, keptManual: 1 });
    expect(stored(h, '2026-11-09', 'fitbit.sleepLength')).toEqual({ value: 360, source: 'manual' });
    expect(stored(h, '2026-11-09', 'fitbit.steps')).toEqual({ value: 5000, source: 'fitbit' });
  });

  it('a manual value is replaced by a new log (saying what it was) and removed with --clear', async () => {
    const h = await home();
    const run = (...args: string[]) => runCli(['metrics', 'log', ...args], { home: h, now: NOW });
    await run('mood', '6');
    expect((await run('mood', '8')).stdout).toBe('Logged Mood = 8 for 2026-11-10 (was 6).\n');
    expect((await run('mood', '8')).stdout).toBe('Mood is already 8 for 2026-11-10.\n');
    expect((await run('mood', '--clear')).stdout).toBe('Cleared Mood for 2026-11-10 (was 8).\n');
    expect(stored(h, '2026-11-10', 'mood')).toBeUndefined();
    const r = await run('mood', '--clear');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: Mood has no value on 2026-11-10; nothing to clear.');
  });

  it('a synced value cannot be cleared (the next sync would bring it back)', async () => {
    const h = await home();
    sync(h, [{ date: '2026-11-10', fields: { steps: 777 } }]);
    const r = await runCli(['metrics', 'log', 'steps', '--clear'], { home: h, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: Steps on 2026-11-10 was synced from fitbit; the next sync would bring it back.\n' +
        'hint: Replace it instead: okr metrics log "fitbit.steps" <value> --date 2026-11-10 --force\n',
    );
    expect(stored(h, '2026-11-10', 'fitbit.steps')).toEqual({ value: 777, source: 'fitbit' });
  });

  it('--json reports what happened', async () => {
    const h = await home();
    sync(h, [{ date: '2026-11-10', fields: { sleepLength: 400 } }]);
    const r = await runCli(['metrics', 'log', 'sleep', '7:45', '--force', '--json'], { home: h, now: NOW });
    expect(JSON.parse(r.stdout)).toEqual({
      metric: 'fitbit.sleepLength',
      label: 'Sleep',
      date: '2026-11-10',
      value: 465,
      text: '7:45',
      action: 'replaced',
      replaced: { value: 400, text: '6:40', source: 'fitbit' },
    });
  });
});
