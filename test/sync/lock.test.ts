/**
 * The lock files: exclusive, waited for, stale ones broken, the holder reported.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { acquireLock, lockPath, pidAlive, readLock } from '../../src/sync/lock.js';
import { tempHome } from '../helpers/home.js';

const now = () => new Date('2026-11-10T12:00:00Z');

test('a lock is exclusive until released, and records pid and start', async () => {
  const dir = join(tempHome(), 'locks');
  const a = await acquireLock(dir, 'fitbit.sync', { waitMs: 0, now });
  expect(a.acquired).toBe(true);
  expect(readLock(dir, 'fitbit.sync')).toEqual({ pid: process.pid, startedAt: '2026-11-10T12:00:00.000Z' });
  const b = await acquireLock(dir, 'fitbit.sync', { waitMs: 0, now });
  expect(b).toEqual({
    acquired: false,
    holder: { pid: process.pid, startedAt: '2026-11-10T12:00:00.000Z' },
    path: lockPath(dir, 'fitbit.sync'),
  });
  if (a.acquired) a.lock.release();
  expect(existsSync(lockPath(dir, 'fitbit.sync'))).toBe(false);
  const c = await acquireLock(dir, 'fitbit.sync', { waitMs: 0, now });
  expect(c.acquired).toBe(true);
});

test('a waiter gets the lock when the holder releases it within the wait', async () => {
  const dir = join(tempHome(), 'locks');
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

test('a waiter gives up after the bounded wait and names the holder', async () => {
  const dir = join(tempHome(), 'locks');
  const sleeper = spawn('sleep', ['30']);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(lockPath(dir, 'y'), JSON.stringify({ pid: sleeper.pid, startedAt: '2026-11-10T11:00:00.000Z' }));
    const t0 = performance.now();
    const r = await acquireLock(dir, 'y', { waitMs: 200, pollMs: 20, now });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(r).toMatchObject({ acquired: false, holder: { pid: sleeper.pid, startedAt: '2026-11-10T11:00:00.000Z' } });
    // The held lock was not touched.
    expect(JSON.parse(readFileSync(lockPath(dir, 'y'), 'utf8')).pid).toBe(sleeper.pid);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('a lock whose process is dead is broken at once', async () => {
  const dir = join(tempHome(), 'locks');
  const dead = spawn('true');
  await new Promise((r) => dead.on('close', r));
  expect(pidAlive(dead.pid!)).toBe(false);
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockPath(dir, 'z'), JSON.stringify({ pid: dead.pid, startedAt: '2026-11-10T11:00:00.000Z' }));
  const r = await acquireLock(dir, 'z', { waitMs: 0, now });
  expect(r.acquired).toBe(true);
  expect(readLock(dir, 'z')?.pid).toBe(process.pid);
});

test('many waiters on one stale lock: exactly one gets it', async () => {
  const dir = join(tempHome(), 'locks');
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockPath(dir, 's'), JSON.stringify({ pid: 999_999_999, startedAt: 'x' }));
  // Distinct fake pids so that each waiter sees the others as alive holders.
  const live = new Set([1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008]);
  const results = await Promise.all(
    [...live].map((pid) => acquireLock(dir, 's', { waitMs: 0, now, pid, isAlive: (p) => live.has(p) })),
  );
  expect(results.filter((r) => r.acquired)).toHaveLength(1);
});

test('an empty lock file (writer killed between create and write) is stale once old', async () => {
  const dir = join(tempHome(), 'locks');
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockPath(dir, 'e'), '');
  expect((await acquireLock(dir, 'e', { waitMs: 0, now })).acquired).toBe(false);
  const { utimesSync } = await import('node:fs');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lockPath(dir, 'e'), old, old);
  expect((await acquireLock(dir, 'e', { waitMs: 0, now })).acquired).toBe(true);
});

test('release leaves a lock that is no longer ours alone', async () => {
  const dir = join(tempHome(), 'locks');
  const a = await acquireLock(dir, 'r', { waitMs: 0, now });
  if (!a.acquired) throw new Error('lock');
  writeFileSync(lockPath(dir, 'r'), JSON.stringify({ pid: 4242, startedAt: 'other' }));
  a.lock.release();
  expect(readLock(dir, 'r')).toEqual({ pid: 4242, startedAt: 'other' });
});
