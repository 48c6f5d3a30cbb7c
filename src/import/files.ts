/**
 * Opens what the user named for `okr import`: a zip (read in place with yauzl, never unpacked to
 * disk), a folder (walked, symlinks not followed), or a single file. Everything here treats the
 * input as hostile: entry names are checked (no absolute paths or `..`), counts and sizes are
 * bounded, and a damaged zip is one clear error rather than a stack trace.
 */
import { closeSync, createReadStream, type Dirent, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { OkrError, UsageError } from '../errors.js';
import type { ImportEntry, ImportFiles } from '../plugins/import-types.js';
import { safeText } from '../safe-text.js';

/** More entries than any real export (a ten-year Takeout has a few thousand). */
export const MAX_ENTRIES = 200_000;
/** A folder walk stops this deep: exports nest four or five levels. */
const MAX_DEPTH = 12;

const ZIP_MAGIC = [0x50, 0x4b];

function startsWithZipMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const n = readSync(fd, buf, 0, 4, 0);
    return n >= 2 && buf[0] === ZIP_MAGIC[0] && buf[1] === ZIP_MAGIC[1];
  } finally {
    closeSync(fd);
  }
}

/** A path inside an archive that stays inside it (no absolute path, drive letter or `..`). */
export function isSafeEntryPath(name: string): boolean {
  if (name === '' || name.length > 1024 || name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  if (name.includes('\0') || name.includes('\\')) return false;
  return !name.split('/').some((part) => part === '..');
}

export async function openImportFiles(path: string): Promise<ImportFiles> {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `No such file or folder: ${safeText(path)}.` : `Cannot read ${safeText(path)} (${code}).`,
      'Give the path of the export: a .zip, its unpacked folder, or the export.xml.',
    );
  }
  if (st.isDirectory()) return openFolder(path);
  if (!st.isFile()) {
    throw new UsageError(`${safeText(path)} is not a file or folder.`, 'Give the path of the export itself.');
  }
  if (startsWithZipMagic(path)) return openZip(path, st.size);
  if (/\.zip$/i.test(path)) {
    throw new OkrError(`${safeText(path)} is not a zip file (it does not start like one).`, {
      hint: 'Download the export again; a browser sometimes saves an error page under the zip name.',
    });
  }
  const entry: ImportEntry = { path: basename(path), size: st.size, mtimeMs: st.mtimeMs };
  return {
    kind: 'file',
    label: path,
    entries: [entry],
    open: async () => createReadStream(path),
    close() {},
  };
}

function openFolder(root: string): ImportFiles {
  const entries: ImportEntry[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    let items: Dirent[];
    try {
      items = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // an unreadable sub-folder holds nothing we can import; the rest still can
    }
    for (const item of items) {
      const full = join(dir, item.name);
      if (item.isDirectory()) walk(full, depth + 1);
      else if (item.isFile()) {
        if (entries.length >= MAX_ENTRIES) {
          throw new OkrError(`${safeText(root)} holds more than ${MAX_ENTRIES} files; that is not an export.`, {
            hint: 'Give the export folder itself (Takeout/ or apple_health_export/).',
          });
        }
        const s = lstatSync(full);
        entries.push({ path: relative(root, full).split(sep).join('/'), size: s.size, mtimeMs: s.mtimeMs });
      }
      // symlinks and sockets are skipped: an export has none, and a link could point anywhere
    }
  };
  walk(root, 0);
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    kind: 'folder',
    label: root,
    entries,
    open: async (entry) => createReadStream(join(root, ...entry.path.split('/'))),
    close() {},
  };
}

async function openZip(path: string, fileSize: number): Promise<ImportFiles> {
  // yauzl is CommonJS: the bundle (dist/) exposes it only as the default export.
  const yauzl = (await import('yauzl')).default;
  const zip = await new Promise<import('yauzl').ZipFile>((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true },
      (err, z) => (err ? reject(err) : resolve(z)),
    );
  }).catch((err: unknown) => {
    throw new OkrError(
      `${safeText(path)} is not a complete zip file (${safeText(err instanceof Error ? err.message : String(err))}).`,
      {
        hint: 'The download was probably cut short: download the export again (nothing was imported).',
        cause: err,
      },
    );
  });
  const byPath = new Map<string, import('yauzl').Entry>();
  const entries: ImportEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: import('yauzl').Entry) => {
      if (!e.fileName.endsWith('/') && isSafeEntryPath(e.fileName)) {
        if (entries.length >= MAX_ENTRIES) {
          zip.close();
          reject(new OkrError(`${safeText(path)} holds more than ${MAX_ENTRIES} files; that is not an export.`));
          return;
        }
        entries.push({ path: e.fileName, size: e.uncompressedSize, mtimeMs: e.getLastModDate().getTime() });
        byPath.set(e.fileName, e);
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) =>
      reject(
        new OkrError(`${safeText(path)} is damaged: ${safeText(err.message)}.`, {
          hint: 'Download the export again (nothing was imported).',
        }),
      ),
    );
    zip.readEntry();
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  void fileSize;
  return {
    close: () => zip.close(),
    kind: 'zip',
    label: path,
    entries,
    open: (entry) =>
      new Promise((resolve, reject) => {
        const e = byPath.get(entry.path);
        if (!e) return reject(new Error(`no entry ${entry.path}`));
        zip.openReadStream(e, (err, stream) => (err ? reject(err) : resolve(stream)));
      }),
  };
}
