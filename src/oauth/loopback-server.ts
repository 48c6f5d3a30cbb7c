/**
 * The one-shot loopback redirect server of `okr connect` (RFC 8252 §7.3): an HTTP listener on
 * 127.0.0.1 only, on a port the OS picks (or the plugin's fixed one), that waits for exactly one
 * authorization response carrying the `state` it expects.
 *
 * What it does with everything else, and why:
 * - Anything that does not carry our state (a wrong or missing state, a request made directly to
 *   the port, a stray tab) is answered and ignored: ending the flow on it would let any local
 *   page or process cancel a sign-in (RFC 9700 §4.7 CSRF; state compared in constant time).
 * - With our state: `error=...` ends the flow (the user declined, or the server refused); a
 *   response without `code` is reported and the flow keeps waiting (it cannot be completed).
 * - Once a code arrived, further callbacks (a reload, a replay) get a "already received" page.
 *   The server closes as soon as the flow ends, on timeout and on Ctrl-C, so a late callback
 *   finds the port closed.
 * - `/favicon.ico` and other paths: 404. Methods other than GET: 405. Over-long URLs: 414/431.
 *   Requests whose Host header is not the loopback address and port (DNS rebinding): 421; on
 *   port 80, http's default, the host alone is what browsers send, and it is accepted.
 *
 * The browser's request that carried the code is held open until the caller has exchanged the
 * code and knows who signed in, so the tab shows the real outcome (`CallbackHandle.respond`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { OkrError } from '../errors.js';
import { hasUnsafeChar, safeText } from '../safe-text.js';
import { NOT_FOUND_PAGE, PAGE_HEADERS, type Page, renderPage } from './pages.js';

export const LOOPBACK_HOST = '127.0.0.1';
/** Longest request target accepted; real authorization responses are far shorter. */
export const MAX_URL_LENGTH = 4096;
/** Node's own limit on the request head (its default is 16 KiB): over-long heads get a 431. */
const MAX_HEADER_SIZE = 16 * 1024;

export type CallbackFailureCode = 'timeout' | 'denied' | 'aborted';

/** How the wait ended when it did not end with a code. */
export class CallbackError extends Error {
  constructor(
    readonly code: CallbackFailureCode,
    message: string,
    /** For `denied`: the OAuth `error` value and its description, bounded and made safe (safe-text.ts). */
    readonly oauthError?: string,
    readonly oauthErrorDescription?: string,
  ) {
    super(message);
    this.name = 'CallbackError';
  }
}

export interface CallbackHandle {
  /** The authorization response parameters; `state` already matched. */
  params: URLSearchParams;
  via: 'browser' | 'paste';
  /** Shows the outcome in the browser tab that delivered the code. First call wins; no-op for a paste. */
  respond(page: Page): void;
}

/** Something arrived that did not end the flow; `connect` tells the user on the terminal. */
export interface IgnoredCallback {
  reason: 'wrong_state' | 'missing_code' | 'duplicate' | 'not_redirect';
  message: string;
}

export interface LoopbackOptions {
  state: string;
  /** Path of the redirect URI (a loopback redirect without one is `/`). */
  path?: string;
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /**
   * The exact redirect URI registered at the provider, when it is not the one the server would
   * make up (`http://localhost:8765/oura/callback`): sent as is (trimmed, byte for byte, never
   * normalized), and pasted URLs must match it.
   * An http URI on localhost or 127.0.0.1 is served on its port and path; any other (an https
   * page) is not served at all (`listen: false`), and only a pasted URL can finish the sign-in.
   */
  redirectUri?: string;
  /** False: no server, pasted URLs only (a registered redirect okr cannot listen on). */
  listen?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onIgnored?: (event: IgnoredCallback) => void;
  /** Page for a callback that ended the flow with `error=`. */
  deniedPage: (error: string, description: string | undefined) => Page;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port><path>` (or the registered URI), exactly as sent in the authorization request. */
  readonly redirectUri: string;
  /** The port listened on; 0 when not listening. */
  readonly port: number;
  readonly address: AddressInfo | undefined;
  /** Resolves with the first response that carries our state and a code. */
  wait(): Promise<CallbackHandle>;
  /**
   * Accepts the redirect URL pasted from another machine's address bar (`--no-browser`), checked
   * exactly like a callback. Returns what to tell the user.
   */
  submitPastedUrl(text: string): { accepted: boolean; message: string };
  /** Stops listening and ends every connection; answers a still-held request with `page`. */
  close(page?: Page): Promise<void>;
}

type Verdict =
  | { kind: 'code'; params: URLSearchParams }
  | { kind: 'error'; error: string; description?: string }
  | { kind: 'ignore'; status: number; event: IgnoredCallback; page: Page };

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time comparison; hashing first keeps the length of the expected value secret too. */
export function stateMatches(received: string | null | undefined, expected: string): boolean {
  if (typeof received !== 'string') return false;
  return timingSafeEqual(digest(received), digest(expected));
}

const IGNORED_PAGE_WRONG_STATE: Page = {
  status: 400,
  tone: 'failure',
  title: 'Not the sign-in okr is waiting for',
  message:
    'This response does not belong to the sign-in that `okr connect` started (its state does not match), so it was ignored.',
  details: ['If you started `okr connect` more than once, use the newest link it printed.'],
};

const MISSING_CODE_PAGE: Page = {
  status: 400,
  tone: 'failure',
  title: 'No authorization code',
  message: 'The provider redirected here without an authorization code, so the sign-in cannot finish.',
  details: ['okr is still waiting: open the link printed in the terminal again.'],
};

const DUPLICATE_PAGE: Page = {
  status: 409,
  tone: 'info',
  title: 'Already received',
  message: 'okr already received the answer to this sign-in; this repeated request was ignored.',
};

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extra,
  });
  res.end(text);
}

function sendPage(res: ServerResponse, page: Page): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(page.status, { ...PAGE_HEADERS, Connection: 'close' });
  res.end(renderPage(page));
}

/** 127.0.0.1 and localhost are the same target: a browser may show either. */
function sameRedirectTarget(url: URL, expected: URL): boolean {
  const loopback = (h: string) => h === LOOPBACK_HOST || h === 'localhost';
  const sameHost = url.hostname === expected.hostname || (loopback(url.hostname) && loopback(expected.hostname));
  return (
    url.protocol === expected.protocol && sameHost && url.port === expected.port && url.pathname === expected.pathname
  );
}

export async function startLoopbackServer(opts: LoopbackOptions): Promise<LoopbackServer> {
  // The registered URI is sent as configured, byte for byte (providers such as Oura and Withings
  // compare it as text; `URL.href` would add a `/`, lowercase the host, drop a default port); the
  // parsed form only says where to listen and which pasted URLs match.
  const configured = opts.redirectUri?.trim() || undefined;
  if (configured !== undefined && hasUnsafeChar(configured)) {
    throw new OkrError(`The registered redirect URI holds a control or bidi character: ${safeText(configured)}`, {
      hint: "Fix the redirect URI setting (`okr config list` shows it): copy it again from the provider's console.",
    });
  }
  const registered = configured !== undefined ? new URL(configured) : undefined;
  const path = registered?.pathname ?? opts.path ?? '/';
  if (!path.startsWith('/')) throw new Error(`redirect path must start with "/": ${path}`);
  const listen = opts.listen !== false;

  let settled = false;
  let codeReceived = false;
  let resolveWait!: (h: CallbackHandle) => void;
  let rejectWait!: (e: unknown) => void;
  const waiting = new Promise<CallbackHandle>((res, rej) => {
    resolveWait = res;
    rejectWait = rej;
  });
  // A rejection nobody awaits yet (e.g. Ctrl-C before `wait()`) must not crash the process.
  waiting.catch(() => {});
  let held: ServerResponse | undefined;
  const sockets = new Set<Socket>();

  const server = createServer({ maxHeaderSize: MAX_HEADER_SIZE, requestTimeout: 30_000, headersTimeout: 20_000 });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Malformed or over-long request heads: answer briefly and drop the socket, never crash.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  });

  function evaluate(url: URL): Verdict {
    const q = url.searchParams;
    const state = q.get('state');
    if (!stateMatches(state, opts.state)) {
      const hasOAuthParams = q.has('code') || q.has('error') || q.has('state');
      return {
        kind: 'ignore',
        status: 400,
        page: IGNORED_PAGE_WRONG_STATE,
        event: {
          reason: hasOAuthParams ? 'wrong_state' : 'not_redirect',
          message: hasOAuthParams
            ? 'Ignored a redirect whose state does not match this sign-in (a stale tab, or a forged request).'
            : 'Ignored a request without an authorization response.',
        },
      };
    }
    if (codeReceived || settled) {
      return {
        kind: 'ignore',
        status: 409,
        page: DUPLICATE_PAGE,
        event: {
          reason: 'duplicate',
          message: 'Ignored a repeated redirect: the answer to this sign-in was already received.',
        },
      };
    }
    const error = q.get('error');
    // Whoever sent the redirect chose these words: bounded, and safe to print and store from here on.
    if (error) {
      const description = q.get('error_description');
      return {
        kind: 'error',
        error: safeText(error, 200),
        description: description ? safeText(description, 500) : undefined,
      };
    }
    const code = q.get('code');
    if (!code) {
      return {
        kind: 'ignore',
        status: 400,
        page: MISSING_CODE_PAGE,
        event: {
          reason: 'missing_code',
          message: 'The provider redirected back without an authorization code; still waiting.',
        },
      };
    }
    return { kind: 'code', params: new URLSearchParams(q) };
  }

  /** Applies a verdict; returns the page to show for non-held outcomes. */
  function apply(v: Verdict, via: 'browser' | 'paste', res?: ServerResponse): Page | undefined {
    if (v.kind === 'ignore') {
      // A paste reports back to its caller directly; only browser requests go to the listener.
      if (via === 'browser') opts.onIgnored?.(v.event);
      return v.page;
    }
    if (v.kind === 'error') {
      finish();
      rejectWait(
        new CallbackError(
          'denied',
          v.error === 'access_denied'
            ? 'Access was denied in the browser.'
            : `The authorization server answered "${v.error}".`,
          v.error,
          v.description,
        ),
      );
      return opts.deniedPage(v.error, v.description);
    }
    codeReceived = true;
    clearTimeout(timer);
    let responded = false;
    if (res) held = res;
    resolveWait({
      params: v.params,
      via,
      respond(page) {
        if (responded) return;
        responded = true;
        if (res) {
          sendPage(res, page);
          if (held === res) held = undefined;
        }
      },
    });
    return undefined;
  }

  type Reply = { text: string; status: number; headers?: Record<string, string> } | { page: Page } | 'held';

  /** Decides the answer to one browser request; `held` means the caller answers later. */
  function onRequest(req: IncomingMessage, res: ServerResponse): Reply {
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > MAX_URL_LENGTH) return { status: 414, text: 'URI too long.\n' };
    const port = (server.address() as AddressInfo | null)?.port;
    const host = (req.headers.host ?? '').toLowerCase();
    // On http's default port a browser sends the host alone (`Host: localhost`, RFC 9110 §7.2).
    const bare = port === 80 && (host === LOOPBACK_HOST || host === 'localhost');
    if (host !== `${LOOPBACK_HOST}:${port}` && host !== `localhost:${port}` && !bare) {
      return { status: 421, text: 'Misdirected request.\n' };
    }
    let url: URL;
    try {
      url = new URL(rawUrl, `http://${LOOPBACK_HOST}:${port}`);
    } catch {
      return { status: 400, text: 'Bad request.\n' };
    }
    if (url.pathname !== path)
      return url.pathname === '/favicon.ico' ? { status: 404, text: '' } : { page: NOT_FOUND_PAGE };
    if (req.method !== 'GET') return { status: 405, text: 'Method not allowed.\n', headers: { Allow: 'GET' } };
    const page = apply(evaluate(url), 'browser', res);
    return page ? { page } : 'held';
  }
  server.on('request', (req, res) => {
    let reply: Reply;
    try {
      reply = onRequest(req, res);
    } catch {
      reply = { status: 500, text: 'Internal error.\n' };
    }
    if (reply === 'held') return;
    if ('page' in reply) sendPage(res, reply.page);
    else plain(res, reply.status, reply.text, reply.headers);
  });

  if (listen)
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      // Bound to the IPv4 loopback literal only (RFC 8252 §8.3): never 0.0.0.0, never `localhost`.
      const port = registered ? Number(registered.port || 80) : (opts.port ?? 0);
      server.listen({ host: LOOPBACK_HOST, port, exclusive: true });
    });
  // A later error (rare: EMFILE on accept) must not crash the process.
  server.on('error', () => {});

  const address = listen ? (server.address() as AddressInfo) : undefined;
  const redirectUri = configured ?? `http://${LOOPBACK_HOST}:${address!.port}${path}`;
  const expected = registered ?? new URL(redirectUri);

  let closing: Promise<void> | undefined;
  function finish(): void {
    settled = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }

  const timer = setTimeout(() => {
    if (settled || codeReceived) return;
    finish();
    rejectWait(new CallbackError('timeout', 'No answer from the browser in time.'));
    void close();
  }, opts.timeoutMs);
  timer.unref?.();

  function onAbort(): void {
    // Once a code is in, the caller owns the rest (its requests see the same signal).
    if (settled || codeReceived) return;
    finish();
    rejectWait(new CallbackError('aborted', 'Interrupted.'));
    void close();
  }
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  function close(page?: Page): Promise<void> {
    if (!settled) {
      finish();
      if (!codeReceived) rejectWait(new CallbackError('aborted', 'The sign-in was cancelled.'));
    }
    if (held) {
      sendPage(
        held,
        page ?? {
          status: 500,
          tone: 'failure',
          title: 'Sign-in stopped',
          message: 'okr stopped before finishing the sign-in; see the terminal.',
        },
      );
      held = undefined;
    }
    closing ??= new Promise<void>((resolve) => {
      if (!listen) return resolve();
      server.close(() => resolve());
      server.closeIdleConnections();
      // Responses in flight carry `Connection: close`; give them a moment to flush, then cut.
      const hard = setTimeout(() => {
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }, 1000);
      hard.unref?.();
    });
    return closing;
  }

  return {
    redirectUri,
    port: address?.port ?? 0,
    address,
    wait: () => waiting,
    submitPastedUrl(text) {
      const trimmed = text.trim();
      if (trimmed === '') return { accepted: false, message: '' };
      if (settled || codeReceived)
        return { accepted: false, message: 'The sign-in already finished; nothing to paste.' };
      let url: URL;
      try {
        url = new URL(trimmed);
      } catch {
        return {
          accepted: false,
          message: `That is not a URL. Paste the full address that starts with ${redirectUri}`,
        };
      }
      if (!sameRedirectTarget(url, expected) || trimmed.length > MAX_URL_LENGTH) {
        return {
          accepted: false,
          message: `That is not this sign-in's redirect. Paste the full address that starts with ${redirectUri}`,
        };
      }
      const v = evaluate(url);
      apply(v, 'paste');
      if (v.kind === 'ignore') return { accepted: false, message: v.event.message };
      return {
        accepted: true,
        message: v.kind === 'code' ? 'Got the authorization response.' : 'The provider refused the sign-in.',
      };
    },
    close,
  };
}
