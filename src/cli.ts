/**
 * Builds the `okr` program. Every command module is registered here; each keeps heavy imports
 * inside its actions. `main` returns the exit code instead of calling process.exit, so tests run
 * commands in-process and the real process exits only after output is flushed.
 */
import { Command, CommanderError } from 'commander';
import type { App } from './commands/app.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerConnect } from './commands/connect.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerDisconnect } from './commands/disconnect.js';
import { register as registerDoctor } from './commands/doctor.js';
import { register as registerKr } from './commands/kr.js';
import { register as registerMetrics } from './commands/metrics.js';
import { register as registerObjective } from './commands/objective.js';
import { register as registerPlugins } from './commands/plugins.js';
import { register as registerProgress } from './commands/progress.js';
import { register as registerSchedule } from './commands/schedule.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerSync } from './commands/sync.js';
import { type Context, type ContextOptions, createContext } from './context.js';
import { ExitCode, OkrError } from './errors.js';
import { createIO, paint } from './io.js';
import { VERSION } from './version.js';

// The order of `okr --help`: first run, the daily loop, OKRs, then upkeep.
const COMMANDS = [
  registerDemo,
  registerConfig,
  registerConnect,
  registerSync,
  registerMetrics,
  registerObjective,
  registerKr,
  registerProgress,
  registerStatus,
  registerSchedule,
  registerDoctor,
  registerPlugins,
  registerDisconnect,
];

export function buildProgram(app: App): Command {
  const program = new Command('okr')
    .description(
      'Local-first tracker for personal metrics and OKRs.\nPlugins import daily values over OAuth2 into one SQLite file.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces and debug details on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      '\nGetting started:\n  okr demo                     see everything work on a built-in simulator\n  okr config setup fitbit      client id + secret, with the setup steps\n  okr connect fitbit           sign in through the browser\n  okr sync --since 7d          import into SQLite\n  okr metrics show             a table of your metrics\n\nEnvironment: OKR_HOME=<dir> keeps all files under one folder; NO_COLOR disables colour;\nOKR_DEBUG=1 prints stack traces. Exit codes: 0 ok, 1 error, 2 usage, 3 re-authentication\nneeded, 4 partial failure, 130 interrupted.',
    );
  for (const register of COMMANDS) register(program, app);
  return program;
}

export async function main(argv: string[], opts: ContextOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const io = opts.io ?? createIO({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env });
  const ownsProcess = opts.signal === undefined;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
    io.err('Interrupted; finishing the current step (Ctrl-C again to quit at once).');
    controller.abort(new OkrError('Interrupted.', { exitCode: ExitCode.INTERRUPTED }));
  };
  if (ownsProcess) process.on('SIGINT', onSigint);

  let ctx: Context | undefined;
  let verbose = env.OKR_DEBUG === '1';
  const app: App = {
    exitCode: ExitCode.OK,
    context() {
      ctx ??= createContext({ ...opts, env, io, verbose, signal: opts.signal ?? controller.signal });
      return ctx;
    },
  };
  const program = buildProgram(app);
  // Subcommands copy settings only when created, so apply output and exit handling to each.
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(paint(io, 'red', s)),
    });
  }
  program.hook('preAction', (cmd) => {
    if (cmd.optsWithGlobals().verbose) verbose = true;
  });

  try {
    await program.parseAsync(argv);
    return app.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    return reportError(io, err, verbose);
  } finally {
    if (ownsProcess) process.off('SIGINT', onSigint);
    ctx?.close();
  }
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** One line saying what failed, one saying what to do. Stack traces only when asked for. */
export function reportError(io: ReturnType<typeof createIO>, err: unknown, verbose: boolean): number {
  const known = err instanceof OkrError;
  const message = err instanceof Error ? err.message : String(err);
  io.err(paint(io, 'red', `error: ${message}`));
  if (known && err.hint) io.err(`hint: ${err.hint}`);
  if (!known) io.err('hint: this is a bug in okr; run again with --verbose and report the output.');
  if (verbose && err instanceof Error && err.stack) io.err(paint(io, 'dim', err.stack));
  return known ? err.exitCode : ExitCode.ERROR;
}
