/**
 * Writing a file a person names with `-o` (a report page, an export). The rules:
 * - the text goes to a temp file created exclusively next to the target, is fsynced and renamed
 *   over it (writeFileAtomic, private-files.ts): an interrupted write leaves the old file or none,
 *   never half of one, and nothing planted at the temp name is followed;
 * - mode 0600: these files hold health data;
 * - an existing file is replaced only when okr wrote it (its kind's mark in the first bytes);
 *   anything else (a file of the user's own, a symbolic link) is refused and left as it is, unless
 *   `--force` (which still never writes through a link: the rename replaces the link itself). A
 *   folder is refused even with `--force`.
 */
import { closeSync, constants, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { OkrError } from '../errors.js';
import { writeFileAtomic } from './private-files.js';

/** Every kind's mark sits well within this. */
const SNIFF_BYTES = 4096;

export interface OwnFileKind {
  /** `a report okr wrote`: said when a file is refused. */
  what: string;
  /** Offered when the target is a folder: `okr-report.html`. */
  defaultName: string;
  /** True when the first bytes of a file are okr's own of this kind. */
  isOurs(head: string): boolean;
}

export type Existing = 'none' | 'ours' | 'folder' | 'other';

/** What is at `file` now: nothing, a file of this kind okr wrote, a folder, or something else. */
export function existingFile(file: string, kind: OwnFileKind): Existing {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
  if (stat.isDirectory()) return 'folder';
  if (!stat.isFile()) return 'other';
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return kind.isOurs(buf.subarray(0, n).toString('utf8')) ? 'ours' : 'other';
  } finally {
    closeSync(fd);
  }
}

export function writeOwnFile(
  file: string,
  text: string,
  kind: OwnFileKind,
  opts: { force?: boolean },
): { replaced: boolean } {
  const existing = existingFile(file, kind);
  // --force replaces a file, never a folder (the rename could not, and should not).
  if (existing === 'folder') {
    throw new OkrError(`${file} is a folder.`, { hint: `Name a file in it: -o ${join(file, kind.defaultName)}` });
  }
  if (existing === 'other' && !opts.force) {
    throw new OkrError(`${file} exists and is not ${kind.what}, so okr left it alone.`, {
      hint: 'Choose another file with -o, or add --force to replace it.',
    });
  }
  writeFileAtomic(file, text, 0o600);
  return { replaced: existing !== 'none' };
}
