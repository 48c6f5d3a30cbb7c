/**
 * A real pseudo-terminal for tests: a tmux server on a private socket (`tmux -L <name>`, no
 * config file), so no test sees the user's sessions or another test's. `close()` kills the server
 * and removes the socket file, which kill-server leaves behind.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export interface PaneOptions {
  width: number;
  height: number;
  /** Variables for the pane's command (`tmux -e`). */
  env?: Record<string, string>;
  cwd?: string;
}

export interface WaitOptions {
  /** Join the lines the terminal wrapped and read the scroll-back: what the program printed. */
  joined?: boolean;
  timeoutMs?: number;
}

export interface PrivateTmux {
  /** Runs a tmux command on this server and returns its output. */
  tmux(...args: string[]): string;
  /** Starts `command` in a new detached session `session` (one of that name is killed first). */
  start(session: string, command: string, opts: PaneOptions): void;
  /** What the pane shows now (`joined`: as printed, with the scroll-back). */
  screen(session: string, joined?: boolean): string;
  /** Waits until the screen passes `test`, and returns it; fails with the screen after the timeout. */
  waitFor(session: string, test: RegExp | ((screen: string) => boolean), opts?: WaitOptions): Promise<string>;
  /** Keys by name (`Enter`, `C-c`, `Down`). */
  keys(session: string, ...keys: string[]): void;
  /** Text typed as it is. */
  type(session: string, text: string): void;
  close(): void;
}

export function privateTmux(name: string): PrivateTmux {
  const socket = `${name}-${process.pid}`;
  // stderr piped: an expected failure (no session to kill yet) prints nothing; a real one throws with it.
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const screen = (session: string, joined = false) =>
    joined ? tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session) : tmux('capture-pane', '-p', '-t', session);
  return {
    tmux,
    start(session, command, opts) {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        // No such session yet.
      }
      const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      const size = ['-x', String(opts.width), '-y', String(opts.height)];
      tmux('new-session', '-d', '-s', session, ...size, ...env, ...(opts.cwd ? ['-c', opts.cwd] : []), command);
    },
    screen,
    async waitFor(session, test, opts = {}) {
      const passes = typeof test === 'function' ? test : (s: string) => test.test(s);
      const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
      for (;;) {
        const s = screen(session, opts.joined);
        if (passes(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${test}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    keys: (session, ...keys) => void tmux('send-keys', '-t', session, ...keys),
    type: (session, text) => void tmux('send-keys', '-t', session, '-l', text),
    close() {
      try {
        tmux('kill-server');
      } catch {
        // Already gone.
      }
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    },
  };
}
