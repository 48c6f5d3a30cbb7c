/**
 * The built `okr sync` facing lock paths it cannot use as they are: a dangling symbolic link, a
 * FIFO, directories, a lock left by a dead pid and one whose pid the OS gave to another process.
 * Each run has a hard deadline (a spinning or blocked process is killed and fails the test), and
 * Ctrl-C (SIGINT) ends a wait promptly. Needs `npm run build` (npm test runs it first).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { lockPath } from '../../src/lock.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { simulatorHome, spawnOkr } from '../helpers/faults.js';

const DEADLINE_MS = 20_000;
let sim: Simulator;
const homes: string[] = [];
const children: ChildProcess[] = [];
beforeAll(async () => {
  sim = await startSimulator({ seed: 5 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function home() {
  const h = await simulatorHome(sim, { prefix: 'okr-lockbin-' });
  homes.push(h.home);
  const dir = join(h.home, 'state', 'locks');
  mkdirSync(dir, { recursive: true });
  return { ...h, lock: lockPath(dir, 'fitbit.sync') };
}

/** `okr sync fitbit --json` with a hard deadline: killed (and reported) if it spins or blocks. */
async function syncWithin(h: { home: string; env: Record<string, string> }, env: Record<string, string> = {}) {
  const p = spawnOkr(['sync', 'fitbit', '--since', '2d', '--json'], { home: h.home, env: { ...h.env, ...env } });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), DEADLINE_MS);
  const r = await p.done;
  clearTimeout(timer);
  expect(r.signal, `okr sync did not end within ${DEADLINE_MS} ms:\n${r.stdout}\n${r.stderr}`).toBeNull();
  return r;
}

function liveStranger(): number {
  const c = spawn('sleep', ['60']);
  children.push(c);
  return c.pid!;
}

describe('okr sync takes over what is not a live lock', () => {
  const cases: Array<[string, (lock: string) => void | Promise<void>]> = [
    ['a dangling symbolic link', (lock) => symlinkSync(join(lock, '..', 'nowhere'), lock)],
    ['a FIFO', (lock) => execFileSync('mkfifo', [lock])],
    ['an empty directory', (lock) => mkdirSync(lock)],
    [
      'a lock of a dead pid',
      async (lock) => {
        const dead = spawn('true');
        await new Promise((r) => dead.on('close', r));
        writeFileSync(lock, JSON.stringify({ pid: dead.pid, startedAt: '2026-01-01T00:00:00.000Z' }));
      },
    ],
    [
      'a lock whose pid now belongs to another process',
      (lock) =>
        writeFileSync(
          lock,
          JSON.stringify({ pid: liveStranger(), startedAt: '2026-01-01T00:00:00.000Z', proc: 'another-boot:42' }),
        ),
    ],
  ];
  for (const [what, make] of cases) {
    test(what, async () => {
      const h = await home();
      await make(h.lock);
      // A short wait: a sync that wrongly waits on it ends "skipped" instead of taking long.
      const r = await syncWithin(h, { OKR_LOCK_WAIT_MS: '1000' });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).plugins[0]).toMatchObject({ plugin: 'fitbit', status: 'ok' });
      expect(existsSync(h.lock)).toBe(false); // released at the end
    });
  }
});

test('a directory with files in it: the sync gives up after its wait, names it and the fix, touches nothing', async () => {
  const h = await home();
  mkdirSync(h.lock);
  writeFileSync(join(h.lock, 'notes.txt'), 'not okr’s');
  const r = await syncWithin(h, { OKR_LOCK_WAIT_MS: '500' });
  expect(r.code).toBe(1);
  const p = JSON.parse(r.stdout).plugins[0];
  expect(p.status).toBe('error');
  expect(p.error).toBe(
    `fitbit cannot be synced: its lock ${h.lock} is a directory, which okr never leaves there, and okr cannot remove it (ENOTEMPTY).`,
  );
  expect(p.hint).toBe(`Remove it (\`rm -r '${h.lock}'\`) and run \`okr sync fitbit\` again.`);
  expect(readFileSync(join(h.lock, 'notes.txt'), 'utf8')).toBe('not okr’s');
});

test('Ctrl-C (SIGINT) ends a sync waiting on a lock it cannot take, promptly, exit 130', async () => {
  const h = await home();
  mkdirSync(h.lock);
  writeFileSync(join(h.lock, 'x'), '');
  const p = spawnOkr(['sync', 'fitbit', '--since', '2d'], {
    home: h.home,
    env: { ...h.env, OKR_LOCK_WAIT_MS: '60000' },
  });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), DEADLINE_MS);
  // Until it says it waits (or 3 s), then interrupt it.
  for (let t0 = performance.now(); !/waiting for/.test(p.stdout()) && performance.now() - t0 < 3000; ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(p.stdout()).toMatch(/fitbit: waiting for/);
  const sentAt = performance.now();
  p.child.kill('SIGINT');
  const r = await p.done;
  clearTimeout(timer);
  const ms = performance.now() - sentAt;
  expect(r.signal, 'killed at the deadline: SIGINT was ignored').toBeNull();
  expect(r.code).toBe(130);
  expect(ms).toBeLessThan(3_000);
});
