/**
 * `okr import apple-health` on a generated two-year export with the iOS 16 DTD: every value of the
 * trap days (iPhone + Watch, a record across midnight, a repeated record, two readings a day,
 * units, a trip to Tokyo, a nap, the older "Asleep" value), what is not read, the export.zip and
 * the bare export.xml, and a second import changing nothing.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDate } from '../../src/dates.js';
import { tempHome as newTempHome, runCli } from '../helpers/cli.js';
import { generateAppleExport, APPLE_TRAPS as T } from './apple-generator.js';
import { storedDay } from './stored.js';
import { zipBuffer } from './zip.js';

const homes: string[] = [];
function tempHome(): string {
  const h = newTempHome('okr-apple-');
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const FROM = '2023-01-01';
const TO = '2024-12-31';
const NOW = () => new Date('2026-12-01T10:00:00Z');
const i = (d: string) => eachDate(FROM, d).length - 1;
const xml = generateAppleExport(FROM, TO);

const appleValues = (home: string, date: string) => storedDay(home, 'apple-health', date);

const ordinary = (d: string) => ({
  steps: 6300 + (i(d) % 300),
  restingHeartRate: 55 + (i(d) % 4),
  hrv: (40 + (i(d) % 10) + 50) / 2,
  activeEnergy: 300,
  sleepLength: 440,
  bedTime: 23 * 60,
  wakeUpTime: 6 * 60 + 30,
});

describe('okr import apple-health: a generated export', () => {
  let home: string;
  let zip: string;
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    home = tempHome();
    zip = join(home, 'export.zip');
    writeFileSync(
      zip,
      zipBuffer([
        { name: 'apple_health_export/export.xml', data: xml },
        { name: 'apple_health_export/export_cda.xml', data: '<?xml version="1.0"?><ClinicalDocument/>' },
        { name: 'apple_health_export/workout-routes/route_2023-01-01_5.00pm.gpx', data: '<gpx/>' },
      ]),
    );
    first = await runCli(['import', 'apple-health', zip, '--json'], {
      home,
      now: NOW,
      env: { TZ: 'America/Los_Angeles' },
    });
  }, 120_000);

  it('reads the export despite the iOS 16 DTD, with the date it was made', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r.exportedAt).toBe('2026-11-30T08:00:00.000Z');
    expect(r.range).toEqual({ from: FROM, to: TO });
    expect(r.metrics['apple-health.steps'].added).toBe(eachDate(FROM, TO).length);
  });

  it('keeps every value of an ordinary day (the Watch, not iPhone + Watch)', () => {
    expect(appleValues(home, '2023-10-17')).toEqual(ordinary('2023-10-17'));
    expect(appleValues(home, '2024-03-03')).toEqual({ ...ordinary('2024-03-03'), weight: 70.2 });
  });

  it('splits a record across midnight and counts a repeated record once', () => {
    expect(appleValues(home, T.acrossMidnight).steps).toBe(6300 + (i(T.acrossMidnight) % 300) + 300);
    const next = addDays(T.acrossMidnight, 1);
    expect(appleValues(home, next).steps).toBe(6300 + (i(next) % 300) + 300);
    expect(appleValues(home, T.repeatedRecord).steps).toBe(6300 + (i(T.repeatedRecord) % 300));
  });

  it('averages two resting heart rates, keeps the last weight in kg, converts kJ', () => {
    expect(appleValues(home, T.twoRestingHr).restingHeartRate).toBe(57.5);
    expect(appleValues(home, T.twoWeights).weight).toBe(70.31);
    // The day's last reading by its time, not by its place in the file; the rest of the day as usual.
    expect(appleValues(home, T.weightsOutOfOrder)).toEqual({ ...ordinary(T.weightsOutOfOrder), weight: 71.4 });
    expect(appleValues(home, T.kilojoules).activeEnergy).toBe(300);
  });

  it('dates a day abroad as written (+0900), whatever TZ the import runs in', () => {
    expect(appleValues(home, T.travel)).toEqual(ordinary(T.travel));
  });

  it('takes the night, not the nap, and reads the older "Asleep" value', () => {
    expect(appleValues(home, T.nap)).toMatchObject({ sleepLength: 440, bedTime: 1380, wakeUpTime: 390 });
    expect(appleValues(home, '2023-01-15')).toMatchObject({
      sleepLength: 435,
      bedTime: 23 * 60 + 30,
      wakeUpTime: 6 * 60 + 45,
    });
  });

  it('lists what it did not read, with counts', () => {
    const kinds = Object.fromEntries(
      JSON.parse(first.stdout).notRead.map((u: { kind: string; count: number }) => [u.kind, u.count]),
    );
    expect(kinds).toEqual({
      HKQuantityTypeIdentifierHeartRate: eachDate(FROM, TO).length,
      '<Workout> element': 1,
      '<ActivitySummary> element': 1,
      'file export_cda.xml': 1,
      'file workout-routes/route_*': 1,
    });
  });

  it('changes nothing when imported again, from the bare export.xml', async () => {
    const file = join(home, 'export.xml');
    writeFileSync(file, xml);
    const again = await runCli(['import', 'apple-health', file, '--json'], { home, now: NOW });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).written).toBe(0);
    // Without --json: the summary, in words.
    const text = await runCli(['import', 'apple-health', file, '--quiet'], { home, now: NOW });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `apple-health: read 1 file of ${file}: 731 days 2023-01-01..2024-12-31; wrote 0 values\n`,
    );
  }, 120_000);
});
