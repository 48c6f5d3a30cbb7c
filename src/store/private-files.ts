/**
 * okr's own files and folders (config.json, secrets.json, okr.db, sync.log and the folders that
 * hold them): the one place that creates, opens and checks them. The rules:
 * - folders are 0700 and belong to the user running okr; a looser one is tightened, a foreign one
 *   (another uid) is refused, since its owner could swap okr's files;
 * - files are regular files (never a symbolic link: a planted link would redirect okr's reads and
 *   writes), belong to the user, and are 0600; a looser mode is tightened on every open;
 * - writes are atomic: a temp file created exclusively (O_EXCL, so nothing planted at its name is
 *   followed) under a random name in the target's own folder, fsynced, then renamed over the
 *   target; a reader sees the old file or the new one, never half of one;
 * - a damaged file (empty, a byte-order mark, invalid JSON) is an error naming the file and the
 *   fix, and is never overwritten.
 * Failures are OkrFileError: one line naming the path, exit 1.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OkrError, systemErrorText } from '../errors.js';

/**
 * A problem with one of okr's own files or folders. Commands that carry on past other errors (a
 * keychain that does not answer) must not carry on past this one: the file is what they read.
 */
export class OkrFileError extends OkrError {
  constructor(
    readonly path: string,
    message: string,
    hint: string,
    cause?: unknown,
  ) {
    super(message, { hint, cause });
    this.name = 'OkrFileError';
  }
}

/** Files okr reads whole are small; anything bigger was not written by okr. */
export const MAX_PRIVATE_FILE_BYTES = 1024 * 1024;

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const myUid = (): number | undefined => process.getuid?.();
const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;

/** An OS error on `path` as one line naming it (EACCES, EPERM, EROFS, ENOSPC…). */
export function fileError(path: string, err: unknown, doing = 'use'): OkrFileError {
  if (err instanceof OkrFileError) return err;
  return new OkrFileError(
    path,
    `Cannot ${doing} ${path}: ${systemErrorText(err)}.`,
    `Check that ${path} and its folder belong to you and are writable (\`ls -ld ${q(path)}\`; okr doctor checks okr's folders).`,
    err,
  );
}

function foreignOwner(path: string, st: Stats, what: 'folder' | 'file'): OkrFileError {
  return new OkrFileError(
    path,
    `The ${what} ${path} belongs to another user (uid ${st.uid}), so okr will not keep its ${what === 'folder' ? 'files in it' : 'data in it'}.`,
    what === 'folder'
      ? `Point okr at a folder of your own (OKR_HOME=<dir>), or take this one over: sudo chown -R "$USER" ${q(path)} && chmod 700 ${q(path)}.`
      : `Take it over (sudo chown "$USER" ${q(path)} && chmod 600 ${q(path)}), or move it aside; okr changed nothing.`,
  );
}

/**
 * Creates a folder (and parents) private to the user, or checks an existing one (see
 * checkPrivateDir).
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fileError(dir, err, 'create the folder');
  }
  checkPrivateDir(dir, { repair: true });
}

/**
 * Checks one of okr's folders, if it exists: a folder that belongs to the user (whoever owns it
 * could swap okr's files, e.g. plant a config.json that sends the client secret elsewhere), and
 * 0700, tightened when `repair` is set. A symbolic link to such a folder is allowed: dotfile
 * managers link ~/.config/okr.
 */
export function checkPrivateDir(dir: string, opts: { repair: boolean }): void {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fileError(dir, err, 'open the folder');
  }
  if (!st.isDirectory()) {
    throw new OkrFileError(
      dir,
      `${dir} is not a folder, but okr keeps its files there.`,
      `Move it aside (mv ${q(dir)} ${q(`${dir}.moved`)}) and run the command again.`,
    );
  }
  const uid = myUid();
  if (uid !== undefined && st.uid !== uid) throw foreignOwner(dir, st, 'folder');
  if (opts.repair && (st.mode & 0o777) !== 0o700) {
    try {
      chmodSync(dir, 0o700);
    } catch (err) {
      throw fileError(dir, err, 'make private (chmod 700)');
    }
  }
}

/** What is at a path, without following a symbolic link there; for checks that only report. */
export interface PathState {
  kind: 'missing' | 'file' | 'folder' | 'symlink' | 'other';
  /** Permission bits (of the link's target for a symlink that resolves). */
  mode?: number;
  uid?: number;
  size?: number;
  /** True when it belongs to the user running okr (always true where uids do not exist). */
  mine?: boolean;
}

export function inspectPath(path: string): PathState {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return { kind: 'missing' };
  }
  const uid = myUid();
  let shown = st;
  if (st.isSymbolicLink()) {
    try {
      shown = statSync(path);
    } catch {
      return { kind: 'symlink', uid: st.uid, mine: uid === undefined || st.uid === uid };
    }
  }
  return {
    kind: st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'other',
    mode: shown.mode & 0o777,
    uid: shown.uid,
    size: shown.size,
    mine: uid === undefined || shown.uid === uid,
  };
}

function notRegular(file: string, what: string, st: Stats): OkrFileError {
  if (st.isSymbolicLink()) {
    return new OkrFileError(
      file,
      `The ${what} ${file} is a symbolic link; okr keeps its files as plain files in its own folder and will not follow it.`,
      `Put the real file there instead (cp --remove-destination "$(readlink -f ${q(file)})" ${q(file)}), or remove the link; okr changed nothing.`,
    );
  }
  return new OkrFileError(
    file,
    `The ${what} ${file} is not a regular file.`,
    `Move it aside (mv ${q(file)} ${q(`${file}.moved`)}) and run the command again.`,
  );
}

/**
 * Checks an existing file of okr's by path (for files another library opens, like the SQLite
 * database), and its folder: a regular file that belongs to the user. A looser mode than 0600 is
 * tightened when `repair` is set. Returns its size, or undefined when there is no file.
 */
export function checkPrivateFile(file: string, what: string, opts: { repair: boolean }): number | undefined {
  checkPrivateDir(dirname(file), opts);
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(file, err, 'read');
  }
  return checkStats(file, what, st, opts.repair ? (m) => chmodSync(file, m) : undefined);
}

function checkStats(file: string, what: string, st: Stats, chmod: ((mode: number) => void) | undefined): number {
  if (!st.isFile()) throw notRegular(file, what, st);
  const uid = myUid();
  if (uid !== undefined && st.uid !== uid) throw foreignOwner(file, st, 'file');
  if (chmod && (st.mode & 0o077) !== 0) {
    try {
      chmod(0o600);
    } catch (err) {
      throw fileError(file, err, 'make private (chmod 600)');
    }
  }
  return st.size;
}

/** Never blocks in open(): a FIFO planted at a file's name is opened at once, then refused. */
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Opens one of okr's files and checks what was opened (no gap between check and use): never
 * through a symbolic link at its name (O_NOFOLLOW), never blocking on a FIFO (O_NONBLOCK: a FIFO
 * opens at once for reading, or fails with ENXIO for writing when nobody reads it), then a
 * regular file of the user's, a loose mode tightened. Returns the descriptor and the size, or
 * undefined when there is no file (and `flags` does not create one).
 */
function openChecked(
  file: string,
  what: string,
  flags: number,
  doing: string,
): { fd: number; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(file, flags | NOFOLLOW | NONBLOCK, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // O_NOFOLLOW on a link: ELOOP on Linux, EMLINK on some BSDs; ENXIO: a FIFO nobody reads.
    if (code === 'ELOOP' || code === 'EMLINK' || code === 'ENXIO') {
      let st: Stats | undefined;
      try {
        st = lstatSync(file);
      } catch {
        // gone meanwhile: report the open's error
      }
      if (st) throw notRegular(file, what, st);
    }
    throw fileError(file, err, doing);
  }
  try {
    return { fd, size: checkStats(file, what, fstatSync(fd), (m) => fchmodSync(fd, m)) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Reads up to `length` bytes of `fd` from `position`. */
function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/**
 * Reads one of okr's small files whole, after checking its folder, refusing a symbolic link or a
 * FIFO at its name (openChecked) and checking the opened file itself (no gap between check and
 * read). Loose modes are tightened.
 * Returns undefined when there is no file.
 */
export function readPrivateFile(file: string, what: string): Buffer | undefined {
  checkPrivateDir(dirname(file), { repair: true });
  const opened = openChecked(file, what, constants.O_RDONLY, 'read');
  if (!opened) return undefined;
  const { fd, size } = opened;
  try {
    if (size > MAX_PRIVATE_FILE_BYTES) {
      throw new OkrFileError(
        file,
        `The ${what} ${file} is ${size} bytes; okr writes it small (under ${MAX_PRIVATE_FILE_BYTES} bytes), so this is not okr's file.`,
        `Move it aside (mv ${q(file)} ${q(`${file}.bad`)}) and run the command again.`,
      );
    }
    return readAt(fd, size, 0);
  } catch (err) {
    throw fileError(file, err, 'read');
  } finally {
    closeSync(fd);
  }
}

/**
 * The last `maxBytes` of one of okr's append-only files (sync.log), opened and checked as
 * readPrivateFile does. Returns undefined when there is no file.
 */
export function readPrivateTail(file: string, what: string, maxBytes: number): Buffer | undefined {
  checkPrivateDir(dirname(file), { repair: true });
  const opened = openChecked(file, what, constants.O_RDONLY, 'read');
  if (!opened) return undefined;
  try {
    const len = Math.min(opened.size, maxBytes);
    return readAt(opened.fd, len, opened.size - len);
  } catch (err) {
    throw fileError(file, err, 'read');
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Reads one of okr's JSON files, which must hold an object. Empty, BOM-prefixed and invalid files
 * are errors that name the file and the fix; the message never quotes the content (the secrets
 * file holds secrets). Returns undefined when there is no file.
 */
export function readPrivateJson(file: string, what: string, fix: string): Record<string, unknown> | undefined {
  const buf = readPrivateFile(file, what);
  if (buf === undefined) return undefined;
  const damaged = (problem: string) =>
    new OkrFileError(file, `The ${what} ${file} ${problem}.`, `${fix}; okr changed nothing.`);
  if (buf.length === 0) throw damaged('is empty (0 bytes)');
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    throw damaged('starts with a byte-order mark (it was saved as "UTF-8 with BOM"); save it as plain UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw damaged(`is not valid JSON${at === undefined ? '' : ` (at ${lineColumn(buf, Number(at))})`}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw damaged('does not hold a JSON object');
  return parsed as Record<string, unknown>;
}

function lineColumn(buf: Buffer, pos: number): string {
  const before = buf.toString('utf8').slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}, column ${pos - before.lastIndexOf('\n')}`;
}

/**
 * Loads what writing a file needs (node:crypto, for the temp name) now, ahead of a write that is
 * coming, while the process would otherwise only wait: a sync's token refresh is on the wire.
 */
export function prepareForWrites(): void {
  process.getBuiltinModule('node:crypto');
}

/** A name nobody can guess, in the target's folder (so the rename never crosses file systems). */
function tempNameFor(file: string): string {
  // node:crypto on first use, not as an import: importing it loads ~16 modules (~5 ms and ~1.7 MB
  // resident) into every command that only reads, `okr metrics show` and `okr sync` included.
  const { randomBytes } = process.getBuiltinModule('node:crypto');
  return join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
}

/**
 * Creates a new empty temp file next to `file`, exclusively (O_CREAT|O_EXCL: a name that already
 * exists, a planted symbolic link included, is never opened; another name is drawn). The mode is
 * set on the descriptor, so the umask cannot loosen it.
 */
export function createTempFile(file: string, mode = 0o600): { path: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const path = tempNameFor(file);
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, mode);
      try {
        fchmodSync(fd, mode);
      } catch (err) {
        closeSync(fd);
        unlinkSync(path);
        throw err;
      }
      return { path, fd };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 8) continue;
      throw fileError(file, err, 'write');
    }
  }
}

/**
 * Replaces `file` atomically with `data`: exclusive temp file in the same folder, write, fsync,
 * rename, then an fsync of the folder so the rename itself survives a crash. The caller makes
 * sure the folder exists (and is private, for okr's own files).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const { path: tmp, fd } = createTempFile(file, mode);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed, or never created
    }
    throw fileError(file, err, 'write');
  }
  syncFolder(dirname(file));
}

/** fsync a folder (where the platform allows it: not on Windows). */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // Best effort: some file systems refuse fsync on a folder.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Opens one of okr's append-only files (sync.log) for appending: created 0600, never through a
 * symbolic link, never blocking on a FIFO, checked and tightened like every other file of okr's.
 * (O_NONBLOCK stays set on the descriptor; on a regular file it changes nothing.)
 */
export function openPrivateAppend(file: string, what: string): number {
  const opened = openChecked(file, what, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 'write');
  // O_CREAT: only a file removed between the create and the check is missing here.
  if (!opened) throw fileError(file, Object.assign(new Error('no such file'), { code: 'ENOENT' }), 'write');
  return opened.fd;
}
