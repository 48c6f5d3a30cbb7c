/**
 * `okr metrics …`: templates, the daily table, manual values, the list of sources, export and
 * import. This module only wires flags; the work is in src/metrics/, imported inside each action
 * so that `okr --help` loads none of it.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
// errors.ts and io.ts are tiny and cli.ts loads them anyway; everything else loads in actions.
import { UsageError } from '../errors.js';
import { paint } from '../io.js';
import { type App, action } from './app.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const GRAMMAR = `
A metric (--metric, --add):
  Label=plugin.field[unit]@target   a synced value      "Sleep=fitbit.sleepLength@>=7:30"
  plugin.field                      labelled with the field's name   "fitbit.steps"
  Label:type[unit]@target           a value you log     "Weight:number[kg]@<=80"
  Label=name:type                   stored under an explicit name    "Humeur=mood:number"
  type: number, duration (7:30), time (23:15), boolean (yes/no) or text.
  [unit] and @target are optional. A target is a comparison and a value:
  >=10000, <=23:00, >=7:30, yes (a bare value means >=). Met targets show green on a terminal.
  A manual metric's values are stored under its name: the label as a slug (Mood → mood).`;

const MANUAL_RULE = `
Manual and synced values:
  A sync never overwrites a value you logged. \`okr metrics log\` refuses to replace a value a
  plugin synced unless you add --force; the value is then yours and later syncs keep it.
  A value you logged (or imported) is replaced by a new \`log\`, and removed with --clear.`;

export function register(program: Command, app: App): void {
  const metrics = program
    .command('metrics')
    .description('templates, the daily table, values you log by hand, export and import');

  registerTemplates(metrics, app);

  metrics
    .command('show')
    .description('a table of the metrics of a template, one row per day, with avg/min/max')
    .option('-t, --template <name>', 'the template to show (default: the default template)')
    .option('--since <when>', 'start of the range: 14d, 2w, 3m, 1y or a date (default: the last 14 days)')
    .option('--from <date>', 'first date, YYYY-MM-DD')
    .option('--to <date>', 'last date, YYYY-MM-DD (default: today)')
    .option('--json', 'machine-readable output: stored values with units, and the formatted text')
    .option('--csv', 'the table as CSV, units in the header')
    .option('--offline', 'only what is stored: do not fetch dates that were never synced')
    .addHelpText(
      'after',
      `
Values come from the database. Dates of the range that a connected plugin never synced are
fetched live first (and stored); --offline skips that. A failed fetch is a note under the table.
"·" means no data for that day; "n/a" a field the provider does not offer (see the footnote).

Examples:
  okr metrics show
  okr metrics show --since 30d --template sleep
  okr metrics show --from 2026-10-01 --to 2026-10-31 --csv > october.csv`,
    )
    .action(action(app, (ctx, opts: ShowFlags) => show(ctx, opts)));

  metrics
    .command('log')
    .description('record a value by hand for a day (default today)')
    .argument('<metric>', 'a label (Mood) or a metric name (mood, fitbit.steps)')
    .argument('[value]', 'the value: 7, 7:30 (duration), 23:15 (time), yes/no, text')
    .option('--date <date>', 'the day, YYYY-MM-DD (default: today)')
    .option('--force', 'replace a value a plugin synced')
    .option('--clear', 'remove the value you logged for that day')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `${MANUAL_RULE}\n\nExamples:\n  okr metrics log mood 7\n  okr metrics log "Sleep length" 7:30 --date 2026-11-02\n  okr metrics log meditated yes\n  okr metrics log fitbit.steps 12000 --force`,
    )
    .action(
      action(app, async (ctx, metric: string, value: string | undefined, opts: LogFlags) => {
        const { logValue, clearValue } = await import('../metrics/log.js');
        if (opts.clear && value !== undefined) throw new UsageError('Give a value or --clear, not both.');
        if (!opts.clear && value === undefined) {
          throw new UsageError('Missing the value to log.', `For example: okr metrics log ${quoteArg(metric)} 7`);
        }
        const r = opts.clear ? clearValue(ctx, metric, opts) : logValue(ctx, metric, value!, opts);
        if (opts.json) {
          ctx.io.json({
            metric: r.metric.metricName,
            label: r.metric.label,
            date: r.date,
            value: r.value,
            text: r.text,
            action: r.action,
            replaced: r.replaced ?? null,
          });
          return 0;
        }
        const was = r.replaced
          ? ` (was ${r.replaced.text}${r.replaced.source === 'manual' ? '' : `, from ${r.replaced.source}`})`
          : '';
        const lines = {
          logged: `Logged ${r.metric.label} = ${r.text} for ${r.date}.`,
          replaced: `Logged ${r.metric.label} = ${r.text} for ${r.date}${was}.`,
          unchanged: `${r.metric.label} is already ${r.text} for ${r.date}.`,
          cleared: `Cleared ${r.metric.label} for ${r.date}${was}.`,
        };
        ctx.io.out(lines[r.action]);
        return 0;
      }),
    );

  metrics
    .command('fields')
    .description('every source a template can use (pluginId.fieldId): type, unit, availability')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { json?: boolean }) => {
        const { wrapText } = await import('../metrics/table.js');
        const fields = ctx.registry.list().flatMap((p) =>
          p.getAvailableFields().map((f) => ({
            source: `${p.id}.${f.id}`,
            plugin: p.id,
            field: f.id,
            name: f.name,
            type: f.type,
            unit: f.unit ?? null,
            available: f.availability === undefined,
            reason: f.availability?.reason ?? null,
            alternatives: (f.availability?.alternatives ?? []).map((a) => `${p.id}.${a}`),
            description: f.description,
          })),
        );
        if (opts.json) {
          ctx.io.json(fields);
          return 0;
        }
        const w = Math.max(0, ...fields.map((f) => f.source.length));
        for (const f of fields) {
          const head = `${f.source.padEnd(w)}  ${f.type.padEnd(8)}  ${(f.unit ?? '').padEnd(6)}  ${f.name}`;
          ctx.io.out(f.available ? paint(ctx.io, 'bold', head) : paint(ctx.io, 'dim', `${head} (n/a)`));
          for (const l of wrapText(`  ${f.description}`, ctx.io.columns, 2)) ctx.io.out(l);
          if (!f.available) {
            const why = `  n/a: ${f.reason} Nearest: ${f.alternatives.join(', ')}.`;
            for (const l of wrapText(why, ctx.io.columns, 2)) ctx.io.out(paint(ctx.io, 'yellow', l));
          }
        }
        return 0;
      }),
    );

  metrics
    .command('export')
    .description('every stored value (synced, logged, imported) as CSV or JSON, with units')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--from <date>', 'first date, YYYY-MM-DD (default: the first stored value)')
    .option('--to <date>', 'last date, YYYY-MM-DD (default: the last stored value)')
    .option('-o, --output <file>', 'write to a file (mode 0600) instead of standard output')
    .addHelpText(
      'after',
      '\nCSV columns: date,metric,value,unit,type,source. Values are written the way `okr metrics log`\nreads them (7:32, 23:10, yes), so `okr metrics import` reads an export back unchanged.\nJSON: stored values (duration and time in minutes) with their unit and formatted text.',
    )
    .action(
      action(app, async (ctx, opts: { format: string; from?: string; to?: string; output?: string }) => {
        const { exportCsv, exportJson } = await import('../metrics/csv.js');
        const format = opts.format.toLowerCase();
        if (format !== 'csv' && format !== 'json')
          throw new UsageError(`--format must be csv or json, got ${JSON.stringify(opts.format)}.`);
        const out = format === 'csv' ? exportCsv(ctx, opts) : exportJson(ctx, opts);
        if (opts.output) {
          const { writeFileSync } = await import('node:fs');
          writeFileSync(opts.output, out.text, { mode: 0o600 });
          ctx.io.err(`Exported ${out.count} values to ${opts.output}.`);
        } else ctx.io.stdout.write(out.text);
        return 0;
      }),
    );

  metrics
    .command('import')
    .description('read date,metric,value rows from a CSV file (or - for standard input)')
    .argument('<file>', 'the CSV file; its first line names the columns')
    .option('--dry-run', 'check every row and report what would change; write nothing')
    .option('--force', 'replace stored values that differ (default: keep them and report them)')
    .option('--json', 'machine-readable report')
    .addHelpText(
      'after',
      `
Rows: date (YYYY-MM-DD), metric (a name: mood, fitbit.steps), value (as \`okr metrics log\` reads
it: 7:30, 23:15, yes). Optional columns: type (for a metric no template declares yet) and source
(\`manual\` keeps a value protected from syncs). Empty values are skipped.
The import is one transaction: if any row is bad, every bad row is listed by line number and
nothing is imported. Stored values that differ are kept unless --force.

Example file:
  date,metric,value
  2026-11-01,mood,7
  2026-11-01,fitbit.steps,10482`,
    )
    .action(
      action(app, async (ctx, file: string, opts: { dryRun?: boolean; force?: boolean; json?: boolean }) => {
        const { importCsv, ImportError, describeValue } = await import('../metrics/csv.js');
        const text = await readInput(ctx, file);
        let report: Awaited<ReturnType<typeof importCsv>>;
        try {
          report = importCsv(ctx, file, text, opts);
        } catch (err) {
          if (!(err instanceof ImportError)) throw err;
          if (opts.json) {
            ctx.io.json({ ok: false, imported: 0, badRows: err.badRows });
            return 1;
          }
          const shown = err.badRows.slice(0, 50);
          for (const b of shown) ctx.io.err(`line ${b.line}: ${b.problem}`);
          if (err.badRows.length > shown.length) ctx.io.err(`… and ${err.badRows.length - shown.length} more bad rows`);
          throw err;
        }
        if (opts.json) {
          ctx.io.json({ ok: true, ...report });
          return 0;
        }
        const verb = report.dryRun ? 'Would import' : 'Imported';
        const span = report.from
          ? ` (${report.metrics.length} metric${report.metrics.length === 1 ? '' : 's'}, ${report.from}..${report.to})`
          : '';
        ctx.io.out(`${verb} ${report.imported} value${report.imported === 1 ? '' : 's'}${span}.`);
        if (report.unchanged) ctx.io.out(`${report.unchanged} already stored with the same value.`);
        if (report.blank) ctx.io.out(`${report.blank} empty value${report.blank === 1 ? '' : 's'} skipped.`);
        if (report.kept.length) {
          ctx.io.out(`${report.kept.length} differ from stored values and were kept (add --force to replace them):`);
          for (const k of report.kept.slice(0, 10)) {
            ctx.io.out(
              `  line ${k.line}: ${k.date} ${k.metric} stored ${describeValue(ctx, k.metric, k.stored)} (${k.source}), file ${describeValue(ctx, k.metric, k.incoming)}`,
            );
          }
          if (report.kept.length > 10) ctx.io.out(`  … and ${report.kept.length - 10} more`);
        }
        if (report.notInTemplate.length) {
          ctx.io.out(
            `No template shows ${report.notInTemplate.join(', ')} yet: add ${report.notInTemplate.length === 1 ? 'it' : 'them'} with \`okr metrics template edit <name> --add "Label=${report.notInTemplate[0]}:<type>"\`.`,
          );
        }
        return 0;
      }),
    );
}

function registerTemplates(metrics: Command, app: App): void {
  const template = metrics
    .command('template')
    .description('named lists of metrics: create, list, show, edit, delete, default')
    .addHelpText('after', GRAMMAR);

  template
    .command('create')
    .description('a new template: interactive, or from --metric flags')
    .argument('<name>', 'the template name, e.g. daily')
    .option('-m, --metric <spec>', 'a metric (repeat for each; see the grammar below)', collect)
    .option('--default', 'make it the default template')
    .addHelpText(
      'after',
      `${GRAMMAR}\n\nExamples:\n  okr metrics template create daily\n  okr metrics template create daily --metric "Sleep=fitbit.sleepLength@>=7:30" \\\n    --metric "Bedtime=fitbit.bedTime@<=23:30" --metric "Steps=fitbit.steps@>=10000" \\\n    --metric "Mood:number" --metric "Meditated:boolean@yes"`,
    )
    .action(
      action(app, async (ctx, name: string, opts: { metric?: string[]; default?: boolean }) => {
        const specs = opts.metric ?? [];
        const { requireTTY } = await import('../prompt.js');
        const t = await import('../metrics/templates.js');
        const store = await import('../store/templates.js');
        const n = t.validateTemplateName(name);
        const db = ctx.db();
        if (store.getTemplate(db, n)) {
          throw new UsageError(
            `A template named "${n}" exists.`,
            `Change it with \`okr metrics template edit ${quoteArg(n)}\`.`,
          );
        }
        let list: Awaited<ReturnType<typeof t.parseMetricSpec>>[];
        let makeDefault = opts.default === true;
        const interactive = specs.length === 0;
        if (interactive) {
          requireTTY(
            ctx.io,
            'Creating a template interactively',
            `Give the metrics instead: okr metrics template create ${quoteArg(n)} --metric "Sleep=fitbit.sleepLength" --metric "Mood:number"`,
          );
          const { promptNewTemplate, confirmDefault } = await import('../metrics/interactive.js');
          list = await promptNewTemplate(ctx, n);
          t.validateTemplate(ctx, n, list);
          if (!makeDefault && store.countTemplates(db) > 0) makeDefault = await confirmDefault(ctx, n);
        } else {
          list = specs.map((s) => t.parseMetricSpec(s, ctx.registry));
        }
        const warnings = t.validateTemplate(ctx, n, list);
        const saved = store.saveTemplate(db, { name: n, metrics: list, makeDefault }, ctx.now().toISOString());
        for (const w of warnings) ctx.io.err(`warning: ${w}`);
        ctx.io.out(
          `Saved template "${saved.name}"${saved.isDefault ? ' (default)' : ''}: ${saved.metrics.map((m) => m.label).join(', ')}.`,
        );
        if (interactive) ctx.io.out(`The same without prompts: ${recreateCommand(t.formatMetricSpec, saved)}`);
        return 0;
      }),
    );

  template
    .command('list')
    .description('every template; * marks the default')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { json?: boolean }) => {
        const { listTemplates } = await import('../store/templates.js');
        const { formatMetricSpec } = await import('../metrics/templates.js');
        const all = listTemplates(ctx.db());
        if (opts.json) {
          ctx.io.json(
            all.map((t) => ({
              name: t.name,
              default: t.isDefault,
              metrics: t.metrics.map((m) => ({ ...metricJson(m), spec: formatMetricSpec(m) })),
            })),
          );
          return 0;
        }
        if (all.length === 0) {
          ctx.io.out('No templates yet. Create one: okr metrics template create daily');
          return 0;
        }
        const w = Math.max(...all.map((t) => t.name.length));
        for (const t of all) {
          const labels = t.metrics.map((m) => m.label).join(', ');
          ctx.io.out(
            `${t.isDefault ? '*' : ' '} ${t.name.padEnd(w)}  ${t.metrics.length} metric${t.metrics.length === 1 ? '' : 's'}: ${labels}`,
          );
        }
        return 0;
      }),
    );

  template
    .command('show')
    .description("a template's metrics: label, type, where values are stored, unit, target")
    .argument('<name>', 'template name')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, name: string, opts: { json?: boolean }) => {
        const t = await import('../metrics/templates.js');
        const { unitLabel } = await import('../metrics/table.js');
        const tpl = requireTemplate(ctx, (await import('../store/templates.js')).getTemplate(ctx.db(), name), name);
        const resolved = t.resolveTemplate(tpl, ctx.registry);
        if (opts.json) {
          ctx.io.json({
            name: tpl.name,
            default: tpl.isDefault,
            createdAt: tpl.createdAt,
            updatedAt: tpl.updatedAt,
            metrics: tpl.metrics.map((m, i) => {
              const r = resolved[i]!;
              return {
                ...metricJson(m),
                valueType: r.type,
                unit: r.unit ?? null,
                status: r.status,
                reason: r.reason ?? null,
                spec: t.formatMetricSpec(m),
              };
            }),
          });
          return 0;
        }
        ctx.io.out(
          `${paint(ctx.io, 'bold', tpl.name)}${tpl.isDefault ? ' (default)' : ''}, ${tpl.metrics.length} metrics`,
        );
        const rows = tpl.metrics.map((m, i) => {
          const r = resolved[i]!;
          const type = m.type === 'external' ? r.type : m.type;
          return [
            m.label,
            type,
            m.type === 'external' ? m.metricName : `${m.metricName} (manual)`,
            unitLabel(r),
            t.describeTarget(r) ?? '',
          ];
        });
        const head = ['label', 'type', 'stored as', 'unit', 'target'];
        const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
        const line = (cells: string[]) =>
          cells
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd();
        ctx.io.out(paint(ctx.io, 'dim', line(head)));
        rows.forEach((r, i) => {
          ctx.io.out(line(r));
          const res = resolved[i]!;
          if (res.status === 'unknown') ctx.io.out(paint(ctx.io, 'yellow', `  ! unknown source: ${res.reason}`));
          if (res.status === 'unavailable') ctx.io.out(paint(ctx.io, 'yellow', `  ! n/a: ${res.reason}`));
        });
        ctx.io.out();
        ctx.io.out(`As a command: ${recreateCommand(t.formatMetricSpec, tpl)}`);
        return 0;
      }),
    );

  template
    .command('edit')
    .description('change a template: interactive, or with --add/--remove/--relabel/--target/--metric/--rename')
    .argument('<name>', 'template name')
    .option('--add <spec>', 'append a metric (repeatable)', collect)
    .option('--remove <label>', 'remove a metric by label or name (repeatable; its values stay)', collect)
    .option('--relabel <old=new>', 'rename a metric; its stored values stay with it (repeatable)', collect)
    .option('--target <label@target>', 'set a target ("Steps@>=10000"), or clear it ("Steps@")', collect)
    .option('-m, --metric <spec>', 'replace all metrics with these (repeatable)', collect)
    .option('--rename <new-name>', 'rename the template')
    .addHelpText('after', GRAMMAR)
    .action(action(app, (ctx, name: string, opts: Partial<EditFlags>) => edit(ctx, name, opts)));

  template
    .command('delete')
    .description('delete a template (stored values are kept)')
    .argument('<name>', 'template name')
    .action(
      action(app, async (ctx, name: string) => {
        const store = await import('../store/templates.js');
        const { formatMetricSpec } = await import('../metrics/templates.js');
        const db = ctx.db();
        const tpl = requireTemplate(ctx, store.getTemplate(db, name), name);
        store.deleteTemplate(db, tpl.name);
        ctx.io.out(`Deleted template "${tpl.name}"; its values are still stored.`);
        ctx.io.out(`To recreate it: ${recreateCommand(formatMetricSpec, tpl)}`);
        if (tpl.isDefault && store.countTemplates(db) > 1) {
          ctx.io.out('There is no default template now: okr metrics template default <name>');
        }
        return 0;
      }),
    );

  template
    .command('default')
    .description('make a template the default (what `okr metrics show` shows)')
    .argument('<name>', 'template name')
    .action(
      action(app, async (ctx, name: string) => {
        const store = await import('../store/templates.js');
        requireTemplate(ctx, store.getTemplate(ctx.db(), name), name);
        store.setDefaultTemplate(ctx.db(), name);
        ctx.io.out(`"${name}" is the default template.`);
        return 0;
      }),
    );
}

interface ShowFlags {
  template?: string;
  since?: string;
  from?: string;
  to?: string;
  json?: boolean;
  csv?: boolean;
  offline?: boolean;
}

interface LogFlags {
  date?: string;
  force?: boolean;
  clear?: boolean;
  json?: boolean;
}

interface EditFlags {
  add: string[];
  remove: string[];
  relabel: string[];
  target: string[];
  metric: string[];
  rename?: string;
}

/** The default window of `okr metrics show`: the last 14 days, today included. */
export const DEFAULT_SHOW_DAYS = 14;

async function show(ctx: Context, opts: ShowFlags): Promise<number> {
  const [{ localDate, eachDate }, { resolveRange }, t, store, { readMetrics }, table, { formatValue }] =
    await Promise.all([
      import('../dates.js'),
      import('../metrics/ranges.js'),
      import('../metrics/templates.js'),
      import('../store/templates.js'),
      import('../metrics/read-path.js'),
      import('../metrics/table.js'),
      import('../metrics/values.js'),
    ]);
  if (opts.json && opts.csv) throw new UsageError('Choose one of --json and --csv.');
  const range = resolveRange(opts, localDate(ctx.now()), DEFAULT_SHOW_DAYS - 1);
  const db = ctx.db();
  let tpl: ReturnType<typeof store.getTemplate>;
  if (opts.template !== undefined) tpl = requireTemplate(ctx, store.getTemplate(db, opts.template), opts.template);
  else {
    tpl = store.getDefaultTemplate(db);
    if (!tpl) {
      const all = store.listTemplates(db);
      if (all.length === 1) tpl = all[0];
      else if (all.length === 0) {
        throw new UsageError(
          'There is no metric template yet.',
          'Create one: okr metrics template create daily (connecting a plugin creates one too).',
        );
      } else {
        throw new UsageError(
          `There is no default template; pick one of ${all.map((x) => x.name).join(', ')}.`,
          `Run \`okr metrics show --template ${quoteArg(all[0]!.name)}\`, or \`okr metrics template default <name>\`.`,
        );
      }
    }
  }
  const template = tpl!;
  const metrics = t.resolveTemplate(template, ctx.registry);
  const read = await readMetrics(ctx, metrics, { ...range, offline: opts.offline });
  const input = { metrics, dates: eachDate(range.from, range.to), values: read.values, templateName: template.name };

  if (opts.json) {
    ctx.io.json({
      template: template.name,
      from: range.from,
      to: range.to,
      metrics: metrics.map((m) => {
        const s = table.summarizeMetric(m, table.seriesOf(input, m));
        return {
          label: m.label,
          metric: m.metricName,
          type: m.type,
          unit: table.storedUnit(m),
          display_unit: table.unitLabel(m) || null,
          source: m.source ?? 'manual',
          target: t.describeTarget(m) ?? null,
          status: m.status,
          reason: m.reason ?? null,
          summary: { count: s.count, avg: s.avg ?? null, min: s.min ?? null, max: s.max ?? null, text: s.text },
        };
      }),
      days: input.dates.map((date) => ({
        date,
        values: Object.fromEntries(
          metrics.map((m) => {
            const v = read.values.get(m.metricName)?.get(date);
            return [m.metricName, v ? { value: v.value, text: formatValue(m.type, v.value), source: v.source } : null];
          }),
        ),
      })),
      notes: read.notes,
      live: read.live,
    });
    return 0;
  }
  if (opts.csv) {
    const { showCsv } = await import('../metrics/csv.js');
    ctx.io.stdout.write(showCsv(input));
    for (const n of read.notes) ctx.io.err(`note: ${n}`);
    return 0;
  }
  ctx.io.out(paint(ctx.io, 'bold', `${template.name}: ${range.from} .. ${range.to}`));
  for (const line of table.renderMetricsTable(input, {
    width: ctx.io.columns,
    color: ctx.io.color,
    sparklines: ctx.io.isTTY,
  })) {
    ctx.io.out(line);
  }
  if (read.notes.length) {
    ctx.io.out();
    for (const n of read.notes) {
      for (const l of table.wrapText(`note: ${n}`, ctx.io.columns, 2)) ctx.io.out(paint(ctx.io, 'yellow', l));
    }
  }
  return 0;
}

async function edit(ctx: Context, name: string, flagsIn: Partial<EditFlags>): Promise<number> {
  const opts: EditFlags = {
    add: flagsIn.add ?? [],
    remove: flagsIn.remove ?? [],
    relabel: flagsIn.relabel ?? [],
    target: flagsIn.target ?? [],
    metric: flagsIn.metric ?? [],
    rename: flagsIn.rename,
  };
  const { requireTTY } = await import('../prompt.js');
  const t = await import('../metrics/templates.js');
  const store = await import('../store/templates.js');
  const db = ctx.db();
  const tpl = requireTemplate(ctx, store.getTemplate(db, name), name);
  const flags = opts.add.length + opts.remove.length + opts.relabel.length + opts.target.length + opts.metric.length;
  let list = tpl.metrics.map((m) => ({ ...m }));
  let newName = opts.rename === undefined ? undefined : t.validateTemplateName(opts.rename);

  if (flags === 0 && newName === undefined) {
    requireTTY(
      ctx.io,
      'Editing a template interactively',
      `Use flags instead, e.g. okr metrics template edit ${quoteArg(name)} --add "Mood:number" --remove Steps`,
    );
    const { promptEditTemplate } = await import('../metrics/interactive.js');
    const edited = await promptEditTemplate(ctx, tpl.name, list);
    if (!edited) {
      ctx.io.out('Nothing saved.');
      return 0;
    }
    list = edited;
  } else {
    const find = (label: string) => {
      const key = label.trim().toLowerCase();
      const i = list.findIndex((m) => m.label.toLowerCase() === key || m.metricName === label.trim());
      if (i < 0) {
        throw new UsageError(
          `Template "${tpl.name}" has no metric ${JSON.stringify(label)}.`,
          `It has: ${list.map((m) => m.label).join(', ')}.`,
        );
      }
      return i;
    };
    if (opts.metric.length) list = opts.metric.map((s) => t.parseMetricSpec(s, ctx.registry));
    for (const label of opts.remove) list.splice(find(label), 1);
    for (const r of opts.relabel) {
      const eq = r.indexOf('=');
      if (eq < 0)
        throw new UsageError(
          `--relabel needs old=new, got ${JSON.stringify(r)}.`,
          'For example --relabel "Steps=Daily steps".',
        );
      const m = list[find(r.slice(0, eq))]!;
      // Only the label changes: the metric name (and so the stored values) stays.
      const probe = t.parseMetricSpec(`${r.slice(eq + 1).trim()}:text`);
      m.label = probe.label;
    }
    for (const spec of opts.add) list.push(t.parseMetricSpec(spec, ctx.registry));
    for (const tg of opts.target) {
      const at = tg.lastIndexOf('@');
      if (at < 0)
        throw new UsageError(
          `--target needs label@target, got ${JSON.stringify(tg)}.`,
          'For example --target "Steps@>=10000", or "Steps@" to clear.',
        );
      const m = list[find(tg.slice(0, at))]!;
      const value = tg.slice(at + 1).trim();
      m.target = value === '' ? undefined : value;
    }
  }
  if (newName !== undefined && newName !== tpl.name && store.getTemplate(db, newName)) {
    throw new UsageError(`A template named "${newName}" exists.`);
  }
  if (newName === tpl.name) newName = undefined;
  const warnings = t.validateTemplate(ctx, newName ?? tpl.name, list);
  const saved = store.saveTemplate(db, { name: tpl.name, metrics: list, renameTo: newName }, ctx.now().toISOString());
  for (const w of warnings) ctx.io.err(`warning: ${w}`);
  ctx.io.out(`Saved template "${saved.name}": ${saved.metrics.map((m) => m.label).join(', ')}.`);
  return 0;
}

function requireTemplate<T>(ctx: Context, tpl: T | undefined, name: string): T {
  if (tpl) return tpl;
  const names = (
    ctx.db().prepare('SELECT name FROM metric_templates ORDER BY name').all() as Array<{ name: string }>
  ).map((r) => r.name);
  throw new UsageError(
    `No template is called "${name}".`,
    names.length
      ? `Templates: ${names.join(', ')} (okr metrics template list).`
      : 'Create one: okr metrics template create daily',
  );
}

function metricJson(m: import('../store/templates.js').TemplateMetric) {
  return {
    label: m.label,
    type: m.type,
    source: m.source ?? null,
    metric: m.metricName,
    unit: m.unit ?? null,
    target: m.target ?? null,
  };
}

function recreateCommand(
  format: (m: import('../store/templates.js').TemplateMetric) => string,
  tpl: { name: string; metrics: import('../store/templates.js').TemplateMetric[] },
): string {
  return `okr metrics template create ${quoteArg(tpl.name)} ${tpl.metrics.map((m) => `--metric ${quoteArg(format(m))}`).join(' ')}`;
}

/** Quotes a shell argument when it needs it (single quotes, POSIX). */
function quoteArg(s: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function readInput(ctx: Context, file: string): Promise<string> {
  if (file === '-') {
    const { readStdin } = await import('../prompt.js');
    return readStdin(ctx.io.stdin);
  }
  const { readFileSync } = await import('node:fs');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `Cannot read ${file}: ${(err as Error).message}`,
      'Check the path; use - to read standard input.',
    );
  }
}
