/**
 * `okr sync [plugin...] [--since 7d | --from YYYY-MM-DD --to YYYY-MM-DD] [--dry-run] [--json] [--quiet]`.
 * Flags only: the engine is src/sync/engine.ts, loaded when the command runs.
 */
// `program.createOption`, not `new Option`: a value import of commander here would move it out
// of cli.js into a chunk of its own, one more file to load at every start.
import type { Command } from 'commander';
import { type App, action } from './app.js';

export function register(program: Command, app: App): void {
  program
    .command('sync')
    .description('import data from connected plugins into the database (default: every enabled plugin, last 7 days)')
    .argument('[plugins...]', 'plugin ids (default: every enabled plugin)')
    .option(
      '--since <when>',
      'the N days (weeks, months, years) ending today: 7d, 2w, 3m, 1y; or a first date YYYY-MM-DD',
    )
    .option('--from <date>', 'first date to sync, YYYY-MM-DD')
    .option('--to <date>', 'last date to sync, YYYY-MM-DD (default: today)')
    .option('--dry-run', 'print the planned calls (plugins, chunks, data types); fetch and write nothing')
    .option('--json', 'machine-readable report')
    .option('--quiet', 'no spinner or progress: one timestamped line per plugin (for logs)')
    .addOption(
      program
        .createOption('--trigger <kind>', 'who started the sync, recorded in sync_runs')
        .choices(['manual', 'schedule'])
        .hideHelp(),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  okr sync                      every enabled plugin, the 7 days ending today\n  okr sync fitbit --since 2y    a two-year backfill; if stopped, the next run resumes it\n  okr sync --from 2026-01-01 --to 2026-01-31 --dry-run\n\nOverlapping runs wait for each other (OKR_LOCK_WAIT_MS, default 10 s), then skip the plugin.\nExit codes: 0 all ok (or nothing to do), 1 every plugin failed, 3 a plugin needs\n`okr connect <plugin>`, 4 some plugins failed, 130 interrupted (Ctrl-C).',
    )
    .action(
      action(app, async (ctx, plugins: string[], opts: Record<string, string | boolean | undefined>) => {
        const { syncCommand } = await import('../sync/command.js');
        return syncCommand(ctx, plugins, opts);
      }),
    );
}
