/**
 * `sync.log`, written only by the scheduled job (`okr schedule run`): a start line, whatever
 * `okr sync --quiet` printed, and an end line with the exit code. Capped in size: when the file
 * reaches LOG_MAX_BYTES at the start of a run it becomes `sync.log.1` (replacing the previous
 * one), so the log never takes more than about twice that.
 */
import { lstatSync, renameSync } from 'node:fs';
import { readPrivateTail } from '../store/private-files.js';

export const LOG_MAX_BYTES = 1024 * 1024;
export const LOG_PREFIX = 'okr schedule run:';

export function rotatedLog(path: string): string {
  return `${path}.1`;
}

/**
 * Moves the log aside when it is at or over the cap. Returns true when it did. Only a regular
 * file is moved (lstat: a link is not followed); anything else is refused when the log is opened.
 */
export function rotateLog(path: string, maxBytes = LOG_MAX_BYTES): boolean {
  let size: number;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return false;
    size = st.size;
  } catch {
    return false;
  }
  if (size < maxBytes) return false;
  renameSync(path, rotatedLog(path));
  return true;
}

export function logLine(at: Date, text: string): string {
  return `[${at.toISOString()}] ${LOG_PREFIX} ${text}\n`;
}

export interface LastJob {
  /** When the run ended (or was skipped). */
  at: string;
  /** Exit code of `okr sync`; undefined when skipped. */
  exitCode?: number;
  skipped?: boolean;
  line: string;
}

/**
 * The last run's outcome, from the end of the log (reads at most the last 64 KiB). Something
 * other than a regular file at the log's name (a symbolic link, a FIFO) is an OkrFileError naming
 * it, never followed or waited on (private-files.ts).
 */
export function lastJobFromLog(path: string): LastJob | undefined {
  const tail = readPrivateTail(path, 'sync log', 64 * 1024);
  if (!tail) return undefined;
  const lines = tail.toString('utf8').split('\n').reverse();
  for (const line of lines) {
    // `not run, exit 1`: the previous run held the job lock for so long that it may be stuck.
    const m = /^\[([^\]]+)\] okr schedule run: ((?:finished|not run), exit (\d+)|skipped)/.exec(line);
    if (!m) continue;
    return m[3] !== undefined ? { at: m[1]!, exitCode: Number(m[3]), line } : { at: m[1]!, skipped: true, line };
  }
  return undefined;
}
