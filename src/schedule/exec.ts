/**
 * Runs the scheduler's own tools (crontab, systemctl, launchctl) and the preflight. Commands are
 * looked up on the context's PATH, which is how the tests put fake `crontab`, `systemctl` and
 * `launchctl` scripts in front of the real ones: no test ever reaches the machine's scheduler.
 */
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The command could not be started (ENOENT: not installed). */
  missing?: boolean;
  timedOut?: boolean;
}

export interface ExecOptions {
  env: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

export function exec(command: string, args: string[], opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: 127, stdout: '', stderr: (err as Error).message, missing: true });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.on('error', () => {}); // a tool that exits without reading stdin: not our error
    child.stdin!.end(opts.input ?? '');
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: err.message, missing: err.code === 'ENOENT' });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, ...(timedOut ? { timedOut } : {}) });
    });
  });
}

/** `cmd args…` for messages, quoted where needed. */
export function showCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
