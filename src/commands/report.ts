/**
 * `okr report`: one HTML page to look at (charts of the template's metrics, sleep timing,
 * objectives against their pace, data coverage), or with --json the same series as data. This
 * module declares the flags; the body is src/report/run.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import type { ReportFlags } from '../report/run.js';
import { type App, action } from './app.js';

export function register(program: Command, app: App): void {
  program
    .command('report')
    .description('one self-contained HTML page: metric charts, sleep timing, objectives and pace, coverage')
    .option('--period <period>', 'a period: 2026-Q4, 2026-H1, 2026-11, 2026 or 2026-01-01..2026-06-30')
    .option('--since <when>', 'or the span ending today: 90d, 26w, 6m, 10y (default: 1y)')
    .option('-t, --template <name>', 'the template whose metrics to chart (default: the default template)')
    .option('-o, --output <file>', 'where to write the page (default: okr-report.html; - for standard output)')
    .option('--force', 'replace the output file even if it is not a report okr wrote')
    .option('--open', 'open the page in the browser ($BROWSER when set)')
    .option('--json', 'print the series as JSON instead of writing a page (with -o, both)')
    .addHelpText(
      'after',
      `
The page has no script and fetches nothing: it works from file:// and can be
mailed or archived. It holds your data: it is written with mode 0600. Values
come from the database only (run \`okr sync\` first for the latest days).

Points are days up to 400 days, ISO weeks up to 2,800 days, months beyond;
weeks and months show their average and, as a band, the middle half of their
days. A period that runs past today ends today.

Examples:
  okr report --open
  okr report --period 2026-Q4 -o q4.html
  okr report --since 10y --json > report.json`,
    )
    .action(action(app, async (ctx, opts: ReportFlags) => (await import('../report/run.js')).report(ctx, opts)));
}
