/**
 * `okr import fitbit` on a generated ten-year Takeout (2016–2025, both layouts for the last two
 * years), as a zip and as a folder: every value of the trap days (DST, UTC minutes crossing local
 * midnight, a Windows zone name, naps, duplicated logs, both layouts for one day, a phone-only
 * day), what is not read, and that a second import changes nothing.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachDate } from '../../src/dates.js';
import type { MetricCounts } from '../../src/import/write.js';
import { tempHome as newTempHome, runCli } from '../helpers/cli.js';
import { storedDay, storedSources } from './stored.js';
import { generateTakeout, TRAPS } from './takeout-generator.js';
import { zipBuffer } from './zip.js';

const homes: string[] = [];
function tempHome(): string {
  const h = newTempHome('okr-import-');
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const FROM = '2016-01-01';
const TO = '2025-12-31';
const NOW = () => new Date('2026-12-01T10:00:00Z');
const i = (d: string) => eachDate(FROM, d).length - 1;
const steps = (d: string) => 6000 + (i(d) % 500) + (i(d) % 7);

const dayValues = (home: string, date: string) => storedDay(home, 'fitbit', date);

const files = generateTakeout({ from: FROM, to: TO, newerFrom: '2024-01-01' });

describe('okr import fitbit: a ten-year Takeout', () => {
  let home: string;
  let zip: string;
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    home = tempHome();
    zip = join(home, 'takeout-20261130T120000Z-001.zip');
    writeFileSync(zip, zipBuffer(files));
    // TZ is not Berlin: the zone must come from Profile.csv's Windows name.
    first = await runCli(['import', 'fitbit', zip, '--json'], { home, now: NOW, env: { TZ: 'America/Los_Angeles' } });
  }, 120_000);

  it('reads the whole export and reports the zone it used', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r.timeZone).toEqual({ zone: 'Europe/Berlin', from: 'Profile.csv' });
    expect(r.range).toEqual({ from: FROM, to: TO });
    expect(r.days).toBe(eachDate(FROM, TO).length);
    expect(r.metrics['fitbit.steps'].added).toBe(eachDate(FROM, TO).length);
    expect(r.problems).toEqual([]);
    expect(storedSources(home)).toEqual({ 'fitbit-takeout': r.written });
  });

  it('moves UTC minutes to the local day, across both DST switches', () => {
    expect(dayValues(home, TRAPS.springForwardEve).steps).toBe(steps(TRAPS.springForwardEve));
    expect(dayValues(home, TRAPS.springForward).steps).toBe(steps(TRAPS.springForward) + 777);
    expect(dayValues(home, TRAPS.afterSpringForward).steps).toBe(steps(TRAPS.afterSpringForward) + 555);
    expect(dayValues(home, TRAPS.summerMidnight).steps).toBe(steps(TRAPS.summerMidnight) + 444);
    expect(dayValues(home, '2020-07-10').steps).toBe(steps('2020-07-10'));
  });

  it('counts steps once where the two layouts and two devices overlap', () => {
    // Legacy JSON, the watch's CSV rows and the phone's 500: the day is the watch's total.
    expect(dayValues(home, '2025-01-10').steps).toBe(steps('2025-01-10'));
    expect(dayValues(home, TRAPS.phoneOnly).steps).toBe(4321);
  });

  it('keeps every value of an ordinary legacy day and of an ordinary newer day', () => {
    expect(dayValues(home, '2017-08-09')).toEqual({
      steps: steps('2017-08-09'),
      sleepLength: 430 - (i('2017-08-09') % 20),
      bedTime: 23 * 60 + 10,
      wakeUpTime: 7 * 60 + 5,
      restingHeartRate: Math.round(58.3 + (i('2017-08-09') % 5)),
    });
    const d = '2021-03-14';
    expect(dayValues(home, d)).toEqual({
      steps: steps(d),
      sleepLength: 430 - (i(d) % 20),
      bedTime: 1390,
      wakeUpTime: 425,
      restingHeartRate: Math.round(58.3 + (i(d) % 5)),
      hrv: Math.round((30.25 + (i(d) % 10)) * 10) / 10,
      activeZoneMinutes: 20,
    });
    const n = '2025-01-10';
    expect(dayValues(home, n)).toEqual({
      steps: steps(n),
      sleepLength: 430 - (i(n) % 20),
      bedTime: 1390,
      wakeUpTime: 425,
      // The newer CSV's value, not the legacy JSON's.
      restingHeartRate: Math.round(58.9 + (i(n) % 5)),
      hrv: Math.round((31.25 + (i(n) % 10)) * 10) / 10,
      activeZoneMinutes: 20,
    });
  });

  it('reads zone minutes from the newer layout in local days, never adding them to the legacy ones', () => {
    // Both layouts hold the same 20 minutes of an ordinary day: 20, not 40.
    expect(dayValues(home, '2025-01-10').activeZoneMinutes).toBe(20);
    expect(dayValues(home, '2024-07-01').activeZoneMinutes).toBe(20);
    // Only the newer layout has this day.
    expect(dayValues(home, TRAPS.azmNewerOnly).activeZoneMinutes).toBe(20);
    // Its 22:30Z peak minute is 00:30 in Berlin the next day.
    expect(dayValues(home, TRAPS.azmAfterUtcMidnight).activeZoneMinutes).toBe(22);
    expect(dayValues(home, TRAPS.azmAfterUtcMidnight)).toEqual({
      steps: steps(TRAPS.azmAfterUtcMidnight),
      sleepLength: 430 - (i(TRAPS.azmAfterUtcMidnight) % 20),
      bedTime: 1390,
      wakeUpTime: 425,
      restingHeartRate: Math.round(58.9 + (i(TRAPS.azmAfterUtcMidnight) % 5)),
      hrv: Math.round((31.25 + (i(TRAPS.azmAfterUtcMidnight) % 10)) * 10) / 10,
      activeZoneMinutes: 22,
    });
  });

  it('says why weight is not imported: the fitbit plugin has no weight metric', () => {
    const r = JSON.parse(first.stdout);
    expect(r.notes).toContain(
      'Weight was not imported (1 weight file): the fitbit plugin has no weight metric; they are listed under not read.',
    );
    expect(Object.keys(r.metrics).some((m) => /weight/i.test(m))).toBe(false);
  });

  it('takes the night, never a nap, and a duplicated log once', () => {
    const night = (d: string) => ({ sleepLength: 430 - (i(d) % 20), bedTime: 1390, wakeUpTime: 425 });
    expect(dayValues(home, TRAPS.napAndNight)).toMatchObject(night(TRAPS.napAndNight));
    expect(dayValues(home, TRAPS.duplicatedLog)).toMatchObject(night(TRAPS.duplicatedLog));
    const napOnly = dayValues(home, TRAPS.napOnly);
    expect(napOnly.sleepLength).toBeUndefined();
    expect(napOnly.bedTime).toBeUndefined();
    expect(napOnly.wakeUpTime).toBeUndefined();
    expect(napOnly.steps).toBe(steps(TRAPS.napOnly));
  });

  it('stores no value for a day without one (resting heart rate 0, HRV before 2020)', () => {
    expect(dayValues(home, TRAPS.zeroRestingHr).restingHeartRate).toBeUndefined();
    expect(dayValues(home, '2019-12-31').hrv).toBeUndefined();
    expect(dayValues(home, '2019-12-31').activeZoneMinutes).toBeUndefined();
  });

  it('lists what it did not read, with counts', () => {
    const kinds = Object.fromEntries(
      JSON.parse(first.stdout).notRead.map((u: { kind: string; count: number }) => [u.kind, u.count]),
    );
    expect(kinds).toMatchObject({
      'Global Export Data/heart_rate-*.json': 1,
      'Global Export Data/weight-*.json': 1,
      'Physical Activity_GoogleData/heart_rate_*.csv': 1,
      'not Fitbit: Takeout/YouTube': 1,
    });
  });

  it('changes nothing when the same export is imported again', async () => {
    const again = await runCli(['import', 'fitbit', zip, '--json'], {
      home,
      now: () => new Date('2026-12-02T10:00:00Z'),
    });
    expect(again.code).toBe(0);
    const r = JSON.parse(again.stdout);
    expect(r.written).toBe(0);
    for (const counts of Object.values(r.metrics) as MetricCounts[]) {
      expect(counts.added + counts.updated + counts.keptYours + counts.keptSynced + counts.replacedSynced).toBe(0);
    }
  }, 120_000);

  it('reads the unpacked folder the same way, and --from/--to keep only that range', async () => {
    const h2 = tempHome();
    const root = join(h2, 'unpacked');
    for (const f of files) {
      mkdirSync(dirname(join(root, f.name)), { recursive: true });
      writeFileSync(join(root, f.name), f.data);
    }
    const r = await runCli(
      ['import', 'fitbit', join(root, 'Takeout'), '--from', '2020-03-28', '--to', '2020-03-30', '--json'],
      {
        home: h2,
        now: NOW,
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).range).toEqual({ from: '2020-03-28', to: '2020-03-30' });
    for (const d of ['2020-03-28', '2020-03-29', '2020-03-30']) expect(dayValues(h2, d)).toEqual(dayValues(home, d));
    expect(dayValues(h2, '2020-03-31')).toEqual({});
  }, 120_000);
});
