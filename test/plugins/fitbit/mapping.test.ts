/** The pure mapping and the boundary primitives, on hand-built points for the date edge cases. */
import { describe, expect, it } from 'vitest';
import { mapActiveZoneMinutes, mapHrv, mapSleep, sleepSeries, toRecords } from '../../../src/plugins/fitbit/mapping.js';
import {
  azmRollupPoint,
  double,
  hrvPoint,
  int64,
  listPage,
  rollupPage,
  sleepPoint,
  utcOffset,
} from '../../../src/plugins/fitbit/schemas.js';

interface RawSleep {
  start: string;
  startOffset: string;
  end: string;
  endOffset: string;
  asleep?: string | number;
  metadata?: Record<string, unknown>;
}

/** Raw Google JSON for a sleep point, parsed by the real schema. */
function sleeps(...raw: RawSleep[]) {
  const body = {
    dataPoints: raw.map((r) => ({
      sleep: {
        interval: { startTime: r.start, startUtcOffset: r.startOffset, endTime: r.end, endUtcOffset: r.endOffset },
        type: 'STAGES',
        ...(r.metadata ? { metadata: r.metadata } : {}),
        ...(r.asleep === undefined ? {} : { summary: { minutesAsleep: r.asleep } }),
      },
    })),
  };
  return listPage(sleepPoint).parse(body).dataPoints ?? [];
}

const processedMain = { stagesStatus: 'SUCCEEDED', processed: true, mainSleep: true };

describe('int64, double, offsets', () => {
  it('int64 takes decimal strings and integers, never NaN or unsafe values', () => {
    expect(int64.parse('9525')).toBe(9525);
    expect(int64.parse('-3')).toBe(-3);
    expect(int64.parse(10500)).toBe(10500);
    for (const bad of ['9.5', 'NaN', '', ' 1', '1e3', 1.5, '99999999999999999999', null, true]) {
      expect(int64.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it('double takes numbers (and numeric strings), never NaN', () => {
    expect(double.parse(41.25)).toBe(41.25);
    expect(double.parse('41.25')).toBe(41.25);
    for (const bad of ['NaN', 'Infinity', 'fast', true]) expect(double.safeParse(bad).success, String(bad)).toBe(false);
  });

  it('UTC offsets: Google durations and RFC 3339 forms', () => {
    expect(utcOffset.parse('32400s')).toBe(32_400);
    expect(utcOffset.parse('-25200s')).toBe(-25_200);
    expect(utcOffset.parse('0s')).toBe(0);
    expect(utcOffset.parse('-07:00')).toBe(-25_200);
    expect(utcOffset.parse('+05:30')).toBe(19_800);
    expect(utcOffset.parse('Z')).toBe(0);
    for (const bad of ['32400', 'abc', '100000s', '+5:30']) expect(utcOffset.safeParse(bad).success, bad).toBe(false);
  });
});

describe('sleep: dates and times', () => {
  it('a sleep across midnight belongs to the wake-up date; bed time is the evening before', () => {
    const { days, provisionalDates } = mapSleep(
      sleeps({
        start: '2026-01-10T04:00:00Z', // 23:00 EST on the 9th
        startOffset: '-18000s',
        end: '2026-01-10T11:30:00Z', // 06:30 EST on the 10th
        endOffset: '-18000s',
        asleep: '420',
        metadata: processedMain,
      }),
    );
    expect([...days]).toEqual([['2026-01-10', { sleepLength: 420, bedTime: 23 * 60, wakeUpTime: 6 * 60 + 30 }]]);
    expect([...provisionalDates]).toEqual([]);
  });

  it('a spring-forward night (New York, 2026-03-08): each end uses its own offset', () => {
    const { days } = mapSleep(
      sleeps({
        start: '2026-03-08T03:30:00Z', // 22:30 EST on the 7th
        startOffset: '-18000s',
        end: '2026-03-08T11:00:00Z', // 07:00 EDT on the 8th (7.5 h later, but the clock moved 8.5 h)
        endOffset: '-14400s',
        asleep: '430',
        metadata: processedMain,
      }),
    );
    expect(days.get('2026-03-08')).toEqual({ sleepLength: 430, bedTime: 22 * 60 + 30, wakeUpTime: 7 * 60 });
  });

  it('a fall-back night (New York, 2026-11-01)', () => {
    const { days } = mapSleep(
      sleeps({
        start: '2026-11-01T02:30:00Z', // 22:30 EDT on Oct 31
        startOffset: '-14400s',
        end: '2026-11-01T12:00:00Z', // 07:00 EST on Nov 1
        endOffset: '-18000s',
        asleep: '540',
        metadata: processedMain,
      }),
    );
    expect(days.get('2026-11-01')).toEqual({ sleepLength: 540, bedTime: 22 * 60 + 30, wakeUpTime: 7 * 60 });
  });

  it('two sleeps ending on the same date: the flagged main sleep wins over a nap', () => {
    const { days } = mapSleep(
      sleeps(
        {
          start: '2026-05-02T18:00:00Z',
          startOffset: '-14400s',
          end: '2026-05-02T19:10:00Z', // a 70-minute nap ending 15:10
          endOffset: '-14400s',
          asleep: '60',
          metadata: { stagesStatus: 'REJECTED_NAP', processed: true, nap: true },
        },
        {
          start: '2026-05-02T03:00:00Z',
          startOffset: '-14400s',
          end: '2026-05-02T10:00:00Z',
          endOffset: '-14400s',
          asleep: '400',
          metadata: processedMain,
        },
      ),
    );
    expect([...days]).toEqual([['2026-05-02', { sleepLength: 400, bedTime: 23 * 60, wakeUpTime: 6 * 60 }]]);
  });

  it('without mainSleep flags: the longest non-nap, even when a nap is longer', () => {
    const { days } = mapSleep(
      sleeps(
        {
          start: '2026-05-02T12:00:00Z',
          startOffset: '0s',
          end: '2026-05-02T21:00:00Z', // 9 h, but flagged as a nap
          endOffset: '0s',
          asleep: '500',
          metadata: { processed: true, nap: true },
        },
        {
          start: '2026-05-02T01:00:00Z',
          startOffset: '0s',
          end: '2026-05-02T06:00:00Z', // 5 h
          endOffset: '0s',
          asleep: '280',
          metadata: { processed: true },
        },
        {
          start: '2026-05-02T07:00:00Z',
          startOffset: '0s',
          end: '2026-05-02T08:00:00Z', // 1 h, not a nap, shorter
          endOffset: '0s',
          asleep: '55',
          metadata: { processed: true },
        },
      ),
    );
    expect(days.get('2026-05-02')).toEqual({ sleepLength: 280, bedTime: 60, wakeUpTime: 360 });
  });

  it('the mainSleep flag beats length', () => {
    const { days } = mapSleep(
      sleeps(
        { start: '2026-05-02T01:00:00Z', startOffset: '0s', end: '2026-05-02T09:00:00Z', endOffset: '0s', asleep: 450 },
        {
          start: '2026-05-02T12:00:00Z',
          startOffset: '0s',
          end: '2026-05-02T13:00:00Z',
          endOffset: '0s',
          asleep: 50,
          metadata: { processed: true, mainSleep: true },
        },
      ),
    );
    expect(days.get('2026-05-02')?.sleepLength).toBe(50);
  });

  it('a day with only naps gets no sleep values', () => {
    const { days } = mapSleep(
      sleeps({
        start: '2026-05-02T13:00:00Z',
        startOffset: '0s',
        end: '2026-05-02T14:00:00Z',
        endOffset: '0s',
        asleep: '50',
        metadata: { processed: true, nap: true },
      }),
    );
    expect(days.size).toBe(0);
  });

  it('unprocessed sleeps make their wake date provisional: processed false, or left out of present metadata', () => {
    const { days, provisionalDates } = mapSleep(
      sleeps(
        {
          start: '2026-05-02T01:00:00Z',
          startOffset: '0s',
          end: '2026-05-02T08:00:00Z',
          endOffset: '0s',
          asleep: '400',
          metadata: { stagesStatus: 'STAGES_STATE_UNSPECIFIED', processed: false, mainSleep: true },
        },
        {
          start: '2026-05-01T01:00:00Z',
          startOffset: '0s',
          end: '2026-05-01T08:00:00Z',
          endOffset: '0s',
          asleep: '410',
          metadata: { mainSleep: true }, // proto3 leaves `processed: false` out
        },
        {
          start: '2026-04-30T01:00:00Z',
          startOffset: '0s',
          end: '2026-04-30T08:00:00Z',
          endOffset: '0s',
          asleep: '420',
        },
      ),
    );
    expect([...provisionalDates].sort()).toEqual(['2026-05-01', '2026-05-02']);
    // Values are still imported; the sync engine fetches those dates again.
    expect(days.get('2026-05-02')?.sleepLength).toBe(400);
    expect(days.get('2026-04-30')?.sleepLength).toBe(420);
  });

  it('a sleep without a summary still gives bed and wake-up times, but no length (never a zero)', () => {
    const { days } = mapSleep(
      sleeps({ start: '2026-05-02T01:00:00Z', startOffset: '0s', end: '2026-05-02T08:00:00Z', endOffset: '0s' }),
    );
    expect(days.get('2026-05-02')).toEqual({ bedTime: 60, wakeUpTime: 480 });
    const records = toRecords(sleepSeries(days), ['sleepLength', 'bedTime'], '2026-05-01', '2026-05-03');
    expect(records).toEqual([{ date: '2026-05-02', fields: { bedTime: 60 } }]);
  });
});

describe('records', () => {
  it('only requested fields, only dates in the range, oldest first, no empty records', () => {
    const series = new Map([
      [
        'steps',
        new Map([
          ['2026-05-03', 100],
          ['2026-05-01', 300],
          ['2026-04-30', 999],
        ]),
      ],
      ['restingHeartRate', new Map([['2026-05-02', 55]])],
    ]);
    expect(toRecords(series, ['steps'], '2026-05-01', '2026-05-03')).toEqual([
      { date: '2026-05-01', fields: { steps: 300 } },
      { date: '2026-05-03', fields: { steps: 100 } },
    ]);
    expect(toRecords(series, ['steps', 'restingHeartRate'], '2026-05-02', '2026-05-02')).toEqual([
      { date: '2026-05-02', fields: { restingHeartRate: 55 } },
    ]);
    expect(toRecords(series, ['hrv'], '2026-05-01', '2026-05-03')).toEqual([]);
  });

  it('Active Zone Minutes: the plain sum of the zone sums; absent zones count 0; a point with none is no data', () => {
    const page = rollupPage(azmRollupPoint).parse({
      rollupDataPoints: [
        {
          civilStartTime: { date: { year: 2026, month: 5, day: 3 }, time: {} },
          activeZoneMinutes: { sumInFatBurnHeartZone: '20', sumInCardioHeartZone: '8', sumInPeakHeartZone: '2' },
        },
        {
          civilStartTime: { date: { year: 2026, month: 5, day: 2 } },
          activeZoneMinutes: { sumInFatBurnHeartZone: '12' },
        },
        {
          civilStartTime: { date: { year: 2026, month: 5, day: 1 } },
          activeZoneMinutes: { sumInFatBurnHeartZone: '0', sumInCardioHeartZone: '0', sumInPeakHeartZone: '0' },
        },
        { civilStartTime: { date: { year: 2026, month: 4, day: 30 } }, activeZoneMinutes: {} },
      ],
    });
    expect([...mapActiveZoneMinutes(page.rollupDataPoints ?? [])]).toEqual([
      ['2026-05-03', 30],
      ['2026-05-02', 12],
      ['2026-05-01', 0],
    ]);
  });

  it('HRV: the average when present; a day with only other measures gets no value', () => {
    const page = listPage(hrvPoint).parse({
      dataPoints: [
        {
          dailyHeartRateVariability: {
            date: { year: 2026, month: 5, day: 2 },
            averageHeartRateVariabilityMilliseconds: 41.5,
            nonRemHeartRateBeatsPerMinute: '58',
          },
        },
        { dailyHeartRateVariability: { date: { year: 2026, month: 5, day: 1 }, entropy: 2.7 } },
      ],
    });
    expect([...mapHrv(page.dataPoints ?? [])]).toEqual([['2026-05-02', 41.5]]);
  });

  it('an impossible calendar date is a parse error, not a record', () => {
    const r = listPage(hrvPoint).safeParse({
      dataPoints: [{ dailyHeartRateVariability: { date: { year: 2026, month: 2, day: 30 }, entropy: 1 } }],
    });
    expect(r.success).toBe(false);
  });
});
