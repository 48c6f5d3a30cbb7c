/**
 * The oura plugin pages long ranges (`pagesLongRanges`): during a sync it hands over the days
 * every collection has passed as pages arrive (`rt.commitDays`), oldest first, and the commits
 * together hold exactly what one answer at the end would. Against the Oura simulator over real
 * HTTP on 127.0.0.1, with small pages so a few months take several.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/dates.js';
import { OURA_FIELDS } from '../../../src/plugins/oura/fields.js';
import { ouraPlugin } from '../../../src/plugins/oura/plugin.js';
import type { ImportedDataRecord } from '../../../src/plugins/types.js';
import { type OuraSimulator, startOuraSimulator } from '../../../src/simulator/oura/index.js';
import { cannedRuntime, DUMMY_CREDENTIALS, pageBody, simulatorRuntime } from './helpers.js';

const NOW = new Date('2026-11-30T15:00:00Z');
const FROM = '2026-06-01';
const TO = '2026-11-29';
const FIELDS = OURA_FIELDS.map((f) => f.id);

let sim: OuraSimulator;
beforeAll(async () => {
  sim = await startOuraSimulator({ now: NOW, days: 400, pageSize: 20, rateLimit: null });
});
afterAll(() => sim.close());

const byDate = (records: ImportedDataRecord[]) => new Map(records.map((r) => [r.date, r.fields]));

describe('oura: page by page', () => {
  it('commits ascending days as pages arrive; together they equal the one-shot answer', async () => {
    const credentials = sim.issueTokens();
    const whole = await ouraPlugin.fetchData(simulatorRuntime(sim), credentials, FROM, TO, FIELDS);
    expect(whole.records.length).toBeGreaterThan(150);

    sim.resetStats();
    const commits: Array<{ through: string; records: ImportedDataRecord[] }> = [];
    const rt = Object.assign(simulatorRuntime(sim), {
      commitDays: (through: string, records: ImportedDataRecord[]) => commits.push({ through, records }),
    });
    const rest = await ouraPlugin.fetchData(rt, credentials, FROM, TO, FIELDS);
    expect(rest.records).toEqual([]);
    // Several commits, each later than the one before, the last through the range's end.
    expect(commits.length).toBeGreaterThan(3);
    const throughs = commits.map((c) => c.through);
    expect([...throughs].sort()).toEqual(throughs);
    expect(new Set(throughs).size).toBe(throughs.length);
    expect(throughs.at(-1)).toBe(TO);
    // Each commit carries only its own days: after the previous one, up to its own.
    let previous = addDays(FROM, -1);
    for (const c of commits) {
      for (const r of c.records) {
        expect(r.date > previous && r.date <= c.through, `${r.date} in (${previous}, ${c.through}]`).toBe(true);
      }
      previous = c.through;
    }
    expect(byDate(commits.flatMap((c) => c.records))).toEqual(byDate(whole.records));
    // Still one request per page: committing early costs no call.
    for (const c of ['daily_readiness', 'daily_sleep', 'daily_activity', 'sleep'] as const) {
      expect(sim.stats[c]).toBe(sim.minimumCalls(c, FROM, TO));
    }
  });

  const doc = (day: string) => ({ id: day, day, score: 80, timestamp: `${day}T00:00:00+00:00`, contributors: {} });
  const run = async (pages: Record<string, string>) => {
    const rt = cannedRuntime((url) => ({ body: pages[new URL(url).searchParams.get('next_token') ?? 'first']! }));
    const commits: string[] = [];
    const got: ImportedDataRecord[] = [];
    const withCommit = Object.assign(rt, {
      commitDays: (through: string, records: ImportedDataRecord[]) => {
        commits.push(through);
        got.push(...records);
      },
    });
    await ouraPlugin.fetchData(withCommit, DUMMY_CREDENTIALS, '2024-01-01', '2024-01-07', ['readiness']);
    return { commits, dates: got.map((r) => r.date) };
  };

  it('pages newest first: nothing is committed before the last page, and every day arrives', async () => {
    const r = await run({
      first: pageBody([doc('2024-01-07'), doc('2024-01-06'), doc('2024-01-05')], 'p2'),
      p2: pageBody([doc('2024-01-04'), doc('2024-01-03')], 'p3'),
      p3: pageBody([doc('2024-01-02'), doc('2024-01-01')]),
    });
    expect(r.commits).toEqual(['2024-01-07']);
    expect(r.dates).toEqual(eachDay('2024-01-01', '2024-01-07'));
  });

  it('a page that brings a day already committed fails the fetch instead of losing it', async () => {
    const err = await ouraPlugin
      .fetchData(
        Object.assign(
          cannedRuntime((url) => ({
            body: {
              first: pageBody([doc('2024-01-05'), doc('2024-01-06')], 'p2'),
              p2: pageBody([doc('2024-01-01'), doc('2024-01-07')]),
            }[new URL(url).searchParams.get('next_token') ?? 'first']!,
          })),
          { commitDays: () => {} },
        ),
        DUMMY_CREDENTIALS,
        '2024-01-01',
        '2024-01-07',
        ['readiness'],
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).toContain('a page held 2024-01-01, after okr had stored the days through 2024-01-05');
  });
});

function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
