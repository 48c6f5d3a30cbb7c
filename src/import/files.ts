/**
 * Opens what the user named for `okr import`: a zip (read in place with yauzl, never unpacked to
 * disk), a folder (walked, symlinks not followed), or a single file. Everything here treats the
 * input as hostile: entry names are checked (no absolute paths or `..`, no name twice), counts,
 * sizes and packing ratios are bounded, each entry's CRC-32 is checked as it is read, and a
 * damaged zip is one clear error rather than a stack trace.
 */
import { closeSync, createReadStream, type Dirent, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { OkrError, UsageError } from '../errors.js';
import type { ImportEntry, ImportFiles } from '../plugins/import-types.js';
import { safeText } from '../safe-text.js';
import { DamagedEntryError } from './read-entry.js';

/** More entries than any real export (a ten-year Takeout has a few thousand). */
export const MAX_ENTRIES = 200_000;
/**
 * A zip entry that expands more than this many times its packed size is not read. Deflate makes
 * 17:1 of a month of Fitbit's per-minute steps and 43:1 of a generated export.xml (more regular
 * than a real one) at its best level, and at most ~1030:1 of anything (a run of one byte: a zip
 * bomb). So an entry refused here is a bomb or damaged, and what okr reads of a zip is at most
 * 200 times its size: a 10 MB zip of whitespace no longer scans 10 GB for minutes.
 */
export const MAX_ZIP_RATIO = 200;
/** Entries up to this size are read whatever their ratio (a small file of zeros is harmless). */
const RATIO_FREE_BYTES = 1024 * 1024;
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
        // Two entries with one name: no zip program writes that (`zip` replaces the old entry), an
        // unzip overwrites one with the other, and which one the export meant cannot be known.
        // Reading both (keyed by index) would count the same days twice; reading one would drop
        // the other's silently (byPath kept the last, and both reads opened it). So the zip is
        // damaged, and nothing is imported from it.
        if (byPath.has(e.fileName)) {
          zip.close();
          reject(
            new OkrError(`${safeText(path)} is damaged: it holds two files named ${safeText(e.fileName)}.`, {
              hint: 'Download the export again (nothing was imported).',
            }),
          );
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
        if (e.uncompressedSize > Math.max(RATIO_FREE_BYTES, MAX_ZIP_RATIO * e.compressedSize)) {
          const ratio = Math.round(e.uncompressedSize / Math.max(1, e.compressedSize));
          return reject(
            new DamagedEntryError(
              `damaged or a zip bomb: ${e.uncompressedSize} bytes packed into ${e.compressedSize} (${ratio}:1, no export file packs better than ${MAX_ZIP_RATIO}:1)`,
            ),
          );
        }
        zip.openReadStream(e, (err, stream) =>
          err ? reject(new DamagedEntryError(`damaged (${safeText(err.message)})`)) : resolve(checked(stream, e)),
        );
      }),
  };
}

/**
 * The entry's bytes, checked against the CRC-32 its zip records (yauzl does not check it): a
 * stored entry with a flipped byte read wrong values, and a deflated one read garbage counted
 * as "entries without a usable value", both with exit 0. A mismatch, or an error of the stream
 * (inflate, size), ends the stream with a DamagedEntryError once all bytes were seen; nothing of
 * the file counts then (an importer keeps a file's values only once it was read whole).
 */
function checked(stream: NodeJS.ReadableStream, e: import('yauzl').Entry): NodeJS.ReadableStream {
  let crc = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      done(
        crc >>> 0 === e.crc32 >>> 0
          ? null
          : new DamagedEntryError('damaged: its CRC-32 checksum does not match its contents (the zip is corrupt)'),
      );
    },
  });
  stream.on('error', (err: Error) => out.destroy(new DamagedEntryError(`damaged (${safeText(err.message)})`)));
  out.on('close', () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
  stream.pipe(out);
  return out;
}
