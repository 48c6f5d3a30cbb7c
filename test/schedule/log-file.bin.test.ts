/**
 * Something other than a regular file at `sync.log` (a FIFO, a symbolic link): `okr schedule run`,
 * `okr schedule status` and `okr doctor` neither follow it nor wait on it. run and status refuse
 * with one line naming the file (exit 1); doctor reports it. The built binary, each run with a
 * hard deadline: a process blocked in open() is killed and fails the test. Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, tempHome } from '../helpers/cli.js';

const DEADLINE_MS = 15_000;

function home(plant: 'fifo' | 'symlink') {
  const root = tempHome('okr-log-file-');
  const okrHome = join(root, 'okr');
  const state = join(okrHome, 'state');
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const log = join(state, 'sync.log');
  const target = join(root, 'elsewhere.txt');
  if (plant === 'fifo') execFileSync('mkfifo', [log]);
  else {
    writeFileSync(target, 'not the log\n');
    symlinkSync(target, log);
  }
  return { okrHome, log, target, env: { OKR_SECRETS: 'file', PATH: '/usr/bin:/bin' } };
}

describe.each(['fifo', 'symlink'] as const)('a %s at sync.log', (plant) => {
  const refusal = plant === 'fifo' ? 'is not a regular file' : 'is a symbolic link';

  it('okr schedule run: refused with one line naming the file, exit 1; the lock is released', async () => {
    const h = home(plant);
    const r = await runBin(['schedule', 'run'], { home: h.okrHome, env: h.env, timeoutMs: DEADLINE_MS });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      `error: The sync log ${h.log} ${refusal}${plant === 'fifo' ? '.' : '; okr keeps its files as plain files in its own folder and will not follow it.'}`,
    );
    expect(r.stderr).not.toContain('bug in okr');
    expect(existsSync(join(h.okrHome, 'state', 'locks', 'schedule.lock'))).toBe(false);
    if (plant === 'symlink') expect(readFileSync(h.target, 'utf8')).toBe('not the log\n');
  });

  it('okr schedule status: refused with one line naming the file, exit 1', async () => {
    const h = home(plant);
    const r = await runBin(['schedule', 'status'], { home: h.okrHome, env: h.env, timeoutMs: DEADLINE_MS });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The sync log ${h.log} ${refusal}`);
  });

  it('okr doctor: ends, and its schedule check names the file', async () => {
    const h = home(plant);
    const r = await runBin(['doctor', '--json'], { home: h.okrHome, env: h.env, timeoutMs: DEADLINE_MS });
    const checks = JSON.parse(r.stdout).checks as Array<{ id: string; status: string; detail: string }>;
    expect(checks.find((c) => c.id === 'schedule')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`The sync log ${h.log} ${refusal}`),
    });
  });
});
