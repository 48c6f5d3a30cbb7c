/**
 * `okr import` refuses values that cannot be real by the one rule (src/metrics/plausible.ts):
 * records and daily totals outside their field's range, and days outside 1970-01-01..tomorrow,
 * are counted and listed as not read, with the reason, never stored and never dropped unseen.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyDate } from '../../src/plugins/fitbit/takeout-read.js';
import { tempHome as newTempHome, runCli } from '../helpers/cli.js';
import { storedDay, storedSources } from './stored.js';

const homes: string[] = [];
function tempHome(): string {
  const h = newTempHome('okr-import-plausible-');
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const NOW = () => new Date('2026-12-01T10:00:00Z');
const Q = 'HKQuantityTypeIdentifier';

function notReadOf(report: { notRead?: Array<{ kind: string; count: number }> }): Record<string, number> {
  return Object.fromEntries((report.notRead ?? []).map((n) => [n.kind, n.count]));
}

describe('okr import apple-health', () => {
  const HEAD =
    '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n <ExportDate value="2026-11-30 10:00:00 +0100"/>\n';
  const rec = (type: string, unit: string, start: string, value: string | number, end = start) =>
    ` <Record type="${Q}${type}" sourceName="iPhone" unit="${unit}" creationDate="${end}" startDate="${start}" endDate="${end}" value="${value}"/>\n`;

  async function importXml(body: string) {
    const home = tempHome();
    const file = join(home, 'export.xml');
    writeFileSync(file, `${HEAD}${body}</HealthData>\n`);
    const r = await runCli(['import', 'apple-health', file, '--json'], { home, now: NOW, env: { TZ: 'UTC' } });
    return { ...r, home, report: r.stdout ? JSON.parse(r.stdout) : undefined };
  }

  it('a record outside its field range is not read, counted by type; the day keeps its real values', async () => {
    const r = await importXml(
      // 1e308 kg was dropped unseen (rounding made it Infinity); the real weighing before it is the day's.
      rec('BodyMass', 'kg', '2024-05-01 07:00:00 +0000', 70.4) +
        rec('BodyMass', 'kg', '2024-05-01 08:00:00 +0000', '1e308') +
        rec('BodyMass', 'lb', '2024-05-02 08:00:00 +0000', 2000) + // 907 kg
        // 1e15 steps were stored.
        rec('StepCount', 'count', '2024-05-01 09:00:00 +0000', 1200, '2024-05-01 09:10:00 +0000') +
        rec('StepCount', 'count', '2024-05-01 10:00:00 +0000', '1e15', '2024-05-01 10:10:00 +0000') +
        rec('RestingHeartRate', 'count/min', '2024-05-01 06:00:00 +0000', 58) +
        rec('RestingHeartRate', 'count/min', '2024-05-01 06:30:00 +0000', 900) +
        rec('HeartRateVariabilitySDNN', 'ms', '2024-05-01 06:00:00 +0000', 5000) +
        rec('ActiveEnergyBurned', 'kcal', '2024-05-01 11:00:00 +0000', 1e9, '2024-05-01 11:10:00 +0000'),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(notReadOf(r.report)).toEqual({
      [`${Q}BodyMass values outside 0.1–700 kg`]: 2,
      [`${Q}StepCount values outside 0–200,000 steps`]: 1,
      [`${Q}RestingHeartRate values outside 20–250 bpm`]: 1,
      [`${Q}HeartRateVariabilitySDNN values outside 0–500 ms`]: 1,
      [`${Q}ActiveEnergyBurned values outside 0–20,000 kcal`]: 1,
    });
    expect(storedDay(r.home, 'apple-health', '2024-05-01')).toEqual({
      weight: 70.4,
      steps: 1200,
      restingHeartRate: 58,
    });
    expect(storedDay(r.home, 'apple-health', '2024-05-02')).toEqual({});
  });

  it('a day whose records add up beyond the range is not read as a whole day, and says so', async () => {
    const body = [0, 1, 2]
      .map((h) => rec('StepCount', 'count', `2024-05-03 0${h}:00:00 +0000`, 150_000, `2024-05-03 0${h}:30:00 +0000`))
      .join('');
    const r = await importXml(body + rec('StepCount', 'count', '2024-05-04 08:00:00 +0000', 9000));
    expect(r.code, r.stderr).toBe(0);
    expect(notReadOf(r.report)).toEqual({ 'apple-health.steps values outside 0–200,000 steps': 1 });
    expect(r.report.days).toBe(1);
    expect(storedDay(r.home, 'apple-health', '2024-05-03')).toEqual({});
    expect(storedDay(r.home, 'apple-health', '2024-05-04')).toEqual({ steps: 9000 });
  });
});

describe('okr import fitbit (Google Takeout)', () => {
  const G = 'Takeout/Fitbit/Global Export Data';
  function takeout(files: Record<string, unknown>): string {
    const home = tempHome();
    for (const [name, data] of Object.entries(files)) {
      const path = join(home, 'Takeout-dir', name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
    }
    return home;
  }
  const night = (id: number, wake: string, minutesAsleep: number) => ({
    logId: id,
    dateOfSleep: wake,
    startTime: `${wake}T00:30:00.000`,
    endTime: `${wake}T07:00:00.000`,
    duration: 390 * 60_000,
    minutesAsleep,
    mainSleep: true,
    type: 'classic',
  });

  it('has the 1970..tomorrow window and the field ranges: the rest is counted as not read', async () => {
    const home = takeout({
      [`${G}/steps-1900-01-01.json`]: [
        { dateTime: '01/01/1900 08:00:00', value: '500' },
        { dateTime: '01/01/2099 08:00:00', value: '500' },
        { dateTime: '05/01/24 08:00:00', value: '4000' },
        { dateTime: '05/02/24 08:00:00', value: '9999999' },
      ],
      [`${G}/resting_heart_rate-2024-05-01.json`]: [
        { dateTime: '05/01/24 00:00:00', value: { date: '05/01/24', value: 61, error: 5 } },
        { dateTime: '05/02/24 00:00:00', value: { date: '05/02/24', value: 400, error: 5 } },
      ],
      [`${G}/sleep-2024-05-01.json`]: [night(1, '2024-05-01', 420), night(2, '2024-05-02', 1500)],
    });
    const r = await runCli(['import', 'fitbit', join(home, 'Takeout-dir'), '--json', '--time-zone', 'UTC'], {
      home,
      now: NOW,
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(notReadOf(report)).toEqual({
      'fitbit.steps values dated before 1970-01-01 or after tomorrow': 2,
      'fitbit.steps values outside 0–200,000 steps': 1,
      'fitbit.restingHeartRate values outside 20–250 bpm': 1,
      'fitbit.sleepLength values outside 0:00–24:00': 1,
    });
    expect(report.range).toEqual({ from: '2024-05-01', to: '2024-05-02' });
    expect(storedDay(home, 'fitbit', '2024-05-01')).toEqual({
      steps: 4000,
      restingHeartRate: 61,
      sleepLength: 420,
      bedTime: 30,
      wakeUpTime: 420,
    });
    // The night's clock times are real; its 25 hours asleep are not.
    expect(storedDay(home, 'fitbit', '2024-05-02')).toEqual({ bedTime: 30, wakeUpTime: 420 });
    expect(Object.keys(storedSources(home))).toEqual(['fitbit-takeout']);
    expect(storedDay(home, 'fitbit', '1900-01-01')).toEqual({});
    expect(storedDay(home, 'fitbit', '2099-01-01')).toEqual({});
  });

  it('reads a four-digit legacy year as written (01/01/1900 was 2019-01-01)', () => {
    expect(legacyDate('01/01/1900 08:00:00')).toBe('1900-01-01');
    expect(legacyDate('01/01/2099')).toBe('2099-01-01');
    expect(legacyDate('05/01/24 08:00:00')).toBe('2024-05-01');
    expect(legacyDate('05/01/243')).toBeUndefined();
  });
});
