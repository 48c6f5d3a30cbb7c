/**
 * `okr import <source> <path> [--dry-run] [--from … --to …] [--json] [--quiet] [--time-zone …]`.
 * Flags only: the work is in src/import/, loaded when the command runs.
 */
import type { Command } from 'commander';
import { type App, action } from './app.js';

export function register(program: Command, app: App): void {
  program
    .command('import')
    .description(
      'import history from the files a service exports: a Google Takeout (fitbit) or the Health app export (apple-health)',
    )
    .argument('<source>', 'fitbit or apple-health (plugins with a file importer)')
    .argument('<path>', 'the export: a .zip (read in place, never unpacked), its unpacked folder, or export.xml')
    .option('--dry-run', 'read the export and report what would change; write nothing')
    .option('--from <date>', 'first date to import, YYYY-MM-DD (default: the export’s first)')
    .option('--to <date>', 'last date to import, YYYY-MM-DD (default: the export’s last)')
    .option(
      '--time-zone <zone>',
      'zone of clock times the export gives in UTC or without a zone (default: the export’s profile, else TZ)',
    )
    .option('--json', 'machine-readable report (counts per metric, kept and replaced values, what was not read)')
    .option('--quiet', 'no progress bar: timestamped lines, for logs')
    .addHelpText(
      'after',
      `
Sources:
  fitbit        a Google Takeout of Fitbit data (takeout.google.com → Fitbit / Google Health):
                Takeout/Fitbit/Global Export Data/*.json (steps, sleep, resting heart
                rate), Heart Rate Variability and Active Zone Minutes CSVs, Your Profile/
                Profile.csv (time zone); and the newer Takeout/Google Health/Physical
                Activity_GoogleData/*.csv. Writes the fitbit.* metrics sync writes; weight
                logs are counted as not read (the plugin has no weight metric).
  apple-health  iPhone: Health → your picture → Export All Health Data → export.zip (or the
                export.xml in it): steps, sleep stages, resting heart rate, HRV (SDNN),
                weight, active energy, as apple-health.* metrics.

Rules: a value you logged is never overwritten; against a synced value the newer wins (the
export's date against the time the value was synced), and the report lists those days.
Importing the same export again changes nothing. Values that cannot be real (dated outside
1970..tomorrow, or outside their field's range: 1e15 steps, 1e308 kg) are not written and are
counted as not read, with the reason. Nothing is written until the whole export
was read; values are then written in batches, so Ctrl-C keeps what was written and running
the import again finishes it.

Examples:
  okr import fitbit ~/Downloads/takeout-20261201T101010Z-001.zip
  okr import apple-health ~/Downloads/export.zip --dry-run
  okr import fitbit Takeout/ --from 2016-01-01 --to 2019-12-31 --json

Exit codes: 0 imported, 1 the file is not an export or cannot be read (nothing written),
2 usage, 4 some files of the export could not be read (the others were imported),
130 interrupted.`,
    )
    .action(
      action(app, async (ctx, source: string, path: string, opts: Record<string, string | boolean | undefined>) => {
        const { importCommand } = await import('../import/run.js');
        return importCommand(ctx, source, path, {
          dryRun: opts.dryRun === true,
          from: opts.from as string | undefined,
          to: opts.to as string | undefined,
          json: opts.json === true,
          quiet: opts.quiet === true,
          timeZone: opts.timeZone as string | undefined,
        });
      }),
    );
}
