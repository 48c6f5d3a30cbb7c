/**
 * Builds the `okr` program and runs it. Each command module keeps heavy imports inside its
 * actions, and only the invoked command's module is loaded at all. `main` returns the exit code instead of calling process.exit, so tests run
 * commands in-process and the real process exits only after output is flushed.
 */
import { Command, CommanderError, Help } from 'commander';
import type { App, Register } from './commands/app.js';
import type { Context, ContextOptions } from './context.js';
import { ExitCode, type ExitCodeValue, fromSystemError, OkrError } from './errors.js';
import { type IO, paint, processIO } from './io.js';
import { safeText } from './safe-text.js';
import { VERSION } from './version.js';

interface CommandEntry {
  name: string;
  /** Not listed in `okr --help` (what the shell completion scripts call). */
  hidden?: boolean;
  /** The line in `okr --help`; the module's own description is its `--help`. */
  summary: string;
  load: () => Promise<{ register: Register }>;
}

/**
 * Every command, in the order of `okr --help`: first run, the daily loop, OKRs, then upkeep.
 * Only the module of the command being run is loaded (start-up pays for one command, not all);
 * the others appear as name + summary for the listing and the "did you mean" suggestions.
 */
const COMMANDS: CommandEntry[] = [
  {
    name: 'demo',
    summary: 'the whole job on built-in Google Health and Oura simulators',
    load: () => import('./commands/demo.js'),
  },
  {
    name: 'config',
    summary: 'settings: client ids, secrets, endpoints; guided setup',
    load: () => import('./commands/config.js'),
  },
  {
    name: 'connect',
    summary: 'sign in to a plugin through the browser (OAuth2 + PKCE)',
    load: () => import('./commands/connect.js'),
  },
  {
    name: 'sync',
    summary: 'import data from connected plugins (default: last 7 days)',
    load: () => import('./commands/sync.js'),
  },
  {
    name: 'import',
    summary: 'history from a Google Takeout or an Apple Health export',
    load: () => import('./commands/import.js'),
  },
  {
    name: 'metrics',
    summary: 'templates, the daily table, manual values, export, import',
    load: () => import('./commands/metrics.js'),
  },
  {
    name: 'objective',
    summary: 'objectives: add, list, show, edit, archive',
    load: () => import('./commands/objective.js'),
  },
  {
    name: 'kr',
    summary: 'key results measured by metrics: add, list, edit, remove',
    load: () => import('./commands/kr.js'),
  },
  {
    name: 'progress',
    summary: 'objectives and key results: value, target, pace, status',
    load: () => import('./commands/progress.js'),
  },
  {
    name: 'report',
    summary: 'an HTML page of charts: metrics, sleep timing, objectives, coverage',
    load: () => import('./commands/report.js'),
  },
  {
    name: 'status',
    summary: 'connections, tokens, last syncs (exit 3: sign in again)',
    load: () => import('./commands/status.js'),
  },
  {
    name: 'schedule',
    summary: 'hourly syncs through a systemd user timer, cron or launchd',
    load: () => import('./commands/schedule.js'),
  },
  {
    name: 'doctor',
    summary: 'check everything and say how to fix each problem',
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'plugins',
    summary: 'the plugins: configured, connected, fields',
    load: () => import('./commands/plugins.js'),
  },
  {
    name: 'disconnect',
    summary: "revoke and delete a plugin's tokens (synced values are kept)",
    load: () => import('./commands/disconnect.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: bash, zsh or fish',
    load: () => import('./commands/completion.js'),
  },
  {
    name: '__complete',
    hidden: true,
    summary: 'what may come next on a command line (the completion scripts call it)',
    load: () => import('./commands/complete.js'),
  },
];

/** The command a command line runs (`okr --verbose sync …` → sync, `okr help kr` → kr). */
export function invokedCommand(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * Builds the program. With `args`, only the invoked command's module is loaded; without, every
 * module is (tests that walk all commands).
 */
export async function buildProgram(app: App, args?: string[]): Promise<Command> {
  const program = new Command('okr')
    .description(
      'Local-first tracker for personal metrics and OKRs.\nPlugins import daily values over OAuth2 into one SQLite file.',
    )
    // One line, as `gh --version`: what a bug report needs first.
    .version(
      `okr ${VERSION} (node ${process.version}, ${process.platform}-${process.arch})`,
      '-V, --version',
      'print the version, with the Node version and platform',
    )
    .option('--verbose', 'print stack traces and debug details on errors')
    .option('--no-pager', 'never send long output through the pager ($OKR_PAGER, $PAGER, less -FRX)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({
      sortSubcommands: false,
      showGlobalOptions: true,
      // A listing names each command with its arguments (`log <metric> [value]`), without
      // "[options]", which every command has; `okr --help` lists names (the rest is not loaded).
      subcommandTerm: (cmd: Command) =>
        [
          cmd.name(),
          ...cmd.registeredArguments.map((a) => {
            const n = `${a.name()}${a.variadic ? '...' : ''}`;
            return a.required ? `<${n}>` : `[${n}]`;
          }),
        ].join(' '),
      // An option a command has itself (`plugins` and `plugins show` both take --json) is listed
      // once, under its own options, not again under Global Options.
      visibleGlobalOptions(this: Help, cmd: Command) {
        return Help.prototype.visibleGlobalOptions
          .call(this, cmd)
          .filter((g) => !cmd.options.some((own) => !own.hidden && own.long === g.long));
      },
    })
    .addHelpText(
      'after',
      '\nGetting started:\n  okr demo                     see everything work on a built-in simulator\n  okr config setup fitbit      client id + secret, with the setup steps\n  okr connect fitbit           sign in through the browser\n  okr sync --since 7d          import into SQLite\n  okr metrics show             a table of your metrics\n\nEnvironment: OKR_HOME=<dir> keeps all files under one folder; NO_COLOR disables colour;\nOKR_DEBUG=1 prints stack traces; OKR_PAGER or PAGER picks the pager (empty: none).\nExit codes: 0 ok, 1 error, 2 usage, 3 re-authentication needed, 4 partial failure,\n130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP. Tab completion: okr completion --help.',
    );
  const wanted = args && invokedCommand(args);
  for (const entry of COMMANDS) {
    if (args === undefined || entry.name === wanted) {
      (await entry.load()).register(program, app);
      program.commands.at(-1)?.summary(entry.summary);
    } else {
      program.command(entry.name, { hidden: entry.hidden }).summary(entry.summary);
    }
  }
  // Positional options: a command's options count only before its subcommand's name. Otherwise a
  // parent with options of its own takes its subcommand's flags (`plugins show fitbit --json` gave
  // `plugins` the --json and printed text). The global options, --verbose and --no-pager, are
  // then also declared (hidden; help lists them under "Global Options") on every command that
  // runs, so they work after the command too (`okr sync fitbit --verbose`).
  for (const cmd of allCommands(program)) {
    cmd.enablePositionalOptions();
    if (cmd !== program && cmd.commands.length === 0) {
      cmd.addOption(cmd.createOption('--verbose').hideHelp());
      cmd.addOption(cmd.createOption('--no-pager').hideHelp());
    }
  }
  return program;
}

/**
 * V8 settings for `okr sync`, a process of a second or less that parses a few MB of provider
 * JSON. Peak RSS of a 2-year backfill, bench/sync.bench.mjs, 2 cores: ~94 MB with none, ~81 with
 * the first, ~67 with all three.
 * - `--semi-space-growth-factor=1`: V8 doubles its young generation on each scavenge that keeps
 *   much alive, up to 3 x 16 MB, and the process keeps that memory;
 * - `--optimize-for-size`: the old generation grows in smaller steps, so what was promoted while
 *   pages were in flight is collected sooner (~-8 MB);
 * - `--no-opt`: no optimizing compiler, whose code pages were ~4 MB of resident memory; a run
 *   this short gains little from it.
 * The price, in interleaved runs: none measurable for a 7-day sync or a 2-year backfill without
 * latency; a 1-year backfill at 150 ms latency took ~25-70 ms longer (more collections on the
 * main thread). All three are read when V8 next needs them, so they apply although the heap
 * already exists. Only for a process okr owns: tests run commands inside their own.
 */
function tuneV8ForSync(): void {
  void import('node:v8')
    .then((v8) => {
      for (const flag of ['--semi-space-growth-factor=1', '--optimize-for-size', '--no-opt'])
        v8.setFlagsFromString(flag);
    })
    .catch(() => {});
}

/**
 * `okr help kr add` as `okr kr add --help`: Commander's help command takes one name, so it showed
 * `kr`'s help. One name (`okr help kr`) is left to Commander, which shows the same.
 */
function helpAsFlag(argv: string[]): string[] {
  const args = argv.slice(2);
  if (args[0] !== 'help' || args.length < 3 || args.some((a) => a.startsWith('-'))) return argv;
  return [...argv.slice(0, 2), ...args.slice(1), '--help'];
}

export async function main(argv: string[], opts: ContextOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const io = opts.io ?? processIO(env);
  const ownsProcess = opts.signal === undefined;
  const controller = new AbortController();
  // The first signal aborts the context's signal: long work (a sync, a wait for a lock) stops at
  // its next safe point, finishes its run row and releases its locks. A second one quits at once.
  let caught: StopSignal | undefined;
  const onSignal = (sig: StopSignal) => {
    if (caught) process.exit(STOP_EXIT[caught]);
    caught = sig;
    // Not on SIGHUP: the terminal it would go to has gone.
    if (sig === 'SIGINT') io.err('Interrupted; finishing the current step (Ctrl-C again to quit at once).');
    else if (sig === 'SIGTERM') io.err('Terminated (SIGTERM); finishing the current step.');
    controller.abort(new OkrError('Interrupted.', { exitCode: STOP_EXIT[sig] }));
    // A command that never looks at the signal (a prompt, a table being printed) still ends: a
    // service manager or a shutdown expects the process gone, not waiting for input.
    if (sig !== 'SIGINT') setTimeout(() => process.exit(STOP_EXIT[sig]), STOP_GRACE_MS).unref();
  };
  const handlers = STOP_SIGNALS.map((sig) => [sig, () => onSignal(sig)] as const);
  if (ownsProcess) for (const [sig, h] of handlers) process.on(sig, h);

  let ctx: Context | undefined;
  let verbose = env.OKR_DEBUG === '1';
  // A command will almost always need its context: start loading that code now, in parallel with
  // the command's own module, rather than after it (`okr --help` names no command and skips this).
  const command = invokedCommand(argv.slice(2));
  const contextModule = command ? import('./context.js') : undefined;
  contextModule?.catch(() => {});
  if (ownsProcess && command === 'sync') tuneV8ForSync();
  const app: App = {
    exitCode: ExitCode.OK,
    async context() {
      if (!ctx) {
        const { createContext } = await (contextModule ?? import('./context.js'));
        ctx = createContext({ ...opts, env, io, verbose, signal: opts.signal ?? controller.signal });
      }
      return ctx;
    },
  };
  const program = await buildProgram(app, argv.slice(2));
  // Subcommands copy settings only when created, so apply output and exit handling to each.
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // Commander would ask process.stdout and process.stderr (see processIO).
      getOutHelpWidth: () => io.columns,
      getErrHelpWidth: () => io.columns,
      getOutHasColors: () => io.color,
      getErrHasColors: () => io.color,
      outputError: (s, write) => write(paint(io, 'red', s)),
    });
  }
  program.hook('preAction', (cmd) => {
    if (cmd.optsWithGlobals().verbose) verbose = true;
  });

  // What an interrupted command returns (130) is, after SIGTERM or SIGHUP, that signal's code.
  const stopped = (code: number) => (caught && code === ExitCode.INTERRUPTED ? STOP_EXIT[caught] : code);
  try {
    // `okr help nosuch`: Commander would print the whole help to stderr, with no error line.
    const words = argv.slice(2).filter((a) => !a.startsWith('-'));
    if (
      words[0] === 'help' &&
      words[1] !== undefined &&
      words[1] !== 'help' &&
      !COMMANDS.some((e) => e.name === words[1])
    ) {
      const { closest } = await import('./suggest.js');
      const near = closest(
        words[1],
        COMMANDS.filter((e) => !e.hidden).map((e) => e.name),
      );
      program.error(`error: unknown command '${words[1]}'${near ? `\n(Did you mean ${near}?)` : ''}`, {
        exitCode: ExitCode.USAGE,
        code: 'commander.unknownCommand',
      });
    }
    await program.parseAsync(helpAsFlag(argv));
    return stopped(app.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    return stopped(reportError(io, err, verbose));
  } finally {
    if (ownsProcess) for (const [sig, h] of handlers) process.off(sig, h);
    ctx?.close();
  }
}

/**
 * The signals that end okr gracefully, each with the exit code a shell reports for it (128 + its
 * number): Ctrl-C; SIGTERM from `systemctl stop`, a shutdown, systemd's TimeoutStartSec or
 * `kill`; SIGHUP when the terminal goes away.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];
const STOP_EXIT: Record<StopSignal, ExitCodeValue> = {
  SIGINT: ExitCode.INTERRUPTED,
  SIGTERM: ExitCode.TERMINATED,
  SIGHUP: ExitCode.HANGUP,
};
/** How long a SIGTERM or SIGHUP waits for the command to reach a safe point before okr exits anyway. */
const STOP_GRACE_MS = 10_000;

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** One line saying what failed, one saying what to do. Stack traces only when asked for. */
export function reportError(io: IO, err: unknown, verbose: boolean): number {
  // Ctrl-C at an @inquirer prompt.
  if (err instanceof Error && err.name === 'ExitPromptError') {
    io.err('Cancelled.');
    return ExitCode.INTERRUPTED;
  }
  // An OS error (EPERM on a folder, a full disk) is a one-line error naming the path, not a bug.
  const shown = err instanceof OkrError ? err : (fromSystemError(err) ?? err);
  const known = shown instanceof OkrError;
  // One line, whatever the error quotes (a provider's words, a file's contents): see safe-text.ts.
  const message = safeText(shown instanceof Error ? shown.message : String(shown));
  io.err(paint(io, 'red', `error: ${message}`));
  if (known) for (const d of shown.details ?? []) io.err(`  - ${safeText(d)}`);
  if (known && shown.hint) io.err(`hint: ${safeText(shown.hint)}`);
  if (!known) io.err('hint: this is a bug in okr; run again with --verbose and report the output.');
  if (verbose && err instanceof Error && err.stack) io.err(paint(io, 'dim', err.stack));
  return known ? shown.exitCode : ExitCode.ERROR;
}
