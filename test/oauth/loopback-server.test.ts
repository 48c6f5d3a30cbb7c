/**
 * The loopback redirect server against hostile and broken callbacks. Every case checks that the
 * flow does (or does not) end, what the browser is shown, and that no server is left running.
 */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CallbackError,
  type IgnoredCallback,
  type LoopbackServer,
  MAX_URL_LENGTH,
  startLoopbackServer,
  stateMatches,
} from '../../src/oauth/loopback-server.js';
import { deniedPage } from '../../src/oauth/pages.js';
import { closedPort, refuses } from './helpers.js';

const STATE = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo';
let server: LoopbackServer | undefined;
let ignored: IgnoredCallback[];

afterEach(async () => {
  if (server) {
    await server.close();
    // Whatever happened in the test, nothing listens any more.
    expect(await refuses(server.port)).toBe(true);
  }
  server = undefined;
});

async function start(opts: { timeoutMs?: number; signal?: AbortSignal; path?: string } = {}) {
  ignored = [];
  server = await startLoopbackServer({
    state: STATE,
    path: opts.path ?? '/',
    timeoutMs: opts.timeoutMs ?? 10_000,
    signal: opts.signal,
    onIgnored: (e) => ignored.push(e),
    deniedPage: (error, description) => deniedPage('Test Service', error, description),
  });
  return server;
}

interface Raw {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function raw(
  port: number,
  path: string,
  opts: { method?: string; host?: string; headers?: Record<string, string> } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: { ...(opts.host ? { host: opts.host } : {}), ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Whether `p` is still pending after the event loop had a chance to settle it. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return !done;
}

describe('stateMatches', () => {
  it('compares exactly, in constant time, and rejects missing values', () => {
    expect(stateMatches(STATE, STATE)).toBe(true);
    expect(stateMatches(`${STATE}x`, STATE)).toBe(false);
    expect(stateMatches(STATE.slice(0, -1), STATE)).toBe(false);
    expect(stateMatches('', STATE)).toBe(false);
    expect(stateMatches(null, STATE)).toBe(false);
    expect(stateMatches(undefined, STATE)).toBe(false);
  });
});

describe('loopback server', () => {
  it('binds 127.0.0.1 only, on a port the OS chose, and builds the redirect URI from it', async () => {
    const s = await start({ path: '/callback' });
    expect(s.address?.address).toBe('127.0.0.1');
    expect(s.address?.family).toBe('IPv4');
    expect(s.port).toBeGreaterThan(0);
    expect(s.redirectUri).toBe(`http://127.0.0.1:${s.port}/callback`);
    // Not reachable on IPv6 loopback, nor on any other address of this machine.
    expect(await refuses(s.port, '::1')).toBe(true);
    // Another address of the loopback network: the bind is to the one address, not 127/8.
    expect(await refuses(s.port, '127.0.0.2')).toBe(true);
    // This machine's own non-loopback addresses (local traffic only; link-local IPv6 needs a scope).
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
      .map((a) => a!.address);
    for (const addr of others) expect(await refuses(s.port, addr)).toBe(true);
    // Still reachable on 127.0.0.1 (so "refuses" above is not vacuous).
    expect(await refuses(s.port)).toBe(false);
  });

  it('ends with the parameters of the callback that carries our state and a code', async () => {
    const s = await start();
    const got = s.wait();
    const resP = raw(s.port, `/?state=${STATE}&code=abc123&scope=read`);
    const h = await got;
    expect(h.via).toBe('browser');
    expect(h.params.get('code')).toBe('abc123');
    expect(h.params.get('scope')).toBe('read');
    // The browser's request is held until the caller says how it went.
    expect(await pending(resP)).toBe(true);
    h.respond({ status: 200, tone: 'success', title: 'Connected to Test Service', message: 'as acct-1' });
    const res = await resP;
    expect(res.status).toBe(200);
    expect(res.body).toContain('<span id="title">Connected to Test Service</span>');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('ignores a wrong state (forged or stale) and keeps waiting', async () => {
    const s = await start();
    const got = s.wait();
    const res = await raw(s.port, '/?state=not-our-state&code=attacker-code');
    expect(res.status).toBe(400);
    expect(res.body).toContain('Not the sign-in okr is waiting for');
    // Even an error with a wrong state must not end the flow (anyone could send it).
    const res2 = await raw(s.port, '/?state=nope&error=access_denied');
    expect(res2.status).toBe(400);
    expect(ignored.map((e) => e.reason)).toEqual(['wrong_state', 'wrong_state']);
    expect(await pending(got)).toBe(true);
    void raw(s.port, `/?state=${STATE}&code=real`);
    expect((await got).params.get('code')).toBe('real');
  });

  it('a callback without a code is reported and the flow keeps waiting', async () => {
    const s = await start();
    const got = s.wait();
    const res = await raw(s.port, `/?state=${STATE}`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('No authorization code');
    expect(ignored).toEqual([
      { reason: 'missing_code', message: 'The provider redirected back without an authorization code; still waiting.' },
    ]);
    // A request with no parameters at all (someone opened the port in a tab).
    expect((await raw(s.port, '/')).status).toBe(400);
    expect(ignored[1]!.reason).toBe('not_redirect');
    expect(await pending(got)).toBe(true);
  });

  it('error=access_denied with our state ends the flow with a clear page', async () => {
    const s = await start();
    const got = s.wait();
    const res = await raw(s.port, `/?state=${STATE}&error=access_denied`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('Access was not granted');
    expect(res.body).toContain('You declined access, so okr is not connected to Test Service.');
    const err = await got.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackError);
    expect((err as CallbackError).code).toBe('denied');
    expect((err as CallbackError).oauthError).toBe('access_denied');
  });

  it('other error values end the flow and show the description, escaped', async () => {
    const s = await start();
    const got = s.wait();
    const res = await raw(
      s.port,
      `/?state=${STATE}&error=invalid_scope&error_description=${encodeURIComponent('<b>bad</b> scope')}`,
    );
    expect(res.body).toContain(
      'Test Service answered with the error &#34;invalid_scope&#34;: &#60;b&#62;bad&#60;/b&#62; scope',
    );
    expect(res.body).not.toContain('<b>bad</b>');
    const err = (await got.catch((e: unknown) => e)) as CallbackError;
    expect([err.code, err.oauthError, err.oauthErrorDescription]).toEqual([
      'denied',
      'invalid_scope',
      '<b>bad</b> scope',
    ]);
  });

  it('a second callback after success is answered "already received", then finds the port closed', async () => {
    const s = await start();
    const got = s.wait();
    const first = raw(s.port, `/?state=${STATE}&code=one`);
    const h = await got;
    const replay = await raw(s.port, `/?state=${STATE}&code=one`);
    expect(replay.status).toBe(409);
    expect(replay.body).toContain('Already received');
    expect(ignored.map((e) => e.reason)).toEqual(['duplicate']);
    h.respond({ status: 200, tone: 'success', title: 'ok', message: 'ok' });
    expect((await first).status).toBe(200);
    await s.close();
    expect(await refuses(s.port)).toBe(true);
    await expect(raw(s.port, `/?state=${STATE}&code=one`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a callback after the timeout finds the port closed', async () => {
    const s = await start({ timeoutMs: 150 });
    const err = (await s.wait().catch((e: unknown) => e)) as CallbackError;
    expect(err.code).toBe('timeout');
    // The server closed itself on timeout.
    await new Promise((r) => setTimeout(r, 50));
    expect(await refuses(s.port)).toBe(true);
    await expect(raw(s.port, `/?state=${STATE}&code=late`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('/favicon.ico and other paths get a 404 without ending the flow', async () => {
    const s = await start({ path: '/cb' });
    const got = s.wait();
    const fav = await raw(s.port, '/favicon.ico');
    expect([fav.status, fav.body]).toEqual([404, '']);
    const other = await raw(s.port, `/elsewhere?state=${STATE}&code=x`);
    expect(other.status).toBe(404);
    expect(other.body).toContain('only receives the sign-in redirect');
    // The right query on the wrong path does not count; on the right path it does.
    expect(await pending(got)).toBe(true);
    void raw(s.port, `/cb?state=${STATE}&code=x`);
    expect((await got).params.get('code')).toBe('x');
  });

  it('an over-long query string is refused (414, or 431 past Node’s header limit) and the server keeps going', async () => {
    const s = await start();
    const got = s.wait();
    const long = await raw(s.port, `/?state=${STATE}&code=x&pad=${'a'.repeat(MAX_URL_LENGTH)}`);
    expect(long.status).toBe(414);
    // Past 16 KiB Node's parser rejects the request head itself.
    const huge = await raw(s.port, `/?state=${STATE}&code=x&pad=${'a'.repeat(20_000)}`).catch(
      (e: NodeJS.ErrnoException) => e,
    );
    if (huge instanceof Error) expect(huge.code).toMatch(/ECONNRESET|EPIPE/);
    else expect(huge.status).toBe(431);
    expect(await pending(got)).toBe(true);
    void raw(s.port, `/?state=${STATE}&code=ok`);
    expect((await got).params.get('code')).toBe('ok');
  });

  it('methods other than GET get a 405 and do not complete the flow', async () => {
    const s = await start();
    const got = s.wait();
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      const res = await raw(s.port, `/?state=${STATE}&code=posted`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET');
    }
    expect(await pending(got)).toBe(true);
  });

  it('a Host header other than the loopback address (DNS rebinding) gets a 421', async () => {
    const s = await start();
    const got = s.wait();
    const res = await raw(s.port, `/?state=${STATE}&code=x`, { host: `evil.example:${s.port}` });
    expect(res.status).toBe(421);
    expect(await pending(got)).toBe(true);
    // `localhost:<port>` is the same machine and accepted.
    void raw(s.port, `/?state=${STATE}&code=y`, { host: `localhost:${s.port}` });
    expect((await got).params.get('code')).toBe('y');
  });

  it('Ctrl-C (the abort signal) ends the wait and closes the server', async () => {
    const ac = new AbortController();
    const s = await start({ signal: ac.signal });
    const got = s.wait();
    ac.abort();
    const err = (await got.catch((e: unknown) => e)) as CallbackError;
    expect(err.code).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    expect(await refuses(s.port)).toBe(true);
  });

  it('close() answers a held browser request instead of leaving it hanging', async () => {
    const s = await start();
    const got = s.wait();
    const resP = raw(s.port, `/?state=${STATE}&code=x`);
    await got;
    await s.close({ status: 500, tone: 'failure', title: 'Sign-in stopped', message: 'see the terminal' });
    const res = await resP;
    expect(res.status).toBe(500);
    expect(res.body).toContain('Sign-in stopped');
  });

  it('a pasted redirect URL is checked exactly like a callback', async () => {
    const s = await start({ path: '/' });
    const got = s.wait();
    expect(s.submitPastedUrl('').accepted).toBe(false);
    expect(s.submitPastedUrl('hello').message).toMatch(/^That is not a URL/);
    expect(s.submitPastedUrl(`https://127.0.0.1:${s.port}/?state=${STATE}&code=x`).message).toMatch(
      /not this sign-in's redirect/,
    );
    expect(s.submitPastedUrl(`http://127.0.0.1:${s.port + 1}/?state=${STATE}&code=x`).accepted).toBe(false);
    expect(s.submitPastedUrl(`http://127.0.0.1:${s.port}/other?state=${STATE}&code=x`).accepted).toBe(false);
    expect(s.submitPastedUrl(`http://127.0.0.1:${s.port}/?state=wrong&code=x`)).toEqual({
      accepted: false,
      message: 'Ignored a redirect whose state does not match this sign-in (a stale tab, or a forged request).',
    });
    expect(s.submitPastedUrl(`http://127.0.0.1:${s.port}/?state=${STATE}`).accepted).toBe(false);
    // Pastes are reported to the caller, not through the browser-event listener.
    expect(ignored).toEqual([]);
    expect(await pending(got)).toBe(true);
    expect(s.submitPastedUrl(`http://127.0.0.1:${s.port}/?state=${STATE}&code=pasted`).accepted).toBe(true);
    const h = await got;
    expect([h.via, h.params.get('code')]).toEqual(['paste', 'pasted']);
    h.respond({ status: 200, tone: 'success', title: 'x', message: 'x' });
    expect(s.submitPastedUrl(`http://127.0.0.1:${s.port}/?state=${STATE}&code=again`).message).toBe(
      'The sign-in already finished; nothing to paste.',
    );
  });

  it('a fixed port that is taken fails with EADDRINUSE', async () => {
    const s = await start();
    const err = await startLoopbackServer({
      state: STATE,
      port: s.port,
      timeoutMs: 1000,
      deniedPage: () => ({ status: 400, tone: 'failure', title: '', message: '' }),
    }).catch((e: NodeJS.ErrnoException) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });
});

describe('a registered redirect URI', () => {
  const denied = () => ({ status: 400, tone: 'failure' as const, title: '', message: '' });

  it('is sent as configured, byte for byte (trimmed), never normalized: providers compare it as text', async () => {
    // Not served (https, or a host okr does not listen on): no port needed.
    for (const uri of [
      'https://Example.test:443/withings/callback',
      'https://example.test',
      'https://example.test/Cb/?x=1',
    ]) {
      const s = await startLoopbackServer({
        state: STATE,
        redirectUri: ` ${uri}\n`,
        listen: false,
        timeoutMs: 1000,
        deniedPage: denied,
      });
      expect(s.redirectUri).toBe(uri);
      // Pasted URLs still match by the parsed form.
      const base = new URL(uri);
      expect(s.submitPastedUrl(`${base.origin}${base.pathname}?state=${STATE}&code=c`).accepted).toBe(true);
      await s.close();
    }
    // Served: a URI without a path is kept without one (URL.href would add "/"), and its page is "/".
    const port = await closedPort();
    server = await startLoopbackServer({
      state: STATE,
      redirectUri: `http://127.0.0.1:${port}`,
      timeoutMs: 10_000,
      deniedPage: denied,
    });
    expect(server.redirectUri).toBe(`http://127.0.0.1:${port}`);
    expect(server.port).toBe(port);
    const got = server.wait();
    void raw(port, `/?state=${STATE}&code=served`, { host: `127.0.0.1:${port}` });
    expect((await got).params.get('code')).toBe('served');
  });

  it('on port 80, the default: `Host: localhost` without the port (what browsers send) is accepted', async (t) => {
    let s: LoopbackServer;
    try {
      s = await startLoopbackServer({
        state: STATE,
        redirectUri: 'http://localhost/withings/callback',
        timeoutMs: 10_000,
        deniedPage: denied,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EADDRINUSE') return t.skip(`port 80 cannot be opened here (${code})`);
      throw err;
    }
    server = s;
    expect([s.port, s.redirectUri]).toEqual([80, 'http://localhost/withings/callback']);
    const got = s.wait();
    // Another host without a port is still misdirected.
    expect((await raw(80, `/withings/callback?state=${STATE}&code=x`, { host: 'evil.example' })).status).toBe(421);
    expect(await pending(got)).toBe(true);
    const res = raw(80, `/withings/callback?state=${STATE}&code=bare`, { host: 'localhost' });
    const h = await got;
    expect([h.via, h.params.get('code')]).toEqual(['browser', 'bare']);
    h.respond({ status: 200, tone: 'success', title: 'ok', message: 'ok' });
    expect((await res).status).toBe(200);
  });

  it('on another port, the host without the port is refused (421)', async () => {
    const s = await start();
    const got = s.wait();
    for (const host of ['localhost', '127.0.0.1']) {
      expect((await raw(s.port, `/?state=${STATE}&code=x`, { host })).status).toBe(421);
    }
    expect(await pending(got)).toBe(true);
  });
});
