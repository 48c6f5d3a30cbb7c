/**
 * `okr kr add|list|edit|remove`: key results of an objective, each measured by a metric with an
 * aggregation, an optional `--where` condition and `--per` bucket, a target and an optional
 * baseline. Everything is validated before anything is written (src/okr/progress.ts
 * `defineKeyResult`); a bad flag is a UsageError with an example and leaves the database as it was.
 */
import type { Command, Option } from 'commander';
import type { CompletionValues } from '../completion.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { paint } from '../io.js';
import { plausibleMetric } from '../metrics/plausible.js';
import { metricSlug } from '../metrics/templates.js';
import { isCumulative } from '../okr/aggregate.js';
import { defineKeyResult, refuseImpossibleTarget } from '../okr/progress.js';
import { FIELD_TYPES, hasAnyValue, type KrMetric, keyResultSpecOrError, resolveKrMetric } from '../okr/read.js';
import { describeMeasure, keyResultJson, objectiveHeading, renderKeyResultDefinition } from '../okr/render.js';
import { formatTarget } from '../okr/target.js';
import { AGGREGATIONS, type Aggregation, BUCKETS, type Bucket, type KeyResultSpec } from '../okr/types.js';
import {
  createKeyResult,
  deleteKeyResult,
  getKeyResult,
  type KeyResultFields,
  type KeyResultRecord,
  listKeyResults,
  listObjectives,
  type Objective,
  updateKeyResult,
} from '../store/objectives.js';
import { plural } from '../text.js';
import { type App, action } from './app.js';
import { checkTitle, parseId, requireObjective } from './objective.js';

const AGG_HELP = 'avg, sum, min, max, last, count, or days (days where --where holds)';
const EXAMPLES = `
Examples:
  okr kr add "Sleep 7h on average" --objective 1 \\
      --metric fitbit.sleepLength --agg avg --target ">= 7:00"
  okr kr add "10k steps on 5 days a week" --objective 1 --metric fitbit.steps \\
      --agg days --where ">= 10000" --per week --target ">= 5"
  okr kr add "In bed by 23:00" --objective 1 --metric fitbit.bedTime \\
      --agg avg --target "<= 23:00" --baseline 23:45
  okr kr add "Read 12 books" --objective 2 --metric books --agg sum \\
      --target 12 --type number

Targets parse by the metric's type: 7:00 for a duration, 23:00 for a clock
time, 80% for a share of yes days, plain numbers otherwise. A bare value
means ">=".`;

/**
 * An option whose values Tab completion offers (src/completion.ts). Not Commander's `.choices()`:
 * that would refuse `--agg AVG` and `--type Number`, which defineKeyResult and parseFieldType take.
 */
function offering(option: Option, values: readonly string[]): Option {
  return Object.assign(option, { completionValues: values } satisfies CompletionValues);
}

interface KrFlags {
  objective?: string;
  metric?: string;
  type?: string;
  agg?: string;
  where?: string | false;
  per?: string | false;
  target?: string;
  baseline?: string | false;
  title?: string;
  json?: boolean;
}

/**
 * Validates a full definition; returns the row fields and the parsed spec. Writes nothing.
 * `checkReach: false` (an edit of the title or objective only) leaves alone a target the metric
 * cannot reach that an older okr stored: progress still reads it, and a rename must not need it fixed.
 */
function buildKeyResult(
  ctx: Pick<Context, 'registry'>,
  title: string,
  metric: KrMetric,
  f: { agg: string; where?: string; per?: string; target: string; baseline?: string },
  checkReach = true,
): { fields: KeyResultFields; spec: KeyResultSpec } {
  const spec = defineKeyResult({
    metricType: metric.type,
    agg: f.agg,
    where: f.where,
    per: f.per,
    target: f.target,
    baseline: f.baseline,
  });
  if (checkReach) refuseImpossibleTarget(spec, plausibleMetric(ctx.registry, metric.metricName, metric.type));
  return {
    spec,
    fields: {
      title,
      metricName: metric.metricName,
      metricType: metric.type,
      agg: spec.agg,
      where: f.where?.trim(),
      per: spec.per,
      target: f.target.trim(),
      baseline: f.baseline?.trim(),
    },
  };
}

function requireKeyResult(ctx: Pick<Context, 'db'>, input: string): KeyResultRecord {
  const id = parseId(input, 'key result');
  const kr = getKeyResult(ctx.db(), id);
  if (!kr) throw new UsageError(`No key result ${id}`, 'Run `okr kr list --all` for the ids');
  return kr;
}

function requireActiveObjective(ctx: Pick<Context, 'db'>, input: string): Objective {
  const o = requireObjective(ctx, input);
  if (o.archived) {
    throw new UsageError(
      `Objective ${o.id} (${o.title}) is archived`,
      `Unarchive it first: okr objective archive ${o.id} --undo`,
    );
  }
  return o;
}

/**
 * `kr edit` keeps the stored condition, bucket and baseline unless told otherwise: when the new
 * aggregation (or dropping --per) refuses one, say which `--no-…` drops it (defineKeyResult's
 * hints are written for `kr add`, where leaving a flag out is the fix).
 */
function refuseKeptFlags(cur: KeyResultRecord, opts: KrFlags, agg: string, per: string | undefined): void {
  const a = agg.trim().toLowerCase() as Aggregation;
  if (!AGGREGATIONS.includes(a)) return; // defineKeyResult names the unknown aggregation
  const refuse = (kept: string, flag: string) => {
    throw new UsageError(`KR ${cur.id} keeps ${kept}`, `Drop it too: okr kr edit ${cur.id} ${editArgs(opts)}${flag}`);
  };
  if (a !== 'days' && cur.where !== undefined && opts.where === undefined) {
    refuse(`its condition --where "${cur.where}", which only works with --agg days`, '--no-where');
  }
  if (a === 'last' && cur.per !== undefined && opts.per === undefined) {
    refuse(`--per ${cur.per}, which does not work with --agg last`, '--no-per');
  }
  if (isCumulative(a) && per === undefined && cur.baseline !== undefined && opts.baseline === undefined) {
    refuse(`its baseline ${cur.baseline}, which does not apply to --agg ${a} without --per`, '--no-baseline');
  }
}

/** The flags of this `kr edit` that change the definition, as typed, for a hint that repeats them. */
function editArgs(opts: KrFlags): string {
  const q = (v: string) => (/^[\w.:%-]+$/.test(v) ? v : JSON.stringify(v));
  const out: string[] = [];
  for (const k of ['agg', 'where', 'per', 'target', 'baseline'] as const) {
    const v = opts[k];
    if (v === false) out.push(`--no-${k}`);
    else if (v !== undefined) out.push(`--${k} ${q(v)}`);
  }
  return out.map((a) => `${a} `).join('');
}

function summary(record: KeyResultRecord, spec: KeyResultSpec): string {
  return `${describeMeasure(record, spec)} · target ${formatTarget(spec.target, spec.kind)}`;
}

/** Tells people how values will arrive when there are none yet (stderr: not part of the result). */
function noteMissingValues(ctx: Context, metric: KrMetric): void {
  if (hasAnyValue(ctx.db(), metric.metricName)) return;
  const how =
    metric.source === 'external'
      ? `okr sync --since 30d imports them`
      : `log them with okr metrics log ${metric.metricName} <value>${metric.untemplated ? ` (add "${metric.metricName}:${metric.type}" to a metric template to see them in okr metrics show)` : ''}`;
  ctx.io.err(paint(ctx.io, 'dim', `note: no ${metric.metricName} values yet; ${how}`));
}

export function register(program: Command, app: App): void {
  const kr = program
    .command('kr')
    .description('key results of objectives: add, list, edit, remove (progress: okr progress)');

  kr.command('add')
    .description('add a key result to an objective')
    .argument('<title>', 'what it measures, e.g. "Sleep 7h on average"')
    .requiredOption('--objective <id>', 'the objective (okr objective list)')
    .requiredOption('--metric <metric>', 'plugin.field (fitbit.steps) or a manual metric (books)')
    .addOption(offering(kr.createOption('--agg <aggregation>', AGG_HELP).makeOptionMandatory(), AGGREGATIONS))
    .option('--where <condition>', 'with --agg days: which days count, e.g. ">= 10000", "<= 23:00", yes')
    .addOption(
      offering(
        kr.createOption(
          '--per <bucket>',
          'week or month: the target applies to each week (month), averaged over the period',
        ),
        BUCKETS,
      ),
    )
    .requiredOption('--target <target>', 'comparison and value, e.g. ">= 7:00", "<= 23:00", 12, 80%')
    .option('--baseline <value>', 'where you start from, for the percent of the way (levels and --per only)')
    .addOption(
      offering(
        kr.createOption(
          '--type <type>',
          'for a manual metric no template holds: number, duration, time, boolean or text',
        ),
        FIELD_TYPES,
      ),
    )
    .option('--json', 'print the new key result as JSON')
    .addHelpText('after', EXAMPLES)
    .action(
      action(app, async (ctx, title: string, opts: KrFlags) => {
        const t = checkTitle(title, 'key result');
        const o = requireActiveObjective(ctx, opts.objective!);
        const metric = resolveKrMetric(ctx, opts.metric!, opts.type);
        const { fields, spec } = buildKeyResult(ctx, t, metric, {
          agg: opts.agg!,
          where: opts.where || undefined,
          per: opts.per || undefined,
          target: opts.target!,
          baseline: opts.baseline || undefined,
        });
        const record = createKeyResult(ctx.db(), o.id, fields, ctx.now().toISOString());
        if (opts.json) {
          ctx.io.json(keyResultJson(record, spec));
        } else {
          ctx.io.out(`Added KR ${record.id} to objective ${o.id} (${o.title}): ${record.title}`);
          ctx.io.out(`  ${summary(record, spec)}`);
        }
        if (metric.untemplated) {
          ctx.io.err(paint(ctx.io, 'dim', `note: ${metric.metricName} is a manual ${metric.type} metric`));
        }
        noteMissingValues(ctx, metric);
        return 0;
      }),
    );

  kr.command('list')
    .description('key results with their definitions, by objective (of archived objectives with --all)')
    .option('--objective <id>', 'only this objective')
    .option('--all', 'include archived objectives')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { objective?: string; all?: boolean; json?: boolean }) => {
        const db = ctx.db();
        const objectives =
          opts.objective !== undefined
            ? [requireObjective(ctx, opts.objective)]
            : listObjectives(db, { includeArchived: opts.all });
        const groups = objectives.map((o) => ({
          objective: o,
          krs: listKeyResults(db, o.id).map((r) => ({ record: r, ...keyResultSpecOrError(r) })),
        }));
        if (opts.json) {
          ctx.io.json(groups.flatMap((g) => g.krs.map((k) => keyResultJson(k.record, k.spec, k.error))));
          return 0;
        }
        if (groups.every((g) => g.krs.length === 0)) {
          const archived =
            opts.all || opts.objective !== undefined
              ? 0
              : listKeyResults(db).filter((k) => !objectives.some((o) => o.id === k.objectiveId)).length;
          ctx.io.out(
            archived > 0
              ? `No key results of active objectives; ${plural(archived, 'key result')} of archived ones ${archived === 1 ? 'shows' : 'show'} with --all.`
              : 'No key results yet.',
          );
          const id = objectives[0]?.id ?? 'N';
          ctx.io.out(
            paint(
              ctx.io,
              'dim',
              `Add one: okr kr add "…" --objective ${id} --metric fitbit.steps --agg avg --target ">= 8000"`,
            ),
          );
          return 0;
        }
        let first = true;
        for (const g of groups) {
          if (g.krs.length === 0 && opts.objective === undefined) continue;
          if (!first) ctx.io.out();
          first = false;
          for (const l of objectiveHeading(g.objective, g.objective.period.label)) ctx.io.out(paint(ctx.io, 'bold', l));
          for (const k of g.krs) {
            for (const line of renderKeyResultDefinition(ctx.io, k.record, k.spec, k.error)) ctx.io.out(line);
          }
        }
        return 0;
      }),
    );

  kr.command('edit')
    .description("change a key result's title, objective, metric, aggregation, condition, bucket, target or baseline")
    .argument('<id>', 'key result id (okr kr list)')
    .option('--title <title>', 'the new title')
    .option('--objective <id>', 'move it to another objective')
    .option('--metric <metric>', 'plugin.field or a manual metric')
    .addOption(offering(kr.createOption('--type <type>', 'the type of a manual metric no template holds'), FIELD_TYPES))
    .addOption(offering(kr.createOption('--agg <aggregation>', AGG_HELP), AGGREGATIONS))
    .option('--where <condition>', 'with --agg days: which days count')
    .option('--no-where', 'drop the condition (when leaving --agg days)')
    .addOption(offering(kr.createOption('--per <bucket>', 'week or month'), BUCKETS))
    .option('--no-per', 'drop the bucket')
    .option('--target <target>', 'comparison and value, e.g. ">= 7:00"')
    .option('--baseline <value>', 'where you start from')
    .option('--no-baseline', 'drop the baseline')
    .option('--json', 'print the key result as JSON')
    .action(
      action(app, async (ctx, id: string, opts: KrFlags) => {
        const cur = requireKeyResult(ctx, id);
        const changes = ['title', 'objective', 'metric', 'type', 'agg', 'where', 'per', 'target', 'baseline'] as const;
        if (changes.every((k) => opts[k] === undefined)) {
          throw new UsageError(
            'Nothing to change',
            `Give what to change, e.g. okr kr edit ${cur.id} --target ">= 8000"`,
          );
        }
        const title = opts.title === undefined ? cur.title : checkTitle(opts.title, 'key result');
        const objective = opts.objective === undefined ? undefined : requireActiveObjective(ctx, opts.objective);
        // The metric is resolved again only when it changes (or its type is given): a key result
        // keeps the type its target was parsed by.
        const sameMetric =
          opts.metric === undefined ||
          opts.metric.trim() === cur.metricName ||
          metricSlug(opts.metric) === cur.metricName;
        const metric: KrMetric =
          sameMetric && opts.type === undefined
            ? {
                metricName: cur.metricName,
                type: cur.metricType,
                source: cur.metricName.includes('.') ? 'external' : 'manual',
                label: cur.metricName,
                untemplated: false,
              }
            : resolveKrMetric(ctx, opts.metric ?? cur.metricName, opts.type);
        const pick = (flag: string | false | undefined, stored: string | undefined) =>
          flag === false ? undefined : (flag ?? stored);
        const agg = opts.agg ?? (cur.agg as Aggregation);
        const per = pick(opts.per, cur.per as Bucket | undefined);
        refuseKeptFlags(cur, opts, agg, per);
        const definitionChanges = changes.filter((k) => k !== 'title' && k !== 'objective');
        const { fields, spec } = buildKeyResult(
          ctx,
          title,
          metric,
          {
            agg,
            where: pick(opts.where, cur.where),
            per,
            target: opts.target ?? cur.target,
            baseline: pick(opts.baseline, cur.baseline),
          },
          definitionChanges.some((k) => opts[k] !== undefined),
        );
        const record = updateKeyResult(
          ctx.db(),
          cur.id,
          { ...fields, objectiveId: objective?.id ?? cur.objectiveId },
          ctx.now().toISOString(),
        )!;
        if (opts.json) {
          ctx.io.json(keyResultJson(record, spec));
          return 0;
        }
        ctx.io.out(`Updated KR ${record.id}: ${record.title}`);
        ctx.io.out(`  ${summary(record, spec)}`);
        if (objective) ctx.io.out(`  now under objective ${objective.id} (${objective.title})`);
        return 0;
      }),
    );

  kr.command('remove')
    .description('delete a key result (its metric values stay)')
    .argument('<id>', 'key result id (okr kr list)')
    .action(
      action(app, async (ctx, id: string) => {
        const cur = requireKeyResult(ctx, id);
        deleteKeyResult(ctx.db(), cur.id);
        ctx.io.out(`Removed KR ${cur.id} (${cur.title}) from objective ${cur.objectiveId}.`);
        return 0;
      }),
    );
}
