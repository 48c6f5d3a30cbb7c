import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

const now = () => new Date(2026, 2, 10, 14, 23, 41);

describe('okr schedule status: the last scheduled run', () => {
  it('reads the latest `schedule` rows of one sync process, ignoring manual syncs', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: fm.env, now };
    await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts);
    const db = openDatabase(join(fm.okrHome, 'data', 'okr.db'));
    const insert = db.prepare(
      `INSERT INTO sync_runs (plugin_id, trigger, started_at, finished_at, status, values_written, error, pid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // An older scheduled run, then the latest (pid 500: two plugins), then a later manual sync.
    insert.run('fitbit', 'schedule', '2026-03-10T12:23:00.100Z', '2026-03-10T12:23:04.000Z', 'ok', 40, null, 400);
    insert.run('fitbit', 'schedule', '2026-03-10T13:23:00.100Z', '2026-03-10T13:23:03.000Z', 'ok', 12, null, 500);
    insert.run(
      'other',
      'schedule',
      '2026-03-10T13:23:00.200Z',
      '2026-03-10T13:23:05.000Z',
      'reauth',
      0,
      'run okr connect other',
      500,
    );
    insert.run(
      'fitbit',
      'manual',
      '2026-03-10T13:40:00.000Z',
      '2026-03-10T13:40:02.000Z',
      'error',
      0,
      'network down',
      600,
    );
    db.close();
    mkdirSync(join(fm.okrHome, 'state'), { recursive: true });
    writeFileSync(
      join(fm.okrHome, 'state', 'sync.log'),
      '[2026-03-10T13:23:00.000Z] okr schedule run: starting okr sync --quiet --trigger schedule (pid 499)\n' +
        'other: re-authentication needed\n' +
        '[2026-03-10T13:23:05.500Z] okr schedule run: finished, exit 3 after 5.5 s\n',
    );

    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(st.lastRun).toEqual({
      startedAt: '2026-03-10T13:23:00.100Z',
      finishedAt: '2026-03-10T13:23:05.000Z',
      status: 'reauth',
      plugins: [
        {
          pluginId: 'fitbit',
          status: 'ok',
          startedAt: '2026-03-10T13:23:00.100Z',
          finishedAt: '2026-03-10T13:23:03.000Z',
          valuesWritten: 12,
          error: null,
        },
        {
          pluginId: 'other',
          status: 'reauth',
          startedAt: '2026-03-10T13:23:00.200Z',
          finishedAt: '2026-03-10T13:23:05.000Z',
          valuesWritten: 0,
          error: 'run okr connect other',
        },
      ],
    });
    expect(st.lastJob).toEqual({
      at: '2026-03-10T13:23:05.500Z',
      exitCode: 3,
      line: '[2026-03-10T13:23:05.500Z] okr schedule run: finished, exit 3 after 5.5 s',
    });

    const human = await runCli(['schedule', 'status'], opts);
    expect(human.stdout).toContain(
      `  last run:  ${fmt(new Date('2026-03-10T13:23:00.100Z'))}, reauth: fitbit ok (12 values), other reauth (run okr connect other)\n`,
    );
    expect(human.stdout).toContain(`  last job:  ${fmt(new Date('2026-03-10T13:23:05.500Z'))}, exit 3\n`);
  });

  it('before any scheduled run: says none yet', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: fm.env, now };
    await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts);
    const human = await runCli(['schedule', 'status'], opts);
    expect(human.stdout).toContain('  last run:  none recorded yet\n');
    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(st.lastRun).toBeNull();
    expect(st.lastJob).toBeNull();
  });

  it('without a schedule: says how to install one', async () => {
    const fm = fakeMachine({ systemctl: false });
    const r = await runCli(['schedule', 'status'], { home: fm.okrHome, env: fm.env, now });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No schedule installed. Run `okr schedule install` to sync every hour.\n');
  });
});

/** Local `YYYY-MM-DD HH:MM`, as status prints (the test runs in any time zone). */
function fmt(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
