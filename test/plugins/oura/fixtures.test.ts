/**
 * Every sample in test/fixtures/oura/ goes through the plugin's real code path (request → status,
 * content-type and JSON checks → zod → mapping, or → error mapping), with the expected values
 * worked out by hand from the sample. The trap cases (several periods a day, null scores, a day
 * outside the range, offsets per record, seconds) are built from the samples' own documents.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/errors.js';
import { ouraPlugin } from '../../../src/plugins/oura/plugin.js';
import { parseLocalTimestamp } from '../../../src/plugins/oura/schemas.js';
import type { Canned } from '../../helpers/recording-runtime.js';
import { rejection } from '../../helpers/recording-runtime.js';
import { cannedRuntime, DUMMY_CREDENTIALS, ouraFixtures, pageBody, sampleSleep } from './helpers.js';

const covered = new Set<string>();
const use = (name: string) => {
  covered.add(name);
  return name;
};

const SLEEP_FIELDS = ['sleepLength', 'bedTime', 'wakeUpTime', 'hrv', 'lowestHeartRate'];

/** fetchData for one range and field set, every API call answered by `route`. */
async function fetchWith(route: Canned | ((url: URL) => Canned), from: string, to: string, fields: string[]) {
  const rt = cannedRuntime((url) => (typeof route === 'function' ? route(new URL(url)) : route));
  const result = await ouraPlugin.fetchData(rt, DUMMY_CREDENTIALS, from, to, fields);
  return { ...result, calls: rt.calls.map((c) => new URL(c.url)) };
}

async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  const err = await rejection(fn);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const hm = (h: number, m: number) => h * 60 + m;
type Json = Record<string, unknown>;
const sleeps = (docs: Json[]): Canned => ({ body: pageBody(docs) });

describe('daily summaries', () => {
  it('daily_readiness (go_oura): score 63 and a 0.2 °C deviation on 2024-01-01', async () => {
    const r = await fetchWith({ fixture: use('daily_readiness.go_oura.json') }, '2024-01-01', '2024-01-01', [
      'readiness',
      'temperatureDeviation',
    ]);
    expect(r.records).toEqual([{ date: '2024-01-01', fields: { readiness: 63, temperatureDeviation: 0.2 } }]);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.pathname).toBe('/v2/usercollection/daily_readiness');
    // end_date one day late: inclusive or exclusive, the answer holds 2024-01-01.
    expect(Object.fromEntries(r.calls[0]!.searchParams)).toEqual({ start_date: '2024-01-01', end_date: '2024-01-02' });
  });

  it('daily_sleep (go_oura): score 83 on 2024-01-07', async () => {
    const r = await fetchWith({ fixture: use('daily_sleep.go_oura.json') }, '2024-01-01', '2024-01-07', ['sleepScore']);
    expect(r.records).toEqual([{ date: '2024-01-07', fields: { sleepScore: 83 } }]);
    expect(r.calls.map((u) => u.pathname)).toEqual(['/v2/usercollection/daily_sleep']);
    expect(r.calls[0]!.searchParams.get('end_date')).toBe('2024-01-08');
  });

  it('daily_activity (go_oura): score 96, 5797 steps, 286 kcal on 2024-01-01', async () => {
    const r = await fetchWith({ fixture: use('daily_activity.go_oura.json') }, '2024-01-01', '2024-01-01', [
      'activityScore',
      'steps',
      'activeCalories',
    ]);
    expect(r.records).toEqual([
      { date: '2024-01-01', fields: { activityScore: 96, steps: 5797, activeCalories: 286 } },
    ]);
  });

  it('daily_activity (python-ouraring): score 82, 18430 steps, 1222 kcal on 2021-11-26', async () => {
    const r = await fetchWith({ fixture: use('daily_activity.python_ouraring.json') }, '2021-11-20', '2021-11-26', [
      'steps',
      'activeCalories',
      'activityScore',
    ]);
    expect(r.records).toEqual([
      { date: '2021-11-26', fields: { steps: 18430, activeCalories: 1222, activityScore: 82 } },
    ]);
  });

  it('only the collections the fields need are called, each once for the whole range', async () => {
    const r = await fetchWith({ body: pageBody([]) }, '2022-01-01', '2023-12-31', [
      'steps',
      'readiness',
      'sleepScore',
      'bedTime',
    ]);
    expect(r.records).toEqual([]);
    expect(r.calls.map((u) => u.pathname).sort()).toEqual([
      '/v2/usercollection/daily_activity',
      '/v2/usercollection/daily_readiness',
      '/v2/usercollection/daily_sleep',
      '/v2/usercollection/sleep',
    ]);
    for (const u of r.calls) {
      // sleep starts a day early (a night may be selected by its start), every list ends a day late.
      expect(u.searchParams.get('start_date')).toBe(u.pathname.endsWith('/sleep') ? '2021-12-31' : '2022-01-01');
      expect(u.searchParams.get('end_date')).toBe('2024-01-01');
    }
  });
});

/** The sleep sample on the first page; its placeholder `next_token` answered with an empty last page. */
const sampleThenEnd = (u: URL): Canned =>
  u.searchParams.get('next_token') === 'your-token' ? { body: pageBody([]) } : { fixture: 'sleep.go_oura.json' };

/** The sample's document with some keys changed. */
const sleepLike = (over: Json): Json => ({ ...sampleSleep(), ...over });

/** The values the sample's long sleep gives (see the first sleep test). */
const SAMPLE_VALUES = { sleepLength: 349, bedTime: hm(1, 28), wakeUpTime: hm(9, 8), hrv: 17, lowestHeartRate: 64 };

describe('sleep periods', () => {
  it('sleep (go_oura): 349 min asleep (20940 s), in bed 01:28–09:08 at -05:00, HRV 17 ms, lowest 64 bpm', async () => {
    use('sleep.go_oura.json');
    const r = await fetchWith(sampleThenEnd, '2024-01-21', '2024-01-21', SLEEP_FIELDS);
    expect(r.records).toEqual([{ date: '2024-01-21', fields: SAMPLE_VALUES }]);
    // The placeholder token was followed once, exactly as sent.
    expect(r.calls.map((u) => u.searchParams.get('next_token'))).toEqual([null, 'your-token']);
    expect(r.calls[1]!.searchParams.get('start_date')).toBe('2024-01-20');
    expect(r.calls[1]!.searchParams.get('end_date')).toBe('2024-01-22');
  });

  it('a placeholder next_token answered with the same page again is refused as a loop, not followed forever', async () => {
    const err = await providerError(() =>
      fetchWith({ fixture: 'sleep.go_oura.json' }, '2024-01-21', '2024-01-21', SLEEP_FIELDS),
    );
    expect(err.category).toBe('bad_response');
    expect(err.message).toContain('the same page token came back twice');
  });

  it("pages are followed with the real token shape (heartrate sample's next_token) until next_token is null", async () => {
    const token = ouraFixtures.json<{ next_token: string }>(use('heartrate.go_oura.json')).next_token;
    const nap = sleepLike({ type: 'late_nap', day: '2024-01-20' });
    const night = sleepLike({
      day: '2024-01-20',
      bedtime_start: '2024-01-19T23:40:00-05:00',
      bedtime_end: '2024-01-20T07:10:00-05:00',
      total_sleep_duration: 24000,
    });
    const r = await fetchWith(
      (u) =>
        u.searchParams.get('next_token') === token
          ? { body: pageBody([sampleSleep()]) }
          : { body: pageBody([night, nap], token) },
      '2024-01-20',
      '2024-01-21',
      ['sleepLength', 'bedTime'],
    );
    expect(r.calls).toHaveLength(2);
    expect(r.calls[1]!.searchParams.get('next_token')).toBe(token);
    expect(r.records).toEqual([
      { date: '2024-01-20', fields: { sleepLength: 400, bedTime: hm(23, 40) } },
      { date: '2024-01-21', fields: { sleepLength: 349, bedTime: hm(1, 28) } },
    ]);
  });

  it('long_sleep + late_nap + rest + deleted on one day: only the long sleep counts', async () => {
    const day = '2024-01-21';
    const docs = [
      sleepLike({
        type: 'late_nap',
        bedtime_start: '2024-01-21T14:00:00-05:00',
        bedtime_end: '2024-01-21T14:40:00-05:00',
        total_sleep_duration: 2100,
        average_hrv: 40,
        lowest_heart_rate: 55,
      }),
      // Rest mode can last all day, longer in bed than the night: still not the main sleep.
      sleepLike({
        type: 'rest',
        bedtime_start: '2024-01-21T11:00:00-05:00',
        bedtime_end: '2024-01-21T21:30:00-05:00',
        total_sleep_duration: 3000,
      }),
      // Longer than the long sleep, but deleted by the user: never the main sleep.
      sleepLike({
        type: 'deleted',
        bedtime_start: '2024-01-20T22:00:00-05:00',
        bedtime_end: '2024-01-21T10:00:00-05:00',
        total_sleep_duration: 36000,
      }),
      sampleSleep(),
    ];
    const r = await fetchWith(sleeps(docs), day, day, SLEEP_FIELDS);
    expect(r.records).toEqual([{ date: day, fields: SAMPLE_VALUES }]);
  });

  it('a day with only a nap, a short "sleep" period and rest has no sleep values at all', async () => {
    const docs = [
      sleepLike({ type: 'late_nap' }),
      sleepLike({ type: 'sleep' }),
      sleepLike({ type: 'rest' }),
      sleepLike({ type: 'something_new' }),
    ];
    const r = await fetchWith(sleeps(docs), '2024-01-21', '2024-01-21', SLEEP_FIELDS);
    expect(r.records).toEqual([]);
  });

  it('two long sleeps on one day: the longest in bed wins, in either order', async () => {
    // 22:10–01:05 (2 h 55 min in bed) against the sample's 01:28–09:08 (7 h 40 min).
    const short = sleepLike({
      bedtime_start: '2024-01-20T22:10:00-05:00',
      bedtime_end: '2024-01-21T01:05:00-05:00',
      total_sleep_duration: 9000,
      average_hrv: 30,
      lowest_heart_rate: 60,
    });
    for (const docs of [
      [short, sampleSleep()],
      [sampleSleep(), short],
    ]) {
      const r = await fetchWith(sleeps(docs), '2024-01-21', '2024-01-21', SLEEP_FIELDS);
      expect(r.records).toEqual([{ date: '2024-01-21', fields: SAMPLE_VALUES }]);
    }
    // 21:30–06:45 (9 h 15 min) is longer than the sample: its own values are taken.
    const long = sleepLike({
      bedtime_start: '2024-01-20T21:30:00-05:00',
      bedtime_end: '2024-01-21T06:45:00-05:00',
      total_sleep_duration: 30000,
      average_hrv: 25,
      lowest_heart_rate: 58,
    });
    const r = await fetchWith(sleeps([sampleSleep(), long]), '2024-01-21', '2024-01-21', SLEEP_FIELDS);
    expect(r.records).toEqual([
      {
        date: '2024-01-21',
        fields: { sleepLength: 500, bedTime: hm(21, 30), wakeUpTime: hm(6, 45), hrv: 25, lowestHeartRate: 58 },
      },
    ]);
  });

  it("bed and wake-up times come from each record's own offset (travel, and a DST night)", async () => {
    const docs = [
      // At home in New York (-05:00).
      sleepLike({
        day: '2024-03-01',
        bedtime_start: '2024-02-29T23:15:00-05:00',
        bedtime_end: '2024-03-01T06:50:00-05:00',
      }),
      // Next night in Berlin (+01:00): 22:40–07:05 there, not converted to New York time.
      sleepLike({
        day: '2024-03-02',
        bedtime_start: '2024-03-01T22:40:00+01:00',
        bedtime_end: '2024-03-02T07:05:00+01:00',
      }),
      // Back home over the spring-forward night: in bed at -05:00, up at -04:00.
      sleepLike({
        day: '2024-03-10',
        bedtime_start: '2024-03-09T23:30:00-05:00',
        bedtime_end: '2024-03-10T07:45:00-04:00',
      }),
      // Milliseconds and a Z offset are read too.
      sleepLike({
        day: '2024-03-11',
        bedtime_start: '2024-03-11T03:10:59.999Z',
        bedtime_end: '2024-03-11T11:00:00.000Z',
      }),
    ];
    const r = await fetchWith(sleeps(docs), '2024-03-01', '2024-03-11', ['bedTime', 'wakeUpTime']);
    expect(r.records).toEqual([
      { date: '2024-03-01', fields: { bedTime: hm(23, 15), wakeUpTime: hm(6, 50) } },
      { date: '2024-03-02', fields: { bedTime: hm(22, 40), wakeUpTime: hm(7, 5) } },
      { date: '2024-03-10', fields: { bedTime: hm(23, 30), wakeUpTime: hm(7, 45) } },
      { date: '2024-03-11', fields: { bedTime: hm(3, 10), wakeUpTime: hm(11, 0) } },
    ]);
  });

  it("the day is Oura's `day`, not the date of a timestamp", async () => {
    // A night that starts and ends on the 20th (UTC and local) but that Oura filed under the 21st.
    const doc = sleepLike({
      day: '2024-01-21',
      bedtime_start: '2024-01-20T01:00:00-05:00',
      bedtime_end: '2024-01-20T08:00:00-05:00',
    });
    const r = await fetchWith(sleeps([doc]), '2024-01-20', '2024-01-21', ['bedTime']);
    expect(r.records).toEqual([{ date: '2024-01-21', fields: { bedTime: hm(1, 0) } }]);
  });

  it('seconds become whole minutes, rounded: 25230 s → 421, 29 s → 0; a null duration gives no sleepLength', async () => {
    const docs = [
      sleepLike({ day: '2024-01-19', total_sleep_duration: 25230 }),
      sleepLike({ day: '2024-01-20', total_sleep_duration: 29 }),
      sleepLike({ day: '2024-01-21', total_sleep_duration: null, average_hrv: null, lowest_heart_rate: null }),
    ];
    const r = await fetchWith(sleeps(docs), '2024-01-19', '2024-01-21', SLEEP_FIELDS);
    expect(r.records).toEqual([
      { date: '2024-01-19', fields: { ...SAMPLE_VALUES, sleepLength: 421 } },
      { date: '2024-01-20', fields: { ...SAMPLE_VALUES, sleepLength: 0 } },
      { date: '2024-01-21', fields: { bedTime: hm(1, 28), wakeUpTime: hm(9, 8) } },
    ]);
  });

  it('a period that ends before it starts (as in the python-ouraring workout sample) is refused', async () => {
    const w = ouraFixtures.json<{ data: Json[] }>(use('workout.python_ouraring.json')).data[0]!;
    const doc = sleepLike({ bedtime_start: w.start_datetime, bedtime_end: w.end_datetime, day: w.day });
    const err = await providerError(() => fetchWith(sleeps([doc]), '2021-01-01', '2021-01-01', ['bedTime']));
    expect(err.category).toBe('bad_response');
    expect(err.message).toContain('data.0.bedtime_end: bedtime_end is before bedtime_start');
  });
});

describe('null scores, missing days and the range', () => {
  it('a null score is no value, never zero; the other values of that day stay', async () => {
    const readiness = ouraFixtures.json<{ data: Json[] }>('daily_readiness.go_oura.json').data[0]!;
    const body = pageBody([
      { ...readiness, day: '2024-01-01', score: null },
      { ...readiness, day: '2024-01-02', score: null, temperature_deviation: null },
      { ...readiness, day: '2024-01-03' },
    ]);
    const r = await fetchWith({ body }, '2024-01-01', '2024-01-05', ['readiness', 'temperatureDeviation']);
    // The 2nd has nothing left, the 4th and 5th had no document: no records for them.
    expect(r.records).toEqual([
      { date: '2024-01-01', fields: { temperatureDeviation: 0.2 } },
      { date: '2024-01-03', fields: { readiness: 63, temperatureDeviation: 0.2 } },
    ]);
  });

  it("an impossible temperature deviation does not fail the page: it is mapped, for the sync's shared rule to refuse", async () => {
    const readiness = ouraFixtures.json<{ data: Json[] }>('daily_readiness.go_oura.json').data[0]!;
    const body = pageBody([
      { ...readiness, day: '2024-01-01', temperature_deviation: 25 },
      { ...readiness, day: '2024-01-02' },
    ]);
    const r = await fetchWith({ body }, '2024-01-01', '2024-01-02', ['readiness', 'temperatureDeviation']);
    expect(r.records).toEqual([
      { date: '2024-01-01', fields: { readiness: 63, temperatureDeviation: 25 } },
      { date: '2024-01-02', fields: { readiness: 63, temperatureDeviation: 0.2 } },
    ]);
  });

  it('documents outside the asked range (the extra end day, an earlier day) are dropped', async () => {
    const daily = ouraFixtures.json<{ data: Json[] }>('daily_sleep.go_oura.json').data[0]!;
    const body = pageBody([
      { ...daily, day: '2024-01-06', score: 70 },
      { ...daily, day: '2024-01-07', score: 83 },
      { ...daily, day: '2024-01-08', score: 90 },
    ]);
    const r = await fetchWith({ body }, '2024-01-07', '2024-01-07', ['sleepScore']);
    expect(r.records).toEqual([{ date: '2024-01-07', fields: { sleepScore: 83 } }]);
    // The sleep list is asked from the day before; a night filed under it is dropped too.
    const s = await fetchWith(sleeps([sleepLike({ day: '2024-01-20' }), sampleSleep()]), '2024-01-21', '2024-01-21', [
      'hrv',
    ]);
    expect(s.records).toEqual([{ date: '2024-01-21', fields: { hrv: 17 } }]);
  });

  it('only the fields asked for are returned, though a collection carries more', async () => {
    const r = await fetchWith({ fixture: 'daily_activity.go_oura.json' }, '2024-01-01', '2024-01-01', ['steps']);
    expect(r.records).toEqual([{ date: '2024-01-01', fields: { steps: 5797 } }]);
  });

  it('a score out of 0–100 or negative steps is a bad response, not data', async () => {
    const activity = ouraFixtures.json<{ data: Json[] }>('daily_activity.go_oura.json').data[0]!;
    for (const [over, path] of [
      [{ score: 101 }, 'data.0.score'],
      [{ steps: -5 }, 'data.0.steps'],
      [{ steps: 10.5 }, 'data.0.steps'],
      [{ day: '2024-02-30' }, 'data.0.day'],
    ] as const) {
      const err = await providerError(() =>
        fetchWith({ body: pageBody([{ ...activity, ...over }]) }, '2024-01-01', '2024-01-01', ['steps']),
      );
      expect(err.category).toBe('bad_response');
      expect(err.message).toContain(path);
    }
  });
});

describe('samples of collections okr does not import', () => {
  it('their timestamps read with the same parser: local wall clock and offset as written', () => {
    const workout = ouraFixtures.json<{ data: Json[] }>(use('workout.go_oura.json')).data[0]!;
    expect(parseLocalTimestamp(workout.start_datetime as string)).toMatchObject({
      date: '2024-01-06',
      minutes: hm(9, 14),
      offsetSeconds: -5 * 3600,
    });
    const session = ouraFixtures.json<{ data: Json[] }>(use('session.go_oura.json')).data[0]!;
    expect(parseLocalTimestamp(session.end_datetime as string)).toMatchObject({
      date: '2023-03-13',
      minutes: hm(16, 31),
      offsetSeconds: -4 * 3600,
    });
    const py = ouraFixtures.json<{ data: Json[] }>('workout.python_ouraring.json').data[0]!;
    // Six fractional digits, +00:00.
    expect(parseLocalTimestamp(py.start_datetime as string)).toMatchObject({ minutes: hm(1, 30), offsetSeconds: 0 });
    const hr = ouraFixtures.json<{ data: Json[] }>(use('heartrate.python_ouraring.json')).data[0]!;
    expect(parseLocalTimestamp(hr.timestamp as string)).toMatchObject({ date: '2021-01-01', minutes: hm(1, 2) });
  });

  it.each(['heartrate.go_oura.json', 'session.go_oura.json', 'workout.go_oura.json'])(
    '%s answered to the sleep list is refused as a bad response',
    async (name) => {
      const err = await providerError(() => fetchWith({ fixture: name }, '2024-01-01', '2024-01-31', ['bedTime']));
      expect(err.category).toBe('bad_response');
      expect(err.message).toMatch(/data\.0\.(day|type|bedtime_start)/);
    },
  );

  it.each(['daily_spo2.go_oura.json', 'daily_stress.go_oura.json', 'sleep_time.go_oura.json'])(
    '%s answered to daily_readiness gives no values (never zeros)',
    async (name) => {
      use(name);
      const r = await fetchWith(
        (u) => (u.searchParams.has('next_token') ? { body: pageBody([]) } : { fixture: name }),
        '2024-01-01',
        '2024-01-31',
        ['readiness', 'temperatureDeviation'],
      );
      expect(r.records).toEqual([]);
    },
  );
});

describe('coverage', () => {
  afterAll(() => {
    // personal_info is covered by the identity tests in plugin.test.ts.
    const rest = ouraFixtures.list().filter((f) => !covered.has(f) && f !== 'personal_info.go_oura.json');
    expect(rest).toEqual([]);
  });
  it('every sample is used by a test above', () => {
    expect(covered.size).toBeGreaterThan(0);
  });
});
