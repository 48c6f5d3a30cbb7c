/**
 * A plugin whose provider pages long ranges (`pagesLongRanges`, like Oura's `next_token`): the
 * planner hands it the whole range, it commits days as pages arrive (`rt.commitDays`), an
 * interrupted backfill resumes after the last committed day, and an uninterrupted one makes only
 * the calls its pages need. A real HTTP server on 127.0.0.1 plays the provider.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createContext } from '../../src/context.js';
import { addDays, daysBetween, eachDate } from '../../src/dates.js';
import type { ImportedDataRecord } from '../../src/plugins/types.js';
import { runSync } from '../../src/sync/engine.js';
import { makeTestPlugin, testRegistry } from '../helpers/test-plugin.js';
import { allValues, connectHome, withDb } from './helpers.js';

const NOW = new Date('2026-11-10T15:00:00Z');
const FROM = '2024-11-11';
const TODAY = '2026-11-10';
const PAGE_DAYS = 100;

let server: Server;
let base: string;
const asked: Array<{ from: string; to: string }> = [];
let onRequest: (n: number) => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const from = u.searchParams.get('start')!;
    const to = u.searchParams.get('end')!;
    asked.push({ from, to });
    onRequest(asked.length);
    // One value a day, the day's number in the month; a page holds at most PAGE_DAYS days.
    const end = daysBetween(from, to) + 1 > PAGE_DAYS ? addDays(from, PAGE_DAYS - 1) : to;
    const data = eachDate(from, end).map((d) => ({ day: d, score: Number(d.slice(8)) }));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ data, next: end < to ? addDays(end, 1) : null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const paged = makeTestPlugin({
  pagesLongRanges: true,
  getAvailableFields: () => [{ id: 'score', name: 'Score', description: '', type: 'number' }],
  async fetchData(rt, _creds, from, to) {
    let start: string | null = from;
    while (start) {
      const res = await rt.fetch(`${base}/list?start=${start}&end=${to}`, { signal: rt.signal });
      const page = (await res.json()) as { data: Array<{ day: string; score: number }>; next: string | null };
      const records: ImportedDataRecord[] = page.data.map((p) => ({ date: p.day, fields: { score: p.score } }));
      const last = page.data.at(-1)?.day;
      // Every day up to this page's last one is final: hand it over now.
      if (last && rt.commitDays) rt.commitDays(last, records);
      start = page.next;
    }
    return { records: [], provisionalDates: [] };
  },
});

async function syncOnce(home: string, env: Record<string, string>, signal?: AbortSignal) {
  const ctx = createContext({
    env: { ...env, OKR_HOME: home },
    homedir: home,
    now: () => NOW,
    registry: testRegistry(paged),
    signal,
  });
  try {
    return await runSync(ctx, { from: FROM, to: TODAY, trigger: 'manual' });
  } finally {
    ctx.close();
  }
}

test('a 2-year paged backfill: one call per page; killed half-way, it resumes after the last committed day', async () => {
  const c = await connectHome({ pluginId: 'testsvc', credentials: { accessToken: 't', obtainedAt: 0 } });

  // Interrupted while asking for the fourth page: the three pages before it are stored.
  asked.length = 0;
  const stop = new AbortController();
  onRequest = (n) => {
    if (n === 4) stop.abort();
  };
  const first = await syncOnce(c.home, c.env, stop.signal);
  expect(first.plugins[0]!.status).toBe('interrupted');
  const covered = withDb(c.dbFile, (db) => db.prepare('SELECT date FROM sync_coverage ORDER BY date').pluck().all());
  expect(covered).toEqual(eachDate(FROM, addDays(FROM, 3 * PAGE_DAYS - 1)));
  expect(allValues(c.dbFile)).toHaveLength(3 * PAGE_DAYS);

  // The next sync starts at the first day not committed and asks only for what is left.
  asked.length = 0;
  onRequest = () => {};
  const second = await syncOnce(c.home, c.env);
  expect(second.plugins[0]!.status).toBe('ok');
  const resumeAt = addDays(FROM, 3 * PAGE_DAYS);
  expect(asked[0]).toEqual({ from: resumeAt, to: TODAY });
  expect(second.plugins[0]!.calls).toBe(Math.ceil((daysBetween(resumeAt, TODAY) + 1) / PAGE_DAYS));
  expect(allValues(c.dbFile)).toHaveLength(730);

  // Uninterrupted, from scratch: exactly the pages the data fills, ceil(730 / 100) = 8.
  const fresh = await connectHome({ pluginId: 'testsvc', credentials: { accessToken: 't', obtainedAt: 0 } });
  asked.length = 0;
  const whole = await syncOnce(fresh.home, fresh.env);
  expect(whole.plugins[0]).toMatchObject({ status: 'ok', calls: 8, chunks: 1, days: 730 });
  expect(asked[0]).toEqual({ from: FROM, to: TODAY });
});
