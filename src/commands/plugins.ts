/**
 * `okr plugins [--json]` and `okr plugins show <id> [--json]`.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { paint } from '../io.js';
import type { DataImportPlugin } from '../plugins/types.js';
import { getConnection } from '../store/connections.js';
import { plural, sentences, wrap } from '../text.js';
import { type App, action } from './app.js';

interface PluginSummary {
  id: string;
  name: string;
  description: string;
  configured: boolean;
  connected: boolean;
  account: string | null;
  fields: number;
}

async function summarize(ctx: Context, plugin: DataImportPlugin): Promise<PluginSummary> {
  const missing = await ctx.config.missingRequired(plugin.id);
  const conn = getConnection(ctx.db(), plugin.id);
  return {
    id: plugin.id,
    name: plugin.name,
    description: plugin.description,
    configured: missing.length === 0,
    connected: conn?.enabled === true,
    account: conn?.enabled ? conn.accountId : null,
    fields: plugin.getAvailableFields().length,
  };
}

export function register(program: Command, app: App): void {
  const plugins = program
    .command('plugins')
    .description('list the plugins: configured, connected, how many fields')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, opts: { json?: boolean }) => {
        const rows = await Promise.all(ctx.registry.list().map((p) => summarize(ctx, p)));
        if (opts.json) {
          ctx.io.json(rows);
          return 0;
        }
        for (const r of rows) {
          const state = [
            r.configured ? paint(ctx.io, 'green', 'configured') : paint(ctx.io, 'yellow', 'not configured'),
            r.connected ? paint(ctx.io, 'green', `connected as ${r.account}`) : 'not connected',
            plural(r.fields, 'field'),
          ].join(', ');
          const about = wrap(`${r.name}: ${r.description}`, ctx.io.columns, 2, r.id.length + 2);
          ctx.io.out(`${paint(ctx.io, 'bold', r.id)}  ${about.join('\n')}`);
          ctx.io.out(`  ${state}`);
        }
        return 0;
      }),
    );

  plugins
    .command('show')
    .description("a plugin's fields (type, unit, availability) and its setup steps")
    .argument('<plugin>', 'plugin id, e.g. fitbit')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, id: string, opts: { json?: boolean }) => {
        const plugin = ctx.registry.get(id);
        const summary = await summarize(ctx, plugin);
        const fields = plugin.getAvailableFields().map((f) => ({
          id: f.id,
          source: `${plugin.id}.${f.id}`,
          name: f.name,
          type: f.type,
          unit: f.unit ?? null,
          available: f.availability === undefined,
          unavailableReason: f.availability?.reason ?? null,
          alternatives: f.availability?.alternatives ?? [],
          description: f.description,
        }));
        const setup = plugin.getSetupInfo({});
        if (opts.json) {
          ctx.io.json({ ...summary, fields, setup });
          return 0;
        }
        const [title = '', ...about] = wrap(`${plugin.name} (${plugin.id}): ${plugin.description}`, ctx.io.columns, 0);
        ctx.io.out(`${paint(ctx.io, 'bold', plugin.name)}${title.slice(plugin.name.length)}`);
        for (const l of about) ctx.io.out(l);
        ctx.io.out(
          `${summary.configured ? 'configured' : 'not configured'}, ${summary.connected ? `connected as ${summary.account}` : 'not connected'}`,
        );
        ctx.io.out();
        ctx.io.out(paint(ctx.io, 'bold', 'Fields'));
        // Wrapped to the terminal (80 columns when not one): descriptions and setup steps are
        // sentences, and unwrapped they ran past 200 columns.
        const width = ctx.io.columns;
        const w = Math.max(...fields.map((f) => f.source.length));
        const kind = (f: (typeof fields)[number]) => `${f.type}${f.unit ? ` (${f.unit})` : ''}`;
        const kw = Math.max(...fields.map((f) => kind(f).length));
        // The description in its own column when that leaves room for a few words, else below.
        const column = 2 + w + 2 + kw + 2;
        const inColumn = width - column >= 30;
        for (const f of fields) {
          const head = `  ${f.source.padEnd(w)}  ${kind(f).padEnd(kw)}`;
          if (inColumn) ctx.io.out(`${head}  ${wrap(f.description, width, column, column).join('\n')}`);
          else {
            ctx.io.out(head.trimEnd());
            ctx.io.out(`    ${wrap(f.description, width, 4).join('\n')}`);
          }
          if (!f.available) {
            const indent = inColumn ? column : 4;
            const note = `n/a: ${sentences(f.unavailableReason ?? undefined, `Nearest: ${f.alternatives.join(', ')}`)}`;
            for (const l of wrap(note, width, indent))
              ctx.io.out(paint(ctx.io, 'yellow', `${' '.repeat(indent)}${l.trimStart()}`));
          }
        }
        ctx.io.out();
        ctx.io.out(paint(ctx.io, 'bold', 'Setup'));
        let n = 0;
        for (const s of setup) {
          const prefix = s.kind === 'step' ? `${++n}.` : s.kind === 'warning' ? '!' : '-';
          const text = `${s.label}${s.value ? `: ${s.value}` : ''}`;
          ctx.io.out(`  ${prefix} ${wrap(text, width, 5, 3 + prefix.length).join('\n')}`);
        }
        return 0;
      }),
    );
}
