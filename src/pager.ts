/**
 * Long output on a terminal goes through a pager, as git and gh do: `$OKR_PAGER`, else `$PAGER`,
 * else `less -FRX` (quit when it fits, keep colours, leave the text on the screen). An empty
 * OKR_PAGER or PAGER, or `--no-pager`, turns it off; piped output never comes here (see
 * commands/app.ts). Loaded only when a command's output is taller than the terminal, so the
 * child_process module costs nothing anywhere else.
 */
import { spawn } from 'node:child_process';
import type { IO } from './io.js';

export const DEFAULT_PAGER = 'less -FRX';

/** The pager command line, or undefined when paging is off. */
export function pagerCommand(env: Record<string, string | undefined>): string | undefined {
  const chosen = env.OKR_PAGER ?? env.PAGER ?? DEFAULT_PAGER;
  const cmd = chosen.trim();
  // `cat` is what people set to mean "no pager": skip the extra process.
  return cmd === '' || cmd === 'cat' ? undefined : cmd;
}

/**
 * Shows `text` through the pager and waits until the user leaves it. When the pager cannot be
 * started (not installed: the shell exits 127 before reading anything), the text is written
 * straight to the terminal instead, so nothing is lost.
 */
export async function page(io: IO, env: Record<string, string | undefined>, text: string): Promise<void> {
  const cmd = pagerCommand(env);
  if (!cmd) {
    io.stdout.write(text);
    return;
  }
  // Ctrl-C belongs to the pager (less uses it to stop a search); okr's own handler would print
  // over the pager's screen. The command has finished by now, so there is nothing to interrupt.
  const sigint = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const shown = await new Promise<boolean>((resolve) => {
      const child = spawn(cmd, {
        shell: true,
        stdio: ['pipe', 'inherit', 'inherit'],
        // As git does: less keeps colours and quits on one screen even when invoked bare.
        env: { ...env, LESS: env.LESS ?? 'FRX', LV: env.LV ?? '-c' },
      });
      child.on('error', () => resolve(false));
      // The user may quit before reading everything (EPIPE): that is the point of a pager.
      child.stdin.on('error', () => {});
      child.stdin.end(text);
      child.on('close', (code) => resolve(code !== 127));
    });
    if (!shown) io.stdout.write(text);
  } finally {
    process.off('SIGINT', ignore);
    for (const l of sigint) process.on('SIGINT', l as () => void);
  }
}
