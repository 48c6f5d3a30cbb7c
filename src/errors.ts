/**
 * Errors the user sees. Every error says what failed (`message`) and what to run (`hint`), and
 * carries the exit code the README documents. Stack traces are printed only with --verbose or
 * OKR_DEBUG=1 (see cli.ts).
 */

import { safeText } from './safe-text.js';

export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  REAUTH: 3,
  PARTIAL: 4,
  /** Interrupted by Ctrl-C (SIGINT), as shells report it (128 + the signal's number). */
  INTERRUPTED: 130,
  /** Ended by SIGHUP (the terminal went away, `kill -HUP`): 128 + 1. */
  HANGUP: 129,
  /** Ended by SIGTERM (`systemctl stop`, a shutdown, systemd's TimeoutStartSec, `kill`): 128 + 15. */
  TERMINATED: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class OkrError extends Error {
  readonly hint?: string;
  /** A list under the message, one item a line (every problem of a template). */
  readonly details?: readonly string[];
  readonly exitCode: ExitCodeValue;
  constructor(
    message: string,
    opts: { hint?: string; details?: readonly string[]; exitCode?: ExitCodeValue; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OkrError';
    this.hint = opts.hint;
    this.details = opts.details;
    this.exitCode = opts.exitCode ?? ExitCode.ERROR;
  }
}

/** Bad flags or arguments: exit code 2. */
export class UsageError extends OkrError {
  constructor(message: string, hint?: string, details?: readonly string[]) {
    super(message, { hint, details, exitCode: ExitCode.USAGE });
    this.name = 'UsageError';
  }
}

/**
 * What the sync engine can act on. A plugin maps its provider's errors to one of these.
 * - reauth: the user must run `okr connect` again (401 after a refresh, invalid_grant)
 * - scope: a scope was not granted
 * - setup: the developer's app or project is not set up for the API (not enabled, not approved)
 * - account: the signed-in account cannot use the API (no data profile, no membership)
 * - rate_limited: 429; retry after `retryAfterMs` when known
 * - transient: 5xx, network, timeouts; retry with back-off
 * - retired: 410, the provider API is gone
 * - bad_response: the provider answered with something we could not parse (or more than okr reads)
 * - redirect: the provider redirected to another origin; okr never follows (tokens would go along)
 * - client: any other 4xx (a bug in our request, or a permission problem)
 */
export type ProviderErrorCategory =
  | 'reauth'
  | 'scope'
  | 'setup'
  | 'account'
  | 'rate_limited'
  | 'transient'
  | 'retired'
  | 'bad_response'
  | 'redirect'
  /** A plugin setting okr refuses or lacks (an endpoint URL, the client secret): the user corrects it. */
  | 'settings'
  | 'client';

/** Longest provider message kept (Google's run to a few hundred characters; the rest is noise). */
export const MAX_PROVIDER_MESSAGE_LENGTH = 1000;

/**
 * An error from a provider, or about one. Its message, hint and reason carry the provider's own
 * words (error text, links from the body), so they are made safe here, once, where every plugin
 * builds them: what sync prints, stores in the database and `okr status` replays holds no
 * terminal escape (see safe-text.ts).
 */
export class ProviderError extends OkrError {
  readonly category: ProviderErrorCategory;
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The provider's machine-readable reason, e.g. `SERVICE_DISABLED`, `invalid_grant`. */
  readonly reason?: string;
  constructor(
    category: ProviderErrorCategory,
    message: string,
    opts: { hint?: string; status?: number; retryAfterMs?: number; reason?: string; cause?: unknown } = {},
  ) {
    super(safeText(message, MAX_PROVIDER_MESSAGE_LENGTH), {
      hint: opts.hint === undefined ? undefined : safeText(opts.hint, MAX_PROVIDER_MESSAGE_LENGTH),
      cause: opts.cause,
      exitCode: category === 'reauth' ? ExitCode.REAUTH : ExitCode.ERROR,
    });
    this.name = 'ProviderError';
    this.category = category;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.reason = opts.reason === undefined ? undefined : safeText(opts.reason, 200);
  }

  get retryable(): boolean {
    return this.category === 'rate_limited' || this.category === 'transient';
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

const SYSTEM_ERROR_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  ELOOP: 'too many symbolic links',
  EEXIST: 'it already exists',
  ENOENT: 'no such file or folder',
};

/** An OS error as short words and its code ("permission denied (EACCES)"), without the path. */
export function systemErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && SYSTEM_ERROR_TEXT[code]) return `${SYSTEM_ERROR_TEXT[code]} (${code})`;
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!;
}

/**
 * An OS error that reached the top without being turned into an OkrError (a folder okr may not
 * touch, a full disk) is the user's to fix, not a bug in okr: one line naming the path.
 */
export function fromSystemError(err: unknown): OkrError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || !(e.code in SYSTEM_ERROR_TEXT)) return undefined;
  const where = typeof e.path === 'string' ? e.path : undefined;
  const doing = e.syscall ? `${e.syscall} ` : '';
  // A full disk is not a permission problem: say what to free.
  const full = e.code === 'ENOSPC' || e.code === 'EDQUOT';
  const hint = full
    ? `Free some space${where ? ` where ${where} is (\`df -h '${where}'\`)` : ' (`df -h`)'}, then run the command again.`
    : where
      ? `Check that ${where} and its folder belong to you and are writable (\`ls -ld '${where}'\`); okr doctor checks okr's folders.`
      : 'Check the permissions of the files named above; okr doctor checks okr’s folders.';
  return new OkrError(`Cannot ${doing}${where ?? 'a file'}: ${systemErrorText(e)}.`, { hint, cause: err });
}
