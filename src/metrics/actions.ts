/**
 * The bodies of `okr metrics …` (src/commands/metrics.ts wires the flags and imports this module
 * only when a metrics command runs, so `okr --help` loads none of it). One module, so that
 * `okr metrics show` loads one chunk rather than one per helper; CSV and the prompts stay apart
 * (loaded by the commands that need them).
 */

import { createReadStream } from 'node:fs';
import type { Context } from '../context.js';
import { eachDate, localDate } from '../dates.js';
import { OkrError, UsageError } from '../errors.js';
import { paint } from '../io.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import { readStdin, requireTTY } from '../prompt.js';
import type { TemplateMetric } from '../store/templates.js';
import * as store from '../store/templates.js';
import { didYouMean } from '../suggest.js';
import { plural } from '../text.js';
import { clearValue, logValue } from './log.js';
import { rangeOf } from './plausible.js';
import { resolveRange } from './ranges.js';
import { readMetrics } from './read-path.js';
import * as table from './table.js';
import * as t from './templates.js';
import { formatValue } from './values.js';

export async function log(ctx: Context, metric: string, value: string | undefined, opts: LogFlags): Promise<number> {
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
  // A value logged with --force over a synced one replaced it: clearing it leaves the day empty
  // until a sync of that day brings the plugin's value back, which the hourly one may never do.
  const plugin = r.action === 'cleared' ? ctx.registry.findField(r.metric.metricName)?.plugin : undefined;
  if (plugin) {
    ctx.io.out(
      fileOnlyMessage(plugin)
        ? `To bring back what ${plugin.id} has for that day, import its file again: okr import ${plugin.id} <file>`
        : `To bring back what ${plugin.id} has for that day: okr sync ${plugin.id} --from ${r.date} --to ${r.date}`,
    );
  }
  return 0;
}

export async function fields(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const fields = ctx.registry.list().flatMap((p) =>
    p.getAvailableFields().map((f) => ({
      source: `${p.id}.${f.id}`,
      plugin: p.id,
      field: f.id,
      name: f.name,
      type: f.type,
      unit: f.unit ?? null,
      // What a day's value can be (src/metrics/plausible.ts): the field's range, else its type's.
      range: rangeOf(f) ?? null,
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
    for (const l of table.wrapText(`  ${f.description}`, ctx.io.columns, 2)) ctx.io.out(l);
    if (!f.available) {
      const why = `  n/a: ${f.reason} Nearest: ${f.alternatives.join(', ')}.`;
      for (const l of table.wrapText(why, ctx.io.columns, 2)) ctx.io.out(paint(ctx.io, 'yellow', l));
    }
  }
  return 0;
}

export async function exportValues(
  ctx: Context,
  opts: { format: string; json?: boolean; from?: string; to?: string; output?: string; force?: boolean },
): Promise<number> {
  const { exportCsv, exportJson, EXPORT_FILE } = await import('./csv.js');
  const format = opts.json ? 'json' : opts.format.toLowerCase();
  if (format !== 'csv' && format !== 'json')
    throw new UsageError(`--format must be csv or json, got ${JSON.stringify(opts.format)}.`);
  const out = format === 'csv' ? exportCsv(ctx, opts) : exportJson(ctx, opts);
  if (opts.output) {
    const { writeOwnFile } = await import('../store/own-file.js');
    const { replaced } = writeOwnFile(opts.output, out.text, EXPORT_FILE, { force: opts.force });
    ctx.io.err(`Exported ${plural(out.count, 'value')} to ${opts.output}${replaced ? ' (replaced)' : ''}.`);
  } else ctx.io.stdout.write(out.text);
  return 0;
}

export async function importValues(
  ctx: Context,
  file: string,
  opts: { dryRun?: boolean; force?: boolean; json?: boolean },
): Promise<number> {
  const { importCsv, ImportError, describeValue } = await import('./csv.js');
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
  const span = report.from ? ` (${plural(report.metrics.length, 'metric')}, ${report.from}..${report.to})` : '';
  ctx.io.out(`${verb} ${plural(report.imported, 'value')}${span}.`);
  if (report.unchanged) ctx.io.out(`${report.unchanged} already stored with the same value.`);
  if (report.blank) ctx.io.out(`${plural(report.blank, 'empty value')} skipped.`);
  if (report.kept.length) {
    const one = report.kept.length === 1;
    ctx.io.out(
      `${report.kept.length} ${one ? 'differs from its stored value and was' : 'differ from stored values and were'} kept (add --force to replace ${one ? 'it' : 'them'}):`,
    );
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
}

export async function templateCreate(
  ctx: Context,
  name: string,
  opts: { metric?: string[]; default?: boolean },
): Promise<number> {
  const specs = opts.metric ?? [];
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
    const { promptNewTemplate } = await import('./interactive.js');
    list = await promptNewTemplate(ctx, n);
  } else {
    list = specs.map((s) => t.parseMetricSpec(s, ctx.registry));
  }
  const warnings = t.validateTemplate(ctx, n, list);
  if (interactive && !makeDefault && store.countTemplates(db) > 0) {
    const { confirmDefault } = await import('./interactive.js');
    makeDefault = await confirmDefault(ctx, n);
  }
  const saved = store.saveTemplate(db, { name: n, metrics: list, makeDefault }, ctx.now().toISOString());
  for (const w of warnings) ctx.io.err(`warning: ${w}`);
  ctx.io.out(
    `Saved template "${saved.name}"${saved.isDefault ? ' (default)' : ''}: ${saved.metrics.map((m) => m.label).join(', ')}.`,
  );
  if (interactive) ctx.io.out(`The same without prompts: ${recreateCommand(t.formatMetricSpec, saved)}`);
  return 0;
}

export async function templateList(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const all = store.listTemplates(ctx.db());
  if (opts.json) {
    ctx.io.json(
      all.map((tpl) => ({
        name: tpl.name,
        default: tpl.isDefault,
        metrics: tpl.metrics.map((m) => ({ ...metricJson(m), spec: t.formatMetricSpec(m) })),
      })),
    );
    return 0;
  }
  if (all.length === 0) {
    ctx.io.out('No templates yet. Create one: okr metrics template create daily');
    return 0;
  }
  const w = Math.max(...all.map((x) => x.name.length));
  for (const tpl of all) {
    const labels = tpl.metrics.map((m) => m.label).join(', ');
    ctx.io.out(
      `${tpl.isDefault ? '*' : ' '} ${tpl.name.padEnd(w)}  ${plural(tpl.metrics.length, 'metric')}: ${labels}`,
    );
  }
  return 0;
}

export async function templateShow(ctx: Context, name: string, opts: { json?: boolean }): Promise<number> {
  const tpl = requireTemplate(ctx, store.getTemplate(ctx.db(), name), name);
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
    `${paint(ctx.io, 'bold', tpl.name)}${tpl.isDefault ? ' (default)' : ''}, ${plural(tpl.metrics.length, 'metric')}`,
  );
  const rows = tpl.metrics.map((m, i) => {
    const r = resolved[i]!;
    const type = m.type === 'external' ? r.type : m.type;
    return [
      m.label,
      type,
      m.type === 'external' ? m.metricName : `${m.metricName} (manual)`,
      table.unitLabel(r),
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
}

export async function templateDelete(ctx: Context, name: string): Promise<number> {
  const db = ctx.db();
  const tpl = requireTemplate(ctx, store.getTemplate(db, name), name);
  const { newDefault } = store.deleteTemplate(db, tpl.name);
  ctx.io.out(`Deleted template "${tpl.name}"; its values are still stored.`);
  ctx.io.out(`To recreate it: ${recreateCommand(t.formatMetricSpec, tpl)}`);
  if (newDefault) {
    ctx.io.out(`"${newDefault}" is the default template now (okr metrics template default <name> picks another).`);
  }
  return 0;
}

export async function templateDefault(ctx: Context, name: string): Promise<number> {
  requireTemplate(ctx, store.getTemplate(ctx.db(), name), name);
  store.setDefaultTemplate(ctx.db(), name);
  ctx.io.out(`"${name}" is the default template.`);
  return 0;
}

export interface ShowFlags {
  template?: string;
  since?: string;
  from?: string;
  to?: string;
  json?: boolean;
  csv?: boolean;
  offline?: boolean;
}

export interface LogFlags {
  date?: string;
  force?: boolean;
  clear?: boolean;
  json?: boolean;
}

export interface EditFlags {
  add: string[];
  remove: string[];
  relabel: string[];
  target: string[];
  metric: string[];
  rename?: string;
}

/** The default window of `okr metrics show`: the last 14 days, today included. */
export const DEFAULT_SHOW_DAYS = 14;

export async function show(ctx: Context, opts: ShowFlags): Promise<number> {
  if (opts.json && opts.csv) throw new UsageError('Choose one of --json and --csv.');
  const range = resolveRange(opts, localDate(ctx.now()), DEFAULT_SHOW_DAYS);
  const template = chooseTemplate(ctx, opts.template, 'metrics show');
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
          // Two decimals are plenty for an average (a circular time mean is rarely a whole minute).
          summary: {
            count: s.count,
            avg: s.avg === undefined ? null : Math.round(s.avg * 100) / 100,
            min: s.min ?? null,
            max: s.max ?? null,
            text: s.text,
          },
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
    const { showCsv } = await import('./csv.js');
    ctx.io.stdout.write(showCsv(input));
    for (const n of read.notes) ctx.io.err(`note: ${n}`);
    return 0;
  }
  const lines = [
    paint(ctx.io, 'bold', `${template.name}: ${range.from} .. ${range.to}`),
    ...table.renderMetricsTable(input, { width: ctx.io.columns, color: ctx.io.color, sparklines: ctx.io.isTTY }),
  ];
  if (read.notes.length) {
    lines.push('');
    for (const n of read.notes) {
      for (const l of table.wrapText(`note: ${n}`, ctx.io.columns, 2)) lines.push(paint(ctx.io, 'yellow', l));
    }
  }
  // One write: a line at a time is a system call each on a pipe or file.
  ctx.io.out(lines.join('\n'));
  return 0;
}

/**
 * The template a command shows: the one named, else the default, else the only one. `command`
 * names the command in the hint when several templates exist and none is the default.
 */
export function chooseTemplate(ctx: Context, name: string | undefined, command: string): store.Template {
  const db = ctx.db();
  if (name !== undefined) return requireTemplate(ctx, store.getTemplate(db, name), name);
  const tpl = store.getDefaultTemplate(db);
  if (tpl) return tpl;
  const all = store.listTemplates(db);
  if (all.length === 1) return all[0]!;
  if (all.length === 0) {
    // Not a usage error: the command is right, the home is not set up yet (exit 1).
    throw new OkrError('There is no metric template yet.', {
      hint: 'Create one: okr metrics template create daily (connecting a plugin creates one too).',
    });
  }
  throw new UsageError(
    `There is no default template; pick one of ${all.map((x) => x.name).join(', ')}.`,
    `Run \`okr ${command} --template ${quoteArg(all[0]!.name)}\`, or \`okr metrics template default <name>\`.`,
  );
}

export async function templateEdit(ctx: Context, name: string, flagsIn: Partial<EditFlags>): Promise<number> {
  const opts: EditFlags = {
    add: flagsIn.add ?? [],
    remove: flagsIn.remove ?? [],
    relabel: flagsIn.relabel ?? [],
    target: flagsIn.target ?? [],
    metric: flagsIn.metric ?? [],
    rename: flagsIn.rename,
  };
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
    const { promptEditTemplate } = await import('./interactive.js');
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
    `No template is called "${name}"${didYouMean(name, names)}.`,
    names.length
      ? `Templates: ${names.join(', ')} (okr metrics template list).`
      : 'Create one: okr metrics template create daily',
  );
}

function metricJson(m: TemplateMetric) {
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
  format: (m: TemplateMetric) => string,
  tpl: { name: string; metrics: TemplateMetric[] },
): string {
  return `okr metrics template create ${quoteArg(tpl.name)} ${tpl.metrics.map((m) => `--metric ${quoteArg(format(m))}`).join(' ')}`;
}

/** Quotes a shell argument when it needs it (single quotes, POSIX). */
function quoteArg(s: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Ten years of 30 metrics is a CSV of ~4 MB: past this a file is not one of daily values (or it is
 * /dev/zero), and it is refused before it fills the memory.
 */
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

async function readInput(ctx: Context, file: string): Promise<string> {
  const tooBig = () =>
    new UsageError(
      `${file === '-' ? 'Standard input' : file} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB, too large for a file of daily values.`,
      'Split it by date range and import the parts one after the other.',
    );
  const limit = { bytes: MAX_IMPORT_BYTES, tooBig };
  if (file === '-') return readStdin(ctx.io.stdin, limit);
  // A stream, not a size check first: a device (/dev/zero) or a FIFO has no size.
  const stream = createReadStream(file);
  try {
    return await readStdin(stream, limit);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `Cannot read ${file}: ${(err as Error).message}`,
      'Check the path; use - to read standard input.',
    );
  } finally {
    stream.destroy();
  }
}
