/**
 * Opens the SQLite file: WAL (readers never block the hourly sync), a busy timeout (two
 * processes queue instead of failing with SQLITE_BUSY), foreign keys, and migrations.
 *
 * The file is one of okr's private files (private-files.ts): a regular file, never a symbolic
 * link, owned by the user and 0600 (a looser mode is tightened on every read-write open). A new
 * database is built under an exclusive temp name and linked into place whole, so okr never
 * leaves an empty okr.db behind: a zero-byte okr.db was truncated by something else, and okr
 * refuses it instead of silently starting a new, empty database over it.
 */
import { closeSync, existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { OkrError } from '../errors.js';
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from './migrations.js';
import { checkPrivateFile, createTempFile, ensurePrivateDir, OkrFileError, syncFolder } from './private-files.js';

export type Db = Database.Database;

// better-sqlite3's JavaScript is bundled with okr (loading its dozen CommonJS files costs ~4 ms
// at every start); its native addon is loaded here, by path, on the first open. Passing the
// addon also skips the `bindings` helper, which searches a dozen paths for it, and which could
// not find it from inside a bundle anyway.
let addon: object | undefined;
function nativeAddon(): object {
  if (!addon) {
    const require = createRequire(import.meta.url);
    addon = require(require.resolve('better-sqlite3/build/Release/better_sqlite3.node')) as object;
  }
  return addon;
}

export const BUSY_TIMEOUT_MS = 10_000;

export interface OpenOptions {
  readonly?: boolean;
  /** For tests of older versions: stop migrating at this version. */
  targetVersion?: number;
  migrations?: Migration[];
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const repair = !opts.readonly;
  let size: number | undefined;
  try {
    // Inside the try: on a read-only file system even the chmod of an existing folder fails
    // (EROFS), and that must read as "cannot write the database", not as a crash.
    if (repair) ensurePrivateDir(dirname(file));
    size = checkPrivateFile(file, 'database', { repair });
    if (size === undefined && opts.readonly) {
      throw new OkrError(`No database at ${file}.`, { hint: 'Run `okr sync` or `okr demo` to create one.' });
    }
    if (size === 0) {
      throw new OkrFileError(
        file,
        `The database ${file} is empty (0 bytes): okr never leaves it so, something else truncated it.`,
        `Restore it from a backup, or remove it to start over (rm '${file}'; synced values can be synced again); okr changed nothing.`,
      );
    }
    // SQLite gives its -wal and -shm files the database's mode; tighten ones a looser file left.
    for (const side of ['-wal', '-shm']) checkPrivateFile(`${file}${side}`, 'database', { repair });
    if (size === undefined) createDatabase(file, opts);
  } catch (err) {
    throw err instanceof OkrError ? err : databaseError(file, err);
  }
  const db = connect(file, opts);
  try {
    if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS, opts.targetVersion);
    else checkVersion(db, opts.migrations ?? MIGRATIONS);
  } catch (err) {
    db.close();
    throw err instanceof OkrError ? err : databaseError(file, err);
  }
  return db;
}

/** Opens `path` (which exists); errors name `file`, the database the user knows. */
function connect(path: string, opts: OpenOptions, file = path): Db {
  let db: Db | undefined;
  try {
    db = new Database(path, {
      // Typed as a path in @types/better-sqlite3; the addon object itself is accepted too.
      nativeBinding: nativeAddon() as unknown as string,
      readonly: opts.readonly ?? false,
      fileMustExist: true,
      timeout: BUSY_TIMEOUT_MS,
    });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // WAL with synchronous=NORMAL is durable across application crashes (only an OS crash can
    // lose the last commit), and much faster for the many small sync transactions.
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (err) {
    db?.close();
    throw databaseError(file, err);
  }
}

/**
 * Builds a new database (WAL, schema) in an exclusive 0600 temp file next to `file`, then links
 * it into place. When another okr created `file` first, theirs is kept and this one dropped.
 */
function createDatabase(file: string, opts: OpenOptions): void {
  const { path: tmp, fd } = createTempFile(file);
  closeSync(fd);
  try {
    const db = connect(tmp, opts, file);
    try {
      migrate(db, opts.migrations ?? MIGRATIONS, opts.targetVersion);
    } finally {
      db.close(); // checkpoints: everything is in the temp file itself, no -wal left
    }
    try {
      linkSync(tmp, file); // never replaces: fails with EEXIST when another okr was first
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // A file system without hard links: a rename, unless another okr was first after all.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      if (!existsSync(file)) renameSync(tmp, file);
    }
    syncFolder(dirname(file));
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkVersion(db: Db, migrations: Migration[]): number {
  const current = schemaVersion(db);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new OkrError(
      `The database is at schema version ${current}, but this okr only knows up to version ${latest}.`,
      { hint: 'It was written by a newer okr. Upgrade okr (npm install -g okr@latest); nothing was changed.' },
    );
  }
  return current;
}

export function migrate(db: Db, migrations: Migration[] = MIGRATIONS, targetVersion = SCHEMA_VERSION): void {
  const current = checkVersion(db, migrations);
  for (const m of migrations) {
    if (m.version <= current || m.version > targetVersion) continue;
    // BEGIN IMMEDIATE: two processes opening a fresh file at once must not both migrate.
    const run = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
    run.immediate();
  }
}

export function databaseError(file: string, err: unknown): OkrError {
  const code = (err as { code?: string }).code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  // The native addon was built for another Node.js (Node was upgraded under okr).
  if (code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION/.test(msg)) {
    return new OkrError(`Cannot load the SQLite driver: ${msg.replace(/\s*\n\s*/g, ' ')}`, {
      hint: "Rebuild it for this Node.js: run `npm rebuild better-sqlite3` in okr's folder, or reinstall okr.",
      cause: err,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(msg)) {
    return new OkrError(`The database ${file} is damaged (${msg}).`, {
      hint: 'Run `okr doctor`; restore a backup, or move the file aside to start over (synced values can be synced again).',
      cause: err,
    });
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS') {
    return new OkrError(`Cannot write the database ${file} (${msg}).`, {
      hint: `Check that the folder ${dirname(file)} exists and is writable by you (okr doctor checks it).`,
      cause: err,
    });
  }
  if (code === 'SQLITE_FULL' || /disk is full|ENOSPC/i.test(msg)) {
    return new OkrError(`The disk holding ${file} is full.`, {
      hint: 'Free some space and run the command again; nothing was half-written.',
      cause: err,
    });
  }
  return new OkrError(`Database error on ${file}: ${msg}`, {
    hint: 'Run `okr doctor` to check the database.',
    cause: err,
  });
}
