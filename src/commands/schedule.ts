/**
 * `okr schedule install|status|remove`: hourly syncs through a systemd user timer, cron or a
 * LaunchAgent (src/schedule/). Hidden: `okr schedule run` (what the scheduler starts) and
 * `okr schedule check` (what the preflight runs in its place).
 */
// `program.createOption`, not `new Option`: a value import of commander here would move it out
// of cli.js into a chunk of its own, one more file to load at every start.
import type { Command } from 'commander';
import type { BackendId } from '../schedule/job.js';
import { type App, action } from './app.js';

export function register(program: Command, app: App): void {
  const schedule = program
    .command('schedule')
    .description('sync every hour in the background: systemd user timer, cron or launchd');

  schedule
    .command('install')
    .description('install (or replace) the scheduled `okr sync`, then test-run it as the scheduler will')
    .option('--every <interval>', 'how often: 5m to 30m, 1h to 12h dividing a day, or 1d', '1h')
    .addOption(
      program
        .createOption(
          '--backend <name>',
          'scheduler (default: systemd user timer if available, else cron; launchd on macOS)',
        )
        .choices(['cron', 'systemd', 'launchd']),
    )
    .option('--no-preflight', 'skip the test run (not recommended: it catches an unreachable keychain)')
    .addHelpText(
      'after',
      '\nThe job runs `okr sync --quiet` with absolute paths to node and okr (PATH does not matter),\nlogs to sync.log in the state folder (rotated at 1 MiB), and carries what the keychain needs.\nInstalling again replaces the job. Exit code 1 when the test run finds a problem (the job stays\ninstalled; the output says what to change).\n\nExamples:\n  okr schedule install\n  okr schedule install --every 30m --backend cron',
    )
    .action(
      action(app, async (ctx, opts: { every: string; backend?: BackendId; preflight: boolean }) => {
        const { installCommand } = await import('../schedule/output.js');
        return installCommand(ctx, opts);
      }),
    );

  schedule
    .command('status')
    .description('the installed schedule: backend, interval, next run, last scheduled run')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { json?: boolean }) => {
        const { statusCommand } = await import('../schedule/output.js');
        return statusCommand(ctx, opts);
      }),
    );

  schedule
    .command('remove')
    .description('remove the scheduled sync: job, unit files or crontab lines, its log and its record')
    .action(
      action(app, async (ctx) => {
        const { removeCommand } = await import('../schedule/output.js');
        return removeCommand(ctx);
      }),
    );

  schedule
    .command('run', { hidden: true })
    .description('what the scheduler runs: okr sync --quiet, logged to sync.log')
    .action(
      action(app, async (ctx) => {
        const { runJob } = await import('../schedule/run.js');
        const { resolveOkrScript } = await import('../schedule/job.js');
        return runJob(ctx, { node: process.execPath, okr: resolveOkrScript() });
      }),
    );

  schedule
    .command('check', { hidden: true })
    .description("what the preflight runs in the job's place: database, keychain, tokens, settings, log")
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { json?: boolean }) => {
        const { checkCommand } = await import('../schedule/output.js');
        return checkCommand(ctx, opts);
      }),
    );
}
