/**
 * The conf file and the plain-text secrets file are rewritten whole (read, change, rename). Two
 * okr processes writing different keys at once (two plugins' token refreshes, each under its own
 * plugin's lock; `okr config set` during a sync) must not drop each other's keys: each
 * read-change-rename runs under the file's lock (`<file>.lock`, src/lock.ts withFileLock).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OkrError } from '../../src/errors.js';
import { acquireLock, lockPath, withFileLock } from '../../src/lock.js';
import { ConfFile } from '../../src/store/conf-file.js';
import { FileSecretBackend } from '../../src/store/secrets.js';
import { REPO_ROOT, tempDir } from '../helpers/home.js';

let lib: string;
beforeAll(async () => {
  // The two classes as a module real child processes can load (no TypeScript loader there).
  lib = join(tempDir('okr-file-lock-lib-'), 'lib.mjs');
  await build({
    stdin: {
      contents: `export { FileSecretBackend } from './src/store/secrets.ts';
export { ConfFile } from './src/store/conf-file.ts';`,
      resolveDir: REPO_ROOT,
      loader: 'ts',
      sourcefile: 'file-lock-entry.ts',
    },
    outfile: lib,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3', '@napi-rs/keyring', 'open'],
    logLevel: 'warning',
  });
});

/**
 * `processes` node processes started together, each adding `keys` keys of its own to `file`
 * through `which`. Keys are only ever added, so a single lost update leaves a key missing.
 */
async function race(which: 'secrets' | 'conf', file: string, processes: number, keys: number): Promise<void> {
  const script = `
const { FileSecretBackend, ConfFile } = await import(${JSON.stringify(lib)});
const [file, who, n] = process.argv.slice(1);
const secrets = new FileSecretBackend(file);
const conf = new ConfFile(file);
for (let i = 0; i < Number(n); i++) {
  if (${JSON.stringify(which)} === 'secrets') await secrets.set(who + '.' + i, 'v' + i);
  else conf.update((d) => { d.values[who + '.' + i] = 'v' + i; });
}`;
  const runs = Array.from(
    { length: processes },
    (_, p) =>
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, file, `p${p}`, String(keys)], {
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 60_000,
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      }),
  );
  for (const r of await Promise.all(runs)) expect(r, r.stderr).toEqual({ code: 0, stderr: '' });
}

function expectedKeys(processes: number, keys: number): string[] {
  return Array.from({ length: processes }, (_, p) => Array.from({ length: keys }, (_, i) => `p${p}.${i}`))
    .flat()
    .sort();
}

describe('concurrent writers of one file keep every key', () => {
  it('secrets.json: 3 processes × 80 new keys, none lost', async () => {
    const dir = tempDir('okr-file-lock-');
    const file = join(dir, 'config', 'secrets.json');
    await race('secrets', file, 3, 80);
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(expectedKeys(3, 80));
    // The lock is gone after the last write; only the file is left.
    expect(readdirSync(join(dir, 'config'))).toEqual(['secrets.json']);
  });

  it('config.json: 3 processes × 80 new keys, none lost', async () => {
    const dir = tempDir('okr-file-lock-');
    const file = join(dir, 'config', 'config.json');
    await race('conf', file, 3, 80);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { values: Record<string, string> };
    expect(Object.keys(data.values).sort()).toEqual(expectedKeys(3, 80));
    expect(readdirSync(join(dir, 'config'))).toEqual(['config.json']);
  });
});

describe('withFileLock', () => {
  it('takes over a lock left by a dead process and writes', async () => {
    const dir = join(tempDir('okr-file-lock-'), 'config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'secrets.json');
    writeFileSync(
      lockPath(dir, 'secrets.json'),
      JSON.stringify({ pid: 2 ** 22 + 1, startedAt: '2026-01-01T00:00:00Z' }),
    );
    await new FileSecretBackend(file).set('tokens.oura', 'x');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'tokens.oura': 'x' });
    expect(existsSync(lockPath(dir, 'secrets.json'))).toBe(false);
  });

  it('a live holder that keeps the lock: gives up after the wait with one line naming it; the file is untouched', async () => {
    const dir = join(tempDir('okr-file-lock-'), 'config');
    const file = join(dir, 'config.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, '{"values":{"a":"1"},"secretStores":{}}\n');
    const held = await acquireLock(dir, 'config.json', { waitMs: 0, now: () => new Date() });
    expect(held.acquired).toBe(true);
    try {
      const run = () => withFileLock(file, () => writeFileSync(file, 'changed'), { waitMs: 30 });
      expect(run).toThrow(`another okr (pid ${process.pid}, since `);
      expect(run).toThrow(`Cannot write ${file}:`);
      expect(readFileSync(file, 'utf8')).toBe('{"values":{"a":"1"},"secretStores":{}}\n');
    } finally {
      if (held.acquired) held.lock.release();
    }
    // Released: the next write goes through.
    new ConfFile(file).update((d) => {
      d.values.b = '2';
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).values).toEqual({ a: '1', b: '2' });
  });

  it('a folder with files at the lock path: an error with the command that removes it', () => {
    const dir = join(tempDir('okr-file-lock-'), 'config');
    const lock = lockPath(dir, 'config.json');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'x'), '');
    let err: OkrError | undefined;
    try {
      withFileLock(join(dir, 'config.json'), () => {}, { waitMs: 30 });
    } catch (e) {
      err = e as OkrError;
    }
    expect(err?.message).toBe(
      `Cannot write ${join(dir, 'config.json')}: its lock ${lock} is a directory, which okr never leaves there, and okr cannot remove it (ENOTEMPTY).`,
    );
    expect(err?.hint).toBe(`Remove it (\`rm -r '${lock}'\`) and run the command again.`);
  });
});
