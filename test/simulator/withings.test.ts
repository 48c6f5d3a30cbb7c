/**
 * The Withings simulator: response shapes against the published samples, the envelope on every
 * answer (errors inside HTTP 200), its list rules (ranges, `data_fields`, `more`/`offset`), its
 * OAuth (exact callback, 30-second single-use codes, the token envelope, rotation with the old
 * refresh token's grace), the rate limit, and the generated data's traps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachDate } from '../../src/dates.js';
import { startWithingsSimulator, type WithingsSimulator } from '../../src/simulator/withings/index.js';
import { providerFixtures } from '../fixtures-helpers.js';
import { shapeDiff } from './shape.js';

const fixtures = providerFixtures('withings');
const NOW = new Date('2026-11-20T15:30:00Z');
const REDIRECT = 'https://okr-user.example.net/withings/callback';
let sim: WithingsSimulator;
let clock = NOW.getTime();

beforeAll(async () => {
  sim = await startWithingsSimulator({
    seed: 4,
    now: NOW,
    clock: () => clock,
    redirectUris: [REDIRECT],
    rateLimitPerMinute: 5,
  });
});
afterAll(() => sim.close());

type Envelope = { status: number; body: Record<string, unknown>; error?: string };

async function post(
  path: string,
  fields: Record<string, string>,
  token?: string,
): Promise<{ http: number; json: Envelope }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { http: res.status, json: (await res.json()) as Envelope };
}

/** A data call within the rate limit: the clock moves a minute on before each. */
async function call(path: string, fields: Record<string, string>, token = sim.issueTokens().accessToken) {
  clock += 60_001;
  return post(path, fields, token);
}

describe('response shapes match the samples (same keys, same value types)', () => {
  it('getmeas: the envelope, the body and its groups as measure_getmeas.python_withings', async () => {
    const r = await call('/measure', {
      action: 'getmeas',
      startdate: String(Date.parse('2026-10-01T00:00:00Z') / 1000),
      enddate: String(Date.parse('2026-11-01T00:00:00Z') / 1000),
    });
    expect(r.http).toBe(200);
    const sample = fixtures.json<Envelope>('measure_getmeas.python_withings.json');
    // The sample has no more/offset (it was fetched otherwise); the paged answer has both. Only
    // weights carry algo/fm (the ha_core sample's other types have none).
    const optional = ['body.measuregrps[].measures[].algo', 'body.measuregrps[].measures[].fm'];
    expect(shapeDiff(sample, r.json, { allowExtra: ['body.more', 'body.offset'], allowMissing: optional })).toEqual([]);
    expect(r.json.body).toMatchObject({ more: false, offset: 0, timezone: 'Europe/Paris' });
    const types = new Set(
      (r.json.body.measuregrps as Array<{ measures: Array<{ type: number }> }>).flatMap((g) =>
        g.measures.map((m) => m.type),
      ),
    );
    expect(types).toEqual(new Set([1, 5, 6, 8, 76, 88]));
  });

  it('getsummary: the series as the sample (every data field only when data_fields asks for it)', async () => {
    const sample = fixtures.json<Envelope>('sleep_v2_getsummary.python_withings.json');
    const fields = Object.keys((sample.body.series as Array<{ data: object }>)[0]!.data).join(',');
    const r = await call('/v2/sleep', {
      action: 'getsummary',
      startdateymd: '2026-10-01',
      enddateymd: '2026-10-31',
      data_fields: fields,
    });
    const trimmed = { ...r.json, body: { ...r.json.body, more: true, offset: 300 } };
    // A night now and then has no score (not computed).
    expect(shapeDiff(sample, trimmed, { allowMissing: ['body.series[].data.sleep_score'] })).toEqual([]);
    const bare = await call('/v2/sleep', {
      action: 'getsummary',
      startdateymd: '2026-10-01',
      enddateymd: '2026-10-31',
    });
    const data = (bare.json.body.series as Array<{ data: Record<string, unknown> }>)[0]!.data;
    expect(data.total_sleep_time).toBeTypeOf('number');
    expect(data.sleep_score).toBeUndefined();
    expect(data.hr_min).toBeUndefined();
  });

  it('getactivity: as measure_v2_getactivity.python_withings, from a third-party tracker', async () => {
    const r = await call('/v2/measure', {
      action: 'getactivity',
      startdateymd: '2026-10-01',
      enddateymd: '2026-10-10',
    });
    const sample = fixtures.json<Envelope>('measure_v2_getactivity.python_withings.json');
    // One sample day has the optional heart-rate keys; the simulator leaves them out.
    expect(
      shapeDiff(sample, r.json, {
        allowMissing: ['body.activities[].hr_average', 'body.activities[].hr_min', 'body.activities[].hr_max'].concat(
          [0, 1, 2, 3].map((z) => `body.activities[].hr_zone_${z}`),
        ),
      }),
    ).toEqual([]);
    const dates = (r.json.body.activities as Array<{ date: string }>).map((a) => a.date);
    expect(dates.every((d) => d >= '2026-10-01' && d <= '2026-10-10')).toBe(true);
  });
});

describe('the envelope and the list rules', () => {
  it('errors come inside HTTP 200: an invalid token, an unknown action, bad parameters', async () => {
    const bad = await call('/measure', { action: 'getmeas', startdate: '1', enddate: '2' }, 'nope');
    expect(bad).toEqual({
      http: 200,
      json: {
        status: 401,
        body: {},
        error: 'XRequestID: Not provided invalid_token: The access token provided is invalid',
      },
    });
    expect((await call('/v2/measure', { action: 'getmeas' })).json.status).toBe(2554);
    expect(
      (await call('/v2/sleep', { action: 'getsummary', startdateymd: 'yesterday', enddateymd: '2026-10-01' })).json
        .status,
    ).toBe(503);
  });

  it('pages: more/offset lead through every record once; series come in no order', async () => {
    const all: string[] = [];
    let offset: string | undefined;
    let pages = 0;
    const token = sim.issueTokens().accessToken;
    for (;;) {
      const fields: Record<string, string> = {
        action: 'getsummary',
        startdateymd: '2025-01-01',
        enddateymd: '2026-11-20',
      };
      if (offset) fields.offset = offset;
      const r = await call('/v2/sleep', fields, token);
      pages++;
      all.push(
        ...(r.json.body.series as Array<{ date: string; startdate: number }>).map((s) => `${s.date}/${s.startdate}`),
      );
      if (!r.json.body.more) break;
      offset = String(r.json.body.offset);
    }
    expect(pages).toBe(Math.ceil(all.length / 300));
    expect(new Set(all).size).toBe(all.length);
    const want = sim.data.days('2025-01-01', '2026-11-20').flatMap((d) => d.sleeps).length;
    expect(all.length).toBe(want);
    expect([...all].sort()).not.toEqual(all);
  });

  it('601 past the per-minute limit, inside HTTP 200; a minute later it answers again', async () => {
    const token = sim.issueTokens().accessToken;
    clock += 60_001;
    const fields = { action: 'getactivity', startdateymd: '2026-11-01', enddateymd: '2026-11-02' };
    for (let i = 0; i < 5; i++) expect((await post('/v2/measure', fields, token)).json.status).toBe(0);
    expect((await post('/v2/measure', fields, token)).json).toEqual({
      status: 601,
      body: {},
      error: 'Too Many Requests',
    });
    clock += 60_001;
    expect((await post('/v2/measure', fields, token)).json.status).toBe(0);
  });
});

describe('OAuth', () => {
  async function code(): Promise<string> {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: sim.clientId,
      redirect_uri: REDIRECT,
      scope: 'user.metrics,user.activity',
      state: 's1',
    });
    const page = await fetch(`${sim.authUrl}?${q}`);
    const html = await page.text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const res = await fetch(`${sim.authUrl}/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      // Unticking a scope changes nothing: Withings grants the app as a whole.
      body: new URLSearchParams({ request, decision: 'allow', scope: 'user.metrics' }).toString(),
      redirect: 'manual',
    });
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get('state')).toBe('s1');
    return to.searchParams.get('code')!;
  }
  const token = (fields: Record<string, string>) =>
    post('/v2/oauth2', { action: 'requesttoken', client_id: sim.clientId, client_secret: sim.clientSecret, ...fields });

  it('a callback URL not registered exactly is refused on the page, never redirected to', async () => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: sim.clientId,
      redirect_uri: `${REDIRECT}/x`,
      scope: 'user.metrics',
      state: 's',
    });
    const res = await fetch(`${sim.authUrl}?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri_mismatch');
  });

  it('the exchange: the token envelope as the sample; the code works once, for 30 seconds', async () => {
    const c = await code();
    const r = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
    const sample = fixtures.json<Envelope>('oauth2_requesttoken.python_withings_api.json');
    expect(shapeDiff(sample, r.json, { allowMissing: ['body.csrf_token'] })).toEqual([]);
    expect(r.json.body).toMatchObject({ userid: sim.userId, scope: 'user.metrics,user.activity', expires_in: 10800 });
    const again = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
    expect(again).toEqual({ http: 200, json: { status: 503, body: {}, error: 'Invalid Params: invalid code' } });
    const late = await code();
    clock += 31_000;
    expect((await token({ grant_type: 'authorization_code', code: late, redirect_uri: REDIRECT })).json.status).toBe(
      503,
    );
    expect((await post('/v2/oauth2', { grant_type: 'refresh_token', refresh_token: 'x' })).json.status).toBe(2554);
  });

  it('refresh rotates; the old refresh token lives until the new access token is used, then fails', async () => {
    const first = sim.issueTokens();
    const r1 = await token({ grant_type: 'refresh_token', refresh_token: first.refreshToken! });
    expect(r1.json.status).toBe(0);
    const next = r1.json.body as { access_token: string; refresh_token: string };
    expect(next.refresh_token).not.toBe(first.refreshToken);
    // Not yet used: the old one still works (and counts as a reuse).
    const before = sim.oauth.replacedRefreshUse;
    const r2 = await token({ grant_type: 'refresh_token', refresh_token: first.refreshToken! });
    expect(r2.json.status).toBe(0);
    expect(sim.oauth.replacedRefreshUse).toBe(before + 1);
    const newest = r2.json.body as { access_token: string; refresh_token: string };
    await call(
      '/v2/measure',
      { action: 'getactivity', startdateymd: '2026-11-01', enddateymd: '2026-11-02' },
      newest.access_token,
    );
    expect((await token({ grant_type: 'refresh_token', refresh_token: first.refreshToken! })).json).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid refresh_token',
    });
  });
});

describe('generated data', () => {
  const days = () => sim.data.days('2025-01-01', '2026-11-20');

  it('has the traps: two weighings a day, a weighing listed twice, a shared scale’s, naps, nights without a score, days without data', () => {
    const d = days();
    const groups = d.map((x) => x.measureGroups);
    expect(groups.some((g) => g.filter((x) => x.attrib === 0).length >= 2)).toBe(true);
    expect(groups.some((g) => g.some((x) => x.attrib === 8))).toBe(true);
    expect(groups.some((g) => g.some((x) => x.attrib === 1))).toBe(true);
    expect(d.some((x) => x.sleeps.length === 2)).toBe(true);
    expect(d.some((x) => x.sleeps.length === 1 && x.expected.sleepScore === undefined)).toBe(true);
    expect(d.some((x) => Object.keys(x.expected).length === 0 || x.expected.weight === undefined)).toBe(true);
    // Records in their own zone: trips abroad.
    expect(new Set(d.map((x) => x.zone))).toEqual(new Set(['Europe/Paris', 'America/New_York']));
  });

  it('the night’s date is the local day it ended; weights are value × 10^unit', () => {
    for (const day of days()) {
      for (const s of day.sleeps) {
        const end = new Intl.DateTimeFormat('en-CA', { timeZone: s.timezone as string }).format(
          new Date((s.enddate as number) * 1000),
        );
        expect(end).toBe(day.date);
      }
    }
    const weighed = days().find((x) => x.expected.weight !== undefined)!;
    const last = weighed.measureGroups.filter((g) => g.attrib !== 1).at(-1)!;
    expect(weighed.expected.weight).toBe(last.measures.find((m) => m.type === 1)!.value / 1000);
  });

  it('the same seed gives the same data, whatever the order', async () => {
    const other = await startWithingsSimulator({ seed: 4, now: NOW, redirectUris: [REDIRECT] });
    try {
      const dates = eachDate('2026-01-01', '2026-01-10');
      for (const d of [...dates].reverse()) other.data.day(d);
      expect(dates.map((d) => other.data.day(d).expected)).toEqual(dates.map((d) => sim.data.day(d).expected));
    } finally {
      await other.close();
    }
  });
});
