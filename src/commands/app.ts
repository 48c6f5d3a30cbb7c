/**
 * The glue between commander and the command modules: builds the context once, runs an action,
 * and records its exit code. Command modules export `register(program, app)`; they keep their
 * top-level imports light and `await import()` heavy modules inside actions, so `okr --help`
 * stays fast.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { visibleLength } from '../io.js';

export interface App {
  /** The context, created on first use (parsing --help never builds one, nor loads its code). */
  context(): Promise<Context>;
  exitCode: number;
}

/**
 * The commands whose output can run long (tables, lists). On a terminal, when it is taller than
 * the screen, it goes through the pager (src/pager.ts); never when piped, nor with --no-pager.
 */
export const PAGED_COMMANDS: ReadonlySet<string> = new Set([
  'metrics show',
  'metrics fields',
  'metrics template list',
  'metrics template show',
  'plugins',
  'plugins show',
  'progress',
  'status',
  'doctor',
  'config list',
  'objective list',
  'objective show',
  'kr list',
]);

/** Wraps a command body. `fn` gets the context then commander's own arguments. */
export function action<Args extends unknown[]>(
  app: App,
  fn: (ctx: Context, ...args: Args) => Promise<number | undefined> | number | undefined,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    const ctx = await app.context();
    // commander passes the command last.
    const cmd = args.at(-1) as Command;
    const paging = ctx.io.isTTY && PAGED_COMMANDS.has(commandPath(cmd)) && !pagerRefused(cmd);
    if (!paging) {
      app.exitCode = (await fn(ctx, ...args)) ?? ExitCode.OK;
      return;
    }
    ctx.io.hold();
    let code: number | undefined;
    try {
      code = await fn(ctx, ...args);
    } catch (err) {
      ctx.io.stdout.write(ctx.io.release());
      throw err;
    }
    const text = ctx.io.release();
    if (screenRows(text, ctx.io.columns) < ctx.io.rows) ctx.io.stdout.write(text);
    else await (await import('../pager.js')).page(ctx.io, ctx.env, text);
    app.exitCode = code ?? ExitCode.OK;
  };
}

/** `metrics template show` for that command (without `okr`). */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `--no-pager` given before or after the command (it is declared on both, see cli.ts). */
function pagerRefused(cmd: Command): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) {
    if (c.opts().pager === false) return true;
  }
  return false;
}

/** Terminal rows the text takes, counting lines the terminal wraps. */
function screenRows(text: string, columns: number): number {
  let rows = 0;
  for (const line of text.replace(/\n$/, '').split('\n')) rows += Math.max(1, Math.ceil(visibleLength(line) / columns));
  return rows;
}

export type Register = (program: Command, app: App) => void;
