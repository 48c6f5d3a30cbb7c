/**
 * Helpers for the connect/status/disconnect tests:
 * - `startCli`: runs `okr …` in-process like runCli, but lets the test read output while the
 *   command runs and write to its stdin (for `--no-browser` pastes);
 * - `fetchBrowser`: an injected `openBrowser` that plays the browser with fetch: follows
 *   redirects by hand (with a cookie jar, for oidc-provider's interaction cookies) until it
 *   reaches the loopback server, and records every hop;
 * - `closedPort`, `refuses`: to prove a server is gone.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli.js';
import type { ContextOptions } from '../../src/context.js';
import { createIO } from '../../src/io.js';
import type { RunResult } from '../helpers/cli.js';

export interface LiveRun {
  stdin: PassThrough;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr+stdout match `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<RunResult>;
}

export function startCli(
  args: string[],
  opts: Omit<ContextOptions, 'io' | 'env'> & {
    home: string;
    env?: Record<string, string | undefined>;
    endStdin?: boolean;
    /** Make stdin and stdout claim to be a terminal (prompts are shown). */
    tty?: boolean;
  },
): LiveRun {
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (opts.tty) stdin.isTTY = true;
  if (opts.endStdin !== false) stdin.end();
  const env = { ...process.env, ...opts.env, OKR_HOME: opts.home };
  // Real streams: a prompt (inquirer) pipes into stdout and listens on it. Like process.stdout,
  // they ignore end(): a pipe never ends the real stdout, so a prompt must not end ours.
  const sink = (append: (s: string) => void, tty: boolean) => {
    const w = new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        notify();
        cb();
      },
    });
    return Object.assign(w, { isTTY: tty, columns: 80, end: () => w });
  };
  const io = createIO({
    stdout: sink((s) => (out += s), opts.tty ?? false),
    stderr: sink((s) => (err += s), false),
    stdin,
    env,
  });
  const { home: _h, env: _e, endStdin: _s, tty: _t, ...rest } = opts;
  const done = main(['node', 'okr', ...args], {
    ...rest,
    env,
    io,
    signal: rest.signal ?? new AbortController().signal,
  }).then((code) => ({ code, stdout: out, stderr: err }));
  return {
    stdin,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(re, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = (err + out).match(re);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${re}\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        listeners.add(check);
        check();
        // The command may finish without ever printing it.
        void done.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`command ended without printing ${re}\nstdout: ${out}\nstderr: ${err}`));
          }
        });
      });
    },
  };
}

export interface Hop {
  url: string;
  status: number;
  location?: string;
  body?: string;
}

/**
 * A scripted browser. `openBrowser` must return at once (a real browser does not wait for the
 * sign-in), so the navigation runs in the background; `finished` resolves with every hop.
 * `interact(hop)` may answer an HTML page (e.g. oidc-provider's interaction) with a next URL.
 */
export function fetchBrowser(opts: { maxHops?: number; onUrl?: (url: string) => void } = {}) {
  const hops: Hop[] = [];
  const cookies = new Map<string, string>();
  let resolveFinished!: (h: Hop[]) => void;
  let rejectFinished!: (e: unknown) => void;
  const finished = new Promise<Hop[]>((res, rej) => {
    resolveFinished = res;
    rejectFinished = rej;
  });
  finished.catch(() => {});
  let openedUrl: string | undefined;

  async function navigate(start: string): Promise<void> {
    let url = start;
    for (let i = 0; i < (opts.maxHops ?? 20); i++) {
      const headers: Record<string, string> = {};
      if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { redirect: 'manual', headers });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      }
      const location = res.headers.get('location') ?? undefined;
      const hop: Hop = { url, status: res.status, location };
      hops.push(hop);
      if (location && res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        url = new URL(location, url).href;
        continue;
      }
      hop.body = await res.text();
      return;
    }
    throw new Error('too many redirects');
  }

  return {
    hops,
    finished,
    get openedUrl() {
      return openedUrl;
    },
    openBrowser: async (url: string) => {
      openedUrl = url;
      opts.onUrl?.(url);
      navigate(url).then(
        () => resolveFinished(hops),
        (e) => rejectFinished(e),
      );
    },
  };
}

/** True when nothing accepts TCP connections on 127.0.0.1:port (or `host`). */
export function refuses(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(true));
  });
}

/**
 * A port on 127.0.0.1 that was free a moment ago and now has nothing listening, for a redirect
 * URI that a later `okr connect` listens on. Taken below the kernel's ephemeral range: a port
 * from that range (what listen(0) gives) can meanwhile become the local end of another test's
 * outgoing connection, and connect then finds it in use (seen once in CI).
 */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const listenOn = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const bound = (srv.address() as { port: number }).port;
        srv.close(() => resolve(bound));
      });
    });
  const low = ephemeralRangeStart();
  for (let i = 0; i < 50 && low > 10_000; i++) {
    const port = await listenOn(10_000 + Math.floor(Math.random() * (low - 10_000)));
    if (port !== undefined) return port;
  }
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** The first port Linux hands out for outgoing connections (32768 when it cannot be read). */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 1024 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Every known secret that must never appear in output. */
export function leaks(output: string, secrets: Array<string | undefined>): string[] {
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6 && output.includes(s));
}

/** The loopback port from a printed authorization URL. */
export function redirectPort(authUrl: string): number {
  return Number(new URL(new URL(authUrl).searchParams.get('redirect_uri')!).port);
}

/** The files of an OKR_HOME. */
export function homeFiles(home: string) {
  return { secrets: `${home}/config/secrets.json`, db: `${home}/data/okr.db`, conf: `${home}/config/config.json` };
}
