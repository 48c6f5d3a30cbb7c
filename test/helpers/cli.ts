/**
 * Runs okr commands the way a user does, in two forms:
 * - `runCli`: in-process (fast), with a Context on a temp OKR_HOME and captured output;
 * - `runBin`: the built `bin/okr.js` as a real subprocess.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import type { ContextOptions } from '../../src/context.js';
import { createIO } from '../../src/io.js';

import { REPO_ROOT } from './home.js';

export { REPO_ROOT, tempDir, tempHome } from './home.js';
export const BIN = join(REPO_ROOT, 'bin', 'okr.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions extends Omit<ContextOptions, 'io' | 'env'> {
  home: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Pretend stdout/stdin are terminals (prompts are still refused unless stdin is a real TTY). */
  tty?: boolean;
}

/** Runs `okr <args>` in this process. The environment is the test's plus OKR_HOME. */
export async function runCli(args: string[], opts: RunOptions): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.end(opts.stdin ?? '');
  const env = { ...process.env, ...opts.env, OKR_HOME: opts.home };
  const io = createIO({
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty ?? false, columns: 80 },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin,
    env,
  });
  const { home: _home, env: _env, stdin: _stdin, tty: _tty, ...rest } = opts;
  const code = await main(['node', 'okr', ...args], {
    ...rest,
    env,
    io,
    signal: rest.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}

export interface SpawnOptions {
  home?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
}

/** Runs the built CLI as a subprocess. */
export function runBin(args: string[], opts: SpawnOptions = {}): Promise<RunResult & { pid: number }> {
  return runNode([BIN, ...args], opts, `okr ${args.join(' ')}`);
}

/** Runs `node <argv>` (this test run's node) as a subprocess, with the environment and limits of runBin. */
export function runNode(
  argv: string[],
  opts: SpawnOptions = {},
  label = `node ${argv.join(' ')}`,
): Promise<RunResult & { pid: number }> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
    if (opts.home) env.OKR_HOME = opts.home;
    const child = spawn(process.execPath, argv, { env: env as NodeJS.ProcessEnv, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not finish in ${opts.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

export interface LiveBin {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first match of `re` in stderr + stdout; rejects if the process ends first. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<RunResult>;
}

/**
 * The built CLI as a subprocess the test talks to while it runs (reads its output as it comes,
 * writes to its stdin). The caller ends it: `exited` resolves when it closes.
 */
export function startBin(args: string[], env: Record<string, string | undefined>): LiveBin {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: 'pipe',
  }) as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<RunResult>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = (stderr + stdout).match(re);
        if (m) resolve(m);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
      void exited.then((r) => reject(new Error(`exited ${r.code} before printing ${re}:\n${r.stdout}\n${r.stderr}`)));
    });
  return { child, waitFor, exited };
}

/** True when a Secret Service is reachable (scripts/with-keyring.sh provides one). */
export function keychainAvailable(): boolean {
  return Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
}
