/**
 * Cross-process locks as files in the lock folder: `<name>.lock`, created with O_EXCL (`wx`) and
 * holding `{pid, startedAt, purpose}`. Used per plugin for syncs (`fitbit.sync.lock`) and for token
 * refreshes (`fitbit.tokens.lock`), so that cron and a manual run never sync the same plugin at
 * once and never both spend a single-use refresh token.
 *
 * Stale locks: a holder killed with SIGKILL leaves its file behind. A lock whose pid is dead is
 * stale. Removing it is itself guarded by a second O_EXCL file (`<name>.lock.break`) and a re-read,
 * so two waiters that both see the same stale lock cannot end up deleting each other's fresh one.
 * A lock file that stays empty or unreadable for more than `UNREADABLE_STALE_MS` (its writer died
 * between creating and writing it) is stale too.
 *
 * Limitation: a recycled pid (the holder died and the OS gave its pid to an unrelated process)
 * looks alive; the waiter then reports the holder and gives up rather than stealing the lock.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../paths.js';

export interface LockInfo {
  pid: number;
  startedAt: string;
  purpose?: string;
}

export interface LockHandle {
  path: string;
  info: LockInfo;
  release(): void;
}

export type LockResult = { acquired: true; lock: LockHandle } | { acquired: false; holder?: LockInfo; path: string };

export interface LockOptions {
  /** How long to wait for a held lock before giving up (0: try once). */
  waitMs: number;
  pollMs?: number;
  /** Wall-clock time for the record in the file. */
  now: () => Date;
  signal?: AbortSignal;
  pid?: number;
  purpose?: string;
  isAlive?: (pid: number) => boolean;
  /** Called once when the lock is found held and we start waiting. */
  onWait?: (holder: LockInfo | undefined) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const UNREADABLE_STALE_MS = 5_000;

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(dir: string, name: string): string {
  return join(dir, `${name}.lock`);
}

function readRaw(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parse(raw: string | undefined): LockInfo | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as LockInfo;
    return Number.isInteger(v.pid) && typeof v.startedAt === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Reads who holds a lock, without touching it. */
export function readLock(dir: string, name: string): LockInfo | undefined {
  return parse(readRaw(lockPath(dir, name)));
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Removes `path` only if it still holds exactly `staleRaw`, under the breaker lock. Returns false
 * when another waiter holds the breaker (it is breaking the same lock right now).
 */
function breakStale(path: string, staleRaw: string, pid: number): boolean {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker, String(pid))) {
    // A waiter that died while breaking (microseconds of work) leaves the breaker behind.
    if (ageMs(breaker) > UNREADABLE_STALE_MS) unlinkQuiet(breaker);
    return false;
  }
  try {
    if (readRaw(path) === staleRaw) unlinkQuiet(path);
  } finally {
    unlinkQuiet(breaker);
  }
  return true;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export async function acquireLock(dir: string, name: string, opts: LockOptions): Promise<LockResult> {
  ensurePrivateDir(dir);
  const path = lockPath(dir, name);
  const pid = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? pidAlive;
  const sleep = opts.sleep ?? defaultSleep;
  const pollMs = opts.pollMs ?? 100;
  const info: LockInfo = {
    pid,
    startedAt: opts.now().toISOString(),
    ...(opts.purpose ? { purpose: opts.purpose } : {}),
  };
  const content = JSON.stringify(info);
  // Durations use the monotonic clock: the wall clock (ctx.now) may be fixed in tests.
  const deadline = performance.now() + opts.waitMs;
  let waited = false;
  for (;;) {
    if (tryCreate(path, content)) {
      return {
        acquired: true,
        lock: {
          path,
          info,
          release() {
            // Only remove our own lock: if it was (wrongly) broken and re-taken, leave theirs.
            if (readRaw(path) === content) unlinkQuiet(path);
          },
        },
      };
    }
    let raw = readRaw(path);
    // A holder writes its record right after creating the file: an empty file is a lock being
    // taken this very moment. Read again briefly, so a loser names the holder instead of saying
    // "an unknown process" (whose hint suggests removing a live lock).
    for (let i = 0; raw === '' && i < 5; i++) {
      await sleep(2, opts.signal);
      raw = readRaw(path);
    }
    const holder = parse(raw);
    if (raw !== undefined) {
      const stale = holder ? !isAlive(holder.pid) : ageMs(path) > UNREADABLE_STALE_MS;
      if (stale) {
        if (breakStale(path, raw, pid)) continue;
        if (opts.signal?.aborted || performance.now() >= deadline) return { acquired: false, holder, path };
        await sleep(Math.min(pollMs, 20), opts.signal);
        continue;
      }
    } else {
      continue; // released between our open and read: try again at once
    }
    if (opts.signal?.aborted || performance.now() >= deadline) return { acquired: false, holder, path };
    if (!waited) {
      waited = true;
      opts.onWait?.(holder);
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - performance.now())), opts.signal);
  }
}
