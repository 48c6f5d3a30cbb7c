/**
 * `okr schedule run`, the job body, with a stand-in for bin/okr.js that records how it was called:
 * the log's start and end lines, the exit code passed through, rotation, and overlap.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { lastJobFromLog } from '../../src/schedule/log.js';
import { runJob } from '../../src/schedule/run.js';
import { tempHome } from '../helpers/home.js';

const NOW = new Date('2026-03-10T14:23:41.000Z');

function setup(exitCode = 0) {
  const root = tempHome('okr-run-');
  const okrHome = join(root, 'okr');
  const marker = join(root, 'called.json');
  const fakeOkr = join(root, 'fake-okr.js');
  writeFileSync(
    fakeOkr,
    `require('node:fs').writeFileSync(${JSON.stringify(marker)}, JSON.stringify({ argv: process.argv.slice(2), home: process.env.OKR_HOME }));
     console.log('2026-03-10 15:23 fitbit ok, 12 values');
     console.error('a warning on stderr');
     process.exit(${exitCode});`,
  );
  const ctx = createContext({ env: { OKR_HOME: okrHome, PATH: '/usr/bin:/bin' }, now: () => NOW });
  return { root, okrHome, marker, fakeOkr, ctx };
}

describe('okr schedule run', () => {
  it('runs `okr sync --quiet --trigger schedule` and logs it between a start and an end line', async () => {
    const s = setup();
    const code = await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr });
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(s.marker, 'utf8'))).toEqual({
      argv: ['sync', '--quiet', '--trigger', 'schedule'],
      home: s.okrHome,
    });
    const log = readFileSync(s.ctx.paths.syncLog, 'utf8');
    expect(log).toMatch(
      /^\[2026-03-10T14:23:41\.000Z\] okr schedule run: starting okr sync --quiet --trigger schedule \(pid \d+\)\n2026-03-10 15:23 fitbit ok, 12 values\na warning on stderr\n\[2026-03-10T14:23:41\.000Z\] okr schedule run: finished, exit 0 after \d+\.\d s\n$/,
    );
    expect(lastJobFromLog(s.ctx.paths.syncLog)).toMatchObject({ at: '2026-03-10T14:23:41.000Z', exitCode: 0 });
    // The lock is released.
    expect(existsSync(join(s.ctx.paths.lockDir, 'schedule.lock'))).toBe(false);
  });

  it('passes the sync’s exit code through (systemd shows a failed sync as failed)', async () => {
    const s = setup(3);
    expect(await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr })).toBe(3);
    expect(readFileSync(s.ctx.paths.syncLog, 'utf8')).toContain('okr schedule run: finished, exit 3 after');
    expect(lastJobFromLog(s.ctx.paths.syncLog)?.exitCode).toBe(3);
  });

  it('a missing node binary is logged, not lost', async () => {
    const s = setup();
    const code = await runJob(s.ctx, { node: join(s.root, 'no-such-node'), okr: s.fakeOkr });
    expect(code).toBe(127);
    expect(readFileSync(s.ctx.paths.syncLog, 'utf8')).toContain(
      `okr schedule run: could not start ${join(s.root, 'no-such-node')}: spawn`,
    );
  });

  it('rotates the log once it reaches the cap', async () => {
    const s = setup();
    mkdirSync(s.ctx.paths.stateDir, { recursive: true });
    const old = `${'x'.repeat(199)}\n`;
    writeFileSync(s.ctx.paths.syncLog, old);
    await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr, maxLogBytes: 200 });
    expect(readFileSync(`${s.ctx.paths.syncLog}.1`, 'utf8')).toBe(old);
    expect(
      readFileSync(s.ctx.paths.syncLog, 'utf8').startsWith('[2026-03-10T14:23:41.000Z] okr schedule run: starting'),
    ).toBe(true);
    // Under the cap: appended, not rotated.
    const before = readFileSync(s.ctx.paths.syncLog, 'utf8');
    await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr, maxLogBytes: 10_000 });
    expect(readFileSync(s.ctx.paths.syncLog, 'utf8').startsWith(before)).toBe(true);
    expect(readFileSync(`${s.ctx.paths.syncLog}.1`, 'utf8')).toBe(old);
  });

  it('skips a run while the previous one is still going', async () => {
    const s = setup();
    mkdirSync(s.ctx.paths.lockDir, { recursive: true });
    // This test process plays the previous run: alive, holding the job lock.
    writeFileSync(
      join(s.ctx.paths.lockDir, 'schedule.lock'),
      JSON.stringify({ pid: process.pid, startedAt: '2026-03-10T14:03:00.000Z', purpose: 'okr schedule run' }),
    );
    expect(await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr })).toBe(0);
    expect(existsSync(s.marker)).toBe(false);
    expect(readFileSync(s.ctx.paths.syncLog, 'utf8')).toBe(
      `[2026-03-10T14:23:41.000Z] okr schedule run: skipped, the previous run (pid ${process.pid}, started 2026-03-10T14:03:00.000Z) is still going\n`,
    );
    expect(lastJobFromLog(s.ctx.paths.syncLog)).toMatchObject({ skipped: true });
  });

  it('a previous run going for more than 30 minutes is probably stuck: a failure (exit 1), not a skip', async () => {
    const s = setup();
    mkdirSync(s.ctx.paths.lockDir, { recursive: true });
    writeFileSync(
      join(s.ctx.paths.lockDir, 'schedule.lock'),
      JSON.stringify({ pid: process.pid, startedAt: '2026-03-10T12:23:00.000Z', purpose: 'okr schedule run' }),
    );
    expect(await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr })).toBe(1);
    expect(existsSync(s.marker)).toBe(false);
    expect(readFileSync(s.ctx.paths.syncLog, 'utf8')).toBe(
      `[2026-03-10T14:23:41.000Z] okr schedule run: not run, exit 1: the previous run (pid ${process.pid}, started 2026-03-10T12:23:00.000Z) has been going for 2 h and may be stuck; end it (kill ${process.pid}) if it makes no progress\n`,
    );
    // status and doctor read it as a failed run.
    expect(lastJobFromLog(s.ctx.paths.syncLog)).toMatchObject({ exitCode: 1 });
  });

  it('takes over the lock of a run that was killed', async () => {
    const s = setup();
    mkdirSync(s.ctx.paths.lockDir, { recursive: true });
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    writeFileSync(
      join(s.ctx.paths.lockDir, 'schedule.lock'),
      JSON.stringify({ pid: 4194305, startedAt: '2026-03-10T10:00:00.000Z' }),
    );
    expect(await runJob(s.ctx, { node: process.execPath, okr: s.fakeOkr })).toBe(0);
    expect(existsSync(s.marker)).toBe(true);
  });
});
