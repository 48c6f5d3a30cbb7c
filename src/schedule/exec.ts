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
  /** How stdout is decoded and `input` encoded (default utf8). `latin1` maps each byte to one
   * character and back, so a text of any bytes (a crontab) round-trips exactly. */
  encoding?: 'utf8' | 'latin1';
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
    const out: Buffer[] = [];
    const stdoutText = () => Buffer.concat(out).toString(opts.encoding ?? 'utf8');
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.on('error', () => {}); // a tool that exits without reading stdin: not our error
    child.stdin!.end(Buffer.from(opts.input ?? '', opts.encoding ?? 'utf8'));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: stdoutText(), stderr: err.message, missing: err.code === 'ENOENT' });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout: stdoutText(), stderr, ...(timedOut ? { timedOut } : {}) });
    });
  });
}

/** `cmd args…` for messages, quoted where needed. */
export function showCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
