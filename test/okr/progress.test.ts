import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eachDate } from '../../src/dates.js';
import { UsageError } from '../../src/errors.js';
import { parsePeriod } from '../../src/okr/period.js';
import { computeKeyResult, defineKeyResult, type KeyResultInput, renderProgressBar } from '../../src/okr/progress.js';
import { formatPercent, progressJson } from '../../src/okr/render.js';
import type { KeyResultProgress } from '../../src/okr/types.js';
import type { FieldValue } from '../../src/plugins/types.js';

const t = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

function run(input: KeyResultInput, values: Record<string, FieldValue>, period: string, today: string) {
  return computeKeyResult({
    kr: defineKeyResult(input),
    values: new Map(Object.entries(values)),
    period: parsePeriod(period),
    today,
  });
}

describe('defineKeyResult', () => {
  it('parses the examples from the issue', () => {
    expect(defineKeyResult({ metricType: 'duration', agg: 'avg', target: '>= 7:00' })).toEqual({
      metricType: 'duration',
      agg: 'avg',
      kind: 'duration',
      target: { op: '>=', value: 420 },
    });
    expect(
      defineKeyResult({ metricType: 'number', agg: 'days', where: '>= 10000', per: 'week', target: '>= 5' }),
    ).toEqual({
      metricType: 'number',
      agg: 'days',
      kind: 'count',
      where: { op: '>=', value: 10000 },
      per: 'week',
      target: { op: '>=', value: 5 },
    });
    expect(defineKeyResult({ metricType: 'number', agg: 'sum', target: '12' })).toEqual({
      metricType: 'number',
      agg: 'sum',
      kind: 'number',
      target: { op: '>=', value: 12 },
    });
  });

  it('parses baselines and shares of yes days', () => {
    expect(defineKeyResult({ metricType: 'time', agg: 'avg', target: '<= 23:00', baseline: '23:45' })).toMatchObject({
      kind: 'time',
      target: { op: '<=', value: 1380 },
      baseline: 1425,
    });
    expect(defineKeyResult({ metricType: 'boolean', agg: 'avg', target: '80%' })).toMatchObject({
      kind: 'fraction',
      target: { op: '>=', value: 0.8 },
    });
    expect(
      defineKeyResult({
        metricType: 'number',
        agg: 'days',
        where: '>= 10000',
        per: 'week',
        target: '5',
        baseline: '3',
      }),
    ).toMatchObject({ baseline: 3 });
  });

  it.each<[KeyResultInput, RegExp]>([
    [{ metricType: 'number', agg: 'median', target: '5' }, /Unknown aggregation/],
    [{ metricType: 'number', agg: 'days', target: '5' }, /needs a condition/],
    [{ metricType: 'number', agg: 'avg', where: '>= 1', target: '5' }, /only works with --agg days/],
    [{ metricType: 'number', agg: 'avg', per: 'day', target: '5' }, /Unknown bucket/],
    [{ metricType: 'number', agg: 'last', per: 'week', target: '5' }, /does not work with --agg last/],
    [{ metricType: 'time', agg: 'sum', target: '23:00' }, /clock times do not add up/],
    [{ metricType: 'boolean', agg: 'max', target: 'yes' }, /yes or no/],
    [{ metricType: 'text', agg: 'avg', target: '1' }, /holds notes/],
    [{ metricType: 'number', agg: 'days', where: '>= 1', per: 'week', target: '8' }, /at most 7 days/],
    [{ metricType: 'number', agg: 'sum', target: '12', baseline: '5' }, /restarts at 0/],
    [{ metricType: 'duration', agg: 'avg', target: '>= 7' }, /Ambiguous duration/],
  ])('refuses %j', (input, message) => {
    try {
      defineKeyResult(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(message);
      expect((err as UsageError).hint).toBeTruthy();
    }
  });
});

describe('avg: "Sleep 7h on average" in November 2026, today Nov 10', () => {
  const sleep: Record<string, FieldValue> = {
    '2026-10-31': 720, // before the period: ignored
    '2026-11-01': t('6:30'),
    '2026-11-03': t('7:30'),
    '2026-11-04': t('8:00'),
    '2026-11-06': t('6:00'),
    '2026-11-10': t('7:20'),
    '2026-11-11': 900, // after today: ignored
  };

  it('averages the 5 days with data and meets 7:00', () => {
    // (390 + 450 + 480 + 360 + 440) / 5 = 424 = 7:04
    const r = run({ metricType: 'duration', agg: 'avg', target: '>= 7:00' }, sleep, '2026-11', '2026-11-10');
    expect(r).toEqual<KeyResultProgress>({
      kind: 'duration',
      value: 424,
      target: 420,
      op: '>=',
      met: true,
      percent: (424 / 420) * 100,
      expected: 420,
      status: 'on_track',
      daysWithData: 5,
      daysElapsed: 10,
      daysInPeriod: 30,
      note: '5 of 10 days have data',
    });
  });

  it('is at risk when within 10% of the target, measured from zero without a baseline', () => {
    // 424 vs 435: 11 short; 10% of 435 = 43.5
    const r = run({ metricType: 'duration', agg: 'avg', target: '>= 7:15' }, sleep, '2026-11', '2026-11-10');
    expect(r.status).toBe('at_risk');
    expect(r.met).toBe(false);
  });

  it('measures from the baseline when there is one', () => {
    // Baseline 6:00: (424 - 360) / (435 - 360) = 64 / 75; 10% of 75 = 7.5 < 11 short → off track.
    const r = run(
      { metricType: 'duration', agg: 'avg', target: '>= 7:15', baseline: '6:00' },
      sleep,
      '2026-11',
      '2026-11-10',
    );
    expect(r.percent).toBeCloseTo(85.333, 2);
    expect(r.status).toBe('off_track');
    const met = run(
      { metricType: 'duration', agg: 'avg', target: '>= 7:00', baseline: '6:00' },
      sleep,
      '2026-11',
      '2026-11-10',
    );
    expect(met.percent).toBeCloseTo(106.667, 2); // 64 / 60
  });
});

describe('sum: "Read 12 books" in 2026-Q4, pace and status through the quarter', () => {
  const books: Record<string, FieldValue> = {
    '2026-10-03': 1,
    '2026-10-10': 1,
    '2026-10-25': 1,
    '2026-11-08': 2,
    '2026-11-20': 1,
    '2026-12-20': 6,
  };
  const at = (today: string) => run({ metricType: 'number', agg: 'sum', target: '12' }, books, '2026-Q4', today);

  it('before the quarter: not started', () => {
    expect(at('2026-09-20')).toEqual<KeyResultProgress>({
      kind: 'number',
      target: 12,
      op: '>=',
      met: false,
      expected: 0,
      status: 'not_started',
      daysWithData: 0,
      daysElapsed: 0,
      daysInPeriod: 92,
      note: 'starts 2026-10-01',
    });
  });

  it('day one: nothing read, pace 0, on track', () => {
    const r = at('2026-10-01');
    expect(r).toMatchObject({ value: 0, expected: 0, percent: 0, status: 'on_track', daysElapsed: 1, daysWithData: 0 });
  });

  it('Oct 10: 2 read, pace 12 × 9/92 = 1.17 → on track', () => {
    const r = at('2026-10-10');
    expect(r.value).toBe(2);
    expect(r.expected).toBeCloseTo(1.1739, 4);
    expect(r.status).toBe('on_track');
    expect(r.percent).toBeCloseTo(16.667, 2);
  });

  it('Oct 24: 2 read, pace 12 × 23/92 = 3 → 1 behind, within 1.2 (10% of 12): at risk', () => {
    const r = at('2026-10-24');
    expect(r.value).toBe(2);
    expect(r.expected).toBe(3);
    expect(r.status).toBe('at_risk');
  });

  it('Dec 19: 6 read, pace 12 × 79/92 = 10.3 → off track', () => {
    const r = at('2026-12-19');
    expect(r.value).toBe(6);
    expect(r.expected).toBeCloseTo(10.3043, 4);
    expect(r.status).toBe('off_track');
    expect(r.daysElapsed).toBe(80);
  });

  it('Dec 20: 12 read, target reached early → on track at 100%', () => {
    expect(at('2026-12-20')).toMatchObject({ value: 12, met: true, percent: 100, status: 'on_track' });
  });

  it('after the quarter: ended met, full pace', () => {
    expect(at('2027-01-05')).toMatchObject({
      value: 12,
      expected: 12,
      status: 'ended_met',
      daysElapsed: 92,
      daysWithData: 6,
    });
    const missed = run({ metricType: 'number', agg: 'sum', target: '13' }, books, '2026-Q4', '2027-01-05');
    expect(missed.status).toBe('ended_missed');
  });
});

describe('sum with a <= target: "at most 20 drinks in November", today Nov 16', () => {
  // Pace: 20 × 15/30 = 10 allowed by the end of Nov 15; tolerance 2.
  const drinks = (total: number) => ({ '2026-11-02': total });
  const at = (total: number, today = '2026-11-16') =>
    run({ metricType: 'number', agg: 'sum', target: '<= 20' }, drinks(total), '2026-11', today);

  it('under the budget line is on track, percent is the share used', () => {
    expect(at(8)).toMatchObject({ value: 8, expected: 10, status: 'on_track', percent: 40, met: true });
  });
  it('a little over the line is at risk', () => {
    expect(at(11).status).toBe('at_risk');
  });
  it('far over the line is off track, and over the allowance is off track for good', () => {
    expect(at(13).status).toBe('off_track');
    expect(at(21, '2026-11-30')).toMatchObject({ status: 'off_track', met: false, percent: 105 });
  });
  it('ends met when it stayed under', () => {
    expect(at(19, '2026-12-01').status).toBe('ended_met');
  });
});

describe('clock times: bedtime <= 23:00 in the week Nov 2..8', () => {
  const bed: Record<string, FieldValue> = {
    '2026-11-02': t('23:30'),
    '2026-11-03': t('00:30'),
    '2026-11-04': t('22:30'),
    '2026-11-06': t('23:00'),
  };
  const period = '2026-11-02..2026-11-08';

  it('averages across midnight and measures from the baseline', () => {
    // Circular mean 23:22.4 (see aggregate.test.ts); baseline 23:45:
    // (1402.38 - 1425) / (1380 - 1425) = 50.3%; 22.4 min late > 4.5 (10% of 45) → off track.
    const r = run({ metricType: 'time', agg: 'avg', target: '<= 23:00', baseline: '23:45' }, bed, period, '2026-11-08');
    expect(r.value).toBeCloseTo(1402.38, 1);
    expect(r.met).toBe(false);
    expect(r.percent).toBeCloseTo(50.27, 1);
    expect(r.status).toBe('off_track');
    expect(r.note).toBe('4 of 7 days have data');
  });

  it('a last bedtime of 00:30 is later than 23:00, not earlier', () => {
    const r = run(
      { metricType: 'time', agg: 'last', target: '<= 23:00' },
      { '2026-11-03': t('00:30') },
      period,
      '2026-11-04',
    );
    expect(r).toMatchObject({ value: 30, met: false, status: 'off_track', expected: 1380 });
    expect(r.percent).toBeUndefined();
    expect(r.note).toBe('1 of 3 days have data; set a baseline to see partial progress');
  });

  it('a bedtime 10 minutes late with no baseline is at risk (15-minute band)', () => {
    const r = run(
      { metricType: 'time', agg: 'last', target: '<= 23:00' },
      { '2026-11-03': t('23:10') },
      period,
      '2026-11-03',
    );
    expect(r.status).toBe('at_risk');
  });

  it('the latest bedtime is 00:30 and days in bed by 23:00 are 2', () => {
    expect(run({ metricType: 'time', agg: 'max', target: '<= 00:00' }, bed, period, '2026-11-08')).toMatchObject({
      value: 30,
      met: false,
    });
    expect(run({ metricType: 'time', agg: 'min', target: '<= 23:00' }, bed, period, '2026-11-08')).toMatchObject({
      value: t('22:30'),
      met: true,
      percent: 100,
    });
    const days = run({ metricType: 'time', agg: 'days', where: '<= 23:00', target: '>= 5' }, bed, period, '2026-11-09');
    expect(days).toMatchObject({ value: 2, status: 'ended_missed', daysInPeriod: 7 });
  });

  it('a wake-up at 12:30 misses a <= 07:00 target', () => {
    const r = run(
      { metricType: 'time', agg: 'last', target: '<= 07:00' },
      { '2026-11-03': t('12:30') },
      period,
      '2026-11-03',
    );
    expect(r.met).toBe(false);
  });
});

describe('--per week: "10k steps on 5 days a week", Thu Oct 1..Sun Oct 18 2026', () => {
  const period = '2026-10-01..2026-10-18';
  const steps: Record<string, FieldValue> = {
    // Week 1, Thu 1..Sun 4 (cut by the period): 3 days ≥ 10000 of 4 → 3 × 7/4 = 5.25
    '2026-10-01': 12000,
    '2026-10-02': 8000,
    '2026-10-03': 11000,
    '2026-10-04': 10000,
    // Week 2, Mon 5..Sun 11: 4 qualifying days; two days without data are not qualifying
    '2026-10-05': 10500,
    '2026-10-06': 9000,
    '2026-10-08': 15000,
    '2026-10-09': 10000,
    '2026-10-11': 12000,
    // Week 3, Mon 12..Sun 18: 5 qualifying days
    '2026-10-12': 11000,
    '2026-10-13': 11000,
    '2026-10-14': 11000,
    '2026-10-15': 11000,
    '2026-10-16': 11000,
    '2026-10-17': 3000,
  };
  const kr: KeyResultInput = { metricType: 'number', agg: 'days', where: '>= 10000', per: 'week', target: '>= 5' };
  const at = (today: string) => run(kr, steps, period, today);

  it('after the period: weighted average of the weeks, edge week scaled and weighted 4/7', () => {
    // (5.25 × 4 + 4 × 7 + 5 × 7) / 18 = 84 / 18 = 4.667 days a week
    const r = at('2026-10-20');
    expect(r.value).toBeCloseTo(4.6667, 4);
    expect(r.status).toBe('ended_missed');
    expect(r.percent).toBeCloseTo(93.333, 2);
    expect(r.daysWithData).toBe(15);
    expect(r.buckets).toEqual([
      {
        from: '2026-10-01',
        to: '2026-10-04',
        days: 4,
        value: 5.25,
        met: true,
        partial: true,
        running: false,
        used: true,
      },
      {
        from: '2026-10-05',
        to: '2026-10-11',
        days: 7,
        value: 4,
        met: false,
        partial: false,
        running: false,
        used: true,
      },
      {
        from: '2026-10-12',
        to: '2026-10-18',
        days: 7,
        value: 5,
        met: true,
        partial: false,
        running: false,
        used: true,
      },
    ]);
    expect(r.note).toBe('2 of 3 weeks met; 15 of 18 days have data');
  });

  it('mid-week: only the weeks that ended count; the running week is listed but unused', () => {
    // Wed Oct 14: (5.25 × 4 + 4 × 7) / 11 = 49 / 11 = 4.4545; 0.545 short > 0.5 (10% of 5) → off track.
    const r = at('2026-10-14');
    expect(r.value).toBeCloseTo(4.4545, 4);
    expect(r.expected).toBe(5);
    expect(r.status).toBe('off_track');
    expect(r.buckets?.[2]).toEqual({
      from: '2026-10-12',
      to: '2026-10-13',
      days: 2,
      value: 7,
      met: true,
      partial: false,
      running: true,
      used: false,
    });
  });

  it('on a Monday the new week has no finished day and is left out', () => {
    const r = at('2026-10-12');
    expect(r.value).toBeCloseTo(4.4545, 4);
    expect(r.buckets).toHaveLength(2);
  });

  it('in the first week, its finished days are scaled to a week', () => {
    // Sat Oct 3: Oct 1..2 finished, 1 qualifying day → 1 × 7/2 = 3.5
    const r = at('2026-10-03');
    expect(r.value).toBe(3.5);
    expect(r.status).toBe('off_track');
    expect(r.note).toBe('first week still running: estimated from 2 days');
  });

  it('on the first day there is no finished day yet', () => {
    const r = at('2026-10-01');
    expect(r).toMatchObject({ status: 'not_started', daysElapsed: 1, daysWithData: 1, buckets: [] });
    expect(r.value).toBeUndefined();
    expect(r.note).toBe('no finished day yet');
  });

  it('before the period: not started, the pace is the target', () => {
    expect(at('2026-09-01')).toMatchObject({ status: 'not_started', expected: 5, daysElapsed: 0 });
  });
});

describe('--per week avg: "weigh at most 75 a week" in 2026-Q4, logging only since Tue Dec 1', () => {
  // Today Thu Dec 3. The ended weeks (Sep 28..Nov 29) have no value: an average of nothing. The
  // running week (Mon Nov 30) has Dec 1 and 2 before today: (80 + 79) / 2 = 79.5.
  const r = run(
    { metricType: 'number', agg: 'avg', per: 'week', target: '<= 75' },
    { '2026-12-01': 80, '2026-12-02': 79 },
    '2026-Q4',
    '2026-12-03',
  );

  it('uses the running week while no ended week has data, instead of "no data yet"', () => {
    expect(r).toMatchObject({ value: 79.5, status: 'at_risk', daysWithData: 2 });
    expect(r.buckets!.filter((b) => b.used).map((b) => b.from)).toEqual(['2026-11-30']);
    expect(r.note).toBe('only this week has data so far: estimated from 3 days; 2 of 64 days have data');
  });
});

describe('--per month: sum of exercise >= 20:00 a month over Nov 15 2026..Jan 10 2027', () => {
  it('scales the cut edge months and weighs them by their days', () => {
    const values: Record<string, FieldValue> = {
      '2026-11-20': 300,
      '2026-11-25': 300, // Nov 15..30: 600 over 16 days → 600 × 30/16 = 1125
      '2026-12-01': 600,
      '2026-12-15': 600, // December: 1200
      '2027-01-02': 400, // Jan 1..10: 400 × 31/10 = 1240
    };
    const r = run(
      { metricType: 'duration', agg: 'sum', per: 'month', target: '>= 20:00' },
      values,
      '2026-11-15..2027-01-10',
      '2027-01-20',
    );
    // (1125 × 16 + 1200 × 31 + 1240 × 10) / 57 = 67600 / 57 = 1185.96
    expect(r.value).toBeCloseTo(1185.96, 2);
    expect(r.buckets?.map((b) => [b.value, b.partial])).toEqual([
      [1125, true],
      [1200, false],
      [1240, true],
    ]);
    expect(r.status).toBe('ended_missed');
  });
});

describe('other aggregations end to end', () => {
  it('share of yes days: 3 of 4 against 80% is at risk', () => {
    const values = { '2026-11-01': 1, '2026-11-02': 0, '2026-11-03': 1, '2026-11-05': 1 };
    const r = run({ metricType: 'boolean', agg: 'avg', target: '80%' }, values, '2026-11', '2026-11-05');
    expect(r).toMatchObject({ kind: 'fraction', value: 0.75, status: 'at_risk', percent: 93.75 });
  });

  it('count of journal entries ignores blank ones and paces like a sum', () => {
    const values = { '2026-11-01': 'a', '2026-11-02': '', '2026-11-04': 'b', '2026-11-10': 'c' };
    const r = run({ metricType: 'text', agg: 'count', target: '>= 20' }, values, '2026-11', '2026-11-10');
    // Pace: 20 × 9/30 = 6; 3 is 3 behind, more than 2 (10% of 20) → off track.
    expect(r).toMatchObject({ value: 3, expected: 6, status: 'off_track', daysWithData: 3, percent: 15 });
  });

  it('a days target above the days in the period says so', () => {
    const r = run({ metricType: 'number', agg: 'days', where: '>= 1', target: '40' }, {}, '2026-11', '2026-11-05');
    expect(r.note).toBe('the target is more than the 30 days in the period');
  });

  it('a level key result with no data yet is not started and says so', () => {
    const r = run({ metricType: 'number', agg: 'avg', target: '>= 5' }, {}, '2026-11', '2026-11-05');
    expect(r).toMatchObject({ status: 'not_started', met: false, daysElapsed: 5, note: 'no data yet' });
    expect(r.value).toBeUndefined();
    const ended = run({ metricType: 'number', agg: 'avg', target: '>= 5' }, {}, '2026-11', '2026-12-05');
    expect(ended).toMatchObject({ status: 'ended_missed', note: 'no data in the period' });
  });

  it('a lower-is-better level without a baseline: percent is target / value', () => {
    // Resting heart rate <= 60: 66 is 6 over, within the tolerance of 6 (10% of 60): at risk.
    const r = run({ metricType: 'number', agg: 'avg', target: '<= 60' }, { '2026-11-01': 66 }, '2026-11', '2026-11-01');
    expect(r.percent).toBeCloseTo(90.909, 2); // 60 / 66
    expect(r.status).toBe('at_risk');
    // 67 is 7 over: off track.
    const worse = run(
      { metricType: 'number', agg: 'avg', target: '<= 60' },
      { '2026-11-01': 67 },
      '2026-11',
      '2026-11-01',
    );
    expect(worse.percent).toBeCloseTo(89.552, 2); // 60 / 67
    expect(worse.status).toBe('off_track');
  });
});

describe('key result invariants (property)', () => {
  it('never throws and keeps its counters consistent', () => {
    const dates = eachDate('2026-09-20', '2027-01-15');
    const valuesArb = fc.dictionary(fc.constantFrom(...dates), fc.integer({ min: 0, max: 20000 }), { maxKeys: 80 });
    const inputs: KeyResultInput[] = [
      { metricType: 'number', agg: 'sum', target: '1000' },
      { metricType: 'number', agg: 'avg', target: '<= 8000', baseline: '12000' },
      { metricType: 'number', agg: 'days', where: '>= 10000', per: 'week', target: '5' },
      { metricType: 'time', agg: 'avg', target: '<= 23:00', baseline: '00:30' },
      { metricType: 'duration', agg: 'max', per: 'month', target: '>= 8:00' },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...inputs),
        valuesArb,
        fc.constantFrom(...dates),
        fc.constantFrom('2026-Q4', '2026-11', '2026-10-15..2026-12-02'),
        (input, raw, today, period) => {
          const values =
            input.metricType === 'time' ? Object.fromEntries(Object.entries(raw).map(([d, v]) => [d, v % 1440])) : raw;
          const r = run(input, values, period, today);
          expect(r.daysWithData).toBeLessThanOrEqual(r.daysElapsed);
          expect(r.daysElapsed).toBeLessThanOrEqual(r.daysInPeriod);
          if (r.percent !== undefined) expect(r.percent).toBeGreaterThanOrEqual(0);
          const p = parsePeriod(period);
          if (today > p.to) expect(r.status).toMatch(/^ended_/);
          if (today < p.from) expect(r.status).toBe('not_started');
          if (r.status === 'on_track' && !input.per && input.agg !== 'sum') expect(r.met).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
    console.log('computeKeyResult invariants: 500 cases');
  });
});

describe('renderProgressBar', () => {
  it.each<[number | undefined, number, string]>([
    [0.5, 10, '█████░░░░░'],
    [0, 4, '░░░░'],
    [1, 4, '████'],
    [1.2, 4, '████'],
    [-0.5, 4, '░░░░'],
    [undefined, 3, '░░░'],
    [Number.NaN, 3, '░░░'],
    [0.99, 10, '█████████░'],
    [0.57, 100, `${'█'.repeat(57)}${'░'.repeat(43)}`],
    [0.5, 0, ''],
  ])('%d over %d cells', (fraction, width, bar) => {
    expect(renderProgressBar(fraction, width)).toBe(bar);
  });
});

describe('percent and pace as printed', () => {
  it.each<[number | undefined, string]>([
    [undefined, '–'],
    [0.4, '0%'],
    [64.9, '65%'],
    [99.4, '99%'],
    [99.5, '99%'],
    [99.96, '99%'],
    [100, '100%'],
    [103.6, '104%'],
  ])('%d%% prints as %s', (p, text) => {
    expect(formatPercent(p)).toBe(text);
  });

  it('a key result short of its target never reads 100%, in the text and in the JSON', () => {
    // (450 + 449) / 2 = 449.5 minutes for >= 7:30 (450): 99.9%, not met.
    const r = run(
      { metricType: 'duration', agg: 'avg', target: '>= 7:30' },
      { '2026-11-01': 450, '2026-11-02': 449 },
      '2026-11',
      '2026-11-03',
    );
    expect(r.met).toBe(false);
    expect(r.percent).toBeGreaterThan(99.5);
    expect(progressJson(r)).toMatchObject({ percent: 99.9, percentText: '99%' });
  });

  it('the pace of a large whole target is whole; a small target keeps its tenth', () => {
    // 800,000 x 2 finished days / 30 = 53,333.3; 12 x 2 / 30 = 0.8.
    const steps = run(
      { metricType: 'number', agg: 'sum', target: '>= 800000' },
      { '2026-11-01': 9000 },
      '2026-11',
      '2026-11-03',
    );
    expect(steps.expected).toBeCloseTo(53_333.33, 1);
    expect(progressJson(steps).expectedText).toBe('53,333');
    const books = run(
      { metricType: 'number', agg: 'sum', target: '>= 12' },
      { '2026-11-01': 1 },
      '2026-11',
      '2026-11-03',
    );
    expect(progressJson(books).expectedText).toBe('0.8');
  });
});
