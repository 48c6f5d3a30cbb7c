/**
 * `okr objective add|list|show|edit|archive|remove`: objectives, each with a title and a period
 * (a quarter `2026-Q4`, a half `2026-H1`, a month `2026-11`, a year `2026`, or dates
 * `2026-11-01..2026-12-15`). Their key results are `okr kr …`; their progress `okr progress`.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { localDate } from '../dates.js';
import { UsageError } from '../errors.js';
import { paint } from '../io.js';
import { parsePeriod, periodContaining } from '../okr/period.js';
import { keyResultSpecOrError } from '../okr/read.js';
import {
  keyResultJson,
  objectiveJson,
  onlyArchivedLine,
  periodText,
  renderKeyResultDefinition,
  renderObjectiveList,
  truncate,
  WIDTH,
} from '../okr/render.js';
import { escapeChar, hasUnsafeChar } from '../safe-text.js';
import {
  countKeyResults,
  createObjective,
  deleteObjective,
  getObjective,
  listKeyResults,
  listObjectives,
  type Objective,
  updateObjective,
} from '../store/objectives.js';
import { plural } from '../text.js';
import { type App, action } from './app.js';

export const MAX_TITLE_LENGTH = 120;

/** A positive integer id from the command line. */
export function parseId(input: string, what: 'objective' | 'key result'): number {
  const s = input.trim().replace(/^#/, '');
  if (!/^\d+$/.test(s) || Number(s) <= 0 || !Number.isSafeInteger(Number(s))) {
    const list = what === 'objective' ? 'okr objective list' : 'okr kr list';
    throw new UsageError(
      `Not ${what === 'objective' ? 'an' : 'a'} ${what} id: ${JSON.stringify(input)}`,
      `Use the number \`${list}\` shows, e.g. 1`,
    );
  }
  return Number(s);
}

/** A title: one line, not empty, not a novel. */
export function checkTitle(input: string, what: 'objective' | 'key result'): string {
  const t = input.trim();
  const example = what === 'objective' ? '"Sleep better"' : '"Sleep 7h on average"';
  if (t === '') throw new UsageError(`The ${what} title is empty`, `For example ${example}`);
  // Bidi overrides too (the set safe-text.ts escapes): a title is printed in every list.
  const bad = [...t].find(hasUnsafeChar);
  if (bad !== undefined) {
    throw new UsageError(
      `The ${what} title must be one line of printable text; it holds ${escapeChar(bad)}`,
      `For example ${example}`,
    );
  }
  if ([...t].length > MAX_TITLE_LENGTH) {
    throw new UsageError(`The ${what} title is longer than ${MAX_TITLE_LENGTH} characters`, 'Shorten it');
  }
  return t;
}

export function today(ctx: Pick<Context, 'now'>): string {
  return localDate(ctx.now());
}

export function register(program: Command, app: App): void {
  const objective = program
    .command('objective')
    .description('objectives: add, list, show, edit, archive (key results: okr kr; progress: okr progress)');

  objective
    .command('add')
    .description('add an objective for a period')
    .argument('<title>', 'what you want, e.g. "Sleep better"')
    .option(
      '--period <period>',
      'a quarter (2026-Q4), half (2026-H1), month (2026-11), year (2026) or dates (2026-11-01..2026-12-15); default: this quarter',
    )
    .option('--json', 'print the new objective as JSON')
    .addHelpText('after', '\nExample:\n  okr objective add "Sleep better" --period 2026-Q4')
    .action(
      action(app, async (ctx, title: string, opts: { period?: string; json?: boolean }) => {
        const t = checkTitle(title, 'objective');
        const period = opts.period === undefined ? periodContaining('quarter', today(ctx)) : parsePeriod(opts.period);
        const o = createObjective(ctx.db(), { title: t, period }, ctx.now().toISOString());
        if (opts.json) {
          ctx.io.json(objectiveJson(o));
          return 0;
        }
        ctx.io.out(`Added objective ${o.id}: ${o.title} (${periodText(o)}).`);
        ctx.io.out(paint(ctx.io, 'dim', `Next: okr kr add "…" --objective ${o.id} --metric … (okr kr add --help)`));
        return 0;
      }),
    );

  objective
    .command('list')
    .description('list objectives (not archived ones unless --all)')
    .option('--all', 'include archived objectives')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { all?: boolean; json?: boolean }) => {
        const db = ctx.db();
        const rows = listObjectives(db, { includeArchived: opts.all }).map((o) => ({
          objective: o,
          keyResults: countKeyResults(db, o.id),
        }));
        if (opts.json) {
          ctx.io.json(rows.map((r) => ({ ...objectiveJson(r.objective), keyResultCount: r.keyResults })));
          return 0;
        }
        if (rows.length === 0) {
          const archived = opts.all ? 0 : listObjectives(db, { includeArchived: true }).length;
          ctx.io.out(archived > 0 ? onlyArchivedLine(archived) : 'No objectives yet.');
          ctx.io.out(paint(ctx.io, 'dim', 'Add one: okr objective add "Sleep better" --period 2026-Q4'));
          return 0;
        }
        for (const line of renderObjectiveList(rows)) ctx.io.out(line);
        return 0;
      }),
    );

  objective
    .command('show')
    .description('an objective and the definitions of its key results')
    .argument('<id>', 'objective id (okr objective list)')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, id: string, opts: { json?: boolean }) => {
        const o = requireObjective(ctx, id);
        const krs = listKeyResults(ctx.db(), o.id).map((r) => ({ record: r, ...keyResultSpecOrError(r) }));
        if (opts.json) {
          ctx.io.json({ ...objectiveJson(o), keyResults: krs.map((k) => keyResultJson(k.record, k.spec, k.error)) });
          return 0;
        }
        ctx.io.out(paint(ctx.io, 'bold', truncate(`Objective ${o.id}: ${o.title}`, WIDTH)));
        ctx.io.out(`Period: ${periodText(o)}${o.archived ? ' (archived)' : ''}`);
        if (krs.length === 0) {
          ctx.io.out('No key results yet.');
          ctx.io.out(
            paint(
              ctx.io,
              'dim',
              `Add one: okr kr add "…" --objective ${o.id} --metric fitbit.steps --agg avg --target ">= 8000"`,
            ),
          );
          return 0;
        }
        ctx.io.out('Key results:');
        for (const k of krs)
          for (const line of renderKeyResultDefinition(ctx.io, k.record, k.spec, k.error)) ctx.io.out(line);
        ctx.io.out(paint(ctx.io, 'dim', `Progress: okr progress --objective ${o.id}`));
        return 0;
      }),
    );

  objective
    .command('edit')
    .description("change an objective's title or period")
    .argument('<id>', 'objective id (okr objective list)')
    .option('--title <title>', 'the new title')
    .option('--period <period>', 'the new period (2026-Q4, 2026-11, 2026, 2026-11-01..2026-12-15)')
    .option('--json', 'print the objective as JSON')
    .action(
      action(app, async (ctx, id: string, opts: { title?: string; period?: string; json?: boolean }) => {
        const o = requireObjective(ctx, id);
        if (opts.title === undefined && opts.period === undefined) {
          throw new UsageError(
            'Nothing to change',
            `Give --title or --period, e.g. okr objective edit ${o.id} --period 2027-Q1`,
          );
        }
        const title = opts.title === undefined ? undefined : checkTitle(opts.title, 'objective');
        const period = opts.period === undefined ? undefined : parsePeriod(opts.period);
        const updated = updateObjective(ctx.db(), o.id, { title, period }, ctx.now().toISOString())!;
        if (opts.json) {
          ctx.io.json(objectiveJson(updated));
          return 0;
        }
        ctx.io.out(`Updated objective ${updated.id}: ${updated.title} (${periodText(updated)}).`);
        return 0;
      }),
    );

  objective
    .command('archive')
    .description('hide an objective from list and progress (--undo brings it back); nothing is deleted')
    .argument('<id>', 'objective id (okr objective list --all)')
    .option('--undo', 'unarchive')
    .action(
      action(app, async (ctx, id: string, opts: { undo?: boolean }) => {
        const o = requireObjective(ctx, id);
        const archive = !opts.undo;
        if (o.archived === archive) {
          ctx.io.out(`Objective ${o.id} (${o.title}) is already ${archive ? 'archived' : 'active'}.`);
          return 0;
        }
        updateObjective(ctx.db(), o.id, { archived: archive }, ctx.now().toISOString());
        if (archive) {
          ctx.io.out(`Archived objective ${o.id}: ${o.title}.`);
          ctx.io.out(paint(ctx.io, 'dim', `It shows again with --all; undo: okr objective archive ${o.id} --undo`));
        } else ctx.io.out(`Objective ${o.id} (${o.title}) is active again.`);
        return 0;
      }),
    );

  objective
    .command('remove')
    .description('delete an objective (with --force, also its key results); archive keeps them instead')
    .argument('<id>', 'objective id (okr objective list --all)')
    .option('--force', 'also delete its key results')
    .action(
      action(app, async (ctx, id: string, opts: { force?: boolean }) => {
        const o = requireObjective(ctx, id);
        const n = countKeyResults(ctx.db(), o.id);
        if (n > 0 && !opts.force) {
          throw new UsageError(
            `Objective ${o.id} has ${plural(n, 'key result')}; nothing was deleted`,
            `Archive it instead (okr objective archive ${o.id}), or delete it with them: okr objective remove ${o.id} --force`,
          );
        }
        deleteObjective(ctx.db(), o.id);
        ctx.io.out(`Removed objective ${o.id}: ${o.title}${n > 0 ? ` and its ${plural(n, 'key result')}` : ''}.`);
        return 0;
      }),
    );
}

/** The objective `id` names, or a UsageError saying how to find one. */
export function requireObjective(ctx: Pick<Context, 'db'>, input: string | number): Objective {
  const id = typeof input === 'number' ? input : parseId(input, 'objective');
  const o = getObjective(ctx.db(), id);
  if (!o) throw new UsageError(`No objective ${id}`, 'Run `okr objective list --all` for the ids');
  return o;
}
