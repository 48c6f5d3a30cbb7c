/**
 * A request that okr's HTTP policy stopped (src/http/provider-fetch.ts, headers.ts): a redirect to
 * another origin, a body over the size cap, no answer before the deadline, or a header value HTTP
 * does not allow. Its text never holds a header value, a body or a token: only the status, the
 * redirect's target origin, the cap, the deadline and the header's name.
 *
 * Callers turn it into their own error with `describe(subject)`, e.g. "Google Health API answered
 * with a redirect (HTTP 307) to another origin (https://example.com), which okr does not follow".
 */

export type HttpPolicyKind = 'redirect' | 'too_large' | 'deadline' | 'bad_header';

export class HttpPolicyError extends Error {
  readonly kind: HttpPolicyKind;
  /** Only a missed deadline is worth another attempt; the others would fail the same way. */
  readonly retryable: boolean;
  readonly status?: number;
  /** `describe(subject)` puts the subject in front of this. */
  private readonly predicate: string;

  constructor(kind: HttpPolicyKind, predicate: string, opts: { status?: number; retryable?: boolean } = {}) {
    super(`the server ${predicate}`);
    this.name = 'HttpPolicyError';
    this.kind = kind;
    this.predicate = predicate;
    this.status = opts.status;
    this.retryable = opts.retryable ?? kind === 'deadline';
  }

  /** One clause naming who failed: `${subject} answered with a redirect …`. */
  describe(subject: string): string {
    return `${subject} ${this.predicate}`;
  }
}

/** `30 s`, `1.5 s`. */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

/** `4 MiB`, `512 KiB`, `900 bytes`. */
export function bytesText(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
