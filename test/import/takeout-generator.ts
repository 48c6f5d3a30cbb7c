/**
 * Builds a Google Takeout of Fitbit data, in the layouts and formats real exports use (file
 * names, CSV headers, `MM/DD/YY` legacy dates in UTC, naive local sleep times, `Z` timestamps in
 * the newer CSVs; see test/fixtures/fitbit-takeout/SOURCES.md). Values follow simple formulas of
 * the day's index `i` (days since `from`) so tests can state what each day must hold; trap days
 * on top of that are listed in TRAPS.
 *
 * - legacy steps: UTC entries at 03:00 (0), 08:00 (1000 + i % 500), 12:00 (2000), 18:00
 *   (3000 + i % 7): a day total of 6000 + i % 500 + i % 7, all inside the Berlin day;
 * - newer steps CSV (from `newerFrom`): the watch with the same entries as the legacy JSON and the
 *   phone with 500 steps at 12:00:18Z: the day keeps 6000 + …, never the sum;
 * - sleep: bed at 23:10 the evening before, up at 07:05, minutesAsleep 430 - i % 20, main sleep;
 * - resting heart rate: 58.3 + i % 5 (legacy JSON), and 0.6 more in the newer CSV (which wins);
 * - HRV (from 2020): rmssd 30.25 + i % 10 in the legacy summary; 1 more in the newer CSV;
 * - Active Zone Minutes (from 2020): 10 FAT_BURN minutes of 1 and 5 CARDIO minutes of 2: 20, at
 *   07:10 and 18:30 local in the legacy CSV, and the same minutes in UTC in the newer layout's
 *   `active_zone_minutes_*.csv` (from `newerFrom`): still 20, never 40.
 */
import { addDays, eachDate } from '../../src/dates.js';

export interface GeneratedFile {
  name: string;
  data: string;
}

export const PROFILE_ZONE = 'W. Europe Standard Time';

/** Dates with something special, and what each must hold (undefined: no value). */
export const TRAPS = {
  /** 23:30 UTC on 03-28 is 00:30 CET on 03-29: 777 steps move to 03-29. */
  springForwardEve: '2020-03-28',
  springForward: '2020-03-29',
  /** 23:30 UTC on 03-29 is 01:30 CEST on 03-30: 555 steps land on 03-30. */
  afterSpringForward: '2020-03-30',
  /** 22:30 UTC on 07-10 is 00:30 CEST on 07-11: 444 steps on 07-11. */
  summerMidnight: '2020-07-11',
  /** A nap (mainSleep false) as well as the night: the night's values. */
  napAndNight: '2019-05-04',
  /** Only a nap: no sleep values at all. */
  napOnly: '2021-02-02',
  /** The night's log is in two monthly files (same logId). */
  duplicatedLog: '2019-06-01',
  /** Resting heart rate 0 (no estimate): no value. */
  zeroRestingHr: '2018-02-02',
  /** Only the phone recorded steps (the watch was off): 4321 from the phone. */
  phoneOnly: '2025-06-15',
  /** Zone minutes only in the newer layout (the legacy AZM CSV lacks the day): 20. */
  azmNewerOnly: '2025-08-19',
  /** 22:30Z on 08-19 is 00:30 CEST on 08-20: a peak minute (2) moves there: 22. */
  azmAfterUtcMidnight: '2025-08-20',
} as const;

/** Berlin's UTC offset in hours on a date (EU rule: summer time from the last Sunday of March to the last of October). */
function berlinOffset(date: string): number {
  const y = Number(date.slice(0, 4));
  const lastSunday = (month: number) => {
    const last = new Date(Date.UTC(y, month + 1, 0));
    return new Date(Date.UTC(y, month, last.getUTCDate() - last.getUTCDay())).toISOString().slice(0, 10);
  };
  return date >= lastSunday(2) && date < lastSunday(9) ? 2 : 1;
}

/** Local Berlin `HH:MM` on `date` as a UTC ISO stamp. */
function berlinToUtc(date: string, hh: number, mm: number): string {
  return new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10), hh - berlinOffset(date), mm))
    .toISOString()
    .replace('.000Z', 'Z');
}

/** The day's zone minutes: 10 fat-burn minutes from 07:10 and 5 cardio minutes from 18:30, local. */
const AZM_MINUTES = [
  ...Array.from({ length: 10 }, (_, k) => ({ hh: 7, mm: 10 + k, zone: 'FAT_BURN', newer: 'fat burn', minutes: 1 })),
  ...Array.from({ length: 5 }, (_, k) => ({ hh: 18, mm: 30 + k, zone: 'CARDIO', newer: 'cardio', minutes: 2 })),
];

function mmddyy(date: string): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(2, 4)}`;
}

function monthKey(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

function byMonth(dates: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of dates) {
    const k = monthKey(d);
    const list = m.get(k);
    if (list) list.push(d);
    else m.set(k, [d]);
  }
  return m;
}

export interface TakeoutOptions {
  from: string;
  to: string;
  /** First date of the newer `Google Health` layout (it holds the days from here to `to`). */
  newerFrom: string;
}

export function generateTakeout(o: TakeoutOptions): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const G = 'Takeout/Fitbit/Global Export Data';
  const index = (d: string) => eachDate(o.from, d).length - 1;
  const dates = eachDate(o.from, o.to);
  const months = byMonth(dates);

  files.push({
    name: 'Takeout/Fitbit/Your Profile/Profile.csv',
    data: `id,full_name,first_name,last_name,display_name_setting,display_name,username,email_address,date_of_birth,child,country,state,city,timezone,locale,member_since,about_me,start_of_week,sleep_tracking,time_display_format,gender,height,weight,stride_length_walk,stride_length_run,weight_unit,distance_unit,height_unit,water_unit,glucose_unit,swim_unit\nABC123,Test Person,Test,Person,name,Test P.,,null,1980-01-01,false,DE,,,${PROFILE_ZONE},de_DE,2015-12-01,null,MONDAY,Normal,24hour,FEMALE,170.0,65.0,70.0,90.0,METRIC,METRIC,METRIC,METRIC,METRIC,METRIC\n`,
  });

  const stepEntries = (d: string) => {
    const i = index(d);
    const day = mmddyy(d);
    const rows: Array<{ utc: string; value: number }> = [];
    if (d !== TRAPS.phoneOnly) {
      rows.push({ utc: `${day} 03:00:00`, value: 0 });
      rows.push({ utc: `${day} 08:00:00`, value: 1000 + (i % 500) });
      rows.push({ utc: `${day} 12:00:00`, value: 2000 });
      rows.push({ utc: `${day} 18:00:00`, value: 3000 + (i % 7) });
    }
    if (d === TRAPS.springForwardEve) rows.push({ utc: `${day} 23:30:00`, value: 777 });
    if (d === TRAPS.springForward) rows.push({ utc: `${day} 23:30:00`, value: 555 });
    if (d === addDays(TRAPS.summerMidnight, -1)) rows.push({ utc: `${day} 22:30:00`, value: 444 });
    return rows;
  };

  for (const [month, days] of months) {
    files.push({
      name: `${G}/steps-${month}.json`,
      data: JSON.stringify(
        days.flatMap((d) => stepEntries(d).map((r) => ({ dateTime: r.utc, value: String(r.value) }))),
      ),
    });
    // Sleep: a month's file also repeats the first night of the next month (files overlap).
    const nights = days.flatMap((d) => sleepLogs(d, index(d)));
    const next = addDays(days.at(-1)!, 1);
    if (next === TRAPS.duplicatedLog) nights.push(...sleepLogs(next, index(next)));
    files.push({ name: `${G}/sleep-${month}.json`, data: JSON.stringify(nights) });
    files.push({
      name: `${G}/resting_heart_rate-${month}.json`,
      data: JSON.stringify(
        days.map((d) => ({
          dateTime: `${mmddyy(d)} 00:00:00`,
          value: { date: mmddyy(d), value: d === TRAPS.zeroRestingHr ? 0 : 58.3 + (index(d) % 5), error: 7.2 },
        })),
      ),
    });
    const hrvDays = days.filter((d) => d >= '2020-01-01');
    if (hrvDays.length > 0) {
      files.push({
        name: `Takeout/Fitbit/Heart Rate Variability/Daily Heart Rate Variability Summary - ${month}.csv`,
        data: `timestamp,rmssd,nremhr,entropy\n${hrvDays.map((d) => `${d}T00:00:00,${(30.25 + (index(d) % 10)).toFixed(3)},61.2,2.4`).join('\n')}\n`,
      });
      files.push({
        name: `Takeout/Fitbit/Active Zone Minutes (AZM)/Active Zone Minutes - ${month}.csv`,
        data: `date_time,heart_zone_id,total_minutes\n${hrvDays
          .filter((d) => d !== TRAPS.azmNewerOnly)
          .flatMap((d) =>
            AZM_MINUTES.map(
              (z) => `${d}T${String(z.hh).padStart(2, '0')}:${String(z.mm).padStart(2, '0')},${z.zone},${z.minutes}`,
            ),
          )
          .join('\n')}\n`,
      });
    }
  }
  // Things okr does not read: counted in the report.
  files.push({
    name: `${G}/heart_rate-2020-01-01.json`,
    data: '[{"dateTime":"01/01/20 07:00:07","value":{"bpm":60,"confidence":3}}]',
  });
  files.push({
    name: `${G}/weight-2020-01-01.json`,
    data: '[{"logId":1,"weight":65.2,"bmi":22.6,"date":"01/01/20","time":"07:30:00","source":"API"}]',
  });
  files.push({ name: 'Takeout/YouTube/history/watch-history.json', data: '[]' });

  // The newer layout for the last part: steps per device, daily resting heart rate and HRV.
  const newer = eachDate(o.newerFrom, o.to);
  const PA = 'Takeout/Google Health/Physical Activity_GoogleData';
  for (const [month, days] of byMonth(newer)) {
    const rows = days.flatMap((d) => [
      ...stepEntries(d)
        .filter((r) => r.value > 0)
        .map((r) => `${utcIso(r.utc)},${r.value},Charge 6`),
      `${d}T12:00:18.008Z,${d === TRAPS.phoneOnly ? 4321 : 500},Phone Health Connect`,
    ]);
    files.push({ name: `${PA}/steps_${month}.csv`, data: `timestamp,steps,data source\n${rows.join('\n')}\n` });
    const azm = days.flatMap((d) => [
      ...AZM_MINUTES.map((z) => `${berlinToUtc(d, z.hh, z.mm)},${z.newer},${z.minutes}`),
      ...(d === TRAPS.azmNewerOnly ? [`${d}T22:30:00Z,peak,2`] : []),
    ]);
    files.push({
      name: `${PA}/active_zone_minutes_${month}.csv`,
      data: `timestamp,heart rate zone,total minutes\n${azm.join('\n')}\n`,
    });
  }
  files.push({
    name: `${PA}/daily_resting_heart_rate.csv`,
    data: `timestamp,beats per minute,data source\n${newer.map((d) => `${d}T00:00:00Z,${(58.9 + (index(d) % 5)).toFixed(3)},Fitbit App`).join('\n')}\n`,
  });
  files.push({
    name: `${PA}/daily_heart_rate_variability.csv`,
    data: `timestamp,average heart rate variability milliseconds,non rem heart rate beats per minute,entropy,deep sleep root mean square of successive differences milliseconds,data source\n${newer
      .map((d) => `${d}T00:00:00Z,${(31.25 + (index(d) % 10)).toFixed(3)},61.2,2.4,33.1,Fitbit App`)
      .join('\n')}\n`,
  });
  files.push({
    name: `${PA}/heart_rate_2025-01-01.csv`,
    data: 'timestamp,beats per minute,data source\n2025-01-01T00:00:03Z,72.0,Charge 6\n',
  });
  return files;
}

/** `MM/DD/YY HH:MM:SS` → `YYYY-MM-DDTHH:MM:SSZ`. */
function utcIso(s: string): string {
  return `20${s.slice(6, 8)}-${s.slice(0, 2)}-${s.slice(3, 5)}T${s.slice(9)}Z`;
}

function sleepLogs(wake: string, i: number): object[] {
  const prev = addDays(wake, -1);
  const nap = {
    logId: 900_000 + i,
    dateOfSleep: wake,
    startTime: `${wake}T13:00:00.000`,
    endTime: `${wake}T13:45:00.000`,
    duration: 45 * 60_000,
    minutesToFallAsleep: 0,
    minutesAsleep: 40,
    minutesAwake: 5,
    minutesAfterWakeup: 0,
    timeInBed: 45,
    efficiency: 89,
    type: 'classic',
    infoCode: 0,
    logType: 'auto_detected',
    levels: {
      summary: {
        asleep: { count: 0, minutes: 40 },
        awake: { count: 1, minutes: 5 },
        restless: { count: 0, minutes: 0 },
      },
      data: [],
    },
    mainSleep: false,
  };
  if (wake === TRAPS.napOnly) return [nap];
  const asleep = 430 - (i % 20);
  const night = {
    logId: 100_000 + i,
    dateOfSleep: wake,
    startTime: `${prev}T23:10:00.000`,
    endTime: `${wake}T07:05:00.000`,
    duration: 475 * 60_000,
    minutesToFallAsleep: 0,
    minutesAsleep: asleep,
    minutesAwake: 475 - asleep,
    minutesAfterWakeup: 0,
    timeInBed: 475,
    efficiency: 91,
    type: 'stages',
    infoCode: 0,
    logType: 'auto_detected',
    levels: {
      summary: {
        deep: { count: 4, minutes: 80, thirtyDayAvgMinutes: 75 },
        wake: { count: 20, minutes: 475 - asleep, thirtyDayAvgMinutes: 50 },
        light: { count: 25, minutes: asleep - 170, thirtyDayAvgMinutes: 240 },
        rem: { count: 6, minutes: 90, thirtyDayAvgMinutes: 85 },
      },
      data: [{ dateTime: `${prev}T23:10:00.000`, level: 'wake', seconds: 300 }],
      shortData: [],
    },
    mainSleep: true,
  };
  return wake === TRAPS.napAndNight ? [night, nap] : [night];
}
