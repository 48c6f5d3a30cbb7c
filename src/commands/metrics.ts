/**
 * `okr metrics …`: templates, the daily table, manual values, the list of sources, export and
 * import. This module only declares flags and help; the bodies are in src/metrics/actions.ts,
 * imported when a metrics command runs, so that `okr --help` loads none of it.
 */
import type { Command } from 'commander';
import type { EditFlags, LogFlags, ShowFlags } from '../metrics/actions.js';
import { type App, action } from './app.js';

let loading: Promise<typeof import('../metrics/actions.js')> | undefined;
const actions = () => {
  loading ??= import('../metrics/actions.js');
  return loading;
};

type ExportFlags = { format: string; json?: boolean; from?: string; to?: string; output?: string; force?: boolean };
type ImportFlags = { dryRun?: boolean; force?: boolean; json?: boolean };
type CreateFlags = { metric?: string[]; default?: boolean };

const collect = (value: string, previous: string[] = []) => [...previous, value];

const GRAMMAR = `
A metric (--metric, --add):
  "Sleep=fitbit.sleepLength@>=7:30"  Label=plugin.field: a synced value
  "fitbit.steps"                     plugin.field, labelled with the field name
  "Weight:number[kg]@<=80"           Label:type: a value you log
  "Humeur=mood:number"               Label=name:type: stored under that name
type: number, duration (7:30), time (23:15), boolean (yes/no) or text.
[unit] and @target are optional. A target is a comparison and a value: >=10000,
<=23:00, >=7:30, yes (a bare value means >=); on a terminal, met targets are
green. A manual metric's values are stored under its name: the label as a slug
(Mood is stored as mood), so renaming the label later keeps its values.`;

const MANUAL_RULE = `
Manual and synced values:
  A sync never overwrites a value you logged. \`okr metrics log\` refuses to
  replace a value a plugin synced unless you add --force; the value is then
  yours, and later syncs keep it. A value you logged or imported is replaced
  by a new \`log\` (which says what it replaced) and removed with --clear.

Values that cannot be real are refused (exit 2, nothing stored): a date before
  1970-01-01, and a value outside what the metric can hold: a plugin field's
  range (fitbit.sleepLength 0:00–24:00, fitbit.steps 0–200,000, resting heart
  rate 20–250 bpm; \`okr metrics fields --json\` lists them), else its type's
  (a time 00:00–23:59, a duration up to a week).`;

export function register(program: Command, app: App): void {
  // This module loads only when a metrics command runs (see cli.ts): start loading the bodies
  // now, in parallel with the context, instead of after flag parsing.
  actions().catch(() => {});
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
Values come from the database. Dates of the range that a connected plugin never
synced are fetched live first (and stored); --offline skips that. A failed fetch
is a note under the table, not an error. "·" means no data for that day; "n/a"
a field the provider does not offer (the footnote says why).

Examples:
  okr metrics show
  okr metrics show --since 30d --template sleep
  okr metrics show --from 2026-10-01 --to 2026-10-31 --csv > october.csv`,
    )
    .action(action(app, async (ctx, opts: ShowFlags) => (await actions()).show(ctx, opts)));

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
      action(app, async (ctx, metric: string, value: string | undefined, opts: LogFlags) =>
        (await actions()).log(ctx, metric, value, opts),
      ),
    );

  metrics
    .command('fields')
    .description('every source a template can use (pluginId.fieldId): type, unit, availability')
    .option('--json', 'machine-readable output')
    .action(action(app, async (ctx, opts: { json?: boolean }) => (await actions()).fields(ctx, opts)));

  metrics
    .command('export')
    .description('every stored value (synced, logged, imported) as CSV or JSON, with units')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--json', 'the same as --format json')
    .option('--from <date>', 'first date, YYYY-MM-DD (default: the first stored value)')
    .option('--to <date>', 'last date, YYYY-MM-DD (default: the last stored value)')
    .option('-o, --output <file>', 'write to a file (mode 0600) instead of standard output')
    .option('--force', 'replace the output file even if it is not an export okr wrote')
    .addHelpText(
      'after',
      `
CSV columns: date,metric,value,unit,type,source. Values are written the way
\`okr metrics log\` reads them (7:32, 23:10, yes), so \`okr metrics import\` reads
an export back unchanged. JSON: stored values (durations and times in minutes)
with their unit and formatted text.

Formula injection (OWASP CSV injection rule): a text cell (metric name, text
value, unit, source) that starts with = + - @, a tab or a carriage return is
written with a ' in front, so a spreadsheet shows it as text instead of running
it; one starting with ' before such a character gets one more '. Numbers are
never changed (-5 stays -5). \`okr metrics import\` removes that one '.`,
    )
    .action(action(app, async (ctx, opts: ExportFlags) => (await actions()).exportValues(ctx, opts)));

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
Rows: date (YYYY-MM-DD), metric (a name: mood, fitbit.steps; at most 64
printable characters), value (as \`okr metrics log\` reads it: 7:30, 23:15,
yes). The ' an export puts before a text cell that starts with = + - @ is
removed (see \`okr metrics export --help\`). Optional columns: type (for a
metric no template declares yet) and source (\`manual\` keeps a value protected
from syncs). Empty values are skipped. The import is one transaction: if any row
is bad, every bad row is listed by line number and nothing is imported (a value
that cannot be real, as \`okr metrics log --help\` says, is a bad row). Stored
values that differ are kept unless --force.

Example file:
  date,metric,value
  2026-11-01,mood,7
  2026-11-01,fitbit.steps,10482`,
    )
    .action(
      action(app, async (ctx, file: string, opts: ImportFlags) => (await actions()).importValues(ctx, file, opts)),
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
      `${GRAMMAR}\n\nExamples:\n  okr metrics template create daily\n  okr metrics template create daily \\\n    --metric "Sleep=fitbit.sleepLength@>=7:30" \\\n    --metric "Bedtime=fitbit.bedTime@<=23:30" \\\n    --metric "Steps=fitbit.steps@>=10000" --metric "Mood:number" \\\n    --metric "Meditated:boolean@yes"`,
    )
    .action(
      action(app, async (ctx, name: string, opts: CreateFlags) => (await actions()).templateCreate(ctx, name, opts)),
    );

  template
    .command('list')
    .description('every template; * marks the default')
    .option('--json', 'machine-readable output')
    .action(action(app, async (ctx, opts: { json?: boolean }) => (await actions()).templateList(ctx, opts)));

  template
    .command('show')
    .description("a template's metrics: label, type, where values are stored, unit, target")
    .argument('<name>', 'template name')
    .option('--json', 'machine-readable output')
    .action(
      action(app, async (ctx, name: string, opts: { json?: boolean }) =>
        (await actions()).templateShow(ctx, name, opts),
      ),
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
    .action(
      action(app, async (ctx, name: string, opts: Partial<EditFlags>) =>
        (await actions()).templateEdit(ctx, name, opts),
      ),
    );

  template
    .command('delete')
    .description('delete a template (stored values are kept)')
    .argument('<name>', 'template name')
    .action(action(app, async (ctx, name: string) => (await actions()).templateDelete(ctx, name)));

  template
    .command('default')
    .description('make a template the default (what `okr metrics show` shows)')
    .argument('<name>', 'template name')
    .action(action(app, async (ctx, name: string) => (await actions()).templateDefault(ctx, name)));
}
