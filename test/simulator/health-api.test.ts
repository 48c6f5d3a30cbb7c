/** The simulator's Health API: shapes against the real samples, Google's request rules, faults. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/dates.js';
import { noFaults } from '../../src/simulator/faults.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { fixture } from '../fixtures-helpers.js';
import { api, civil, form, rollupBody } from './helpers.js';
import { shapeDiff } from './shape.js';

const NOW = new Date('2026-11-20T15:30:00Z');
let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, now: NOW });
  token = sim.issueTokens().accessToken;
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.faults, noFaults());
  delete sim.faults.endpoints;
  delete sim.faults.retryAfterSeconds;
  sim.resetStats();
});

type Json = Record<string, unknown>;
const points = (r: { json: Json }, key = 'dataPoints') => (r.json[key] ?? []) as Json[];

const rollup = (type: string, body: unknown) =>
  api(sim, `users/me/dataTypes/${type}/dataPoints:dailyRollUp`, { token, body });
const list = (type: string, query: Record<string, string>) =>
  api(sim, `users/me/dataTypes/${type}/dataPoints`, { token, query });
const sleepFilter = (from: string, toExclusive: string) =>
  `sleep.interval.civil_end_time >= "${from}" AND sleep.interval.civil_end_time < "${toExclusive}"`;
const dateOf = (p: Json, member: string) => {
  const d = (p[member] as { date: { year: number; month: number; day: number } }).date;
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
};
const rollupDate = (p: Json) => dateOf(p, 'civilStartTime');

describe('response shapes match the real samples (same keys, same value types)', () => {
  it('steps dailyRollUp', async () => {
    const r = await rollup('steps', rollupBody('2026-09-19', '2026-09-26'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(shapeDiff(fixture('steps_dailyRollUp.ansanloms-measured.json'), r.json)).toEqual([]);
  });

  it('active-zone-minutes dailyRollUp: int64 strings under activeZoneMinutes', async () => {
    const r = await rollup('active-zone-minutes', rollupBody('2026-09-01', '2026-09-30'));
    const template = {
      rollupDataPoints: [
        {
          civilStartTime: { date: { year: 1, month: 1, day: 1 }, time: {} },
          civilEndTime: { date: { year: 1, month: 1, day: 1 }, time: {} },
          activeZoneMinutes: { sumInFatBurnHeartZone: '', sumInCardioHeartZone: '', sumInPeakHeartZone: '' },
        },
      ],
    };
    expect(points(r, 'rollupDataPoints').length).toBeGreaterThan(0);
    expect(shapeDiff(template, r.json)).toEqual([]);
  });

  it('sleep list: main sleeps exactly like the measured point; naps differ only by the nap flag', async () => {
    const r = await list('sleep', { filter: sleepFilter('2026-08-01', '2026-08-21'), pageSize: '25' });
    const sample = fixture<{ dataPoints: Json[] }>('sleep_list.ansanloms-measured.json');
    expect(shapeDiff({ ...sample, dataPoints: [] }, r.json)).toEqual([]);
    const all = points(r);
    const mains = all.filter((p) => (p.sleep as { metadata: Json }).metadata.mainSleep === true);
    const naps = all.filter((p) => (p.sleep as { metadata: Json }).metadata.nap === true);
    expect(mains.length).toBeGreaterThan(15);
    expect(naps.length).toBeGreaterThan(0);
    for (const p of mains) expect(shapeDiff(sample.dataPoints[0], p)).toEqual([]);
    for (const p of naps) {
      expect(
        shapeDiff(sample.dataPoints[0], p, {
          allowExtra: ['sleep.metadata.nap'],
          allowMissing: ['sleep.metadata.mainSleep'],
        }),
      ).toEqual([]);
    }
    const first = mains[0]!.sleep as { interval: Json; summary: Json };
    expect(first.interval.startUtcOffset).toMatch(/^-?\d+s$/);
    expect(first.interval.startTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(first.summary.minutesAsleep).toMatch(/^\d+$/);
    expect(first.interval).not.toHaveProperty('civilStartTime');
  });

  it('daily resting heart rate: like the real point (string bpm, no name)', async () => {
    const r = await list('daily-resting-heart-rate', {
      filter: 'daily_resting_heart_rate.date >= "2026-09-01" AND daily_resting_heart_rate.date < "2026-09-08"',
    });
    const point = fixture('daily_resting_heart_rate_point.tesseta-comment.json');
    expect(points(r).length).toBeGreaterThan(3);
    for (const p of points(r)) expect(shapeDiff(point, p)).toEqual([]);
  });

  it('daily heart rate variability: a double average, an int64 string non-REM rate', async () => {
    const r = await list('daily-heart-rate-variability', {
      filter: 'daily_heart_rate_variability.date >= "2026-09-01" AND daily_heart_rate_variability.date < "2026-09-08"',
    });
    const p = points(r)[0]!.dailyHeartRateVariability as Json;
    expect(typeof p.averageHeartRateVariabilityMilliseconds).toBe('number');
    expect(p.nonRemHeartRateBeatsPerMinute).toMatch(/^\d+$/);
    expect(typeof p.entropy).toBe('number');
  });

  it('identity', async () => {
    const r = await api(sim, 'users/me/identity', { token });
    expect(shapeDiff(fixture('identity.ha-core-synthetic.json'), r.json)).toEqual([]);
    expect(r.json.healthUserId).toMatch(/^[A-Za-z0-9-]{1,63}$/);
  });
});

describe('roll-up rules', () => {
  it('newest first, one window per day, empty days left out, the end exclusive', async () => {
    const from = '2026-06-01';
    const to = '2026-08-30';
    const r = await rollup('steps', rollupBody(from, to));
    const dates = points(r, 'rollupDataPoints').map(rollupDate);
    const expected = sim.data
      .days(from, addDays(to, -1))
      .filter((d) => d.steps !== undefined)
      .map((d) => d.date)
      .reverse();
    expect(dates).toEqual(expected);
    expect(dates).not.toContain(to);
    expect(sim.data.days(from, addDays(to, -1)).some((d) => !d.worn)).toBe(true);
    const p = points(r, 'rollupDataPoints')[0]!;
    expect(p.civilEndTime).toEqual({ ...civil(addDays(rollupDate(p), 1)), time: {} });
    expect((p.steps as Json).countSum).toBe(String(sim.data.day(rollupDate(p))!.steps));
  });

  it('90 days is the limit', async () => {
    expect((await rollup('steps', rollupBody('2026-01-01', '2026-04-01'))).status).toBe(200);
    const r = await rollup('steps', rollupBody('2026-01-01', '2026-04-02'));
    expect(r.status).toBe(400);
    expect((r.json.error as Json).status).toBe('INVALID_ARGUMENT');
    expect((r.json.error as Json).message).toMatch(/90 days/);
  });

  it('refuses an empty or reversed range, a misaligned start, a bad window, and sleep', async () => {
    expect((await rollup('steps', rollupBody('2026-01-02', '2026-01-02'))).status).toBe(400);
    expect((await rollup('steps', rollupBody('2026-01-03', '2026-01-02'))).status).toBe(400);
    const misaligned = {
      range: { start: { ...civil('2026-01-01'), time: { hours: 23, minutes: 59 } }, end: civil('2026-01-03') },
    };
    expect((await rollup('steps', misaligned)).status).toBe(400);
    expect((await rollup('steps', rollupBody('2026-01-01', '2026-01-09', { windowSizeDays: 0 }))).status).toBe(400);
    expect((await rollup('steps', '{"range": {')).status).toBe(400);
    const sleep = await rollup('sleep', rollupBody('2026-01-01', '2026-01-09'));
    expect([sleep.status, (sleep.json.error as Json).message]).toEqual([
      400,
      'DailyRollup is not supported for data type sleep',
    ]);
  });

  it('windowSizeDays sums whole windows and cuts the last one short', async () => {
    const r = await rollup('steps', rollupBody('2026-07-01', '2026-07-18', { windowSizeDays: 7 }));
    const windows = points(r, 'rollupDataPoints');
    expect(windows.map(rollupDate)).toEqual(['2026-07-15', '2026-07-08', '2026-07-01']);
    expect(windows[0]!.civilEndTime).toEqual({ ...civil('2026-07-18'), time: {} });
    const sum = sim.data.days('2026-07-08', '2026-07-14').reduce((n, d) => n + (d.steps ?? 0), 0);
    expect((windows[1]!.steps as Json).countSum).toBe(String(sum));
  });

  it('pages by pageSize; tokens belong to their query', async () => {
    const body = rollupBody('2026-07-01', '2026-08-01', { pageSize: 10 });
    const first = await rollup('steps', body);
    expect(points(first, 'rollupDataPoints')).toHaveLength(10);
    const next = first.json.nextPageToken as string;
    expect(next).toBeTruthy();
    const second = await rollup('steps', { ...body, pageToken: next });
    expect(points(second, 'rollupDataPoints').map(rollupDate)[0]).toBe(
      addDays(points(first, 'rollupDataPoints').map(rollupDate).at(-1)!, -1),
    );
    const foreign = await rollup('steps', {
      ...rollupBody('2026-05-01', '2026-06-01', { pageSize: 10 }),
      pageToken: next,
    });
    expect(foreign.status).toBe(400);
  });

  it('a data type the simulator has no data for answers an empty page; an unknown one is a 400', async () => {
    expect((await rollup('distance', rollupBody('2026-07-01', '2026-07-08'))).json).toEqual({});
    const unknown = await rollup('cardio-load', rollupBody('2026-07-01', '2026-07-08'));
    expect(unknown.status).toBe(400);
    expect((unknown.json.error as Json).status).toBe('INVALID_ARGUMENT');
  });
});

describe('list rules', () => {
  it('sleep: at most 25 per page, newest first by start, every page followed, the last one `{}` or token ""', async () => {
    const filter = sleepFilter('2026-01-01', '2026-04-01');
    const seen: string[] = [];
    const starts: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    let last: Json = {};
    do {
      const r = await list('sleep', { filter, pageSize: '100', ...(pageToken ? { pageToken } : {}) });
      expect(points(r).length).toBeLessThanOrEqual(25);
      for (const p of points(r)) {
        seen.push(p.name as string);
        starts.push(((p.sleep as Json).interval as Json).startTime as string);
      }
      pageToken = r.json.nextPageToken as string | undefined;
      last = r.json;
      pages++;
    } while (pageToken);
    const expected = sim.data.days('2026-01-01', '2026-03-31').flatMap((d) => d.sleeps);
    expect(new Set(seen).size).toBe(expected.length);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(pages).toBe(Math.floor(expected.length / 25) + 1);
    if (expected.length % 25 === 0) expect(last).toEqual({});
    else expect(last.nextPageToken).toBe('');
  });

  it('sleep: filtering on the start is refused exactly as Google does', async () => {
    const r = await list('sleep', {
      filter: 'sleep.interval.civil_start_time >= "2026-09-26" AND sleep.interval.civil_start_time < "2026-09-27"',
    });
    expect(r.status).toBe(400);
    expect(r.json).toEqual(fixture('error_400_invalid_filter_sleep_start.ansanloms-measured.json'));
  });

  it('sleep: civil end time compares local wall time; end_time compares instants', async () => {
    const day = '2026-10-10';
    const civilRange = await list('sleep', { filter: sleepFilter(day, '2026-10-11') });
    const main = sim.data.day(day)!.sleeps.find((s) => s.main)!;
    expect(points(civilRange).map((p) => p.name)).toContain(
      `users/${sim.healthUserId}/dataTypes/sleep/dataPoints/${main.id}`,
    );
    const end = new Date(main.endMs).toISOString();
    const exact = await list('sleep', {
      filter: `sleep.interval.end_time >= "${end}" AND sleep.interval.end_time < "${new Date(main.endMs + 1000).toISOString()}"`,
    });
    expect(points(exact)).toHaveLength(1);
    const none = await list('sleep', { filter: sleepFilter('2030-01-01', '2030-01-02') });
    expect(none.json).toEqual({});
  });

  it('daily types: the date filter is closed-open, newest first, days without a value left out', async () => {
    const r = await list('daily-resting-heart-rate', {
      filter: 'daily_resting_heart_rate.date >= "2026-06-01" AND daily_resting_heart_rate.date < "2026-08-30"',
    });
    const dates = points(r).map((p) => dateOf(p, 'dailyRestingHeartRate'));
    const expected = sim.data
      .days('2026-06-01', '2026-08-29')
      .filter((d) => d.restingHeartRate !== undefined)
      .map((d) => d.date)
      .reverse();
    expect(dates).toEqual(expected);
    expect(dates.length).toBeLessThan(90);
  });

  it('filter members are validated per type; bad syntax and bad values are 400s', async () => {
    const wrongMember = await list('daily-resting-heart-rate', {
      filter: 'steps.interval.civil_start_time >= "2026-06-01"',
    });
    expect([wrongMember.status, ((wrongMember.json.error as Json).details as Json[])[0]!.reason]).toEqual([
      400,
      'INVALID_DATA_POINT_FILTER',
    ]);
    expect((await list('sleep', { filter: 'sleep.interval.civil_end_time = "2026-06-01"' })).status).toBe(400);
    expect((await list('sleep', { filter: sleepFilter('2026-13-01', '2026-06-02') })).status).toBe(400);
    expect((await list('sleep', { filter: sleepFilter('2026-06-01', '2026-06-02'), pageSize: '-1' })).status).toBe(400);
  });
});

describe('authentication', () => {
  it('no Authorization header → 401 CREDENTIALS_MISSING like the sample', async () => {
    const r = await api(sim, 'users/me/identity');
    expect(r.json).toEqual(fixture('error_401_credentials_missing.allenporter-synthetic.json'));
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/"');
  });

  it('a bad token → 401 UNAUTHENTICATED like the measured sample', async () => {
    const r = await api(sim, 'users/me/dataTypes/steps/dataPoints:dailyRollUp', {
      token: 'bad',
      body: rollupBody('2026-07-01', '2026-07-02'),
    });
    expect(r.status).toBe(401);
    expect(r.json).toEqual(fixture('error_401_unauthenticated_bad_token.ansanloms-measured.json'));
  });

  it('users/{healthUserId} works like users/me; an unknown path is Google’s HTML 404', async () => {
    const own = await api(sim, `users/${sim.healthUserId}/dataTypes/daily-resting-heart-rate/dataPoints`, {
      token,
      query: {
        filter: 'daily_resting_heart_rate.date >= "2026-09-01" AND daily_resting_heart_rate.date < "2026-09-03"',
      },
    });
    expect(own.status).toBe(200);
    const missing = await api(sim, 'users/me/nothing-here', { token });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/text\/html/);
    expect(missing.text).toContain('was not found on this server');
  });
});

describe('faults', () => {
  const identity = () => api(sim, 'users/me/identity', { token });

  it('latency delays every response', async () => {
    sim.faults.latencyMs = 120;
    const t = performance.now();
    await identity();
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('429 N times, with or without Retry-After, then normal again', async () => {
    sim.faults.status429 = 2;
    sim.faults.retryAfterSeconds = 5;
    const a = await identity();
    expect([a.status, a.headers.get('retry-after')]).toEqual([429, '5']);
    expect(shapeDiff(fixture('error_429_resource_exhausted.allenporter-synthetic.json'), a.json)).toEqual([]);
    delete sim.faults.retryAfterSeconds;
    const b = await identity();
    expect([b.status, b.headers.get('retry-after')]).toEqual([429, null]);
    expect((await identity()).status).toBe(200);
  });

  it('500 N times, like the measured sample', async () => {
    sim.faults.status500 = 1;
    const r = await identity();
    expect(r.json).toEqual(fixture('error_500_internal.ansanloms-measured.json'));
    expect((await identity()).status).toBe(200);
  });

  it('410 for everything, the token endpoint included', async () => {
    sim.faults.gone = true;
    expect((await identity()).status).toBe(410);
    expect((await form(sim.tokenUrl, { grant_type: 'refresh_token' })).status).toBe(410);
  });

  it('an expired token, account not linked and service disabled', async () => {
    sim.faults.expiredToken = true;
    expect((await identity()).status).toBe(401);
    sim.faults.expiredToken = false;
    sim.faults.accountNotLinked = true;
    expect(
      shapeDiff(fixture('error_400_account_not_linked.allenporter-synthetic.json'), (await identity()).json, {
        allowExtra: ['error.details[].metadata'],
      }),
    ).toEqual([]);
    sim.faults.accountNotLinked = false;
    sim.faults.serviceDisabled = true;
    expect((await identity()).json).toEqual(fixture('error_403_service_disabled.allenporter-synthetic.json'));
  });

  it('truncated JSON, wrong content type, missing field, wrong-typed field', async () => {
    sim.faults.truncatedJson = 1;
    const cut = await identity();
    expect([cut.status, cut.json]).toEqual([200, undefined]);
    sim.faults.wrongContentType = 1;
    expect((await identity()).headers.get('content-type')).toMatch(/^text\/html/);
    sim.faults.missingField = 1;
    expect((await identity()).json).not.toHaveProperty('healthUserId');
    sim.faults.wrongFieldType = 1;
    const steps = await rollup('steps', rollupBody('2026-07-01', '2026-07-08'));
    expect((points(steps, 'rollupDataPoints')[0]!.steps as Json).countSum).toBe(true);
    expect((await identity()).json.healthUserId).toBe(sim.healthUserId);
  });

  it('never-ending pagination repeats one token; `endpoints` limits faults to the named ones', async () => {
    sim.faults.endlessPagination = true;
    sim.faults.endpoints = ['list:sleep'];
    const a = await list('sleep', { filter: sleepFilter('2026-07-01', '2026-07-03') });
    const b = await list('sleep', {
      filter: sleepFilter('2026-07-01', '2026-07-03'),
      pageToken: a.json.nextPageToken as string,
    });
    expect(a.json.nextPageToken).toBeTruthy();
    expect(b.json.nextPageToken).toBe(a.json.nextPageToken);
    const steps = await rollup('steps', rollupBody('2026-07-01', '2026-07-08'));
    expect(steps.json).not.toHaveProperty('nextPageToken');
  });

  it('a rate limit option answers 429 past N requests a minute', async () => {
    const limited = await startSimulator({ now: NOW, rateLimitPerMinute: 3 });
    try {
      const t = limited.issueTokens().accessToken;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await api(limited, 'users/me/identity', { token: t })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('stats count requests per endpoint', async () => {
    await identity();
    await rollup('steps', rollupBody('2026-07-01', '2026-07-08'));
    await list('sleep', { filter: sleepFilter('2026-07-01', '2026-07-03') });
    await form(sim.tokenUrl, { grant_type: 'refresh_token' });
    expect(sim.stats).toEqual({
      identity: 1,
      'dailyRollUp:steps': 1,
      'list:sleep': 1,
      token: 1,
      'token:refresh_token': 1,
      api: 3,
      all: 4,
    });
  });
});
