/**
 * okr's own files and folders, with the built binary on a temp OKR_HOME: a database that is a
 * symbolic link or has a loose mode, a zero-byte database, damaged config and secrets files
 * (invalid JSON, a byte-order mark, empty, the wrong shape), and folders that belong to another
 * user. Each problem is one error line naming the file and one hint line with the fix, exit 1,
 * and the file's bytes are unchanged afterwards.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runBin, tempHome } from '../helpers/cli.js';

const ENV = { OKR_SECRETS: 'file', DBUS_SESSION_BUS_ADDRESS: '' };
const FOREIGN_UID = 12345;
const isRoot = process.getuid?.() === 0;

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function newRoot(): string {
  const r = tempHome('okr-files-');
  roots.push(r);
  return r;
}

/** A home whose folders exist (0700), as okr leaves them. */
function newHome(): { home: string; config: string; data: string } {
  const home = join(newRoot(), 'home');
  const config = join(home, 'config');
  const data = join(home, 'data');
  for (const d of [config, data]) mkdirSync(d, { recursive: true, mode: 0o700 });
  return { home, config, data };
}

const okr = (args: string[], home: string, stdin?: string) => runBin(args, { home, env: ENV, stdin });

/** Creates the home's database with a template and a logged value, through okr. */
async function withData(home: string): Promise<void> {
  for (const args of [
    ['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number'],
    ['metrics', 'log', 'mood', '7', '--date', '2026-01-02'],
  ]) {
    const r = await okr(args, home);
    expect(r.code, r.stderr).toBe(0);
  }
}

/** Exit 1, an `error:` line naming `file`, a `hint:` line; nothing else, no "bug in okr". */
function expectFileError(r: { code: number; stderr: string }, file: string, what: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(r.code, r.stderr).toBe(1);
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(what);
  expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/bug in okr|\n\s+at /);
}

/** Bytes and mode of every entry of a folder. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((n) => {
      const p = join(dir, n);
      const st = lstatSync(p);
      return [
        n,
        `${(st.mode & 0o7777).toString(8)} ${st.isFile() ? readFileSync(p).toString('base64') : 'not a file'}`,
      ];
    }),
  );
}

describe('the database file', () => {
  it('a symbolic link to a 0644 database is refused; the file it points at is untouched and stays as it was', async () => {
    const elsewhere = newHome();
    await withData(elsewhere.home);
    const real = join(elsewhere.data, 'okr.db');
    chmodSync(real, 0o644);
    const before = snapshot(elsewhere.data);

    const { home, data } = newHome();
    const link = join(data, 'okr.db');
    symlinkSync(real, link);
    for (const args of [['status'], ['metrics', 'log', 'mood', '3', '--date', '2026-01-03'], ['sync']]) {
      expectFileError(await okr(args, home), link, /symbolic link/);
    }
    expect(snapshot(elsewhere.data)).toEqual(before);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(data)).toEqual(['okr.db']);
    // doctor names it too, without opening it.
    const doctor = await okr(['doctor', '--json'], home);
    const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; detail: string }>;
    expect(checks.find((c) => c.id === 'permissions')).toMatchObject({ status: 'fail' });
    expect(checks.find((c) => c.id === 'permissions')!.detail).toContain(`${link} is a symbolic link`);
    expect(checks.find((c) => c.id === 'database')).toMatchObject({ status: 'fail' });
    expect(snapshot(elsewhere.data)).toEqual(before);
  });

  it('a 0644 database (and its -wal) is tightened to 0600 on the next open', async () => {
    const { home, data } = newHome();
    await withData(home);
    const db = join(data, 'okr.db');
    chmodSync(db, 0o644);
    chmodSync(data, 0o755);
    writeFileSync(`${db}-wal`, '', { mode: 0o644 });
    chmodSync(`${db}-wal`, 0o644);
    const r = await okr(['status'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const n of readdirSync(data)) expect(statSync(join(data, n)).mode & 0o777, n).toBe(0o600);
  });

  it('a zero-byte okr.db is an error, not a new empty database over it', async () => {
    const { home, data } = newHome();
    const db = join(data, 'okr.db');
    writeFileSync(db, '', { mode: 0o600 });
    for (const args of [['status'], ['metrics', 'show', '--offline'], ['sync']]) {
      expectFileError(await okr(args, home), db, /empty \(0 bytes\)/);
    }
    expect(readdirSync(data)).toEqual(['okr.db']);
    expect(statSync(db).size).toBe(0);
    const doctor = await okr(['doctor', '--json'], home);
    expect(doctor.code).toBe(1);
    const database = (JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; detail: string }>).find(
      (c) => c.id === 'database',
    );
    expect(database).toMatchObject({ status: 'fail' });
    expect(database!.detail).toMatch(/empty \(0 bytes\)/);
    expect(statSync(db).size).toBe(0);
  });

  it('six okr processes opening a fresh home at once all succeed: a new database is never seen half-made', async () => {
    const { home, data } = newHome();
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        okr(['metrics', 'template', 'create', `t${i}`, '--metric', `M${i}:number`], home),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const list = await okr(['metrics', 'template', 'list', '--json'], home);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((t) => t.name).sort()).toEqual([
      't0',
      't1',
      't2',
      't3',
      't4',
      't5',
    ]);
    expect(readdirSync(data).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('damaged config and secrets files', () => {
  const CASES: Array<{ name: string; bytes: Buffer; what: RegExp }> = [
    {
      name: 'invalid JSON',
      bytes: Buffer.from('{"values": {"plugin.fitbit.client_id": "x",}}\n'),
      what: /not valid JSON \(at line 1, column \d+\)/,
    },
    { name: 'a byte-order mark', bytes: Buffer.from('\ufeff{"values": {}}\n'), what: /byte-order mark/ },
    { name: 'zero bytes', bytes: Buffer.alloc(0), what: /empty \(0 bytes\)/ },
    { name: 'the wrong shape', bytes: Buffer.from('{"values": {"a": 1}}\n'), what: /not okr's/ },
  ];

  for (const c of CASES) {
    it(`config.json with ${c.name}: status, config list and config set stop with the file named, and leave it as it was`, async () => {
      const { home, config } = newHome();
      const file = join(config, 'config.json');
      writeFileSync(file, c.bytes, { mode: 0o600 });
      for (const args of [
        ['status'],
        ['status', '--json'],
        ['config', 'list'],
        ['config', 'set', 'plugin.fitbit.client_id', 'y'],
      ]) {
        const r = await okr(args, home);
        expectFileError(r, file, c.what);
        expect(r.stdout, args.join(' ')).toBe('');
      }
      expect(readFileSync(file).equals(c.bytes)).toBe(true);
      expect(readdirSync(config)).toEqual(['config.json']);
      // doctor reports it once, as the config check, with the fix.
      const doctor = await okr(['doctor', '--json'], home);
      expect(doctor.code).toBe(1);
      const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; detail: string }>;
      expect(checks.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['config']);
      expect(checks.find((x) => x.id === 'config')!.detail).toContain(file);
      expect(readFileSync(file).equals(c.bytes)).toBe(true);
    });
  }

  it('secrets.json with a byte-order mark or invalid JSON: refused, never overwritten, its content never printed', async () => {
    for (const bytes of [
      Buffer.from('\ufeff{"plugin.fitbit.client_secret": "GOCSPX-keep-me-secret"}'),
      Buffer.from('{"plugin.fitbit.client_secret": "GOCSPX-keep-me-secret"'),
    ]) {
      const { home, config } = newHome();
      writeFileSync(join(config, 'config.json'), '{"values":{},"secretStores":{"plugin.fitbit.client_secret":"file"}}');
      const file = join(config, 'secrets.json');
      writeFileSync(file, bytes, { mode: 0o600 });
      for (const [args, stdin] of [
        [['config', 'set', 'plugin.fitbit.client_secret', '--stdin'], 'GOCSPX-new-one'],
        [['config', 'list'], undefined],
        [['status'], undefined],
      ] as const) {
        const r = await okr([...args], home, stdin);
        expectFileError(r, file, /byte-order mark|not valid JSON/);
        expect(r.stdout + r.stderr).not.toContain('keep-me-secret');
      }
      expect(readFileSync(file).equals(bytes)).toBe(true);
    }
  });
});

describe('folders that belong to someone else', () => {
  it.skipIf(!isRoot)(
    'a 0777 config folder owned by another uid is refused, and nothing is written into it',
    async () => {
      const { home, config } = newHome();
      chownSync(config, FOREIGN_UID, FOREIGN_UID);
      chmodSync(config, 0o777);
      for (const args of [['config', 'set', 'plugin.fitbit.client_id', 'x'], ['status'], ['config', 'list']]) {
        expectFileError(await okr(args, home), config, new RegExp(`belongs to another user \\(uid ${FOREIGN_UID}\\)`));
      }
      expect(readdirSync(config)).toEqual([]);
      expect(statSync(config).mode & 0o777).toBe(0o777);
      const doctor = await okr(['doctor', '--json'], home);
      const perms = (JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; detail: string }>).find(
        (c) => c.id === 'permissions',
      );
      expect(perms).toMatchObject({ status: 'fail' });
      expect(perms!.detail).toContain(`${config} belongs to another user (uid ${FOREIGN_UID})`);
    },
  );

  it.skipIf(!isRoot)(
    'okr run by another user on folders it may not change: one line naming the folder, not "a bug in okr"',
    () => {
      const root = newRoot();
      chmodSync(root, 0o755);
      const home = join(root, 'home');
      mkdirSync(join(home, 'config'), { recursive: true });
      chmodSync(join(home, 'config'), 0o777);
      const run = (args: string[]) =>
        spawnSync(process.execPath, [BIN, ...args], {
          uid: FOREIGN_UID,
          gid: FOREIGN_UID,
          env: { HOME: root, OKR_HOME: home, PATH: '/usr/bin:/bin', ...ENV },
          encoding: 'utf8',
          timeout: 60_000,
        });
      const set = run(['config', 'set', 'plugin.fitbit.client_id', 'x']);
      expectFileError(
        { code: set.status ?? -1, stderr: set.stderr },
        join(home, 'config'),
        /belongs to another user \(uid 0\)/,
      );
      // The data folder cannot even be created there (the home is root's, 0755).
      const log = run(['metrics', 'log', 'mood', '1']);
      expectFileError(
        { code: log.status ?? -1, stderr: log.stderr },
        join(home, 'data'),
        /permission denied \(EACCES\)/,
      );
      expect(readdirSync(join(home, 'config'))).toEqual([]);
      expect(existsSync(join(home, 'data'))).toBe(false);
    },
  );
});
