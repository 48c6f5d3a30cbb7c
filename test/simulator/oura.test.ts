/**
 * The Oura simulator: response shapes against the published samples, Oura's list rules (dates,
 * pages, tokens), the generated data's traps, Oura's OAuth rules, the rate limit and the faults.
 */
import { Agent, get as httpGet } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/dates.js';
import { parseLocalTimestamp } from '../../src/plugins/oura/schemas.js';
import { OURA_RATE_LIMIT, type OuraSimulator, startOuraSimulator } from '../../src/simulator/oura/index.js';
import { providerFixtures } from '../fixtures-helpers.js';
import { shapeDiff } from './shape.js';

const fixtures = providerFixtures('oura');
const NOW = new Date('2026-03-20T15:30:00Z');
type Json = Record<string, unknown>;

let sim: OuraSimulator;
let token: string;

async function get(path: string, query: Record<string, string> = {}, bearer: string | undefined = token) {
  const u = new URL(`${sim.url}${path}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const res = await fetch(u, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {}, redirect: 'manual' });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

const list = (collection: string, query: Record<string, string>, bearer?: string) =>
  get(`/v2/usercollection/${collection}`, query, bearer ?? token);

/** Every document of a list, following next_token; also the number of pages. */
async function all(collection: string, start: string, end: string) {
  const docs: Json[] = [];
  let next: string | null = null;
  let pages = 0;
  do {
    const r = await list(collection, { start_date: start, end_date: end, ...(next ? { next_token: next } : {}) });
    expect(r.status).toBe(200);
    docs.push(...(r.json.data as Json[]));
    next = r.json.next_token as string | null;
    pages++;
  } while (next);
  return { docs, pages };
}

beforeAll(async () => {
  sim = await startOuraSimulator({ seed: 7, now: NOW, days: 800, clock: () => NOW.getTime() });
  token = sim.issueTokens(['daily', 'email', 'personal']).accessToken;
});
afterAll(() => sim.close());
afterEach(() => {
  sim.faults = { membershipExpired: false, latencyMs: 0 };
  sim.resetStats();
});

describe('response shapes match the samples (same keys, same value types)', () => {
  it.each([
    ['daily_readiness', 'daily_readiness.go_oura.json'],
    ['daily_sleep', 'daily_sleep.go_oura.json'],
    ['daily_activity', 'daily_activity.go_oura.json'],
  ])('%s', async (collection, sample) => {
    const r = await list(collection, { start_date: '2026-02-01', end_date: '2026-03-01' });
    expect(r.headers.get('content-type')).toBe('application/json');
    const docs = r.json.data as Json[];
    expect(docs.length).toBeGreaterThan(20);
    // A null score is a null in the samples' schema (a number otherwise): compare the scored ones.
    const scored = { ...r.json, data: docs.filter((d) => d.score !== null && d.temperature_deviation !== null) };
    expect(shapeDiff(fixtures.json(sample), scored)).toEqual([]);
  });

  it('sleep: long sleeps as the sample; naps, rest and deleted periods have no embedded readiness', async () => {
    const r = await list('sleep', { start_date: '2025-01-01', end_date: '2026-03-01' });
    const docs = r.json.data as Json[];
    const long = docs.filter((d) => d.type === 'long_sleep' && d.average_hrv !== null);
    expect(shapeDiff(fixtures.json('sleep.go_oura.json'), { ...r.json, data: long, next_token: 'x' })).toEqual([]);
    const others = docs.filter((d) => d.type !== 'long_sleep');
    expect(others.length).toBeGreaterThan(0);
    for (const d of others) expect(d.readiness).toBeNull();
  });

  it('personal_info: a bare object; email only with the email scope, body data only with personal', async () => {
    const full = await get('/v2/usercollection/personal_info');
    expect(shapeDiff(fixtures.json('personal_info.go_oura.json'), full.json)).toEqual([]);
    const dailyOnly = await get('/v2/usercollection/personal_info', {}, sim.issueTokens(['daily']).accessToken);
    expect(dailyOnly.json).toEqual({ id: sim.user.id });
  });
});

describe('lists: dates, pages, tokens', () => {
  it('end_date is exclusive: start = end answers nothing; a day later answers that day', async () => {
    const day = '2026-03-10';
    expect((await list('daily_sleep', { start_date: day, end_date: day })).json.data).toEqual([]);
    const r = await list('daily_sleep', { start_date: day, end_date: addDays(day, 1) });
    expect((r.json.data as Json[]).map((d) => d.day)).toEqual([day]);
  });

  it('pages hold 100 documents; the tokens lead through all of them, none twice', async () => {
    const { docs, pages } = await all('daily_activity', '2024-06-01', '2026-03-21');
    const days = docs.map((d) => d.day as string);
    expect(new Set(days).size).toBe(days.length);
    expect(days).toEqual([...days].sort());
    expect(pages).toBe(Math.ceil(docs.length / 100));
    expect(pages).toBe(sim.minimumCalls('daily_activity', '2024-06-01', '2026-03-20'));
    expect(days.at(-1)).toBe('2026-03-20');
  });

  it('a token is only valid for the query it came from; bad dates are a 400 with FastAPI detail', async () => {
    const first = await list('sleep', { start_date: '2025-01-01', end_date: '2026-01-01' });
    const t = first.json.next_token as string;
    expect(t).toMatch(/^1:[A-Za-z0-9+/=]+$/);
    const other = await list('sleep', { start_date: '2025-01-01', end_date: '2026-01-02', next_token: t });
    expect(other.status).toBe(400);
    expect(other.json.detail).toEqual([
      { loc: ['query', 'next_token'], msg: 'invalid next_token', type: 'value_error' },
    ]);
    const bad = await list('sleep', { start_date: '2025-13-01', end_date: '2026-01-02' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.detail)).toContain('start_date');
  });

  it('an unknown collection is a 404', async () => {
    expect((await list('daily_nonsense', {})).status).toBe(404);
  });
});

describe('generated data: the traps okr must handle', () => {
  let sleeps: Json[];
  let readiness: Json[];
  beforeAll(async () => {
    sleeps = (await all('sleep', sim.data.firstDay, '2026-03-21')).docs;
    readiness = (await all('daily_readiness', sim.data.firstDay, '2026-03-21')).docs;
  });

  it('every period type, and days with two long sleeps', () => {
    const types = new Set(sleeps.map((s) => s.type));
    expect([...types].sort()).toEqual(['deleted', 'late_nap', 'long_sleep', 'rest', 'sleep']);
    const longPerDay = new Map<string, number>();
    for (const s of sleeps)
      if (s.type === 'long_sleep') longPerDay.set(s.day as string, (longPerDay.get(s.day as string) ?? 0) + 1);
    expect([...longPerDay.values()].some((n) => n >= 2)).toBe(true);
    // Rest periods longer in bed than that day's long sleep exist.
    expect(
      sleeps.some(
        (r) =>
          r.type === 'rest' &&
          sleeps.some(
            (l) => l.type === 'long_sleep' && l.day === r.day && (l.time_in_bed as number) < (r.time_in_bed as number),
          ),
      ),
    ).toBe(true);
  });

  it('missing days have no document at all; null scores exist (calibration and now and then)', () => {
    const missing = sim.data.days(sim.data.firstDay, sim.data.today).filter((d) => !d.worn);
    expect(missing.length).toBeGreaterThan(10);
    const docDays = new Set(readiness.map((d) => d.day));
    for (const d of missing) expect(docDays.has(d.date)).toBe(false);
    const nulls = readiness.filter((d) => d.score === null).map((d) => d.day as string);
    expect(nulls.length).toBeGreaterThan(14);
    const calibration = readiness.filter((d) => (d.day as string) < addDays(sim.data.firstDay, 14));
    expect(calibration.length).toBeGreaterThan(5);
    expect(calibration.every((d) => d.score === null)).toBe(true);
  });

  it('offsets differ per record: home with DST, trips abroad, and a night across the DST change', () => {
    const offsets = new Set(sleeps.map((s) => parseLocalTimestamp(s.bedtime_end as string)!.offsetSeconds / 3600));
    expect([...offsets].sort((a, b) => a - b)).toEqual(expect.arrayContaining([-5, -4, 1, 9]));
    const dstNight = sleeps.find(
      (s) =>
        parseLocalTimestamp(s.bedtime_start as string)!.offsetSeconds !==
        parseLocalTimestamp(s.bedtime_end as string)!.offsetSeconds,
    );
    expect(dstNight).toBeDefined();
  });

  it("each day's `expected` values follow from its documents (sleepLength = seconds / 60, Oura's day)", () => {
    const day = sim.data.days('2026-01-01', '2026-01-31').find((d) => d.expected.sleepLength !== undefined)!;
    const main = day.sleeps
      .filter((s) => s.type === 'long_sleep')
      .sort((a, b) => (b.time_in_bed as number) - (a.time_in_bed as number))[0]!;
    expect(day.expected.sleepLength).toBe(Math.round((main.total_sleep_duration as number) / 60));
    expect(day.expected.bedTime).toBe(parseLocalTimestamp(main.bedtime_start as string)!.minutes);
    expect(main.day).toBe(day.date);
  });

  it('the same seed gives the same data, whatever the order of requests', async () => {
    const again = await startOuraSimulator({ seed: 7, now: NOW, days: 800 });
    try {
      expect(again.data.day('2025-07-04')).toEqual(sim.data.day('2025-07-04'));
    } finally {
      await again.close();
    }
  });
});

describe('faults and limits', () => {
  it('401 on an expired or unknown token', async () => {
    const t = sim.issueTokens(['daily']).accessToken;
    expect((await list('daily_sleep', {}, t)).status).toBe(200);
    sim.expireAccessTokens();
    const r = await list('daily_sleep', {}, t);
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ detail: 'Invalid or expired access token' });
    expect((await list('daily_sleep', {}, 'nonsense')).status).toBe(401);
    token = sim.issueTokens(['daily', 'email', 'personal']).accessToken;
  });

  it('403 for a lapsed membership on every collection (personal_info still answers); 403 for an unticked scope', async () => {
    sim.faults.membershipExpired = true;
    for (const c of ['daily_readiness', 'daily_sleep', 'daily_activity', 'sleep']) {
      const r = await list(c, {});
      expect(r.status).toBe(403);
      expect(r.json.detail).toBe("The user's Oura membership is not active");
    }
    expect((await get('/v2/usercollection/personal_info')).status).toBe(200);
    sim.faults.membershipExpired = false;
    const noDaily = await list('sleep', {}, sim.issueTokens(['email']).accessToken);
    expect(noDaily.status).toBe(403);
    expect(noDaily.json.detail).toBe('The access token is missing the required scope: daily');
  });

  it('429 after 5000 requests in 5 minutes (per token and per application); the window moves with the clock', async () => {
    expect(OURA_RATE_LIMIT).toEqual({ requests: 5000, seconds: 300 });
    let now = Date.parse('2026-03-20T10:00:00Z');
    const limited = await startOuraSimulator({ seed: 1, now: NOW, days: 30, clock: () => now });
    try {
      const t = limited.issueTokens(['daily']).accessToken;
      // A keep-alive agent: 5000 requests on a few sockets, so the test stays short.
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const hit = () =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpGet(
            `${limited.url}/v2/usercollection/personal_info`,
            { agent, headers: { Authorization: `Bearer ${t}` } },
            (res) => {
              let body = '';
              res.on('data', (c) => {
                body += c;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on('error', reject);
        });
      try {
        for (let sent = 0; sent < 5000; sent += 250) {
          const batch = await Promise.all(Array.from({ length: 250 }, hit));
          expect(batch.every((r) => r.status === 200)).toBe(true);
        }
        const over = await hit();
        expect(over.status).toBe(429);
        expect(JSON.parse(over.body)).toEqual({ detail: 'Request rate limit exceeded' });
        // Another token is limited too: the application's window is full as well.
        const other = limited.issueTokens(['daily']).accessToken;
        const res = await fetch(`${limited.url}/v2/usercollection/personal_info`, {
          headers: { Authorization: `Bearer ${other}` },
        });
        expect(res.status).toBe(429);
        now += 300_001;
        expect((await hit()).status).toBe(200);
      } finally {
        agent.destroy();
      }
    } finally {
      await limited.close();
    }
  }, 30_000);

  it('failNext answers the next requests with a status, then recovers', async () => {
    sim.faults.failNext = { status: 503, count: 2, collection: 'sleep' };
    expect((await list('daily_sleep', {})).status).toBe(200);
    expect((await list('sleep', {})).status).toBe(503);
    expect((await list('sleep', {})).status).toBe(503);
    expect((await list('sleep', {})).status).toBe(200);
  });
});

describe('OAuth, as Oura documents and integrators report it', () => {
  const REDIRECT = 'http://localhost:8765/oura/callback';

  function authorizeUrl(over: Record<string, string | undefined> = {}) {
    const u = new URL(sim.authUrl);
    const params = {
      response_type: 'code',
      client_id: sim.clientId,
      redirect_uri: REDIRECT,
      scope: 'daily email',
      state: 'st-1',
      ...over,
    };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  async function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
    const text = await res.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {}
    return { status: res.status, location: res.headers.get('location'), text, json };
  }

  /** The consent page's request id, then the decision; returns the redirect's query. */
  async function consent(decision: 'allow' | 'deny', ticked: string[], over: Record<string, string | undefined> = {}) {
    const page = await fetch(authorizeUrl(over), { redirect: 'manual' });
    const html = await page.text();
    expect(page.status).toBe(200);
    const id = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const body = new URLSearchParams({ request: id, decision });
    for (const s of ticked) body.append('scope', s);
    // Posted where the form says, as a browser would: relative to the page, under the mount.
    const action = new URL(/<form method="POST" action="([^"]+)"/.exec(html)![1]!, page.url);
    expect(action.href).toBe(`${sim.url}/oauth/authorize/decision`);
    const res = await fetch(action, { method: 'POST', redirect: 'manual', body });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location')!);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    return loc.searchParams;
  }

  const exchange = (code: string, over: Record<string, string> = {}) =>
    post(sim.tokenUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      ...over,
    });
  const refresh = (refreshToken: string) =>
    post(sim.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });

  it('the consent page lists the asked scopes with Allow and Deny; Deny redirects access_denied with the state', async () => {
    const page = await (await fetch(authorizeUrl())).text();
    expect(page).toContain('value="daily" checked');
    expect(page).toContain('value="email" checked');
    expect(page).toContain('id="allow"');
    expect(page).toContain('id="deny"');
    const q = await consent('deny', []);
    expect(Object.fromEntries(q)).toEqual({ error: 'access_denied', state: 'st-1' });
  });

  it('a redirect URI that is not registered exactly is refused on the page, never redirected to', async () => {
    for (const other of [
      'http://localhost:8766/oura/callback',
      'http://127.0.0.1:8765/oura/callback',
      'http://localhost:8765/oura/callback/',
      'https://localhost:8765/oura/callback',
    ]) {
      const res = await fetch(authorizeUrl({ redirect_uri: other }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('invalid_redirect_uri');
    }
    // With exactly one URI registered it may be left out.
    const res = await fetch(authorizeUrl({ redirect_uri: undefined }), { redirect: 'manual' });
    expect(res.status).toBe(200);
  });

  it('Allow: a single-use code, exchanged with the secret in the body for a rotating pair', async () => {
    const q = await consent('allow', ['daily', 'email']);
    expect(q.get('state')).toBe('st-1');
    const code = q.get('code')!;
    const t = await exchange(code);
    expect(t.status).toBe(200);
    expect(Object.keys(t.json).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(t.json.expires_in).toBe(86400);
    // All asked scopes granted: no `scope` in the answer (RFC 6749 §5.1).
    expect(t.json.scope).toBeUndefined();
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_grant' });
    // The replay revoked what the code gave.
    expect((await list('daily_sleep', {}, t.json.access_token as string)).status).toBe(401);
  });

  it('an unticked scope narrows the grant: `scope` says so, and the collections answer 403', async () => {
    const q = await consent('allow', ['email']);
    const t = await exchange(q.get('code')!);
    expect(t.json.scope).toBe('email');
    expect((await list('daily_sleep', {}, t.json.access_token as string)).status).toBe(403);
    const me = await get('/v2/usercollection/personal_info', {}, t.json.access_token as string);
    expect(me.json).toEqual({ id: sim.user.id, email: 'sleeper@example.com' });
  });

  it('the exchange wants the same redirect URI, and the client secret in the body (not HTTP Basic)', async () => {
    const code1 = (await consent('allow', ['daily'])).get('code')!;
    expect((await exchange(code1, { redirect_uri: 'http://localhost:8765/other' })).json).toEqual({
      error: 'invalid_redirect_uri',
    });
    const code2 = (await consent('allow', ['daily'])).get('code')!;
    const basic = `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`;
    const viaBasic = await post(
      sim.tokenUrl,
      { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT },
      { Authorization: basic },
    );
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.json.error).toBe('invalid_client');
    expect((await exchange(code2, { client_secret: 'wrong' })).json.error).toBe('invalid_client');
    expect((await exchange(code2)).status).toBe(200);
  });

  it('refresh tokens are single-use: each refresh rotates, a spent one fails', async () => {
    const creds = sim.issueTokens(['daily']);
    const first = await refresh(creds.refreshToken!);
    expect(first.status).toBe(200);
    expect(first.json.refresh_token).not.toBe(creds.refreshToken);
    const spent = await refresh(creds.refreshToken!);
    expect(spent.status).toBe(400);
    expect(spent.json).toEqual({ error: 'invalid_grant' });
    expect(sim.oauth.spentRefreshReuse).toBeGreaterThan(0);
    const second = await refresh(first.json.refresh_token as string);
    expect(second.status).toBe(200);
    expect((await list('daily_sleep', {}, second.json.access_token as string)).status).toBe(200);
  });

  it('GET /oauth/revoke?access_token= ends the grant: its tokens stop working', async () => {
    const creds = sim.issueTokens(['daily']);
    const res = await fetch(`${sim.revokeUrl}?access_token=${encodeURIComponent(creds.accessToken)}`);
    expect(res.status).toBe(200);
    expect((await list('daily_sleep', {}, creds.accessToken)).status).toBe(401);
    expect((await refresh(creds.refreshToken!)).json).toEqual({ error: 'invalid_grant' });
  });
});
