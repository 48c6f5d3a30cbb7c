/**
 * The fitbit plugin against the simulator over real HTTP on 127.0.0.1: what it asks for, how it
 * chunks and pages, what it imports compared with the simulator's ground truth, and how every
 * injected fault surfaces.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, chunkRange, daysBetween } from '../../../src/dates.js';
import { ProviderError } from '../../../src/errors.js';
import { SLEEP_FIELDS, SLEEP_WINDOW_DAYS } from '../../../src/plugins/fitbit/api.js';
import { fitbitPlugin } from '../../../src/plugins/fitbit/plugin.js';
import type { OAuthCredentials } from '../../../src/plugins/types.js';
import { noFaults } from '../../../src/simulator/faults.js';
import { minutesAsleep, type SimSleep, type Simulator, startSimulator } from '../../../src/simulator/index.js';
import { refreshFitbit, rejection, simulatorRuntime } from './helpers.js';

const NOW = new Date('2026-11-20T15:30:00Z'); // 10:30 in New York
const ALL = fitbitPlugin.getAvailableFields().map((f) => f.id);

let sim: Simulator;
let creds: OAuthCredentials;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, now: NOW });
  creds = sim.issueTokens();
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.faults, noFaults());
  delete sim.faults.endpoints;
  delete sim.faults.retryAfterSeconds;
  sim.resetStats();
});

/** Wall-clock minutes in New York, computed with Intl, independently of the plugin's offsets. */
function nyMinutes(ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return get('hour') * 60 + get('minute');
}

function mainSleep(date: string): SimSleep | undefined {
  return sim.data.day(date)?.sleeps.find((s) => s.main);
}

async function fetchAll(from: string, to: string, fields = ALL, rt = simulatorRuntime(sim)) {
  return { ...(await fitbitPlugin.fetchData(rt, creds, from, to, fields)), calls: rt.calls };
}

async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  const err = await rejection(fn);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('values against the ground truth', () => {
  it('90 days: every value equals the simulated data; days without data have no key', async () => {
    const from = '2026-06-01';
    const to = '2026-08-29';
    const { records } = await fetchAll(from, to);
    const byDate = new Map(records.map((r) => [r.date, r.fields]));
    let unworn = 0;
    let naps = 0;
    for (const day of sim.data.days(from, to)) {
      const f = byDate.get(day.date) ?? {};
      const main = day.sleeps.find((s) => s.main);
      const expected: Record<string, number> = {};
      if (day.steps !== undefined) expected.steps = day.steps;
      if (day.restingHeartRate !== undefined) expected.restingHeartRate = day.restingHeartRate;
      if (day.hrv?.average !== undefined) expected.hrv = day.hrv.average;
      if (day.azm) expected.activeZoneMinutes = day.azm.fatBurn + day.azm.cardio + day.azm.peak;
      if (main) {
        expected.sleepLength = minutesAsleep(main);
        expected.bedTime = nyMinutes(main.startMs);
        expected.wakeUpTime = nyMinutes(main.endMs);
      }
      expect(f, day.date).toEqual(expected);
      if (!day.worn) {
        unworn++;
        expect(byDate.has(day.date), `${day.date} has no data`).toBe(false);
      }
      if (day.sleeps.some((s) => s.nap)) naps++;
    }
    // The range really contains the interesting cases.
    expect(unworn).toBeGreaterThan(0);
    expect(naps).toBeGreaterThan(0);
  });

  it('sleep comes through a field mask: only the parts okr reads, the same values as whole points', async () => {
    const from = '2026-06-01';
    const to = '2026-06-30';
    const sleepFields = ['sleepLength', 'bedTime', 'wakeUpTime'];
    const masked = await fetchAll(from, to, sleepFields);
    const windows = chunkRange(from, to, SLEEP_WINDOW_DAYS).length;
    expect(masked.calls).toHaveLength(windows);
    for (const c of masked.calls) expect(new URL(c.url).searchParams.get('fields')).toBe(SLEEP_FIELDS);
    // Google refusing masks costs a second request per window, never the sync: each window is
    // asked again for whole points, which give the same records.
    sim.faults.refuseFieldMask = true;
    const whole = await fetchAll(from, to, sleepFields);
    expect(whole.calls).toHaveLength(2 * windows);
    expect(whole.calls.filter((c) => new URL(c.url).searchParams.has('fields'))).toHaveLength(windows);
    expect(whole.records).toEqual(masked.records);
    expect(masked.records.length).toBeGreaterThan(20);
  });

  it('DST nights (spring forward and fall back in New York) have the right local times', async () => {
    const { records } = await fetchAll('2026-03-07', '2026-03-09', ['bedTime', 'wakeUpTime']);
    const fall = await fetchAll('2026-10-31', '2026-11-02', ['bedTime', 'wakeUpTime']);
    for (const r of [...records, ...fall.records]) {
      const main = mainSleep(r.date)!;
      expect(r.fields, r.date).toEqual({ bedTime: nyMinutes(main.startMs), wakeUpTime: nyMinutes(main.endMs) });
    }
    const spring = mainSleep('2026-03-08')!;
    expect(spring.startOffset).toBe(-18_000);
    expect(spring.endOffset).toBe(-14_400);
    expect(records.map((r) => r.date)).toContain('2026-03-08');
  });

  it('the last night is not processed yet: its date comes back as provisional', async () => {
    const r = await fetchAll('2026-11-14', '2026-11-20', ['sleepLength']);
    expect(r.provisionalDates).toEqual(['2026-11-20']);
    expect(r.records.at(-1)?.date).toBe('2026-11-20');
  });

  it('the end date is inclusive for the user, exclusive at the API', async () => {
    const day = '2026-10-15';
    const r = await fetchAll(day, day, ['steps', 'wakeUpTime', 'restingHeartRate']);
    expect(r.records.map((x) => x.date)).toEqual([day]);
    const rollup = r.calls.find((c) => c.url.endsWith(':dailyRollUp'))!;
    expect(JSON.parse(rollup.body!).range).toEqual({
      start: { date: { year: 2026, month: 10, day: 15 } },
      end: { date: { year: 2026, month: 10, day: 16 } },
    });
    const filters = r.calls.filter((c) => c.method === 'GET').map((c) => new URL(c.url).searchParams.get('filter'));
    expect(filters.sort()).toEqual([
      'daily_resting_heart_rate.date >= "2026-10-15" AND daily_resting_heart_rate.date < "2026-10-16"',
      'sleep.interval.civil_end_time >= "2026-10-15" AND sleep.interval.civil_end_time < "2026-10-16"',
    ]);
  });

  it('an empty range (start after end) makes no request', async () => {
    const r = await fetchAll('2026-10-16', '2026-10-15');
    expect(r).toEqual({ records: [], provisionalDates: [], calls: [] });
  });
});

describe('requests', () => {
  it('only the data types the requested fields need, all in parallel, one call each for ≤ 90 days', async () => {
    const only = async (fields: string[]) => {
      sim.resetStats();
      await fetchAll('2026-10-01', '2026-10-05', fields);
      const { api, all, ...rest } = sim.stats;
      return rest;
    };
    expect(await only(['steps'])).toEqual({ 'dailyRollUp:steps': 1 });
    expect(await only(['bedTime', 'wakeUpTime', 'sleepLength'])).toEqual({ 'list:sleep': 1 });
    expect(await only(['restingHeartRate', 'hrv'])).toEqual({
      'list:daily-resting-heart-rate': 1,
      'list:daily-heart-rate-variability': 1,
    });
    expect(await only(['activeZoneMinutes'])).toEqual({ 'dailyRollUp:active-zone-minutes': 1 });
    expect(await only(['cardioLoad', 'fitbitReadiness', 'noSuchField'])).toEqual({});
    expect(await only(ALL)).toEqual({
      'dailyRollUp:steps': 1,
      'dailyRollUp:active-zone-minutes': 1,
      'list:sleep': 1,
      'list:daily-resting-heart-rate': 1,
      'list:daily-heart-rate-variability': 1,
    });
  });

  it('more than 90 days: roll-ups in consecutive 90-day windows, sleep in 21-day windows with their pages followed', async () => {
    const from = '2026-01-01';
    const to = '2026-07-19'; // 200 days
    const r = await fetchAll(from, to, ['steps', 'sleepLength']);
    expect(sim.stats['dailyRollUp:steps']).toBe(3);
    const ranges = r.calls.filter((c) => c.url.endsWith(':dailyRollUp')).map((c) => JSON.parse(c.body!).range);
    // The windows go out at once; their order on the wire is not fixed.
    const start = (x: { start: { date: { month: number; day: number } } }) =>
      x.start.date.month * 100 + x.start.date.day;
    ranges.sort((a, b) => start(a) - start(b));
    expect(ranges).toEqual([
      { start: { date: { year: 2026, month: 1, day: 1 } }, end: { date: { year: 2026, month: 4, day: 1 } } },
      { start: { date: { year: 2026, month: 4, day: 1 } }, end: { date: { year: 2026, month: 6, day: 30 } } },
      { start: { date: { year: 2026, month: 6, day: 30 } }, end: { date: { year: 2026, month: 7, day: 20 } } },
    ]);
    // Sleep: a list per 21-day window of wake-up dates (10 for 200 days), 25 per page; a full
    // last page is followed by an empty `{}` page.
    const windows = chunkRange(from, to, 21);
    expect(windows).toHaveLength(10);
    const pages = windows.map((w) => Math.floor(sim.data.days(w.from, w.to).flatMap((d) => d.sleeps).length / 25) + 1);
    expect(sim.stats['list:sleep']).toBe(pages.reduce((a, b) => a + b, 0));
    const filters = r.calls
      .filter((c) => c.url.includes('/sleep/'))
      .map((c) => new URL(c.url).searchParams.get('filter'));
    for (const w of windows) {
      expect(filters).toContain(
        `sleep.interval.civil_end_time >= "${w.from}" AND sleep.interval.civil_end_time < "${addDays(w.to, 1)}"`,
      );
    }
    const dates = r.records.map((x) => x.date);
    expect(dates[0]).toBe(from);
    expect(dates.at(-1)).toBe(to);
    expect(r.records.filter((x) => x.fields.sleepLength !== undefined)).toHaveLength(
      sim.data.days(from, to).filter((d) => d.sleeps.some((s) => s.main)).length,
    );
    for (const c of r.calls.filter((x) => x.url.includes('/sleep/'))) {
      expect(new URL(c.url).searchParams.get('pageSize')).toBe('25');
    }
  });

  it('every request carries the runtime signal', async () => {
    const rt = simulatorRuntime(sim, { signal: new AbortController().signal });
    await fetchAll('2026-10-01', '2026-10-03', ALL, rt);
    expect(rt.calls.length).toBe(5);
    for (const c of rt.calls) expect(c.signal).toBe(rt.signal);
  });

  it('an abort stops the fetch and surfaces as an abort, not as a provider error', async () => {
    sim.faults.latencyMs = 2000;
    const ac = new AbortController();
    const rt = simulatorRuntime(sim, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await rejection(() => fitbitPlugin.fetchData(rt, creds, '2026-10-01', '2026-10-03', ['steps']));
    expect(err).not.toBeInstanceOf(ProviderError);
    expect((err as Error).name).toBe('AbortError');
  });
});

describe('faults → categories', () => {
  const fetchSteps = () => fetchAll('2026-10-01', '2026-10-03', ['steps', 'sleepLength']);

  it('429 with Retry-After → rate_limited with the delay; without → no delay', async () => {
    sim.faults.status429 = 1;
    sim.faults.retryAfterSeconds = 3;
    const a = await providerError(fetchSteps);
    expect([a.category, a.status, a.retryAfterMs, a.retryable]).toEqual(['rate_limited', 429, 3000, true]);
    delete sim.faults.retryAfterSeconds;
    sim.faults.status429 = 1;
    const b = await providerError(fetchSteps);
    expect([b.category, b.retryAfterMs]).toEqual(['rate_limited', undefined]);
  });

  it('500 → transient; 410 → retired', async () => {
    sim.faults.status500 = 1;
    expect((await providerError(fetchSteps)).category).toBe('transient');
    sim.faults.status500 = 0;
    sim.faults.gone = true;
    const gone = await providerError(fetchSteps);
    expect([gone.category, gone.status]).toEqual(['retired', 410]);
  });

  it('an expired token → reauth with status 401 (the engine refreshes once, then asks to reconnect)', async () => {
    sim.faults.expiredToken = true;
    const err = await providerError(fetchSteps);
    expect([err.category, err.status, err.exitCode]).toEqual(['reauth', 401, 3]);
  });

  it('an unreachable API → transient', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const rt = simulatorRuntime(sim, { config: { 'plugin.fitbit.api_base_url': `http://127.0.0.1:${port}/v4` } });
    const err = await providerError(() => fitbitPlugin.validateCredentials(rt, creds));
    expect(err.category).toBe('transient');
    expect(err.message).toMatch(/Could not reach Google Health API/);
  });

  it.each([
    ['truncatedJson', /invalid or cut short/],
    ['wrongContentType', /expected JSON, got content type "text\/html/],
    ['missingField', /civilStartTime|interval/],
    ['wrongFieldType', /countSum|startTime/],
  ] as const)('%s → bad_response', async (fault, message) => {
    sim.faults[fault] = 1;
    const err = await providerError(fetchSteps);
    expect(err.category).toBe('bad_response');
    expect(err.message).toMatch(message);
  });

  it('never-ending pagination (the same token again) → bad_response after two pages, not a loop', async () => {
    sim.faults.endlessPagination = true;
    sim.faults.endpoints = ['list:sleep'];
    const err = await providerError(() => fetchAll('2026-10-01', '2026-10-03', ['sleepLength']));
    expect(err.category).toBe('bad_response');
    expect(err.message).toMatch(/same page token came back twice/);
    expect(sim.stats['list:sleep']).toBe(2);
  });

  it('account not linked, API disabled, missing scope', async () => {
    sim.faults.accountNotLinked = true;
    expect((await providerError(fetchSteps)).category).toBe('account');
    sim.faults.accountNotLinked = false;
    sim.faults.serviceDisabled = true;
    const disabled = await providerError(fetchSteps);
    expect(disabled.category).toBe('setup');
    expect(disabled.hint).toContain('https://console.developers.google.com/apis/api/health.googleapis.com/overview');
    sim.faults.serviceDisabled = false;
    const activityOnly = sim.issueTokens([
      'https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly',
    ]);
    const rt = simulatorRuntime(sim);
    await expect(fitbitPlugin.fetchData(rt, activityOnly, '2026-10-01', '2026-10-02', ['steps'])).resolves.toBeTruthy();
    const scope = await providerError(() =>
      fitbitPlugin.fetchData(rt, activityOnly, '2026-10-01', '2026-10-02', ['bedTime']),
    );
    expect(scope.category).toBe('scope');
  });
});

describe('validateCredentials, and the platform refresh with the fitbit declarations', () => {
  it('validateCredentials returns the healthUserId', async () => {
    await expect(fitbitPlugin.validateCredentials(simulatorRuntime(sim), creds)).resolves.toEqual({
      accountId: sim.healthUserId,
    });
  });

  it('refresh: a new working access token, the same refresh token; the old access token keeps its expiry', async () => {
    const mine = sim.issueTokens();
    const rt = simulatorRuntime(sim);
    const next = await refreshFitbit(rt, mine);
    expect(next.accessToken).not.toBe(mine.accessToken);
    expect(next.refreshToken).toBe(mine.refreshToken);
    expect(next.expiresAt! - next.obtainedAt).toBe(3599 * 1000);
    sim.expireAccessTokens();
    await expect(fitbitPlugin.validateCredentials(rt, next)).rejects.toMatchObject({ category: 'reauth', status: 401 });
    const again = await refreshFitbit(rt, next);
    await expect(fitbitPlugin.validateCredentials(rt, again)).resolves.toEqual({ accountId: sim.healthUserId });
  });

  it('revoked → invalid_grant → reauth; wrong client secret → client', async () => {
    const mine = sim.issueTokens();
    const wrongSecret = simulatorRuntime(sim, { config: { 'plugin.fitbit.client_secret': 'nope' } });
    const client = await providerError(() => refreshFitbit(wrongSecret, mine));
    expect([client.category, client.reason]).toEqual(['client', 'invalid_client']);
    sim.revokeAll();
    const err = await providerError(() => refreshFitbit(simulatorRuntime(sim), mine));
    expect([err.category, err.reason]).toEqual(['reauth', 'invalid_grant']);
    expect(err.message).toContain('Token has been expired or revoked.');
    creds = sim.issueTokens(); // the shared token was revoked too
  });

  it('a token endpoint that cannot be reached: a transient error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const rt = simulatorRuntime(sim, { config: { 'plugin.fitbit.token_url': `http://127.0.0.1:${port}/token` } });
    const err = await providerError(() => refreshFitbit(rt, sim.issueTokens()));
    expect(err.category).toBe('transient');
    expect(err.message).toMatch(
      /^Could not reach the token endpoint of Fitbit \(Google Health\) \(127.0.0.1:\d+\): ECONNREFUSED/,
    );
  });

  it('no refresh token stored → reauth without a request', async () => {
    const rt = simulatorRuntime(sim);
    const err = await providerError(() => refreshFitbit(rt, { accessToken: 'x', obtainedAt: 0 }));
    expect(err.category).toBe('reauth');
    expect(rt.calls).toEqual([]);
  });
});

describe('Testing mode and rotation (own simulators)', () => {
  it('a 7-day refresh token that ran out → reauth with the Testing-mode hint', async () => {
    let now = Date.parse('2026-11-01T12:00:00Z');
    const testing = await startSimulator({ now: NOW, refreshTokenTtlSeconds: 604_799, clock: () => now });
    try {
      const rt = simulatorRuntime(testing, { now: () => new Date(now) });
      const mine = testing.issueTokens();
      expect(mine.refreshTokenExpiresAt! - mine.obtainedAt).toBe(604_799_000);
      now += 6 * 86_400_000;
      const ok = await refreshFitbit(rt, mine);
      expect(ok.refreshTokenExpiresAt).toBe(mine.refreshTokenExpiresAt);
      now += 2 * 86_400_000;
      const err = await providerError(() => refreshFitbit(rt, ok));
      expect(err.category).toBe('reauth');
      expect(err.hint).toMatch(/expired on 2026-11-08.*Testing mode.*In production/);
    } finally {
      await testing.close();
    }
  });

  it('with rotation on, the new refresh token is kept and the old one stops working', async () => {
    const rotating = await startSimulator({ now: NOW, rotateRefreshTokens: true });
    try {
      const rt = simulatorRuntime(rotating);
      const first = rotating.issueTokens();
      const second = await refreshFitbit(rt, first);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await expect(refreshFitbit(rt, first)).rejects.toMatchObject({ category: 'reauth' });
      await expect(refreshFitbit(rt, second)).resolves.toMatchObject({ refreshToken: expect.any(String) });
    } finally {
      await rotating.close();
    }
  });
});

describe('a two-year backfill', () => {
  it('runs in 90-day fetches within the quota and quickly', async () => {
    const backfill = await startSimulator({ seed: 3, now: NOW });
    try {
      const rt = simulatorRuntime(backfill);
      const tokens = backfill.issueTokens();
      const to = backfill.data.today;
      const from = addDays(to, -729);
      const started = performance.now();
      let records = 0;
      for (let start = from; daysBetween(start, to) >= 0; start = addDays(start, 90)) {
        const end = daysBetween(addDays(start, 89), to) < 0 ? to : addDays(start, 89);
        records += (await fitbitPlugin.fetchData(rt, tokens, start, end, ALL)).records.length;
      }
      const ms = performance.now() - started;
      expect(records).toBeGreaterThan(650);
      // 9 fetches × (2 roll-ups + 2 daily lists + about 4 sleep pages): well under 300 requests.
      expect(backfill.stats.api).toBeLessThan(80);
      expect(ms).toBeLessThan(10_000);
    } finally {
      await backfill.close();
    }
  });
});
