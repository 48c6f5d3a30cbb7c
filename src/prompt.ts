/**
 * Interactive prompts (@inquirer/prompts, loaded only when a prompt is shown). With stdin not a
 * TTY, inquirer throws and the process could still exit 0, so every prompt goes through
 * `requireTTY` first and fails with a message that names the non-interactive alternative.
 */
import { UsageError } from './errors.js';
import type { IO } from './io.js';

export function requireTTY(io: IO, what: string, alternative: string): void {
  if (!io.isInteractive) throw new UsageError(`${what} needs an interactive terminal.`, alternative);
}

export async function loadPrompts(io: IO) {
  const inquirer = await import('@inquirer/prompts');
  const context = { input: io.stdin, output: io.stdout as NodeJS.WritableStream, clearPromptOnDone: false };
  return {
    input: (config: Parameters<typeof inquirer.input>[0]) => inquirer.input(config, context),
    password: (config: Parameters<typeof inquirer.password>[0]) => inquirer.password(config, context),
    confirm: (config: Parameters<typeof inquirer.confirm>[0]) => inquirer.confirm(config, context),
    select: <T>(config: Parameters<typeof inquirer.select<T>>[0]) => inquirer.select<T>(config, context),
    checkbox: <T>(config: Parameters<typeof inquirer.checkbox<T>>[0]) => inquirer.checkbox<T>(config, context),
  };
}

/** Reads all of stdin (for `--stdin` secrets), without echoing anything. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
