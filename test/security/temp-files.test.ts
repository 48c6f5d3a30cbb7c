/**
 * Planted symbolic links cannot redirect okr's writes. The outside probe planted links at the
 * temp names okr used to write through (`config.json.<pid>.tmp`, `secrets.json.<pid>.tmp`, opened
 * with a plain `w`), and okr wrote the settings and the client secret into the files they pointed
 * at. Now every temp file is created exclusively (O_EXCL) under a random name in the target's
 * folder: a link at any name okr might pick is never opened, and its target keeps its bytes.
 *
 * - the built binary, started through `sh -c 'read; exec node okr.js …'` so that its pid (the
 *   shell's, kept by exec) is known before it runs: links at the old pid names, every writer of
 *   config.json and secrets.json;
 * - in-process, with the random names made predictable (node:crypto stubbed): links at the very
 *   names okr draws first, for the conf file, the secrets file and a new database.
 */
import { spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BIN, tempHome } from '../helpers/cli.js';

// Random bytes okr draws for temp names come from a queue the test fills (then real ones). okr
// takes node:crypto through process.getBuiltinModule when it first writes (private-files.ts).
const planned: Buffer[] = [];
const realCrypto = process.getBuiltinModule('node:crypto');
const plannedCrypto = {
  ...realCrypto,
  randomBytes: (n: number) => planned.shift() ?? realCrypto.randomBytes(n),
};
const getBuiltin = process.getBuiltinModule.bind(process);
vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) =>
  id === 'node:crypto' || id === 'crypto' ? plannedCrypto : getBuiltin(id)) as typeof process.getBuiltinModule);

afterAll(() => {
  vi.restoreAllMocks();
});

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
  planned.length = 0;
});

const SECRET = 'GOCSPX-planted-link-secret-123';
const VICTIM_TEXT = 'the victim file: okr must never write here\n';

/** A victim file outside okr's folders and a symlink to it at `linkPath`. */
function plant(root: string, linkPath: string): string {
  const victim = join(root, `victim-${readdirSync(root).length}.txt`);
  writeFileSync(victim, VICTIM_TEXT);
  symlinkSync(victim, linkPath);
  return victim;
}

/** Runs the built okr with a pid known in advance: `plantAt(pid)` runs before okr starts. */
function okrWithKnownPid(
  args: string[],
  home: string,
  stdin: string,
  plantAt: (pid: number) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', 'read _go; exec "$0" "$@"', process.execPath, BIN, ...args], {
      env: { ...process.env, OKR_HOME: home, OKR_SECRETS: 'file', DBUS_SESSION_BUS_ADDRESS: '' },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    plantAt(child.pid!);
    child.stdin.end(`go\n${stdin}`);
  });
}

function expectPrivateRegularFile(file: string, contains: string): void {
  const st = lstatSync(file);
  expect(st.isSymbolicLink(), `${file} is a link`).toBe(false);
  expect(st.isFile()).toBe(true);
  expect(st.mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8')).toContain(contains);
}

describe('planted symbolic links at temp names', () => {
  it('the built binary: links at the old <pid>.tmp names of config.json and secrets.json redirect nothing', async () => {
    const root = tempHome('okr-planted-');
    homes.push(root);
    const home = join(root, 'home');
    const configDir = join(home, 'config');
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    const victims: string[] = [];
    const links: string[] = [];
    const plantFor = (pid: number) => {
      for (const name of ['config.json', 'secrets.json']) {
        const link = join(configDir, `${name}.${pid}.tmp`);
        links.push(link);
        victims.push(plant(root, link));
      }
    };

    // Writes config.json (a setting) …
    const set = await okrWithKnownPid(['config', 'set', 'plugin.fitbit.client_id', 'id-1'], home, '', plantFor);
    expect(set.code, set.stderr).toBe(0);
    // … then config.json again (which store holds it, recorded first) and secrets.json (the secret).
    const secret = await okrWithKnownPid(
      ['config', 'set', 'plugin.fitbit.client_secret', '--stdin', '--insecure-storage'],
      home,
      SECRET,
      plantFor,
    );
    expect(secret.code, secret.stderr).toBe(0);

    for (const v of victims) expect(readFileSync(v, 'utf8'), v).toBe(VICTIM_TEXT);
    for (const l of links) expect(readlinkSync(l)).toMatch(/victim-\d+\.txt$/);
    expectPrivateRegularFile(join(configDir, 'config.json'), 'id-1');
    expectPrivateRegularFile(join(configDir, 'secrets.json'), SECRET);
    // No temp file of okr's own is left behind: only the planted links and the two files.
    expect(readdirSync(configDir).sort()).toEqual(
      ['config.json', 'secrets.json', ...links.map((l) => l.slice(configDir.length + 1))].sort(),
    );
  });

  it('in-process: links at the exact names okr draws (and at the old pid names) are skipped, for the conf file, the secrets file and a new database', async () => {
    const { createContext } = await import('../../src/context.js');
    const root = tempHome('okr-planted-');
    homes.push(root);
    const home = join(root, 'home');
    const dirs = { config: join(home, 'config'), data: join(home, 'data') };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
    const targets = [join(dirs.config, 'config.json'), join(dirs.config, 'secrets.json'), join(dirs.data, 'okr.db')];
    const victims: string[] = [];
    let draw = 0;
    /** Queues the names the next write of each target draws: two taken by planted links, then a free one. */
    const expectWrites = (...files: string[]) => {
      for (const file of files) {
        for (let i = 0; i < 3; i++) {
          const bytes = Buffer.alloc(8, ++draw);
          planned.push(bytes);
          const name = join(dirname(file), `.${basename(file)}.${bytes.toString('hex')}.tmp`);
          if (i < 2) victims.push(plant(root, name));
        }
      }
    };
    for (const t of targets) victims.push(plant(root, `${t}.${process.pid}.tmp`));

    const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' } });
    const left: number[] = [];
    expectWrites(targets[0]!);
    await ctx.config.set('plugin.fitbit.client_id', 'id-2');
    left.push(planned.length);
    expectWrites(targets[0]!, targets[1]!); // which store holds it (recorded first), then the secret
    await ctx.config.set('plugin.fitbit.client_secret', SECRET);
    left.push(planned.length);
    expectWrites(targets[2]!);
    const db = ctx.db();
    left.push(planned.length);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    ctx.close();

    expect(victims).toHaveLength(3 + 4 * 2);
    for (const v of victims) expect(readFileSync(v, 'utf8'), v).toBe(VICTIM_TEXT);
    // Each write drew the two planted names (and refused them) before the free one.
    expect(left).toEqual([0, 0, 0]);
    expectPrivateRegularFile(targets[0]!, 'id-2');
    expectPrivateRegularFile(targets[1]!, SECRET);
    expect(lstatSync(targets[2]!).isFile()).toBe(true);
    expect(statSync(targets[2]!).mode & 0o777).toBe(0o600);
    for (const d of Object.values(dirs)) {
      const own = readdirSync(d).filter((n) => n.endsWith('.tmp') && !lstatSync(join(d, n)).isSymbolicLink());
      expect(own, `temp files left in ${d}`).toEqual([]);
    }
  });
});
