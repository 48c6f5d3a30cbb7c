/**
 * Writing the report file: as every file named with -o (src/store/own-file.ts), with the page's
 * generator tag as okr's mark, so a report okr wrote is replaced and any other file is not.
 */
import { existingFile as existing, type OwnFileKind, writeOwnFile } from '../store/own-file.js';
import { GENERATOR } from './html.js';

export const REPORT_FILE: OwnFileKind = {
  what: 'a report okr wrote',
  defaultName: 'okr-report.html',
  isOurs: (head) => head.includes(`<meta name="generator" content="${GENERATOR} `),
};

export function existingFile(file: string) {
  return existing(file, REPORT_FILE);
}

export function writeReport(file: string, page: string, opts: { force?: boolean }): { replaced: boolean } {
  return writeOwnFile(file, page, REPORT_FILE, opts);
}
