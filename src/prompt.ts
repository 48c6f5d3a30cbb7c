/**
 * Interactive prompts (inquirer's, loaded only when a prompt is shown). With stdin not a TTY,
 * inquirer throws and the process could still exit 0, so every prompt goes through `requireTTY`
 * first and fails with a message that names the non-interactive alternative.
 *
 * The five prompt packages okr uses, each on its own, rather than `@inquirer/prompts`: that one
 * also holds the editor prompt, whose iconv-lite and chardet were 550 KB of the 1.3 MB
 * `dist/metrics.cjs` that `okr metrics show` reads and compiles at every start.
 */
import { UsageError } from './errors.js';
import type { IO } from './io.js';

export function requireTTY(io: IO, what: string, alternative: string): void {
  if (!io.isInteractive) throw new UsageError(`${what} needs an interactive terminal.`, alternative);
}

export async function loadPrompts(io: IO) {
  const [input, password, confirm, select, checkbox] = await Promise.all([
    import('@inquirer/input').then((m) => m.default),
    import('@inquirer/password').then((m) => m.default),
    import('@inquirer/confirm').then((m) => m.default),
    import('@inquirer/select').then((m) => m.default),
    import('@inquirer/checkbox').then((m) => m.default),
  ]);
  const context = { input: io.stdin, output: io.stdout as NodeJS.WritableStream, clearPromptOnDone: false };
  return {
    input: (config: Parameters<typeof input>[0]) => input(config, context),
    password: (config: Parameters<typeof password>[0]) => password(config, context),
    confirm: (config: Parameters<typeof confirm>[0]) => confirm(config, context),
    select: <T>(config: Parameters<typeof select<T>>[0]) => select<T>(config, context),
    checkbox: <T>(config: Parameters<typeof checkbox<T>>[0]) => checkbox<T>(config, context),
  };
}

/** Reads all of stdin (for `--stdin` secrets), without echoing anything. */
export async function readStdin(
  stdin: NodeJS.ReadableStream,
  limit?: { bytes: number; tooBig: () => Error },
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    // Stops reading at the limit: /dev/zero or a runaway pipe never fills the memory.
    if (limit && size > limit.bytes) throw limit.tooBig();
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
