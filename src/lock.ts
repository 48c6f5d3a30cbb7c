/**
 * Cross-process locks as files in the lock folder: `<name>.lock`, created with O_EXCL (`wx`) and
 * holding `{pid, startedAt, purpose, owner, proc}`. Used per plugin for syncs (`fitbit.sync.lock`)
 * and for token refreshes (`fitbit.tokens.lock`), so that cron, a manual run and `okr disconnect`
 * never work on the same plugin at once and never both spend a single-use refresh token. The
 * scheduled job takes one (`schedule.lock`), and the store's read-change-rename of config.json and
 * secrets.json runs under a file's own (`withFileLock`): hence a module of its own, not the sync's.
 *
 * A waiter never spins: every turn of the loop that does not get the lock either retries at once
 * a bounded number of times (the lock was released or broken a moment ago) or sleeps, and each
 * sleep ends at the deadline or on the abort signal (Ctrl-C).
 *
 * Stale locks, taken over at once:
 * - the holder's pid is dead (it was SIGKILLed);
 * - the pid is alive but is another process: the record carries the holder's identity where the
 *   OS gives one (Linux: boot id and start time from /proc), so a recycled pid is recognised;
 * - without an identity to compare (another OS, a record from an older okr), a lock whose holder
 *   has not renewed it for `STALE_AFTER_MS`: holders touch their file every `HEARTBEAT_MS`;
 * - something okr never writes at the lock path: a symbolic link, a FIFO, an empty directory (a
 *   directory with files in it is not removed: the waiter gives up and names it); an empty or
 *   garbled file older than `GARBLED_STALE_MS` (its writer died between creating and writing it);
 *   a file we may not read whose holder has not renewed it for `STALE_AFTER_MS`.
 * Reading never follows a symbolic link, never blocks on a FIFO and reads at most `MAX_RECORD`
 * bytes. Removing a stale lock is guarded by a second O_EXCL file (`<name>.lock.break`) and a
 * re-check that the entry is still exactly the one judged stale (same inode, mtime and content),
 * so two waiters that both see the same stale lock cannot delete each other's fresh one, and a
 * holder whose heartbeat lands in between keeps its lock.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmdirSync,
  type Stats,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OkrError } from './errors.js';
import { ensurePrivateDir } from './paths.js';

export interface LockInfo {
  pid: number;
  startedAt: string;
  purpose?: string;
  /** Random, one per acquisition: tells this record from any other, even one with the same pid. */
  owner?: string;
  /** The holder process's identity where the OS gives one (Linux: boot id and start time). */
  proc?: string;
}

export interface LockHandle {
  path: string;
  info: LockInfo;
  /** False once the file at the path is no longer ours (it was judged stale and taken over). */
  stillHeld(): boolean;
  release(): void;
}

export type LockResult =
  | { acquired: true; lock: LockHandle }
  | {
      acquired: false;
      holder?: LockInfo;
      path: string;
      /** Set when the path holds something that is not a live lock and cannot be removed. */
      blocker?: { problem: string; fix: string };
    };

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
  /** The identity of a live process (default: processIdentity). */
  identityOf?: (pid: number) => string | undefined;
  /** How often the holder renews its file's mtime (default HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** A holder silent this long is stale when its identity cannot be checked (default STALE_AFTER_MS). */
  staleAfterMs?: number;
  /** Called once when the lock is found held and we start waiting. */
  onWait?: (holder: LockInfo | undefined) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** How long an empty or garbled lock file may be younger than before it counts as abandoned. */
const GARBLED_STALE_MS = 5_000;
export const HEARTBEAT_MS = 15_000;
export const STALE_AFTER_MS = 120_000;
/** A lock record is about 200 bytes; anything longer is not one. */
const MAX_RECORD = 4096;
/** Immediate retries in a row (lock released or broken a moment ago) before the loop sleeps. */
const MAX_IMMEDIATE = 3;

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

let bootId: string | null | undefined;

/**
 * Who a live pid is, beyond its number: on Linux the boot id and the start time in clock ticks
 * (field 22 of /proc/<pid>/stat), which a recycled pid does not share. Undefined where the OS does
 * not tell (macOS, Windows, a /proc mounted with hidepid): callers fall back on the heartbeat age.
 */
export function processIdentity(pid: number): string | undefined {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  if (bootId === null || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start && /^\d+$/.test(start) ? `${bootId}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A holder that has kept a sync or job lock this long is reported as a failure, not a skip. A
 * sync of the recent days takes seconds; systemd ends the job after 30 minutes (TimeoutStartSec).
 * A holder this old that is still alive is most likely stuck (stopped, hung on a dead mount), and
 * every hourly run skipping with exit 0 behind it would hide that. A plugin's sync lock counts
 * from its holder's last progress (quietForMs): a long manual backfill keeps storing chunks.
 */
export const LONG_HELD_MS = 30 * 60_000;

/** How long the holder has held its lock, by its record (undefined when it does not say). */
export function heldForMs(holder: LockInfo | undefined, now: Date): number | undefined {
  const t = holder ? Date.parse(holder.startedAt) : Number.NaN;
  return Number.isNaN(t) ? undefined : now.getTime() - t;
}

/**
 * How long the holder has gone without progress: since it took the lock, or since `progressAt`
 * (an ISO time it last stored something) when that is later. Undefined when its record does not
 * say when it started.
 */
export function quietForMs(
  holder: LockInfo | undefined,
  progressAt: string | undefined,
  now: Date,
): number | undefined {
  const held = heldForMs(holder, now);
  if (held === undefined) return undefined;
  const p = progressAt === undefined ? Number.NaN : Date.parse(progressAt);
  return Number.isNaN(p) ? held : Math.min(held, now.getTime() - p);
}

/** How long to wait for another process's lock: OKR_LOCK_WAIT_MS when it is a number ≥ 0, else `fallback`. */
export function lockWaitFromEnv(env: Record<string, string | undefined>, fallback: number): number {
  const raw = env.OKR_LOCK_WAIT_MS;
  const n = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function lockPath(dir: string, name: string): string {
  return join(dir, `${name}.lock`);
}

function parse(raw: string | undefined): LockInfo | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as LockInfo;
    return v !== null && typeof v === 'object' && Number.isInteger(v.pid) && typeof v.startedAt === 'string'
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}

/** What is at a lock path, read without following links, without blocking, boundedly. */
interface Entry {
  /** Same inode, same mtime, same size: the entry has not changed since we looked. */
  key: string;
  mtimeMs: number;
  isDir: boolean;
  raw?: string;
  holder?: LockInfo;
  /** What it is when it is not a lock record: `a directory`, `empty`, `unreadable (EACCES)`… */
  foreign?: string;
  kind: 'record' | 'garbled' | 'unreadable' | 'other';
}

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

function readEntry(path: string): Entry | undefined {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    return { key: `?${code(err)}`, mtimeMs: 0, isDir: false, foreign: `not examinable (${code(err)})`, kind: 'other' };
  }
  const base = { key: `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`, mtimeMs: st.mtimeMs, isDir: st.isDirectory() };
  if (st.isSymbolicLink()) return { ...base, foreign: 'a symbolic link', kind: 'other' };
  if (st.isDirectory()) return { ...base, foreign: 'a directory', kind: 'other' };
  if (!st.isFile()) return { ...base, foreign: 'not a regular file', kind: 'other' };
  let raw: string;
  try {
    raw = readBounded(path);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    return { ...base, foreign: `unreadable (${code(err)})`, kind: 'unreadable' };
  }
  const holder = raw.length <= MAX_RECORD ? parse(raw) : undefined;
  if (!holder) return { ...base, raw, foreign: raw === '' ? 'empty' : 'not a lock record', kind: 'garbled' };
  return { ...base, raw, holder, kind: 'record' };
}

function readBounded(path: string): string {
  const fd = openSync(path, READ_FLAGS);
  try {
    // Replaced by something else between the lstat and the open: not a file we read.
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
    const buf = Buffer.alloc(MAX_RECORD + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads who holds a lock, without touching it. */
export function readLock(dir: string, name: string): LockInfo | undefined {
  return readEntry(lockPath(dir, name))?.holder;
}

interface StaleRules {
  isAlive: (pid: number) => boolean;
  identityOf: (pid: number) => string | undefined;
  staleAfterMs: number;
}

/** "2 h", "45 min": how long, for messages. */
export function durationText(ms: number): string {
  return ms < 120_000
    ? `${Math.round(ms / 1000)} s`
    : ms < 7_200_000
      ? `${Math.round(ms / 60_000)} min`
      : `${Math.round(ms / 3_600_000)} h`;
}

/** Why an entry is stale, or undefined while it is a live lock (or may still become one). */
function staleReason(e: Entry, rules: StaleRules): string | undefined {
  // The file's mtime is the file system's (real) clock, not the context's.
  const age = Date.now() - e.mtimeMs;
  switch (e.kind) {
    case 'record': {
      const h = e.holder!;
      if (!rules.isAlive(h.pid)) return `left by pid ${h.pid}, which is no longer running`;
      const now = h.proc !== undefined ? rules.identityOf(h.pid) : undefined;
      if (now !== undefined)
        return now === h.proc ? undefined : `left by pid ${h.pid}, a number now used by another process`;
      return age > rules.staleAfterMs
        ? `left by pid ${h.pid}, which has not renewed it for ${durationText(age)}`
        : undefined;
    }
    case 'garbled':
      return age > GARBLED_STALE_MS ? `${e.foreign}, left by a process that died while taking it` : undefined;
    case 'unreadable':
      return age > rules.staleAfterMs ? `${e.foreign} and not renewed for ${durationText(age)}` : undefined;
    default:
      return `${e.foreign}, which okr never leaves there`;
  }
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw new OkrError(`Cannot create the lock file ${path} (${code(err)}).`, {
      hint: `Check that the folder is yours and writable (ls -ld '${join(path, '..')}').`,
      cause: err,
    });
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    // An empty lock left behind would block everyone for GARBLED_STALE_MS: take it back.
    closeSync(fd);
    unlinkQuiet(path);
    throw err;
  }
  closeSync(fd);
  return true;
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

type BreakOutcome = 'removed' | 'changed' | 'busy' | { failed: string };

/**
 * Removes the entry at `path` only if it is still exactly `stale`, under the breaker lock.
 * `busy`: another waiter holds the breaker (it is breaking the same lock right now).
 */
function breakStale(path: string, stale: Entry, pid: number): BreakOutcome {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker, String(pid))) {
    // A waiter that died while breaking (microseconds of work) leaves the breaker behind.
    const b = readEntry(breaker);
    if (b && Date.now() - b.mtimeMs > GARBLED_STALE_MS && !b.isDir) unlinkQuiet(breaker);
    return 'busy';
  }
  try {
    const now = readEntry(path);
    if (!now || now.key !== stale.key || now.raw !== stale.raw) return 'changed';
    try {
      // rmdir removes only an empty directory: okr never deletes what someone put inside one.
      if (now.isDir) rmdirSync(path);
      else unlinkSync(path);
    } catch (err) {
      return code(err) === 'ENOENT' ? 'changed' : { failed: code(err) };
    }
    return 'removed';
  } finally {
    unlinkQuiet(breaker);
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function newOwner(): string {
  // Not a secret: only distinct. Math.random keeps node:crypto out of every command's start-up.
  return `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

function holdLock(path: string, info: LockInfo, content: string, heartbeatMs: number): LockHandle {
  const stillHeld = () => readEntry(path)?.raw === content;
  // The heartbeat shows a live holder to waiters that cannot check its identity. Only our own
  // file is touched; unref: it never keeps the process alive.
  const timer = setInterval(() => {
    if (!stillHeld()) return;
    try {
      const t = new Date();
      utimesSync(path, t, t);
    } catch {
      // gone meanwhile
    }
  }, heartbeatMs);
  timer.unref?.();
  return {
    path,
    info,
    stillHeld,
    release() {
      clearInterval(timer);
      // Only remove our own lock: if it was (wrongly) broken and re-taken, leave theirs.
      if (stillHeld()) unlinkQuiet(path);
    },
  };
}

/** The name of okr's lock folder inside its state folder (paths.ts: `<state>/locks`). */
export const LOCK_FOLDER = 'locks';

/**
 * Makes the lock folder private (0700, the user's), and, for okr's lock folder, the state folder
 * that holds it: whoever may write there could rename `locks/` away mid-sync and plant a folder
 * of their own, and every other okr would take the plugin's lock anew. This is the one place
 * that tightens the state folder: every sync, token refresh, disconnect and scheduled run takes
 * a lock here before it does anything else. (A file lock's folder, the config folder, is the lock
 * folder itself: its parent, `~/.config`, is not okr's.)
 */
function ensureLockFolder(dir: string): void {
  if (basename(dir) === LOCK_FOLDER) ensurePrivateDir(dirname(dir));
  ensurePrivateDir(dir);
}

/**
 * The lock loop, shared by acquireLock and acquireLockSync: it yields how long to sleep before
 * its next turn (the driver sleeps, awaiting or blocking) and returns the outcome.
 */
function* lockTurns(dir: string, name: string, opts: LockOptions): Generator<number, LockResult, void> {
  ensureLockFolder(dir);
  const path = lockPath(dir, name);
  const pid = opts.pid ?? process.pid;
  const pollMs = Math.max(1, opts.pollMs ?? 100);
  const rules: StaleRules = {
    isAlive: opts.isAlive ?? pidAlive,
    identityOf: opts.identityOf ?? processIdentity,
    staleAfterMs: opts.staleAfterMs ?? STALE_AFTER_MS,
  };
  const proc = rules.identityOf(pid);
  const info: LockInfo = {
    pid,
    startedAt: opts.now().toISOString(),
    ...(opts.purpose ? { purpose: opts.purpose } : {}),
    owner: newOwner(),
    ...(proc ? { proc } : {}),
  };
  const content = JSON.stringify(info);
  // Durations use the monotonic clock: the wall clock (ctx.now) may be fixed in tests.
  const deadline = performance.now() + opts.waitMs;
  let waited = false;
  let immediate = 0;
  for (;;) {
    if (tryCreate(path, content)) {
      return { acquired: true, lock: holdLock(path, info, content, opts.heartbeatMs ?? HEARTBEAT_MS) };
    }
    let entry = readEntry(path);
    // A holder writes its record right after creating the file: an empty file is a lock being
    // taken this very moment. Read again briefly, so a loser names the holder instead of saying
    // "an unknown process".
    for (let i = 0; entry?.raw === '' && i < 5 && !opts.signal?.aborted; i++) {
      yield 2;
      entry = readEntry(path);
    }
    let blocker: { problem: string; fix: string } | undefined;
    const retryNow = () => immediate++ < MAX_IMMEDIATE;
    if (!entry) {
      if (retryNow()) continue; // released between our open and our read
    } else {
      const reason = staleReason(entry, rules);
      if (reason !== undefined) {
        const r = breakStale(path, entry, pid);
        if ((r === 'removed' || r === 'changed') && retryNow()) continue;
        if (typeof r === 'object') {
          blocker = {
            problem: `${path} is ${reason}, and okr cannot remove it (${r.failed})`,
            fix: `${entry.isDir ? 'rm -r' : 'rm -f'} '${path}'`,
          };
        }
      }
    }
    const holder = entry?.holder;
    if (opts.signal?.aborted || performance.now() >= deadline) {
      return { acquired: false, path, ...(holder ? { holder } : {}), ...(blocker ? { blocker } : {}) };
    }
    if (!waited) {
      waited = true;
      opts.onWait?.(holder);
    }
    yield Math.min(pollMs, Math.max(1, deadline - performance.now()));
    immediate = 0;
  }
}

export async function acquireLock(dir: string, name: string, opts: LockOptions): Promise<LockResult> {
  const sleep = opts.sleep ?? defaultSleep;
  const turns = lockTurns(dir, name, opts);
  for (let turn = turns.next(); ; turn = turns.next()) {
    if (turn.done) return turn.value;
    await sleep(turn.value, opts.signal);
  }
}

/**
 * acquireLock for code that cannot await (the conf file's `update`, called from synchronous
 * code): the same rules, but each sleep blocks the thread (Atomics.wait: a sleep, not a spin). Only
 * for locks held for a few milliseconds, since nothing else in the process runs while it waits.
 */
export function acquireLockSync(dir: string, name: string, opts: Omit<LockOptions, 'signal' | 'sleep'>): LockResult {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const turns = lockTurns(dir, name, opts);
  for (let turn = turns.next(); ; turn = turns.next()) {
    if (turn.done) return turn.value;
    Atomics.wait(cell, 0, 0, turn.value);
  }
}

/** How long a write of the conf or secrets file waits for another okr's (they take milliseconds). */
export const FILE_LOCK_WAIT_MS = 10_000;

/**
 * Runs `fn` (a read-change-rename of `file`) holding the file's own lock, `<file>.lock` next to
 * it: every okr process that writes the same file takes the same lock, whatever its state folder.
 * Two processes that each rewrite their own key of the file (two plugins' token refreshes, each
 * under its own plugin's lock) would otherwise both read the old file, and the second rename would
 * drop the first one's key. The wait is bounded; a stale holder is taken over as for any lock.
 */
export function withFileLock<T>(file: string, fn: () => T, opts: { waitMs?: number; now?: () => Date } = {}): T {
  const got = acquireLockSync(dirname(file), basename(file), {
    waitMs: opts.waitMs ?? FILE_LOCK_WAIT_MS,
    pollMs: 5,
    now: opts.now ?? (() => new Date()),
    purpose: `okr: writing ${basename(file)}`,
  });
  if (!got.acquired) {
    if (got.blocker) {
      throw new OkrError(`Cannot write ${file}: its lock ${got.blocker.problem}.`, {
        hint: `Remove it (\`${got.blocker.fix}\`) and run the command again.`,
      });
    }
    const who = got.holder ? `pid ${got.holder.pid}, since ${got.holder.startedAt}` : 'an unknown process';
    throw new OkrError(
      `Cannot write ${file}: another okr (${who}) kept its lock through a wait of ${durationText(opts.waitMs ?? FILE_LOCK_WAIT_MS)}.`,
      { hint: `Run the command again; if no okr is running, remove ${got.path}.` },
    );
  }
  try {
    return fn();
  } finally {
    got.lock.release();
  }
}

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

export interface StaleLock {
  /** The lock's name: `fitbit.sync`, `schedule`… */
  name: string;
  path: string;
  /** Why it is stale, e.g. `left by pid 123, which is no longer running`. */
  reason: string;
  /** The command that removes it. */
  fix: string;
  /** True when okr cannot take it over by itself (a directory with files in it). */
  blocks: boolean;
}

/**
 * The stale locks in the lock folder (all of them, or only `names`), judged by the same rules as
 * acquireLock; for `okr status` and `okr doctor`. Never changes anything.
 */
export function staleLocks(dir: string, names?: string[]): StaleLock[] {
  let files: string[];
  try {
    files = names ? names.map((n) => `${n}.lock`) : readdirSync(dir).filter((f) => f.endsWith('.lock'));
  } catch {
    return []; // no lock folder yet
  }
  const rules: StaleRules = { isAlive: pidAlive, identityOf: processIdentity, staleAfterMs: STALE_AFTER_MS };
  const out: StaleLock[] = [];
  for (const file of files.sort()) {
    const path = join(dir, file);
    const entry = readEntry(path);
    const reason = entry && staleReason(entry, rules);
    if (entry && reason !== undefined) {
      out.push({
        name: file.slice(0, -'.lock'.length),
        path,
        reason,
        fix: `${entry.isDir ? 'rm -r' : 'rm -f'} '${path}'`,
        blocks: entry.isDir && !isEmptyDir(path),
      });
    }
  }
  return out;
}
