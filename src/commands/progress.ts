/**
 * `okr progress`: each objective with its key results: value and target, percent of the way,
 * pace, status, the days of data behind the value, and a bar. The rules are in
 * src/okr/progress.ts (and README, "Objectives and key results").
 *
 * Which objectives: every one not archived; `--period` keeps those whose period overlaps it,
 * `--objective` one of them (archived or not), `--all` adds the archived ones.
 */
import type { Command } from 'commander';
import { isCivilDate } from '../dates.js';
import { UsageError } from '../errors.js';
import { paint } from '../io.js';
import { parsePeriod } from '../okr/period.js';
import { objectiveReports } from '../okr/read.js';
import { onlyArchivedLine, progressReportJson, renderProgress } from '../okr/render.js';
import { listObjectives } from '../store/objectives.js';
import { type App, action } from './app.js';
import { requireObjective, today } from './objective.js';

interface ProgressFlags {
  period?: string;
  objective?: string;
  date?: string;
  all?: boolean;
  json?: boolean;
}

export function register(program: Command, app: App): void {
  program
    .command('progress')
    .description('objectives and key results: value, target, pace, status, days of data, a bar')
    .option('--period <period>', 'only objectives whose period overlaps this one (2026-Q4, 2026-11, 2026, dates)')
    .option('--objective <id>', 'only this objective')
    .option('--date <YYYY-MM-DD>', 'compute as of this date instead of today (what-if)')
    .option('--all', 'include archived objectives')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      [
        '',
        'Status: on track (meets the pace), at risk (behind by at most 10% of the way',
        'to the target), off track, not started, ended: met / missed.',
        'Missing days are missing, not zeros: see README, "Objectives and key results".',
      ].join('\n'),
    )
    .action(
      action(app, async (ctx, opts: ProgressFlags) => {
        let date = today(ctx);
        if (opts.date !== undefined) {
          const d = opts.date.trim();
          if (!isCivilDate(d)) {
            throw new UsageError(
              `--date needs a date as YYYY-MM-DD, got ${JSON.stringify(opts.date)}`,
              `For example --date ${date}`,
            );
          }
          date = d;
        }
        const db = ctx.db();
        let objectives =
          opts.objective !== undefined
            ? [requireObjective(ctx, opts.objective)]
            : listObjectives(db, { includeArchived: true });
        if (opts.period !== undefined) {
          const p = parsePeriod(opts.period);
          objectives = objectives.filter((o) => o.period.from <= p.to && o.period.to >= p.from);
        }
        // Archived ones only with --all (or --objective); counted, to say so when nothing else is left.
        const archived = opts.all || opts.objective !== undefined ? 0 : objectives.filter((o) => o.archived).length;
        if (archived > 0) objectives = objectives.filter((o) => !o.archived);
        const reports = objectiveReports(db, objectives, date);
        if (opts.json) {
          ctx.io.json(progressReportJson(reports, date));
          return 0;
        }
        if (reports.length === 0) {
          const period = opts.period !== undefined ? ` for ${opts.period.trim()}` : '';
          ctx.io.out(
            archived > 0
              ? onlyArchivedLine(archived, period)
              : period
                ? `No objectives${period}.`
                : 'No objectives yet.',
          );
          ctx.io.out(paint(ctx.io, 'dim', 'Add one: okr objective add "Sleep better" --period 2026-Q4'));
          return 0;
        }
        for (const line of renderProgress(ctx.io, reports, date)) ctx.io.out(line);
        return 0;
      }),
    );
}
