/**
 * Writing the report file. The rules:
 * - the page goes to a temp file created exclusively next to the target, is fsynced and renamed
 *   over it (writeFileAtomic, src/store/private-files.ts): an interrupted write leaves the old file
 *   or none, never half a page, and nothing planted at the temp name is followed;
 * - mode 0600: the page holds health data;
 * - an existing file is replaced only when it is a report okr wrote (its generator tag in the first
 *   bytes); anything else (a page of the user's own, a symbolic link, a folder) is refused and left
 *   as it is, unless `--force` (which still never writes through a link: the rename replaces the
 *   link itself).
 */
import { closeSync, constants, lstatSync, openSync, readSync } from 'node:fs';
import { OkrError } from '../errors.js';
import { writeFileAtomic } from '../store/private-files.js';
import { GENERATOR } from './html.js';

/** The generator tag sits in the head, well within this. */
const SNIFF_BYTES = 4096;

export type Existing = 'none' | 'report' | 'other';

/** What is at `file` now: nothing, a report okr wrote, or something else. */
export function existingFile(file: string): Existing {
  let isFile: boolean;
  try {
    isFile = lstatSync(file).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
  if (!isFile) return 'other';
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n).toString('utf8').includes(`<meta name="generator" content="${GENERATOR} `)
      ? 'report'
      : 'other';
  } finally {
    closeSync(fd);
  }
}

export function writeReport(file: string, page: string, opts: { force?: boolean }): { replaced: boolean } {
  const existing = existingFile(file);
  if (existing === 'other' && !opts.force) {
    throw new OkrError(`${file} exists and is not a report okr wrote, so okr left it alone.`, {
      hint: 'Choose another file with -o, or add --force to replace it.',
    });
  }
  writeFileAtomic(file, page, 0o600);
  return { replaced: existing !== 'none' };
}
