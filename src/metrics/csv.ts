/**
 * CSV and JSON out of `daily_metric_values` (`okr metrics export`, `okr metrics show --csv`), and
 * CSV in (`okr metrics import`).
 *
 * Export (long form, one value per row): `date,metric,value,unit,type,source`. Values are written
 * the way `okr metrics log` reads them (`7:32`, `23:10`, `yes`, plain numbers at full precision),
 * so an export imports back to the same stored values; `unit` says what the value is in.
 * Text cells (metric names, text values, units, sources) that a spreadsheet would read as a
 * formula get a `'` in front (`formulaSafe`, the OWASP CSV-injection rule); numbers never do.
 *
 * Import reads `date,metric,value` rows (a header row naming those columns is required; `type`
 * and `source` columns are used when present, others are ignored):
 * - each value is parsed by its metric's type: the plugin's field type for `pluginId.fieldId`,
 *   the template's type for a manual metric, else the row's `type` column;
 * - one transaction: when any row is bad, nothing is imported and every bad row is reported by
 *   its line number; `--dry-run` reports what would happen and writes nothing;
 * - metric names are at most MAX_METRIC_NAME_LENGTH characters, without control characters;
 * - the `'` an export put in front of a text cell is removed (`fromFormulaSafe`);
 * - an empty value is skipped (no data is not zero);
 * - values are stored with `source = import` (`manual` when the file says so, as an export of
 *   hand-logged values does, so a later sync still leaves them alone);
 * - an existing value that differs is kept unless `--force`: import follows `okr metrics log`,
 *   which never overwrites a stored value silently.
 */
import type { Context } from '../context.js';
import { isCivilDate, localDate } from '../dates.js';
import { OkrError, UsageError } from '../errors.js';
import type { FieldType, FieldValue } from '../plugins/types.js';
import { escapeChar, hasUnsafeChar, safeText } from '../safe-text.js';
import { keyResultMetricType } from '../store/objectives.js';
import type { OwnFileKind } from '../store/own-file.js';
import { findMetricUses } from '../store/templates.js';
import { MANUAL_SOURCE, type StoredValue } from '../store/values.js';
import { plural } from '../text.js';
import { IMPORT_SOURCE } from './log.js';
import { implausibleDate, implausibleValue, plausibleMetric } from './plausible.js';
import { storedUnit, type TableInput, unitLabel } from './table.js';
import { MAX_METRIC_NAME_LENGTH, pluginNamespaceProblem } from './templates.js';
import { formatDuration, formatTime, parseValue } from './values.js';

const FIELD_TYPES: readonly FieldType[] = ['number', 'duration', 'time', 'boolean', 'text'];

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(',');
}

/**
 * CSV injection (OWASP): a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a
 * tab or carriage return before one) as a formula, so a text cell starting with one of them is
 * written with a `'` in front, which spreadsheets read as "this is text" and do not show. A cell
 * that already starts with `'`s before such a character gets one more, so that
 * `fromFormulaSafe` can take exactly one off and every text reads back as it was. Only text
 * cells: a number such as `-5` is written as it is.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

export function formulaSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A text cell as it was before `formulaSafe`. */
export function fromFormulaSafe(cell: string): string {
  return GUARDED.test(cell) ? cell.slice(1) : cell;
}

export interface CsvRecord {
  /** 1-based line number where the record starts. */
  line: number;
  fields: string[];
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). Blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let sawAny = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !sawAny)) records.push({ line: start, fields });
    fields = [];
    field = '';
    sawAny = false;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      sawAny = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      sawAny = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) throw new UsageError(`Unterminated quoted field starting on line ${start}.`, 'Close the quote (").');
  if (field !== '' || fields.length > 0 || sawAny) endRecord();
  return records;
}

/** A value in the form `okr metrics log` and `okr metrics import` read, without loss. */
export function exportValue(type: FieldType, value: FieldValue): string {
  if (typeof value !== 'number') return String(value);
  switch (type) {
    case 'duration':
      return Number.isInteger(value) ? formatDuration(value) : `${value}m`;
    case 'time':
      return formatTime(value);
    case 'boolean':
      return value === 1 ? 'yes' : value === 0 ? 'no' : String(value);
    default:
      return plainNumber(value);
  }
}

/**
 * Full precision, no grouping, no exponent (`1e-7` would not parse back). The exponent form is
 * expanded digit by digit: `toFixed(20)` turned 1e-21 into 0 and cut 1.23456789e-15 short.
 */
function plainNumber(v: number): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(String(v));
  if (!m) return String(v);
  const [sign, lead, frac, e] = [m[1]!, m[2]!, m[3] ?? '', Number(m[4])];
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${lead}${frac}`;
  return `${sign}${lead}${frac}${'0'.repeat(e - frac.length)}`;
}

/** A header cell as the error shows it: quoted when it holds a control character (a newline…). */
function shown(cell: string): string {
  return hasUnsafeChar(cell) ? `"${safeText(cell)}"` : cell;
}

/**
 * Why a metric name from a file cannot be stored, or undefined when it can. Names are printed in
 * tables, reports and errors, so they are short and hold nothing a terminal would act on.
 */
function badMetricName(name: string): string | undefined {
  if (name.length > MAX_METRIC_NAME_LENGTH) {
    return `the metric name "${safeText(name, 24)}" is ${name.length} characters long; names have at most ${MAX_METRIC_NAME_LENGTH}`;
  }
  const c = [...name].find(hasUnsafeChar);
  if (c !== undefined) return `the metric name "${safeText(name)}" contains a control character (${escapeChar(c)})`;
  return undefined;
}

export interface MetricInfo {
  type: FieldType;
  unit?: string;
  /** Where the type came from. */
  known: 'plugin' | 'template' | 'key result' | 'guess';
}

/** What a metric name is: a plugin field, a template's (or key result's) manual metric, or a guess. */
export function metricInfo(ctx: Pick<Context, 'registry' | 'db'>, name: string): MetricInfo | undefined {
  const field = ctx.registry.findField(name)?.field;
  const uses = findMetricUses(ctx.db(), name);
  if (field) return { type: field.type, unit: uses.find((u) => u.unit)?.unit ?? field.unit, known: 'plugin' };
  const manual = uses.find((u) => u.type !== 'external');
  if (manual) return { type: manual.type as FieldType, unit: manual.unit, known: 'template' };
  const krType = name.includes('.') ? undefined : keyResultMetricType(ctx.db(), name);
  if (krType) return { type: krType, known: 'key result' };
  return undefined;
}

export interface ExportOptions {
  from?: string;
  to?: string;
}

interface Row {
  date: string;
  metric_name: string;
  value: FieldValue;
  source: string;
}

function exportRows(ctx: Context, opts: ExportOptions): Row[] {
  for (const [flag, d] of [
    ['--from', opts.from],
    ['--to', opts.to],
  ] as const) {
    if (d !== undefined && !isCivilDate(d))
      throw new UsageError(`${flag} needs a date as YYYY-MM-DD, got ${JSON.stringify(d)}.`);
  }
  if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) {
    throw new UsageError(
      `--from ${opts.from} is after --to ${opts.to}.`,
      `Swap them: --from ${opts.to} --to ${opts.from}`,
    );
  }
  return ctx
    .db()
    .prepare(
      `SELECT date, metric_name, value, source FROM daily_metric_values
       WHERE date >= ? AND date <= ? ORDER BY date, metric_name`,
    )
    .all(opts.from ?? '0000-00-00', opts.to ?? '9999-99-99') as Row[];
}

function infoCache(ctx: Context): (name: string, sample: FieldValue) => MetricInfo {
  const cache = new Map<string, MetricInfo>();
  return (name, sample) => {
    let info = cache.get(name);
    if (!info) {
      info = metricInfo(ctx, name) ?? { type: typeof sample === 'number' ? 'number' : 'text', known: 'guess' };
      cache.set(name, info);
    }
    return info;
  };
}

const EXPORT_HEADER = ['date', 'metric', 'value', 'unit', 'type', 'source'];
const EXPORT_FORMAT = 'okr-metrics-export';

/** An export okr wrote (CSV header or JSON format tag first), which `-o` may replace. */
export const EXPORT_FILE: OwnFileKind = {
  what: 'an export okr wrote',
  defaultName: 'okr-export.csv',
  isOurs: (head) =>
    head.startsWith(`${csvLine(EXPORT_HEADER)}\n`) || head.startsWith(`{\n  "format": "${EXPORT_FORMAT}",`),
};

/** `okr metrics export --format csv`: the header and one line per stored value. */
export function exportCsv(ctx: Context, opts: ExportOptions): { text: string; count: number } {
  const info = infoCache(ctx);
  const lines = [csvLine(EXPORT_HEADER)];
  const rows = exportRows(ctx, opts);
  for (const r of rows) {
    const i = info(r.metric_name, r.value);
    const value = exportValue(i.type, r.value);
    lines.push(
      csvLine([
        r.date,
        formulaSafe(r.metric_name),
        typeof r.value === 'number' ? value : formulaSafe(value),
        formulaSafe(unitLabel(i)),
        i.type,
        formulaSafe(r.source),
      ]),
    );
  }
  return { text: `${lines.join('\n')}\n`, count: rows.length };
}

/** `okr metrics export --format json`: metrics (type and units) and every value, one per line. */
export function exportJson(ctx: Context, opts: ExportOptions): { text: string; count: number } {
  const info = infoCache(ctx);
  const rows = exportRows(ctx, opts);
  const metrics: Record<string, { type: FieldType; unit: string | null; display_unit: string }> = {};
  const values = rows.map((r) => {
    const i = info(r.metric_name, r.value);
    metrics[r.metric_name] ??= { type: i.type, unit: storedUnit(i), display_unit: unitLabel(i) };
    return JSON.stringify({
      date: r.date,
      metric: r.metric_name,
      value: r.value,
      unit: storedUnit(i),
      text: exportValue(i.type, r.value),
      source: r.source,
    });
  });
  const head = {
    format: EXPORT_FORMAT,
    version: 1,
    from: rows[0]?.date ?? null,
    to: rows[rows.length - 1]?.date ?? null,
    metrics,
  };
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  const body = values.length ? `\n    ${values.join(',\n    ')}\n  ` : '';
  return { text: `${headText},\n  "values": [${body}]\n}\n`, count: rows.length };
}

/** `okr metrics show --csv`: the table, wide, with units in the header and values as `log` reads them. */
export function showCsv(input: TableInput): string {
  const header = [
    'date',
    ...input.metrics.map((m) => {
      const u = unitLabel(m);
      return formulaSafe(u ? `${m.label} (${u})` : m.label);
    }),
  ];
  const lines = [csvLine(header)];
  for (const d of input.dates) {
    lines.push(
      csvLine([
        d,
        ...input.metrics.map((m) => {
          const v = input.values.get(m.metricName)?.get(d);
          if (!v) return '';
          const text = exportValue(m.type, v.value);
          return typeof v.value === 'number' ? text : formulaSafe(text);
        }),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface ImportOptions {
  dryRun?: boolean;
  force?: boolean;
}

export interface BadRow {
  line: number;
  problem: string;
}

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  imported: number;
  unchanged: number;
  /** Rows whose value differs from a stored one that was kept (no --force). */
  kept: Array<{ line: number; date: string; metric: string; stored: FieldValue; source: string; incoming: FieldValue }>;
  blank: number;
  metrics: string[];
  from?: string;
  to?: string;
  /** Manual metric names that no template shows yet. */
  notInTemplate: string[];
}

export class ImportError extends OkrError {
  readonly badRows: BadRow[];
  constructor(file: string, badRows: BadRow[]) {
    super(`${plural(badRows.length, 'bad row')} in ${file}; nothing was imported.`, {
      hint: 'Fix the rows listed above and run the import again (add --dry-run to check without writing).',
    });
    this.name = 'ImportError';
    this.badRows = badRows;
  }
}

interface Parsed {
  line: number;
  date: string;
  metric: string;
  value: FieldValue;
  source: string;
}

/** Validates every row, then writes them in one transaction (unless `dryRun`). */
export function importCsv(ctx: Context, file: string, text: string, opts: ImportOptions = {}): ImportReport {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) throw new UsageError(`${file} is empty.`, 'It needs a header row: date,metric,value');
  const cols = header.fields.map((f) => f.trim().toLowerCase());
  const col = (name: string) => cols.indexOf(name);
  const [di, mi, vi, ti, si] = [col('date'), col('metric'), col('value'), col('type'), col('source')];
  if (di < 0 || mi < 0 || vi < 0) {
    throw new UsageError(
      `${file}: the first line must name the columns date, metric and value (it has: ${header.fields.map(shown).join(', ')}).`,
      'For example:\n  date,metric,value\n  2026-11-01,mood,7\n  2026-11-01,fitbit.steps,10482',
    );
  }
  const today = localDate(ctx.now());
  const bad: BadRow[] = [];
  const parsed: Parsed[] = [];
  const seen = new Map<string, number>();
  const typeOf = new Map<string, MetricInfo | undefined>();
  let blank = 0;
  for (const r of records) {
    const f = (i: number) => (i >= 0 ? (r.fields[i] ?? '').trim() : '');
    if (r.fields.length !== header.fields.length) {
      bad.push({ line: r.line, problem: `${r.fields.length} columns, the header has ${header.fields.length}` });
      continue;
    }
    const date = f(di);
    const metric = fromFormulaSafe(f(mi));
    const cell = f(vi);
    if (!isCivilDate(date)) {
      bad.push({ line: r.line, problem: `${JSON.stringify(date)} is not a date (YYYY-MM-DD)` });
      continue;
    }
    if (date > today) {
      bad.push({ line: r.line, problem: `${date} is in the future (today is ${today})` });
      continue;
    }
    const tooOld = implausibleDate(date, today);
    if (tooOld) {
      bad.push({ line: r.line, problem: `${tooOld}: okr stores no values that old` });
      continue;
    }
    if (metric === '') {
      bad.push({ line: r.line, problem: 'no metric name' });
      continue;
    }
    const nameProblem = badMetricName(metric);
    if (nameProblem) {
      bad.push({ line: r.line, problem: nameProblem });
      continue;
    }
    if (!typeOf.has(metric)) typeOf.set(metric, metricInfo(ctx, metric));
    const known = typeOf.get(metric);
    const namespace = known ? undefined : pluginNamespaceProblem(metric, ctx.registry);
    if (namespace) {
      bad.push({ line: r.line, problem: `${metric}: ${namespace}` });
      continue;
    }
    const declared = f(ti).toLowerCase();
    if (declared !== '' && !FIELD_TYPES.includes(declared as FieldType)) {
      bad.push({ line: r.line, problem: `type ${JSON.stringify(declared)} is not one of ${FIELD_TYPES.join(', ')}` });
      continue;
    }
    if (known && declared !== '' && declared !== known.type) {
      bad.push({ line: r.line, problem: `${metric} is a ${known.type} metric, the row says ${declared}` });
      continue;
    }
    const type = known?.type ?? (declared as FieldType | '');
    if (!type) {
      bad.push({
        line: r.line,
        problem: metric.includes('.')
          ? `no installed plugin declares ${metric} (give a type column to import it anyway)`
          : `unknown metric ${JSON.stringify(metric)}: add it to a template first, or give a type column`,
      });
      continue;
    }
    // Later rows of a metric known only from this file must agree with its first type.
    if (!known) typeOf.set(metric, { type, known: 'guess' });
    const key = `${date}\u0000${metric}`;
    const dup = seen.get(key);
    if (dup !== undefined) {
      bad.push({ line: r.line, problem: `${date} ${metric} is already on line ${dup}` });
      continue;
    }
    seen.set(key, r.line);
    if (cell === '') {
      blank++;
      continue;
    }
    const raw = type === 'text' ? fromFormulaSafe(cell) : cell;
    let value: FieldValue;
    try {
      value = parseValue(type, raw);
    } catch (err) {
      const e = err as OkrError;
      bad.push({ line: r.line, problem: `${metric}: ${e.message}${e.hint ? ` (${e.hint})` : ''}` });
      continue;
    }
    const rule = plausibleMetric(ctx.registry, metric, type, known?.unit);
    const impossible = implausibleValue(rule, value);
    if (impossible) {
      bad.push({ line: r.line, problem: `${metric}: ${impossible}, the values it can take` });
      continue;
    }
    parsed.push({ line: r.line, date, metric, value, source: f(si) === MANUAL_SOURCE ? MANUAL_SOURCE : IMPORT_SOURCE });
  }
  // Problems quote the file's cells: made safe to print (and to show in --json) in one place.
  if (bad.length > 0)
    throw new ImportError(
      file,
      bad.map((b) => ({ ...b, problem: safeText(b.problem) })),
    );

  const db = ctx.db();
  const now = ctx.now().toISOString();
  const report: ImportReport = {
    dryRun: opts.dryRun ?? false,
    rows: records.length,
    imported: 0,
    unchanged: 0,
    kept: [],
    blank,
    metrics: [...new Set(parsed.map((p) => p.metric))].sort(),
    notInTemplate: [],
  };
  const get = db.prepare('SELECT value, source FROM daily_metric_values WHERE date = ? AND metric_name = ?');
  const put = db.prepare(
    `INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (date, metric_name) DO UPDATE SET value = excluded.value, source = excluded.source, updated_at = excluded.updated_at`,
  );
  const run = db.transaction(() => {
    for (const p of parsed) {
      const cur = get.get(p.date, p.metric) as Pick<StoredValue, 'value' | 'source'> | undefined;
      if (cur && cur.value === p.value) {
        report.unchanged++;
        continue;
      }
      if (cur && !opts.force) {
        report.kept.push({
          line: p.line,
          date: p.date,
          metric: p.metric,
          stored: cur.value,
          source: cur.source,
          incoming: p.value,
        });
        continue;
      }
      if (!opts.dryRun) put.run(p.date, p.metric, p.value, p.source, now);
      report.imported++;
    }
  });
  run.immediate();
  const dates = parsed.map((p) => p.date).sort();
  report.from = dates[0];
  report.to = dates[dates.length - 1];
  report.notInTemplate = report.metrics.filter((m) => !m.includes('.') && findMetricUses(db, m).length === 0);
  return report;
}

/** Shows a stored value for a report line (`452` of a duration → `7:32`). */
export function describeValue(ctx: Pick<Context, 'registry' | 'db'>, metric: string, v: FieldValue): string {
  const info = metricInfo(ctx, metric);
  return info ? exportValue(info.type, v) : String(v);
}

export { IMPORT_SOURCE };
