/**
 * Chunk planning: newest first, aligned on the range's end; the resume rule for backfills.
 */

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { eachDate } from '../../src/dates.js';
import { markCoverage } from '../../src/store/coverage.js';
import { openDatabase } from '../../src/store/db.js';
import { finishSyncRun, startSyncRun } from '../../src/store/sync-runs.js';
import { chunksNewestFirst, DEFAULT_CHUNK_DAYS, planSync, resumeAnchor } from '../../src/sync/plan.js';
import { tempHome } from '../helpers/home.js';

describe('chunksNewestFirst', () => {
  test('splits from the end, newest first, the oldest chunk short', () => {
    expect(chunksNewestFirst('2026-01-01', '2026-01-10', 4)).toEqual([
      { from: '2026-01-07', to: '2026-01-10', days: 4 },
      { from: '2026-01-03', to: '2026-01-06', days: 4 },
      { from: '2026-01-01', to: '2026-01-02', days: 2 },
    ]);
  });
  test('a range shorter than a chunk is one chunk', () => {
    expect(chunksNewestFirst('2026-11-03', '2026-11-10', 90)).toEqual([
      { from: '2026-11-03', to: '2026-11-10', days: 8 },
    ]);
  });
  test('one year in 90-day chunks: 5 chunks covering 366 days exactly once', () => {
    const chunks = chunksNewestFirst('2025-11-10', '2026-11-10', 90);
    expect(chunks.map((c) => c.days)).toEqual([90, 90, 90, 90, 6]);
    const dates = chunks.flatMap((c) => eachDate(c.from, c.to));
    expect(new Set(dates).size).toBe(366);
  });
  test('an inverted range has no chunks', () => {
    expect(chunksNewestFirst('2026-01-02', '2026-01-01', 5)).toEqual([]);
  });
});

function db() {
  return openDatabase(join(tempHome(), 'okr.db'));
}

const run = (
  d: ReturnType<typeof db>,
  startedAt: string,
  from: string,
  to: string,
  status: 'ok' | 'error' | 'interrupted' | 'running',
) => {
  const id = startSyncRun(d, { pluginId: 'p', trigger: 'manual', startedAt, rangeFrom: from, rangeTo: to, pid: 1 });
  if (status !== 'running')
    finishSyncRun(d, id, { finishedAt: startedAt, status, valuesWritten: 0, apiCalls: 0, error: null });
  return id;
};

describe('resume', () => {
  test('no earlier backfill: nothing is skipped', () => {
    const d = db();
    markCoverage(d, 'p', eachDate('2026-01-01', '2026-01-10'), new Set(), '2026-01-20T00:00:00Z');
    const plan = planSync(d, {
      pluginId: 'p',
      from: '2026-01-01',
      to: '2026-01-20',
      today: '2026-01-20',
      maxDaysPerFetch: 5,
    });
    expect(plan.resumeAnchor).toBeUndefined();
    expect(plan.chunks.map((c) => c.skip)).toEqual([false, false, false, false]);
  });

  test('an interrupted backfill: chunks it fully covered are skipped, recent ones and provisional ones are not', () => {
    const d = db();
    run(d, '2026-01-20T10:00:00.000Z', '2026-01-01', '2026-01-20', 'interrupted');
    // It had written the newest chunks before it was stopped; one date was provisional.
    markCoverage(d, 'p', eachDate('2026-01-06', '2026-01-20'), new Set(['2026-01-08']), '2026-01-20T10:00:01.000Z');
    const plan = planSync(d, {
      pluginId: 'p',
      from: '2026-01-01',
      to: '2026-01-20',
      today: '2026-01-20',
      maxDaysPerFetch: 5,
    });
    expect(plan.resumeAnchor).toBe('2026-01-20T10:00:00.000Z');
    expect(plan.chunks.map((c) => [c.from, c.to, c.skip])).toEqual([
      ['2026-01-16', '2026-01-20', false], // within the last 7 days: always fetched again
      ['2026-01-11', '2026-01-15', false], // 2026-01-13.. is within 7 days of today
      ['2026-01-06', '2026-01-10', false], // 2026-01-08 is provisional
      ['2026-01-01', '2026-01-05', false], // never covered
    ]);
  });

  test('old chunks fully covered since the interrupted backfill started are skipped', () => {
    const d = db();
    run(d, '2026-06-01T10:00:00.000Z', '2026-01-01', '2026-06-01', 'interrupted');
    markCoverage(d, 'p', eachDate('2026-03-01', '2026-06-01'), new Set(), '2026-06-01T10:00:05.000Z');
    // Coverage from long before the backfill does not count.
    markCoverage(d, 'p', eachDate('2026-01-01', '2026-02-28'), new Set(), '2026-02-28T10:00:00.000Z');
    const plan = planSync(d, {
      pluginId: 'p',
      from: '2026-01-01',
      to: '2026-06-01',
      today: '2026-06-01',
      maxDaysPerFetch: 30,
    });
    const skipped = plan.chunks.filter((c) => c.skip).map((c) => `${c.from}..${c.to}`);
    expect(skipped).toEqual(['2026-04-03..2026-05-02', '2026-03-04..2026-04-02']);
    expect(plan.chunks.filter((c) => !c.skip)).toHaveLength(4);
  });

  test('a chain of interrupted backfills resumes from the first; hourly syncs in between do not break it', () => {
    const d = db();
    run(d, '2026-06-01T10:00:00.000Z', '2026-01-01', '2026-06-01', 'interrupted');
    run(d, '2026-06-01T11:00:00.000Z', '2026-05-25', '2026-06-01', 'ok'); // cron, one chunk
    run(d, '2026-06-01T11:30:00.000Z', '2026-01-01', '2026-06-01', 'error');
    expect(resumeAnchor(d, 'p', 30)).toBe('2026-06-01T10:00:00.000Z');
  });

  test('a completed backfill is not resumed: asking again fetches everything', () => {
    const d = db();
    run(d, '2026-06-01T10:00:00.000Z', '2026-01-01', '2026-06-01', 'interrupted');
    run(d, '2026-06-01T11:00:00.000Z', '2026-01-01', '2026-06-01', 'ok');
    markCoverage(d, 'p', eachDate('2026-01-01', '2026-06-01'), new Set(), '2026-06-01T11:00:05.000Z');
    const plan = planSync(d, {
      pluginId: 'p',
      from: '2026-01-01',
      to: '2026-06-01',
      today: '2026-06-01',
      maxDaysPerFetch: 30,
    });
    expect(plan.resumeAnchor).toBeUndefined();
    expect(plan.chunks.every((c) => !c.skip)).toBe(true);
  });

  test('a one-chunk sync (the default 7 days) never skips', () => {
    const d = db();
    run(d, '2026-06-01T10:00:00.000Z', '2026-01-01', '2026-06-01', 'interrupted');
    markCoverage(d, 'p', eachDate('2026-01-01', '2026-06-01'), new Set(), '2026-06-01T10:00:05.000Z');
    const plan = planSync(d, {
      pluginId: 'p',
      from: '2026-01-01',
      to: '2026-01-08',
      today: '2026-06-01',
      maxDaysPerFetch: 90,
    });
    expect(plan.backfill).toBe(false);
    expect(plan.chunks).toEqual([{ from: '2026-01-01', to: '2026-01-08', days: 8, skip: false }]);
  });

  test("the current run's own row is not its anchor", () => {
    const d = db();
    const id = run(d, '2026-06-01T10:00:00.000Z', '2026-01-01', '2026-06-01', 'running');
    expect(resumeAnchor(d, 'p', 30, id)).toBeUndefined();
  });
});

describe('any provider limit', () => {
  test('neither a range cap nor paging: chunks of DEFAULT_CHUNK_DAYS, so a long sync is resumable', () => {
    const d = db();
    const plan = planSync(d, { pluginId: 'p', from: '2024-11-11', to: '2026-11-10', today: '2026-11-10' });
    expect(plan.backfill).toBe(true);
    expect(plan.chunks.length).toBe(Math.ceil(730 / DEFAULT_CHUNK_DAYS));
    expect(plan.chunks.every((c) => c.days <= DEFAULT_CHUNK_DAYS)).toBe(true);
  });

  test('a paging plugin gets the whole range as one chunk', () => {
    const d = db();
    const plan = planSync(d, {
      pluginId: 'p',
      from: '2024-11-11',
      to: '2026-11-10',
      today: '2026-11-10',
      pagesLongRanges: true,
    });
    expect(plan.backfill).toBe(true);
    expect(plan.chunks).toEqual([{ from: '2024-11-11', to: '2026-11-10', days: 730, skip: false }]);
  });

  test('a paging plugin resumes after its last committed day; the recent days always come again', () => {
    const d = db();
    run(d, '2026-11-10T10:00:00.000Z', '2024-11-11', '2026-11-10', 'interrupted');
    // It committed its oldest days first, up to 2025-06-30, and the recent week.
    markCoverage(d, 'p', eachDate('2024-11-11', '2025-06-30'), new Set(), '2026-11-10T10:00:01.000Z');
    markCoverage(d, 'p', eachDate('2026-11-04', '2026-11-10'), new Set(), '2026-11-10T10:00:01.000Z');
    const limits = { pagesLongRanges: true, from: '2024-11-11', to: '2026-11-10', today: '2026-11-10' };
    expect(planSync(d, { pluginId: 'p', ...limits }).chunks).toEqual([
      { from: '2025-07-01', to: '2026-11-10', days: 498, skip: false },
    ]);
    // Everything settled but the recent days: only those.
    markCoverage(d, 'p', eachDate('2025-07-01', '2026-11-03'), new Set(), '2026-11-10T10:00:02.000Z');
    expect(planSync(d, { pluginId: 'p', ...limits }).chunks).toEqual([
      { from: '2026-11-04', to: '2026-11-10', days: 7, skip: false },
    ]);
    // An old range wholly settled is skipped.
    expect(
      planSync(d, { pluginId: 'p', pagesLongRanges: true, from: '2024-11-11', to: '2025-06-30', today: '2026-11-10' })
        .chunks[0]!.skip,
    ).toBe(true);
  });

  test("a plugin's recent days are never skipped by a resume", () => {
    const d = db();
    run(d, '2026-06-01T10:00:00.000Z', '2026-01-01', '2026-06-01', 'interrupted');
    markCoverage(d, 'p', eachDate('2026-01-01', '2026-06-01'), new Set(), '2026-06-01T10:00:05.000Z');
    const at = { pluginId: 'p', from: '2026-01-01', to: '2026-06-01', today: '2026-06-01', maxDaysPerFetch: 10 };
    const fetched = (recentDays?: number) =>
      planSync(d, { ...at, recentDays })
        .chunks.filter((c) => !c.skip)
        .map((c) => `${c.from}..${c.to}`);
    expect(fetched()).toEqual(['2026-05-23..2026-06-01']);
    expect(fetched(14)).toEqual(['2026-05-23..2026-06-01', '2026-05-13..2026-05-22']);
  });
});
