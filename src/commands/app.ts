/**
 * The glue between commander and the command modules: builds the context once, runs an action,
 * and records its exit code. Command modules export `register(program, app)`; they keep their
 * top-level imports light and `await import()` heavy modules inside actions, so `okr --help`
 * stays fast.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';

export interface App {
  /** The context, created on first use (parsing --help never builds one, nor loads its code). */
  context(): Promise<Context>;
  exitCode: number;
}

/** Wraps a command body. `fn` gets the context then commander's own arguments. */
export function action<Args extends unknown[]>(
  app: App,
  fn: (ctx: Context, ...args: Args) => Promise<number | undefined> | number | undefined,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    const code = await fn(await app.context(), ...args);
    app.exitCode = code ?? ExitCode.OK;
  };
}

export type Register = (program: Command, app: App) => void;
