/**
 * The calls a plugin's syncs made in a window, which a per-day quota counts across runs (an
 * hourly cron job and a backfill spend the same daily allowance).
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { callsSince, finishSyncRun, startSyncRun } from '../../src/store/sync-runs.js';
import { tempDir } from '../helpers/home.js';

test('callsSince sums the api calls of the plugin runs started in the window, running ones included', () => {
  const dir = tempDir(); // removed after the file by test/setup.ts
  const db = openDatabase(join(dir, 'okr.db'));
  try {
    const run = (pluginId: string, startedAt: string, apiCalls: number, finish = true) => {
      const id = startSyncRun(db, {
        pluginId,
        trigger: 'manual',
        startedAt,
        rangeFrom: '2026-11-01',
        rangeTo: '2026-11-30',
        pid: 1,
      });
      if (finish)
        finishSyncRun(db, id, { finishedAt: startedAt, status: 'ok', valuesWritten: 0, apiCalls, error: null });
      else db.prepare('UPDATE sync_runs SET api_calls = ? WHERE id = ?').run(apiCalls, id);
    };
    run('oura', '2026-11-30T10:00:00.000Z', 40); // more than a day before: not counted
    run('oura', '2026-12-01T13:00:00.000Z', 7);
    run('oura', '2026-12-02T11:00:00.000Z', 5, false); // still running
    run('fitbit', '2026-12-02T11:30:00.000Z', 100); // another plugin
    expect(callsSince(db, 'oura', '2026-12-01T12:00:00.000Z')).toBe(12);
    expect(callsSince(db, 'fitbit', '2026-12-01T12:00:00.000Z')).toBe(100);
    expect(callsSince(db, 'withings', '2026-12-01T12:00:00.000Z')).toBe(0);
  } finally {
    db.close();
  }
});
