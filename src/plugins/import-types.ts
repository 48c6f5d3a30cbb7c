/**
 * The file-import side of the plugin contract: `okr import <plugin> <file-or-folder>`.
 *
 * A plugin may offer file importers as well as OAuth (fitbit: a Google Takeout) or instead of it
 * (apple-health: the Health app's export.zip). An importer reads the files into daily records of
 * the plugin's own fields, the same `pluginId.fieldId` metrics a sync writes; core code
 * (src/import/) opens the files, applies the date range and writes the values under the rules of
 * README "Importing history". The parsing code is loaded only when an import runs (`load`), so a
 * plugin's registration stays light.
 */
import type { ImportedDataRecord } from './types.js';

/** One file of what the user named: a file in a folder or a zip, or the file itself. */
export interface ImportEntry {
  /** The path inside the folder or zip, with `/` separators (`Takeout/Fitbit/Global Export Data/…`). */
  path: string;
  /** Size in bytes (uncompressed), as the file system or the zip's directory says. */
  size: number;
  /** Last modification (epoch ms), when known. */
  mtimeMs?: number;
}

/** The files to import, opened lazily and read as streams (a zip is never unpacked to disk). */
export interface ImportFiles {
  kind: 'zip' | 'folder' | 'file';
  /** What the user named, for messages. */
  label: string;
  /** Sorted by path. */
  entries: ImportEntry[];
  /** The entry's bytes, decompressed; an error event for a damaged entry. */
  open(entry: ImportEntry): Promise<NodeJS.ReadableStream>;
  /** Releases the zip's file handle. */
  close(): void;
}

/** What an importer gets besides the files. */
export interface ImportRun {
  files: ImportFiles;
  /** The zone for clock times that carry none, unless the export names its own (and `zoneIsExplicit` is false). */
  timeZone: string;
  /** True when the user gave `--time-zone`: it then beats a zone the export names. */
  zoneIsExplicit: boolean;
  signal: AbortSignal;
  /** The context's clock: what "tomorrow" is for a date window (a test fixes it). */
  now(): Date;
  /** Bytes of `entry` read so far (for the progress bar). */
  progress(entry: ImportEntry, bytesRead: number): void;
  /** A file that could not be read: named with the reason; the import of the others goes on. */
  fileProblem(entry: ImportEntry, message: string): void;
  /** Something the importer does not read (a record type, a file kind): counted and listed. */
  unknown(kind: string, count?: number): void;
}

export interface ImportedHistory {
  /** Daily values of the plugin's fields, one record per date. */
  records: ImportedDataRecord[];
  /** When the export was made (epoch ms), for "the newer source wins"; undefined when unknown. */
  exportedAt?: number;
  /** The zone clock times were read in, and where it came from (`Profile.csv`, `--time-zone`, …). */
  timeZone?: { zone: string; from: string };
  /** How many files were read (entries whose format the importer knows). */
  filesRead: number;
  /** Lines for the report: rules applied, things worth knowing. */
  notes: string[];
}

export interface FileImporter {
  /** Short name, unique within the plugin (`takeout`, `export`). */
  id: string;
  /** What it reads, one line for `okr import --help` and errors. */
  summary: string;
  /** The `source` stored with each value it writes, e.g. `fitbit-takeout`. Not a plugin id. */
  source: string;
  /** Whether these files look like this importer's format (from the entry names alone). */
  detect(files: ImportFiles): boolean;
  /** A one-line hint when `detect` fails: what the right file is and where it comes from. */
  wrongFileHint: string;
  /** Loads the parsing code and reads the files. */
  load(): Promise<{ read(run: ImportRun): Promise<ImportedHistory> }>;
}

export interface FileImportCapability {
  importers: FileImporter[];
  /** False for a plugin that only imports files: no sign-in, no sync (`okr connect` says so). */
  oauth: boolean;
}

/** For a plugin without OAuth: the sentence `connect`, `sync`, `status` and `config` say instead. */
export function fileOnlyMessage(plugin: { id: string; fileImport?: FileImportCapability }): string | undefined {
  if (!plugin.fileImport || plugin.fileImport.oauth) return undefined;
  const example = plugin.fileImport.importers[0]?.summary ?? 'a file';
  return `${plugin.id} imports files; run \`okr import ${plugin.id} <file>\` (${example}).`;
}
