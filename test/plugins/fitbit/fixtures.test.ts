/**
 * Every sample in test/fixtures/google-health/ goes through the plugin's real code path
 * (request → content-type and JSON checks → zod → mapping, or → error mapping), with the expected
 * values worked out by hand from the sample.
 */
import { describe, expect, it } from 'vitest';
import { localClock as clockIn } from '../../../src/dates.js';
import { ProviderError } from '../../../src/errors.js';

const localClock = (ms: number, offsetSeconds: number) => clockIn(ms, { offsetSeconds });

import { SLEEP_FIELDS } from '../../../src/plugins/fitbit/api.js';
import { fitbitPlugin } from '../../../src/plugins/fitbit/plugin.js';
import { int64, timestamp, utcOffset } from '../../../src/plugins/fitbit/schemas.js';
import type { OAuthCredentials } from '../../../src/plugins/types.js';
import { applyFieldMask, type FieldTree, parseFieldMask, unknownPath } from '../../../src/simulator/field-mask.js';
import { SLEEP_LIST_SHAPE } from '../../../src/simulator/shapes.js';
import { fixture, listFixtures } from '../../fixtures-helpers.js';
import { type Canned, cannedRuntime, DUMMY_CREDENTIALS, refreshFitbit, rejection } from './helpers.js';

/** Every field of `value` (lists: of all their elements) as a mask tree, to check against a shape. */
function fieldsOf(value: unknown): FieldTree {
  const tree: FieldTree = new Map();
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, sub] of Object.entries(v)) {
      const inner = typeof sub === 'object' && sub !== null ? fieldsOf(sub) : undefined;
      const had = tree.get(k);
      if (inner && inner.size > 0) {
        const merged = had instanceof Map ? had : new Map();
        for (const [ik, iv] of inner) merged.set(ik, iv);
        tree.set(k, merged);
      } else if (!had) tree.set(k, true);
    }
  }
  return tree;
}

const covered = new Set<string>();
const use = (name: string) => {
  covered.add(name);
  return name;
};

/** fetchData for one range and field set, every API call answered with the same sample. */
async function fetchWith(c: Canned, from: string, to: string, fields: string[]) {
  const rt = cannedRuntime(() => c);
  const result = await fitbitPlugin.fetchData(rt, DUMMY_CREDENTIALS, from, to, fields);
  return { ...result, calls: rt.calls };
}

async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  const err = await rejection(fn);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('steps dailyRollUp samples', () => {
  it('measured: int64 strings, newest first, keyed by civilStartTime', async () => {
    const r = await fetchWith(
      { fixture: use('steps_dailyRollUp.ansanloms-measured.json') },
      '2026-09-19',
      '2026-09-25',
      ['steps'],
    );
    expect(r.records).toEqual([
      { date: '2026-09-24', fields: { steps: 6859 } },
      { date: '2026-09-25', fields: { steps: 9525 } },
    ]);
    expect(r.provisionalDates).toEqual([]);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.url).toBe('http://127.0.0.1:9/v4/users/me/dataTypes/steps/dataPoints:dailyRollUp');
    expect(JSON.parse(r.calls[0]!.body!)).toEqual({
      range: { start: { date: { year: 2026, month: 9, day: 19 } }, end: { date: { year: 2026, month: 9, day: 26 } } },
      windowSizeDays: 1,
      pageSize: 90,
    });
  });

  it('Home Assistant synthetic: a bare number and no `time` are accepted', async () => {
    const r = await fetchWith(
      { fixture: use('steps_dailyRollUp.ha-core-synthetic.json') },
      '2026-06-28',
      '2026-06-28',
      ['steps'],
    );
    expect(r.records).toEqual([{ date: '2026-06-28', fields: { steps: 10500 } }]);
  });

  it('a roll-up of another type (total-calories, kcalSum a double) is refused, not read as zero steps', async () => {
    const err = await providerError(() =>
      fetchWith({ fixture: use('total_calories_dailyRollUp.ansanloms-measured.json') }, '2026-09-19', '2026-09-25', [
        'steps',
      ]),
    );
    expect(err.category).toBe('bad_response');
    expect(err.message).toContain('rollupDataPoints.0.steps');
  });
});

describe('sleep list samples', () => {
  it('measured (Asia/Tokyo, "32400s"): a daytime main sleep 13:09–17:23, 248 min asleep, on 2026-09-26', async () => {
    const r = await fetchWith({ fixture: use('sleep_list.ansanloms-measured.json') }, '2026-09-26', '2026-09-26', [
      'sleepLength',
      'bedTime',
      'wakeUpTime',
    ]);
    // 04:09Z + 9 h = 13:09 local; 08:23Z + 9 h = 17:23 local; minutesAsleep "248" (not the 254 in bed).
    expect(r.records).toEqual([
      { date: '2026-09-26', fields: { sleepLength: 248, bedTime: 13 * 60 + 9, wakeUpTime: 17 * 60 + 23 } },
    ]);
    expect(r.provisionalDates).toEqual([]);
    const url = new URL(r.calls[0]!.url);
    expect(url.pathname).toBe('/v4/users/me/dataTypes/sleep/dataPoints');
    expect(url.searchParams.get('filter')).toBe(
      'sleep.interval.civil_end_time >= "2026-09-26" AND sleep.interval.civil_end_time < "2026-09-27"',
    );
    expect(url.searchParams.get('pageSize')).toBe('25');
  });

  it('the sleep field mask names only fields of the measured answer, and keeps what the mapping reads', async () => {
    const measured = fixture('sleep_list.ansanloms-measured.json');
    const tree = parseFieldMask(SLEEP_FIELDS)!;
    expect(tree).toBeDefined();
    // A path Google does not know is a 400: every one must be in Google's own answer.
    expect(unknownPath(tree, measured)).toBeUndefined();
    // The answer cut down to the mask maps to the same values as the whole one.
    const cut = JSON.stringify(applyFieldMask(measured, tree));
    expect(cut.length).toBeLessThan(JSON.stringify(measured).length / 2);
    const r = await fetchWith({ status: 200, body: cut }, '2026-09-26', '2026-09-26', [
      'sleepLength',
      'bedTime',
      'wakeUpTime',
    ]);
    expect(r.records).toEqual([
      { date: '2026-09-26', fields: { sleepLength: 248, bedTime: 13 * 60 + 9, wakeUpTime: 17 * 60 + 23 } },
    ]);
    // The simulator checks masks against a shape that holds every field of the measured answer.
    expect(unknownPath(fieldsOf(measured), SLEEP_LIST_SHAPE)).toBeUndefined();
  });

  it('reconcile (dataPointName, duplicated stagesSummary) maps to the same values', async () => {
    const r = await fetchWith({ fixture: use('sleep_reconcile.ansanloms-measured.json') }, '2026-09-26', '2026-09-26', [
      'sleepLength',
      'bedTime',
      'wakeUpTime',
    ]);
    expect(r.records).toEqual([{ date: '2026-09-26', fields: { sleepLength: 248, bedTime: 789, wakeUpTime: 1043 } }]);
  });

  it('Google doc example ("0s", no metadata): 20:57–04:41, 407 min, dated the wake-up day', async () => {
    const r = await fetchWith({ fixture: use('sleep_list.google-doc-abridged.json') }, '2026-03-03', '2026-03-04', [
      'sleepLength',
      'bedTime',
      'wakeUpTime',
    ]);
    expect(r.records).toEqual([
      { date: '2026-03-04', fields: { sleepLength: 407, bedTime: 20 * 60 + 57, wakeUpTime: 4 * 60 + 41 } },
    ]);
    expect(r.provisionalDates).toEqual([]);
  });

  it('Home Assistant synthetic ("-07:00", numbers): 15:00–23:00 local on 2026-06-29, 420 min', async () => {
    // 22:00Z − 7 h = 15:00 on the 29th; 06:00Z on the 30th − 7 h = 23:00 on the 29th.
    const r = await fetchWith({ fixture: use('sleep_list.ha-core-synthetic.json') }, '2026-06-29', '2026-06-30', [
      'sleepLength',
      'bedTime',
      'wakeUpTime',
    ]);
    expect(r.records).toEqual([{ date: '2026-06-29', fields: { sleepLength: 420, bedTime: 900, wakeUpTime: 1380 } }]);
  });
});

describe('daily resting heart rate samples', () => {
  it('Home Assistant synthetic list: 65 bpm on 2026-06-29, filter on daily_resting_heart_rate.date', async () => {
    const r = await fetchWith(
      { fixture: use('daily_resting_heart_rate_list.ha-core-synthetic.json') },
      '2026-06-29',
      '2026-06-29',
      ['restingHeartRate'],
    );
    expect(r.records).toEqual([{ date: '2026-06-29', fields: { restingHeartRate: 65 } }]);
    const url = new URL(r.calls[0]!.url);
    expect(url.pathname).toBe('/v4/users/me/dataTypes/daily-resting-heart-rate/dataPoints');
    expect(url.searchParams.get('filter')).toBe(
      'daily_resting_heart_rate.date >= "2026-06-29" AND daily_resting_heart_rate.date < "2026-06-30"',
    );
  });

  it('the real point shape (tesseta, "66" as a string, no name): 66 bpm on 2026-06-01', async () => {
    const point = fixture(use('daily_resting_heart_rate_point.tesseta-comment.json'));
    const r = await fetchWith({ body: JSON.stringify({ dataPoints: [point] }) }, '2026-06-01', '2026-06-01', [
      'restingHeartRate',
    ]);
    expect(r.records).toEqual([{ date: '2026-06-01', fields: { restingHeartRate: 66 } }]);
  });
});

describe('identity sample', () => {
  it('validateCredentials returns healthUserId as the account id', async () => {
    const rt = cannedRuntime(() => ({ fixture: use('identity.ha-core-synthetic.json') }));
    await expect(fitbitPlugin.validateCredentials(rt, DUMMY_CREDENTIALS)).resolves.toEqual({
      accountId: 'mock-health-user-id',
    });
    expect(rt.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:9/v4/users/me/identity']);
  });
});

describe('samples of types okr does not import', () => {
  it("the plugin's primitives read their int64 strings, offsets and instants; local clocks match Google's civil times", () => {
    const steps = fixture<{ dataPoints: Array<{ steps: { count: string; interval: Record<string, unknown> } }> }>(
      use('steps_list.ansanloms-measured.json'),
    );
    expect(steps.dataPoints.map((p) => int64.parse(p.steps.count))).toEqual([2, 44]);
    const first = steps.dataPoints[0]!.steps.interval;
    // Google's own civilStartTime for this point is 2026-09-25 23:58; our offset arithmetic agrees.
    expect(localClock(timestamp.parse(first.startTime), utcOffset.parse(first.startUtcOffset))).toEqual({
      date: '2026-09-25',
      minutes: 23 * 60 + 58,
    });

    const hr = fixture<{
      dataPoints: Array<{ heartRate: { beatsPerMinute: string; sampleTime: Record<string, string> } }>;
    }>(use('heart_rate_list.ansanloms-measured.json'));
    expect(hr.dataPoints.map((p) => int64.parse(p.heartRate.beatsPerMinute))).toEqual([49, 50]);
    const t = hr.dataPoints[0]!.heartRate.sampleTime;
    expect(localClock(timestamp.parse(t.physicalTime), utcOffset.parse(t.utcOffset))).toEqual({
      date: '2026-09-25',
      minutes: 19 * 60 + 4,
    });

    const ex = fixture<{ dataPoints: Array<{ exercise: { metricsSummary: { activeZoneMinutes: string } } }> }>(
      use('exercise_list.ansanloms-measured.json'),
    );
    expect(ex.dataPoints.map((p) => int64.parse(p.exercise.metricsSummary.activeZoneMinutes))).toEqual([19, 30]);
  });

  it.each([
    'steps_list.ansanloms-measured.json',
    'heart_rate_list.ansanloms-measured.json',
    'exercise_list.ansanloms-measured.json',
  ])('%s answered to the sleep list is refused as a bad response', async (name) => {
    const err = await providerError(() => fetchWith({ fixture: name }, '2026-09-25', '2026-09-25', ['sleepLength']));
    expect(err.category).toBe('bad_response');
    expect(err.message).toContain('dataPoints.0.sleep');
  });
});

describe('Health API error samples → categories and hints', () => {
  const cases: Array<{
    file: string;
    status: number;
    category: ProviderError['category'];
    reason: string;
    hint: RegExp;
    message?: RegExp;
  }> = [
    {
      file: 'error_400_account_not_linked.allenporter-synthetic.json',
      status: 400,
      category: 'account',
      reason: 'ACCOUNT_NOT_LINKED',
      hint: /Google Account.*https:\/\/fitbit\.google\.com\/auth\/signup/,
    },
    {
      file: 'error_400_invalid_filter_sleep_start.ansanloms-measured.json',
      status: 400,
      category: 'client',
      reason: 'INVALID_DATA_POINT_FILTER',
      hint: /bug in okr/,
      message: /Member 'sleep\.interval\.civil_start_time' is not supported for filtering/,
    },
    {
      file: 'error_401_credentials_missing.allenporter-synthetic.json',
      status: 401,
      category: 'reauth',
      reason: 'CREDENTIALS_MISSING',
      hint: /okr connect fitbit/,
    },
    {
      file: 'error_401_unauthenticated_bad_token.ansanloms-measured.json',
      status: 401,
      category: 'reauth',
      reason: 'UNAUTHENTICATED',
      hint: /okr connect fitbit/,
    },
    {
      file: 'error_403_access_token_scope_insufficient.allenporter-synthetic.json',
      status: 403,
      category: 'scope',
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      hint: /tick every checkbox/,
    },
    {
      file: 'error_403_permission_denied_caller.nodejs-3936.json',
      status: 403,
      category: 'client',
      reason: 'PERMISSION_DENIED',
      hint: /Google Account that holds your Fitbit data.*not be onboarding new projects/,
      message: /The caller does not have permission/,
    },
    {
      file: 'error_403_service_disabled.allenporter-synthetic.json',
      status: 403,
      category: 'setup',
      reason: 'SERVICE_DISABLED',
      hint: /at https:\/\/console\.developers\.google\.com\/apis\/api\/health\.googleapis\.com\/overview\?project=123456789,/,
    },
    {
      file: 'error_403_user_project_denied.allenporter-synthetic.json',
      status: 403,
      category: 'client',
      reason: 'USER_PROJECT_DENIED',
      hint: /okr connect fitbit/,
      message: /User is not authorized to access health data/,
    },
    {
      file: 'error_404_not_found.ansanloms-measured.json',
      status: 404,
      category: 'client',
      reason: 'RESOURCE_NOT_FOUND',
      hint: /bug in okr/,
    },
    {
      file: 'error_429_resource_exhausted.allenporter-synthetic.json',
      status: 429,
      category: 'rate_limited',
      reason: 'RATE_LIMIT_EXCEEDED',
      hint: /300 requests per minute/,
    },
    {
      file: 'error_500_internal.ansanloms-measured.json',
      status: 500,
      category: 'transient',
      reason: 'INTERNAL',
      hint: /temporary/,
    },
  ];

  it.each(cases)('$file → $category', async ({ file, status, category, reason, hint, message }) => {
    use(file);
    const err = await providerError(() =>
      fetchWith({ fixture: file, status }, '2026-09-25', '2026-09-25', ['restingHeartRate']),
    );
    expect(err.category).toBe(category);
    expect(err.status).toBe(status);
    expect(err.reason).toBe(reason);
    expect(err.hint).toMatch(hint);
    expect(err.message).toContain(`Google Health API answered ${status}`);
    if (message) expect(err.message).toMatch(message);
    expect(err.retryable).toBe(category === 'rate_limited' || category === 'transient');
  });

  it('429 with Retry-After carries the delay; without it, none', async () => {
    const file = 'error_429_resource_exhausted.allenporter-synthetic.json';
    const withHeader = await providerError(() =>
      fetchWith({ fixture: file, status: 429, headers: { 'Retry-After': '7' } }, '2026-09-25', '2026-09-25', ['steps']),
    );
    expect(withHeader.retryAfterMs).toBe(7000);
    const withDate = await providerError(() =>
      fetchWith(
        { fixture: file, status: 429, headers: { 'Retry-After': 'Thu, 01 Oct 2026 12:00:30 GMT' } },
        '2026-09-25',
        '2026-09-25',
        ['steps'],
      ),
    );
    expect(withDate.retryAfterMs).toBe(30_000);
    const without = await providerError(() =>
      fetchWith({ fixture: file, status: 429 }, '2026-09-25', '2026-09-25', ['steps']),
    );
    expect(without.retryAfterMs).toBeUndefined();
  });
});

describe("OAuth samples through the platform's refresh, with fitbit's declarations", () => {
  const now = Date.parse('2026-10-01T12:00:00Z');
  const refresh = (c: Canned, creds: OAuthCredentials = DUMMY_CREDENTIALS) =>
    refreshFitbit(
      cannedRuntime(() => c),
      creds,
    );

  it('refresh response without refresh_token keeps the stored one (Google does not rotate)', async () => {
    const creds = await refresh(
      { fixture: use('oauth_refresh_response.google-doc.json') },
      { ...DUMMY_CREDENTIALS, refreshTokenExpiresAt: now + 86_400_000 },
    );
    expect(creds).toEqual({
      accessToken: '1/fFAGRNJru1FTz70BzhT3Zg',
      refreshToken: '1//test-refresh',
      refreshTokenExpiresAt: now + 86_400_000,
      expiresAt: now + 3920 * 1000,
      obtainedAt: now,
      scope:
        'https://www.googleapis.com/auth/drive.metadata.readonly https://www.googleapis.com/auth/calendar.readonly',
      tokenType: 'Bearer',
    });
  });

  it('a response with a refresh_token (the code-exchange sample) replaces the stored one', async () => {
    const creds = await refresh({ fixture: use('oauth_token_exchange_response.google-doc.json') });
    expect(creds.refreshToken).toBe('1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI');
    expect(creds.expiresAt).toBe(now + 3920 * 1000);
    expect(creds.refreshTokenExpiresAt).toBeUndefined();
  });

  it('the Testing-mode token file: 3599 s access token, 604799 s refresh token, extra CLI keys ignored', async () => {
    const creds = await refresh({ fixture: use('token_file_testing_mode.ansanloms-masked.json') });
    expect(creds.accessToken).toBe('<masked>');
    expect(creds.refreshToken).toBe('<masked>');
    expect(creds.expiresAt).toBe(now + 3599 * 1000);
    expect(creds.refreshTokenExpiresAt).toBe(now + 604_799 * 1000);
    expect(creds.scope?.split(' ')).toContain('https://www.googleapis.com/auth/googlehealth.sleep.readonly');
  });

  it('the refresh request is a form POST with the client secret in the body', async () => {
    const rt = cannedRuntime(() => ({ fixture: 'oauth_refresh_response.google-doc.json' }));
    await refreshFitbit(rt, DUMMY_CREDENTIALS);
    expect(rt.calls).toHaveLength(1);
    expect(rt.calls[0]!.method).toBe('POST');
    expect(rt.calls[0]!.url).toBe('http://127.0.0.1:9/token');
    expect(Object.fromEntries(new URLSearchParams(rt.calls[0]!.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: '1//test-refresh',
      client_id: 'test-client.apps.googleusercontent.com',
      client_secret: 'GOCSPX-test',
    });
  });

  it('invalid_grant "Bad Request" (unknown token) → reauth, with the Testing-mode possibility in the hint', async () => {
    const err = await providerError(() =>
      refresh({ fixture: use('oauth_error_invalid_grant_bad_request.ansanloms-measured.json'), status: 400 }),
    );
    expect(err.category).toBe('reauth');
    expect(err.reason).toBe('invalid_grant');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('The token endpoint of Fitbit (Google Health) answered 400 invalid_grant: Bad Request');
    expect(err.hint).toMatch(/okr connect fitbit.*Testing mode.*7 days.*In production/);
  });

  it('invalid_grant "expired or revoked" with a 7-day token that has run out → the Testing-mode hint with the date', async () => {
    const err = await providerError(() =>
      refresh(
        { fixture: use('oauth_error_invalid_grant_expired_or_revoked.cmdg-109.json'), status: 400 },
        { ...DUMMY_CREDENTIALS, refreshTokenExpiresAt: Date.parse('2026-09-30T08:00:00Z') },
      ),
    );
    expect(err.category).toBe('reauth');
    expect(err.message).toContain('Token has been expired or revoked.');
    expect(err.hint).toMatch(
      /expired on 2026-09-30.*Testing mode.*Publish the app "In production".*okr connect fitbit/,
    );
  });

  it('client_secret missing → a config problem, with the fix', async () => {
    const err = await providerError(() =>
      refresh({ fixture: use('oauth_error_client_secret_missing.dotnet-1827.json'), status: 400 }),
    );
    expect(err.category).toBe('client');
    expect(err.reason).toBe('invalid_request');
    expect(err.hint).toMatch(/requires the client secret.*okr config setup fitbit/);
  });

  it('insufficient_scope → scope', async () => {
    const err = await providerError(() =>
      refresh({ fixture: use('oauth_error_insufficient_scope.allenporter-synthetic.json'), status: 403 }),
    );
    expect(err.category).toBe('scope');
    expect(err.hint).toMatch(/tick every checkbox/);
  });
});

describe('coverage of the sample folder', () => {
  it('every .json sample is used by a test above', () => {
    expect(listFixtures().filter((f) => !covered.has(f))).toEqual([]);
  });
});
