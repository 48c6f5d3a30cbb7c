/**
 * `okr import <plugin> <file-or-folder>`: opens the files, hands them to the plugin's importer,
 * keeps the asked date range and writes the values (write.ts). Nothing is written before the
 * whole export was read, so a file that turns out to be truncated or wrong costs nothing; a
 * damaged file inside a Takeout is reported and the others are imported (exit code 4).
 */
import type { Context } from '../context.js';
import { isCivilDate } from '../dates.js';
import { ExitCode, OkrError, UsageError } from '../errors.js';
import { latestDate, plausibleRecords } from '../metrics/plausible.js';
import type { FileImporter, ImportEntry, ImportFiles, ImportRun } from '../plugins/import-types.js';
import type { DataImportPlugin } from '../plugins/types.js';
import { safeText } from '../safe-text.js';
import { openImportFiles } from './files.js';
import { DamagedEntryError, EntryError } from './read-entry.js';
import { createImportRenderer, type ImportReport } from './render.js';
import { writeImported } from './write.js';
import { defaultZone, parseZoneOption } from './zones.js';

export interface ImportOptions {
  dryRun?: boolean;
  from?: string;
  to?: string;
  json?: boolean;
  quiet?: boolean;
  timeZone?: string;
}

/** The kinds of things not read, at most this many listed (their counts are complete). */
const MAX_UNKNOWN_KINDS = 200;

export function importablePlugins(ctx: Pick<Context, 'registry'>): DataImportPlugin[] {
  return ctx.registry.list().filter((p) => (p.fileImport?.importers.length ?? 0) > 0);
}

function pluginFor(ctx: Context, id: string): DataImportPlugin {
  const known = importablePlugins(ctx);
  const plugin = known.find((p) => p.id === id);
  if (!plugin) {
    throw new UsageError(
      `${ctx.registry.has(id) ? `${JSON.stringify(id)} has no file importer` : `Unknown import source ${JSON.stringify(safeText(id, 40))}`}.`,
      `Sources: ${known.map((p) => p.id).join(', ')}. Run \`okr import --help\`.`,
    );
  }
  return plugin;
}

function checkRange(opts: ImportOptions): { from?: string; to?: string } {
  for (const [flag, v] of [
    ['--from', opts.from],
    ['--to', opts.to],
  ] as const) {
    if (v !== undefined && !isCivilDate(v)) {
      throw new UsageError(
        `${flag} needs a date as YYYY-MM-DD, got ${JSON.stringify(safeText(v, 40))}.`,
        `For example ${flag} 2020-01-01`,
      );
    }
  }
  if (opts.from && opts.to && opts.from > opts.to) {
    throw new UsageError(`--from ${opts.from} is after --to ${opts.to}.`, 'Swap them.');
  }
  return { from: opts.from, to: opts.to };
}

export async function importCommand(
  ctx: Context,
  pluginId: string,
  path: string,
  opts: ImportOptions,
): Promise<number> {
  const plugin = pluginFor(ctx, pluginId);
  const range = checkRange(opts);
  const zoneIsExplicit = opts.timeZone !== undefined;
  const timeZone = zoneIsExplicit ? parseZoneOption(opts.timeZone!) : defaultZone(ctx.env);
  const files = await openImportFiles(path);
  try {
    const importer = plugin.fileImport!.importers.find((i) => i.detect(files));
    if (!importer) {
      const summaries = plugin.fileImport!.importers.map((i) => i.summary).join('; or ');
      throw new OkrError(`${safeText(path)} is not ${summaries}.`, {
        hint: plugin.fileImport!.importers[0]!.wrongFileHint,
      });
    }
    return await runImport(ctx, plugin, importer, files, { ...opts, ...range, timeZone, zoneIsExplicit });
  } finally {
    files.close();
  }
}

async function runImport(
  ctx: Context,
  plugin: DataImportPlugin,
  importer: FileImporter,
  files: ImportFiles,
  opts: ImportOptions & { timeZone: string; zoneIsExplicit: boolean },
): Promise<number> {
  const renderer = await createImportRenderer(ctx, plugin.id, opts);
  const problems: Array<{ file: string; message: string }> = [];
  const unknown = new Map<string, number>();
  let unknownOverflow = 0;
  const totalBytes = files.entries.reduce((n, e) => n + e.size, 0);
  const doneBytes = new Map<string, number>();
  let done = 0;
  const run: ImportRun = {
    files,
    timeZone: opts.timeZone,
    zoneIsExplicit: opts.zoneIsExplicit,
    signal: ctx.signal,
    now: () => ctx.now(),
    progress(entry: ImportEntry, bytes: number) {
      done += bytes - (doneBytes.get(entry.path) ?? 0);
      doneBytes.set(entry.path, bytes);
      renderer.progress(done, totalBytes, entry.path);
    },
    fileProblem(entry, message) {
      problems.push({ file: safeText(entry.path, 200), message: safeText(message, 300) });
      renderer.problem(safeText(entry.path, 200), safeText(message, 300));
    },
    unknown(kind, count = 1) {
      const k = safeText(kind, 120);
      if (unknown.has(k) || unknown.size < MAX_UNKNOWN_KINDS) unknown.set(k, (unknown.get(k) ?? 0) + count);
      else unknownOverflow += count;
    },
  };

  let history: Awaited<ReturnType<Awaited<ReturnType<FileImporter['load']>>['read']>>;
  try {
    const reader = await importer.load();
    history = await reader.read(run);
  } catch (err) {
    renderer.stop();
    if (ctx.signal.aborted) {
      throw new OkrError('Interrupted while reading the export; nothing was written.', {
        exitCode: ExitCode.INTERRUPTED,
        hint: `Run the same \`okr import ${plugin.id}\` again.`,
      });
    }
    if (err instanceof EntryError) {
      throw new OkrError(`${safeText(files.label)}: ${safeText(err.message)}; nothing was imported.`, {
        hint:
          err instanceof DamagedEntryError
            ? 'The download or the disk damaged it: download the export again.'
            : importer.wrongFileHint,
      });
    }
    throw err;
  }
  renderer.stop();
  if (history.filesRead === 0) {
    throw new OkrError(`${safeText(files.label)}: no file could be read; nothing was imported.`, {
      hint: importer.wrongFileHint,
    });
  }

  // Only the plugin's declared fields, and only values that can be real (src/metrics/plausible.ts):
  // every other value is counted as not read, by metric and reason, never dropped unseen.
  const latest = latestDate(ctx.now(), ctx.timeZone());
  const plausible = plausibleRecords(plugin.id, plugin.getAvailableFields(), history.records, latest, (kind) =>
    run.unknown(kind),
  );
  const records = plausible.filter((r) => (!opts.from || r.date >= opts.from) && (!opts.to || r.date <= opts.to));

  const result = await writeImported(ctx.db(), records, {
    pluginId: plugin.id,
    source: importer.source,
    exportedAt: history.exportedAt,
    now: ctx.now(),
    dryRun: opts.dryRun === true,
    signal: ctx.signal,
  });

  const report: ImportReport = {
    plugin: plugin.id,
    importer: importer.id,
    source: importer.source,
    path: safeText(files.label),
    dryRun: opts.dryRun === true,
    interrupted: result.interrupted,
    filesRead: history.filesRead,
    days: records.length,
    range: { from: records[0]?.date ?? null, to: records.at(-1)?.date ?? null },
    timeZone: history.timeZone ?? null,
    exportedAt: history.exportedAt === undefined ? null : new Date(history.exportedAt).toISOString(),
    metrics: result.metrics,
    written: result.written,
    conflicts: result.conflicts,
    conflictsTotal: result.conflictsTotal,
    notRead: [...unknown].sort((a, b) => b[1] - a[1]).map(([kind, count]) => ({ kind, count })),
    notReadOther: unknownOverflow,
    problems,
    notes: history.notes.map((n) => safeText(n, 300)),
  };
  renderer.finish(report);
  if (result.interrupted) return ExitCode.INTERRUPTED;
  return problems.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
}
