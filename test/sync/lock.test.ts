/**
 * The lock files: exclusive, waited for, stale ones broken (dead pid, recycled pid, silent holder,
 * entries okr never writes), the holder reported, never a spin. The same through the built binary,
 * with a hard deadline and Ctrl-C, is in lock.bin.test.ts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  acquireLock,
  lockPath,
  pidAlive,
  processIdentity,
  readLock,
  STALE_AFTER_MS,
  staleLocks,
  withFileLock,
} from '../../src/lock.js';
import { tempHome } from '../helpers/home.js';

const now = () => new Date('2026-11-10T12:00:00Z');
const homes: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function lockDir(): string {
  const home = tempHome();
  homes.push(home);
  const dir = join(home, 'locks');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A live process that is not an okr holder: what a recycled pid points at. */
function liveStranger(): number {
  const c = spawn('sleep', ['30']);
  children.push(c);
  return c.pid!;
}

async function deadPid(): Promise<number> {
  const dead = spawn('true');
  await new Promise((r) => dead.on('close', r));
  expect(pidAlive(dead.pid!)).toBe(false);
  return dead.pid!;
}

function age(path: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  utimesSync(path, t, t);
}

test('a lock is exclusive until released, and records pid, start, owner and process identity', async () => {
  const dir = lockDir();
  const a = await acquireLock(dir, 'fitbit.sync', { waitMs: 0, now });
  expect(a.acquired).toBe(true);
  const rec = readLock(dir, 'fitbit.sync');
  expect(rec).toMatchObject({ pid: process.pid, startedAt: '2026-11-10T12:00:00.000Z' });
  expect(rec?.owner).toMatch(/^[a-z0-9]{8,}$/);
  // Linux: boot id and start time, so that a recycled pid is told apart.
  expect(rec?.proc).toBe(processIdentity(process.pid));
  expect(rec?.proc).toMatch(/^[0-9a-f-]{36}:\d+$/);
  const b = await acquireLock(dir, 'fitbit.sync', { waitMs: 0, now });
  expect(b).toEqual({ acquired: false, holder: rec, path: lockPath(dir, 'fitbit.sync') });
  if (a.acquired) a.lock.release();
  expect(existsSync(lockPath(dir, 'fitbit.sync'))).toBe(false);
  const c = await acquireLock(dir, 'fitbit.sync', { waitMs: 0, now });
  expect(c.acquired).toBe(true);
  // Two acquisitions by one pid at one (fixed) time still write different records.
  expect(readLock(dir, 'fitbit.sync')?.owner).not.toBe(rec?.owner);
});

test('a waiter gets the lock when the holder releases it within the wait', async () => {
  const dir = lockDir();
  const a = await acquireLock(dir, 'x', { waitMs: 0, now });
  if (!a.acquired) throw new Error('first lock');
  const waits: unknown[] = [];
  setTimeout(() => a.lock.release(), 150);
  const t0 = performance.now();
  const b = await acquireLock(dir, 'x', { waitMs: 5000, pollMs: 20, now, onWait: (h) => waits.push(h) });
  expect(b.acquired).toBe(true);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  expect(waits).toHaveLength(1);
});

test('a waiter gives up after the bounded wait and names the live holder', async () => {
  const dir = lockDir();
  const holder = await acquireLock(dir, 'y', { waitMs: 0, now });
  if (!holder.acquired) throw new Error('first lock');
  const t0 = performance.now();
  const r = await acquireLock(dir, 'y', { waitMs: 200, pollMs: 20, now });
  expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  expect(r).toMatchObject({ acquired: false, holder: { pid: process.pid, owner: holder.lock.info.owner } });
  expect(holder.lock.stillHeld()).toBe(true);
});

test('a lock whose process is dead is broken at once', async () => {
  const dir = lockDir();
  writeFileSync(lockPath(dir, 'z'), JSON.stringify({ pid: await deadPid(), startedAt: '2026-11-10T11:00:00.000Z' }));
  const r = await acquireLock(dir, 'z', { waitMs: 0, now });
  expect(r.acquired).toBe(true);
  expect(readLock(dir, 'z')?.pid).toBe(process.pid);
});

test('a recycled pid (alive, but another process than the one recorded) is taken over at once', async () => {
  const dir = lockDir();
  const pid = liveStranger();
  // Written days ago by an okr whose pid the OS has since given to `sleep`.
  writeFileSync(
    lockPath(dir, 'r'),
    JSON.stringify({
      pid,
      startedAt: '2026-11-01T03:00:00.000Z',
      proc: `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}:1`,
    }),
  );
  expect(staleLocks(dir)).toEqual([
    expect.objectContaining({ name: 'r', reason: `left by pid ${pid}, a number now used by another process` }),
  ]);
  const r = await acquireLock(dir, 'r', { waitMs: 0, now });
  expect(r.acquired).toBe(true);
});

test('without an identity to compare: a silent holder is stale after the age limit, a renewing one is not', async () => {
  const dir = lockDir();
  const pid = liveStranger();
  // A record from an okr that wrote no identity (another OS, an older version).
  writeFileSync(lockPath(dir, 'a'), JSON.stringify({ pid, startedAt: '2026-11-10T11:59:00.000Z' }));
  expect((await acquireLock(dir, 'a', { waitMs: 0, now })).acquired).toBe(false);
  age(lockPath(dir, 'a'), STALE_AFTER_MS + 60_000);
  expect(staleLocks(dir)[0]?.reason).toBe(`left by pid ${pid}, which has not renewed it for 3 min`);
  expect((await acquireLock(dir, 'a', { waitMs: 0, now })).acquired).toBe(true);

  // The holder renews its file's mtime: even with its identity unknown it stays held.
  const noIdentity = { identityOf: () => undefined, staleAfterMs: 300 };
  const held = await acquireLock(dir, 'b', { waitMs: 0, now, heartbeatMs: 50, ...noIdentity });
  if (!held.acquired) throw new Error('lock');
  age(held.lock.path, 3_600_000);
  await new Promise((r) => setTimeout(r, 200));
  expect(Date.now() - statSync(held.lock.path).mtimeMs).toBeLessThan(1_000);
  expect((await acquireLock(dir, 'b', { waitMs: 0, now, ...noIdentity })).acquired).toBe(false);
  held.lock.release();
});

test('many waiters on one stale lock: exactly one gets it', async () => {
  const dir = lockDir();
  writeFileSync(lockPath(dir, 's'), JSON.stringify({ pid: 999_999_999, startedAt: 'x' }));
  // Distinct fake pids so that each waiter sees the others as alive holders.
  const live = new Set([1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008]);
  const results = await Promise.all(
    [...live].map((pid) =>
      acquireLock(dir, 's', { waitMs: 0, now, pid, isAlive: (p) => live.has(p), identityOf: () => undefined }),
    ),
  );
  expect(results.filter((r) => r.acquired)).toHaveLength(1);
});

test('an empty lock file (writer killed between create and write) is stale once old', async () => {
  const dir = lockDir();
  writeFileSync(lockPath(dir, 'e'), '');
  expect((await acquireLock(dir, 'e', { waitMs: 0, now })).acquired).toBe(false);
  age(lockPath(dir, 'e'), 60_000);
  expect((await acquireLock(dir, 'e', { waitMs: 0, now })).acquired).toBe(true);
});

test('release, and stillHeld, leave a lock that is no longer ours alone', async () => {
  const dir = lockDir();
  const a = await acquireLock(dir, 'r', { waitMs: 0, now });
  if (!a.acquired) throw new Error('lock');
  expect(a.lock.stillHeld()).toBe(true);
  writeFileSync(lockPath(dir, 'r'), JSON.stringify({ pid: 4242, startedAt: 'other' }));
  expect(a.lock.stillHeld()).toBe(false);
  a.lock.release();
  expect(readLock(dir, 'r')).toEqual({ pid: 4242, startedAt: 'other' });
});

describe('entries okr never writes at a lock path: bounded, never a spin', () => {
  async function timed(dir: string, name: string, waitMs: number) {
    const t0 = performance.now();
    const r = await acquireLock(dir, name, { waitMs, pollMs: 20, now });
    return { r, ms: performance.now() - t0 };
  }

  test('a dangling symbolic link is removed (not followed) and the lock taken', async () => {
    const dir = lockDir();
    const target = join(dir, 'elsewhere');
    symlinkSync(target, lockPath(dir, 'l'));
    const { r } = await timed(dir, 'l', 1000);
    expect(r.acquired).toBe(true);
    expect(lstatSync(lockPath(dir, 'l')).isFile()).toBe(true);
    expect(existsSync(target)).toBe(false);
  });

  test('a FIFO is never opened for a blocking read: removed, lock taken', async () => {
    const dir = lockDir();
    execFileSync('mkfifo', [lockPath(dir, 'f')]);
    const { r } = await timed(dir, 'f', 1000);
    expect(r.acquired).toBe(true);
  });

  test('an empty directory is removed; one with files in it is left alone and named, within the wait', async () => {
    const dir = lockDir();
    mkdirSync(lockPath(dir, 'd'));
    expect((await timed(dir, 'd', 1000)).r.acquired).toBe(true);

    mkdirSync(lockPath(dir, 'full'));
    writeFileSync(join(lockPath(dir, 'full'), 'keep.txt'), 'mine');
    const { r, ms } = await timed(dir, 'full', 300);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(5_000);
    expect(r).toMatchObject({
      acquired: false,
      blocker: {
        problem: expect.stringMatching(
          /full\.lock is a directory, which okr never leaves there, and okr cannot remove it \(ENOTEMPTY\)$/,
        ),
        fix: `rm -r '${lockPath(dir, 'full')}'`,
      },
    });
    expect(readFileSync(join(lockPath(dir, 'full'), 'keep.txt'), 'utf8')).toBe('mine');
    expect(staleLocks(dir)).toEqual([expect.objectContaining({ name: 'full', blocks: true })]);
  });

  test('an abort ends the wait at once', async () => {
    const dir = lockDir();
    mkdirSync(lockPath(dir, 'g'));
    writeFileSync(join(lockPath(dir, 'g'), 'x'), '');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const r = await acquireLock(dir, 'g', { waitMs: 60_000, now, signal: ac.signal });
    expect(r.acquired).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  // root reads a 0000 file anyway: the case cannot be made as root (the FIFO and directory cases
  // above cover the entries that cannot be read as a record).
  test.skipIf(process.getuid?.() === 0)(
    'a file okr may not read is taken over once not renewed for the age limit',
    async () => {
      const dir = lockDir();
      writeFileSync(lockPath(dir, 'u'), JSON.stringify({ pid: 1, startedAt: 'x' }));
      chmodSync(lockPath(dir, 'u'), 0);
      expect((await timed(dir, 'u', 100)).r.acquired).toBe(false);
      age(lockPath(dir, 'u'), STALE_AFTER_MS + 1000);
      expect((await timed(dir, 'u', 100)).r.acquired).toBe(true);
    },
  );
});

test('taking a lock makes the lock folder and the state folder holding it private, and nothing above', async () => {
  const home = tempHome();
  homes.push(home);
  const state = join(home, 'state');
  mkdirSync(join(state, 'locks'), { recursive: true });
  for (const d of [home, state, join(state, 'locks')]) chmodSync(d, 0o777);
  const got = await acquireLock(join(state, 'locks'), 'fitbit.sync', { waitMs: 0, now });
  expect(got.acquired).toBe(true);
  if (got.acquired) got.lock.release();
  expect(statSync(join(state, 'locks')).mode & 0o777).toBe(0o700);
  expect(statSync(state).mode & 0o777).toBe(0o700);
  expect(statSync(home).mode & 0o777).toBe(0o777);
  // A file lock's folder (the config folder) is tightened, its parent (~/.config) is not.
  const config = join(home, 'dotconfig', 'okr');
  mkdirSync(config, { recursive: true });
  chmodSync(join(home, 'dotconfig'), 0o755);
  withFileLock(join(config, 'config.json'), () => {});
  expect(statSync(config).mode & 0o777).toBe(0o700);
  expect(statSync(join(home, 'dotconfig')).mode & 0o777).toBe(0o755);
});
