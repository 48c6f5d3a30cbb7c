/**
 * Disk faults, with the built `okr` as a subprocess: a read-only data folder, a full disk and a
 * corrupted database file. Each must give a clear error (one `error:` line saying what failed and
 * one `hint:` line saying what to do, no stack trace) and do no further damage.
 *
 * How the faults are made, and why: tests run as root here and in CI, and root ignores file
 * modes, so `chmod 0500` would prove nothing. Instead:
 * - read-only: the data folder is bind-mounted onto itself and remounted read-only
 *   (`mount --bind` + `mount -o remount,bind,ro`): the kernel refuses every write with EROFS,
 *   whoever asks;
 * - full disk: the data folder is an 8 MiB tmpfs (`mount -t tmpfs -o size=1m`), filled up with a
 *   filler file until a few KiB are left;
 * - corruption: bytes of the file are overwritten (the header, or pages in the middle).
 * Mounting needs root (CAP_SYS_ADMIN); without it the mount cases are skipped and say why.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '../../src/dates.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { type Home, integrityCheck, simulatorHome, spawnOkr, valuesByDate } from '../helpers/faults.js';

let sim: Simulator;
let today: string;
const mounts: string[] = [];
const homes: string[] = [];
const figures: string[] = [];

function tryMount(): string | undefined {
  if (process.platform !== 'linux') return `mount is Linux-only (platform ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs or a read-only bind mount needs root';
  const dir = mkdtempSync(join(tmpdir(), 'okr-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `mount failed: ${(err as Error).message.split('\n')[0]} (no CAP_SYS_ADMIN in this container?)`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const noMount = tryMount();
if (noMount) console.log(`disk-faults: read-only and full-disk cases skipped: ${noMount}`);

function mount(args: string[], target: string): void {
  execFileSync('mount', [...args, target], { stdio: 'pipe' });
  mounts.push(target);
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 51 });
  today = localDate(new Date());
});

afterAll(async () => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', [m], { stdio: 'pipe' });
    } catch {
      // already unmounted by the test
    }
  }
  console.log(`disk-faults: ${figures.length} checks\n${figures.join('\n')}`);
  await sim?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** sha256 of every file in a folder, so "no further damage" can be checked byte for byte. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

/** A home with 60 synced days (a checkpointed database: everything in okr.db itself). */
async function syncedHome(): Promise<Home> {
  const h = await simulatorHome(sim, { prefix: 'okr-disk-' });
  homes.push(h.home);
  const r = await runCli(['sync', '--since', '60d', '--json'], { home: h.home, env: h.env });
  expect(r.code, r.stderr).toBe(0);
  return h;
}

/**
 * One line saying what failed and one `hint:` line, nothing else (no stack, no "bug in okr").
 * Commands print `error: …`; `okr sync` reports per plugin, in the log form cron keeps
 * (`<time> fitbit: failed: …` then `<time> fitbit: hint: …`).
 */
function expectClearError(name: string, r: { code: number | null; stderr: string; stdout: string }, what: RegExp) {
  const lines = r.stderr
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z fitbit: (failed: )?/, (_m, failed) => (failed ? 'error: ' : '')));
  figures.push(`  ${name}: exit ${r.code}; ${lines.join(' / ')}`);
  expect(r.code, r.stderr).not.toBe(0);
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(what);
  expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/bug in okr|\n\s+at |SqliteError/);
}

describe('disk faults', () => {
  it.skipIf(noMount !== undefined)('a read-only data folder: clear errors, the database untouched', async () => {
    const h = await syncedHome();
    const dataDir = join(h.home, 'data');
    const values = valuesByDate(h.dbFile);
    integrityCheck(h.dbFile); // a read-write open and close: checkpoints, removes -wal and -shm
    const before = fingerprint(dataDir);
    mount(['--bind', dataDir], dataDir);
    execFileSync('mount', ['-o', 'remount,bind,ro', dataDir], { stdio: 'pipe' });
    expect(() => writeFileSync(join(dataDir, 'probe'), 'x')).toThrow(/EROFS/);

    const sync = await spawnOkr(['sync', '--since', '7d'], { home: h.home, env: h.env }).done;
    expectClearError('read-only: okr sync', sync, /database|read-only|write/i);
    const log = await spawnOkr(['metrics', 'log', 'fitbit.steps', '1234', '--date', addDays(today, -100)], {
      home: h.home,
      env: h.env,
    }).done;
    expectClearError('read-only: okr metrics log', log, /database|read-only|write/i);
    // Reading still works, or fails as clearly.
    const show = await spawnOkr(['metrics', 'show', '--offline', '--since', '7d'], { home: h.home, env: h.env }).done;
    if (show.code === 0) figures.push('  read-only: okr metrics show --offline: exit 0');
    else expectClearError('read-only: okr metrics show --offline', show, /database/i);

    execFileSync('umount', [dataDir], { stdio: 'pipe' });
    expect(fingerprint(dataDir)).toEqual(before);
    expect(valuesByDate(h.dbFile)).toEqual(values);
    expect(integrityCheck(h.dbFile)).toBe('ok');
  });

  it.skipIf(noMount !== undefined)(
    'a full disk: a clear error, nothing half-written, the next sync works once there is room',
    async () => {
      const h = await simulatorHome(sim, { prefix: 'okr-disk-full-' });
      homes.push(h.home);
      const dataDir = join(h.home, 'data');
      const saved = mkdtempSync(join(tmpdir(), 'okr-disk-save-'));
      homes.push(saved);
      cpSync(dataDir, saved, { recursive: true });
      mount(['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs'], dataDir);
      cpSync(saved, dataDir, { recursive: true });
      // A first month fits; then fill the disk up, leaving a few KiB.
      const first = await runCli(['sync', '--since', '30d', '--json'], { home: h.home, env: h.env });
      expect(first.code, first.stderr).toBe(0);
      const values = valuesByDate(h.dbFile);
      const filler = join(dataDir, 'filler');
      const fd = openSync(filler, 'w');
      const block = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      const { size } = statSync(filler);
      execFileSync('truncate', ['-s', String(size - 8 * 4096), filler]);

      const r = await spawnOkr(['sync', '--since', '2y'], { home: h.home, env: h.env }).done;
      expectClearError('full disk: okr sync --since 2y', r, /full/i);
      // Nothing half-written: the database is sound and the first month is still there.
      expect(integrityCheck(h.dbFile)).toBe('ok');
      const after = valuesByDate(h.dbFile);
      for (const [d, v] of values) expect(after.get(d)).toEqual(v);

      // Room again: the next sync completes.
      rmSync(filler);
      const next = await runCli(['sync', '--since', '2y', '--json'], { home: h.home, env: h.env });
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(integrityCheck(h.dbFile)).toBe('ok');
    },
  );

  it('a database file with a garbage header: clear errors, the file left exactly as it was', async () => {
    const h = await syncedHome();
    const fd = openSync(h.dbFile, 'r+');
    writeSync(fd, Buffer.from('this is not an SQLite file, it was overwritten'), 0, undefined, 0);
    closeSync(fd);
    const dataDir = join(h.home, 'data');
    const before = fingerprint(dataDir);
    for (const args of [['sync'], ['metrics', 'show', '--offline'], ['status'], ['progress']]) {
      const r = await spawnOkr(args, { home: h.home, env: h.env }).done;
      expectClearError(`garbage header: okr ${args.join(' ')}`, r, /database .* is damaged/);
      expect(r.stderr).toMatch(/okr doctor|backup/);
    }
    const doctor = await spawnOkr(['doctor', '--json'], { home: h.home, env: h.env }).done;
    figures.push(`  garbage header: okr doctor: exit ${doctor.code}`);
    expect(doctor.code).not.toBe(0);
    expect(doctor.stdout).toMatch(/damaged|not a database/);
    expect(fingerprint(dataDir)).toEqual(before);
  });

  it('a database with damaged pages in the middle: clear errors, no further damage', async () => {
    const h = await syncedHome();
    const { size } = statSync(h.dbFile);
    const pages = size / 4096;
    // Overwrite pages after the schema (page 1): the tables' b-tree pages.
    const fd = openSync(h.dbFile, 'r+');
    for (let p = 2; p < pages; p += 2) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, p * 4096);
    closeSync(fd);
    const dataDir = join(h.home, 'data');
    const before = fingerprint(dataDir);
    for (const args of [['sync'], ['metrics', 'show', '--offline'], ['status']]) {
      const r = await spawnOkr(args, { home: h.home, env: h.env }).done;
      expectClearError(`damaged pages: okr ${args.join(' ')}`, r, /database .* is damaged|malformed/);
    }
    expect(fingerprint(dataDir)).toEqual(before);
    expect(existsSync(h.dbFile)).toBe(true);
  });
});
