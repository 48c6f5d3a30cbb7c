/**
 * Writing the report file: a new file appears whole with mode 0600; a report okr wrote is
 * replaced; anything else is refused and left as it was (unless --force, which still never writes
 * through a symbolic link); a failed write leaves no temp file behind.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existingFile, writeReport } from '../../src/report/write.js';
import { writeFileAtomic } from '../../src/store/private-files.js';
import { tempDir } from '../helpers/home.js';

const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><meta name="generator" content="okr report 1"></head></html>';

describe('writeReport', () => {
  it('writes a new file, mode 0600, then replaces it as a report of its own', () => {
    const dir = tempDir();
    const file = join(dir, 'r.html');
    expect(writeReport(file, PAGE, {})).toEqual({ replaced: false });
    expect(readFileSync(file, 'utf8')).toBe(PAGE);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(existingFile(file)).toBe('ours');
    const next = PAGE.replace('</html>', '<p>new</p></html>');
    expect(writeReport(file, next, {})).toEqual({ replaced: true });
    expect(readFileSync(file, 'utf8')).toBe(next);
    expect(readdirSync(dir)).toEqual(['r.html']);
  });

  it('refuses a file okr did not write, and leaves it as it was; --force replaces it', () => {
    const dir = tempDir();
    const file = join(dir, 'notes.html');
    writeFileSync(file, '<html><p>my own page</p></html>');
    expect(() => writeReport(file, PAGE, {})).toThrow(/is not a report okr wrote, so okr left it alone/);
    expect(readFileSync(file, 'utf8')).toBe('<html><p>my own page</p></html>');
    writeReport(file, PAGE, { force: true });
    expect(readFileSync(file, 'utf8')).toBe(PAGE);
  });

  it('a folder is refused as a folder, even with --force, and left as it was', () => {
    const dir = tempDir();
    const folder = join(dir, 'reports');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.txt'), 'mine');
    expect(existingFile(folder)).toBe('folder');
    for (const force of [false, true]) {
      expect(() => writeReport(folder, PAGE, { force })).toThrow(/reports is a folder\.$/);
    }
    expect(readdirSync(folder)).toEqual(['keep.txt']);
    expect(readdirSync(dir)).toEqual(['reports']);
  });

  it('never writes through a symbolic link: refused, and --force replaces the link itself', () => {
    const dir = tempDir();
    const target = join(dir, 'elsewhere.html');
    writeFileSync(target, PAGE); // even a report, behind a link, is not replaced through it
    const link = join(dir, 'r.html');
    symlinkSync(target, link);
    expect(existingFile(link)).toBe('other');
    expect(() => writeReport(link, PAGE.replace('</html>', 'x</html>'), {})).toThrow(/not a report okr wrote/);
    writeReport(link, `${PAGE}x`, { force: true });
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe(PAGE);
  });

  it('a failed write (no folder, a read-only folder) is one error and leaves nothing behind', () => {
    const dir = tempDir();
    expect(() => writeReport(join(dir, 'missing', 'r.html'), PAGE, {})).toThrow(/Cannot write/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    // The rename fails (a folder took the name after writeReport looked; here, straight into the
    // writer): the temp file written beside it is removed.
    const taken = join(dir, 'taken.html');
    mkdirSync(taken);
    writeFileSync(join(taken, 'keep'), 'x');
    expect(() => writeFileAtomic(taken, PAGE)).toThrow(/Cannot write/);
    expect(readdirSync(dir).sort()).toEqual(['taken.html']);
    expect(readdirSync(taken)).toEqual(['keep']);
    if (process.getuid?.() === 0) return; // root writes into read-only folders
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    try {
      expect(() => writeReport(join(ro, 'r.html'), PAGE, {})).toThrow(/Cannot write/);
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      chmodSync(ro, 0o700);
    }
  });
});
