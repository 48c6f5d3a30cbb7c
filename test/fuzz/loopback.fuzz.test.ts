/**
 * The `okr connect` callback server (src/oauth/loopback-server.ts) fed arbitrary requests over
 * real TCP on 127.0.0.1: methods (valid, odd, lower-case, garbage), request targets (paths,
 * query strings with near-miss states, duplicate and encoded parameters, over-long ones), Host
 * and other headers (rebinding hosts, missing Host, CRLF in values, huge ones), and raw garbage.
 *
 * Properties:
 * - it never crashes and answers every request (or closes a malformed one);
 * - it never accepts a wrong state: the flow stays pending through any number of requests that
 *   do not carry the expected state; and when a request does carry it, the flow ends exactly as
 *   the RFC 8252 rules say (GET, the redirect path, a loopback Host, the first `state` parameter);
 * - it never stays open after the flow ends: on a code, a denial, a timeout and an abort the
 *   port refuses connections afterwards.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type CallbackHandle, startLoopbackServer } from '../../src/oauth/loopback-server.js';
import { deniedPage } from '../../src/oauth/pages.js';
import { refuses } from '../oauth/helpers.js';

const RUNS = Number(process.env.OKR_FUZZ_RUNS ?? 2000) >= 2000 ? 60 : 15;
const STATE = 'q3V0ZmFrZS1zdGF0ZS1mb3ItdGhlLWZ1enotdGVzdHMtb25seQ';
const tally: string[] = [];
afterAll(() => console.log(`fuzz (loopback server):\n${tally.join('\n')}`));

interface Raw {
  method: string;
  target: string;
  host: string | undefined;
  headers: string[];
  garbage?: string;
}

/** Sends one raw HTTP/1.1 request; resolves with the status (0: closed without an answer). */
function send(port: number, r: Raw): Promise<number> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(-1); // no answer in time: the server held or ignored the request
    }, 3000);
    s.on('data', (d) => (data += d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      // The final status line (a `100 Continue` may come first).
      const codes = [...data.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));
      resolve(codes.filter((c) => c >= 200).at(-1) ?? 0);
    });
    s.on('connect', () => {
      if (r.garbage !== undefined) {
        s.end(r.garbage);
        return;
      }
      const lines = [`${r.method} ${r.target} HTTP/1.1`];
      if (r.host !== undefined) lines.push(`Host: ${r.host}`);
      lines.push(...r.headers, 'Connection: close');
      s.end(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}

/** States that are not STATE: one character changed, cut, extended, re-cased, encoded oddly. */
const wrongState = fc
  .oneof(
    fc
      .tuple(fc.nat(STATE.length - 1), fc.constantFrom('A', 'z', '0', '-', '_', '%', ' '))
      .map(([i, c]) => STATE.slice(0, i) + c + STATE.slice(i + 1)),
    fc.nat(STATE.length - 1).map((n) => STATE.slice(0, n)),
    fc.constantFrom(`${STATE}x`, `${STATE} `, ` ${STATE}`, STATE.toUpperCase(), STATE.toLowerCase(), `${STATE}%00`, ''),
    fc.string({ maxLength: 60 }),
  )
  .filter((s) => s !== STATE);

const encode = (s: string) => encodeURIComponent(s);
const param = fc.oneof(
  wrongState.map((s) => `state=${encode(s)}`),
  fc.string({ maxLength: 30 }).map((s) => `code=${encode(s)}`),
  fc.constantFrom(
    'error=access_denied',
    'error=invalid_scope&error_description=%3Cscript%3E',
    'code=',
    'state',
    'state=',
    '=',
    '&&',
    '%zz',
    'iss=https://evil.example',
  ),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })).map(([k, v]) => `${encode(k)}=${encode(v)}`),
);
const query = fc.array(param, { maxLength: 6 }).map((ps) => ps.join('&'));

function rawRequest(port: number, opts: { state?: fc.Arbitrary<string>; likely?: boolean } = {}): fc.Arbitrary<Raw> {
  // `likely`: mostly well-formed requests, so that the right state often meets the other rules.
  const w = opts.likely ? 30 : 6;
  const q = opts.state
    ? fc.tuple(query, opts.state, query).map(([a, s, b]) => [a, `state=${encode(s)}`, b].filter(Boolean).join('&'))
    : query;
  const target = fc.oneof(
    { weight: w, arbitrary: q.map((x) => `/?${x}`) },
    { weight: 1, arbitrary: q.map((x) => `/callback?${x}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/',
        '/favicon.ico',
        '//',
        '/%2e%2e/',
        '*',
        'http://127.0.0.1/?x',
        '/?',
        `/?${'a'.repeat(5000)}`,
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ minLength: 1, maxLength: 40 })
        .map((s) => s.replace(/[\s]/g, ''))
        .filter((s) => s.length > 0),
    },
  );
  return fc.record({
    method: fc.oneof(
      { weight: w, arbitrary: fc.constant('GET') },
      { weight: 2, arbitrary: fc.constantFrom('POST', 'HEAD', 'PUT', 'OPTIONS', 'DELETE', 'TRACE', 'get', 'PATCH') },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,10}$/) },
    ),
    target,
    host: fc.oneof(
      { weight: w, arbitrary: fc.constant(`127.0.0.1:${port}`) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          `localhost:${port}`,
          `LOCALHOST:${port}`,
          'evil.example',
          `127.0.0.1:${port + 1}`,
          '127.0.0.1',
          `[::1]:${port}`,
          '',
        ),
      },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    headers: fc.array(
      fc.oneof(
        fc.constantFrom(
          'Cookie: a=b',
          'X-Forwarded-For: 10.0.0.1',
          'Referer: https://evil.example/',
          'Origin: null',
          'Transfer-Encoding: chunked',
          'Content-Length: 5',
          'Expect: 100-continue',
          `X-Big: ${'b'.repeat(20_000)}`,
        ),
        fc
          .tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 30 }))
          .map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, '')}`),
      ),
      { maxLength: 3 },
    ),
    // Now and then the bytes are not HTTP at all.
    garbage: fc.oneof(
      { weight: 11, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constantFrom('\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /\r\n', '\u0000\u0001\u0002'),
        ),
      },
    ),
  });
}

/** Would the server end the flow on this request, by the module's rules? */
function endsFlow(r: Raw, port: number): boolean {
  if (r.garbage !== undefined || r.method !== 'GET' || r.target.length > 4096) return false;
  // Node refuses these heads before the handler runs: over 16 KiB, or ambiguous framing.
  if (r.headers.some((h) => h.length > 16_000)) return false;
  const framing = r.headers.filter((h) => /^(Transfer-Encoding|Content-Length):/i.test(h));
  if (framing.length > 1) return false; // duplicated or mixed framing: Node answers 400 itself
  const host = (r.host ?? '').toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return false;
  let url: URL;
  try {
    url = new URL(r.target, `http://127.0.0.1:${port}`);
  } catch {
    return false;
  }
  if (url.pathname !== '/') return false;
  const q = url.searchParams;
  return q.get('state') === STATE && (Boolean(q.get('error')) || Boolean(q.get('code')));
}

async function server(timeoutMs = 60_000, signal?: AbortSignal) {
  return startLoopbackServer({
    state: STATE,
    timeoutMs,
    signal,
    deniedPage: (e, d) => deniedPage('Fuzz', e, d),
  });
}

function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return new Promise((r) => setTimeout(() => r(done), 2));
}

describe('loopback callback server (fuzz over real HTTP)', () => {
  it('never crashes, answers everything, never accepts a wrong state; closes when the flow ends', async () => {
    let requests = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), async (ending) => {
        const ac = new AbortController();
        const s = await server(ending === 2 ? 400 : 60_000, ac.signal);
        const wait = s.wait();
        wait.catch(() => {});
        const batch = fc.sample(rawRequest(s.port), 12);
        for (const r of batch) {
          const status = await send(s.port, r);
          requests++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          // Answered or closed, never held: no request here carries our state.
          expect(status).not.toBe(-1);
          expect([0, 400, 404, 405, 409, 414, 421, 431]).toContain(status);
        }
        expect(await settled(wait)).toBe(false); // still waiting: nothing was accepted
        expect(await refuses(s.port)).toBe(false); // and still listening

        // End the flow four ways; the port must be closed afterwards.
        if (ending === 0) {
          const held = send(s.port, {
            method: 'GET',
            target: `/?state=${STATE}&code=good`,
            host: `127.0.0.1:${s.port}`,
            headers: [],
          });
          const handle = (await wait) as CallbackHandle;
          expect(handle.params.get('code')).toBe('good');
          handle.respond({ status: 200, tone: 'success', title: 'ok', message: 'ok' });
          expect(await held).toBe(200);
          await s.close();
        } else if (ending === 1) {
          expect(
            await send(s.port, {
              method: 'GET',
              target: `/?state=${STATE}&error=access_denied`,
              host: `127.0.0.1:${s.port}`,
              headers: [],
            }),
          ).toBe(400); // the denial page
          await expect(wait).rejects.toThrow(/denied/);
          await s.close();
        } else if (ending === 2) {
          await expect(wait).rejects.toThrow(/in time/);
        } else {
          ac.abort();
          await expect(wait).rejects.toThrow(/Interrupted/);
        }
        for (let i = 0; i < 50 && !(await refuses(s.port)); i++) await new Promise((r) => setTimeout(r, 20));
        expect(await refuses(s.port)).toBe(true);
        await s.close();
      }),
      { numRuns: RUNS },
    );
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([k, v]) => `${k === 0 ? 'closed' : k}×${v}`);
    tally.push(
      `  hostile requests: ${RUNS} servers, ${requests} requests (${byStatus.join(', ')}), 0 accepted, every port closed after its flow`,
    );
  });

  it('with the right state among noise: the flow ends exactly when the rules say so', async () => {
    let requests = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.context(), async () => {
        const s = await server();
        const wait = s.wait();
        wait.catch(() => {});
        const batch = fc.sample(
          rawRequest(s.port, { state: fc.oneof(fc.constant(STATE), wrongState), likely: true }),
          8,
        );
        let ended = false;
        for (const r of batch) {
          const expectEnd = !ended && endsFlow(r, s.port);
          const pending = send(s.port, r);
          requests++;
          if (expectEnd) {
            ended = true;
            accepted++;
            const outcome = await Promise.race([
              wait.then(
                (h) => {
                  h.respond({ status: 200, tone: 'success', title: 'ok', message: 'ok' });
                  return 'code';
                },
                (e: Error) => e.message,
              ),
              new Promise<string>((r2) => setTimeout(() => r2('not ended'), 2000)),
            ]);
            expect(outcome, JSON.stringify(r).slice(0, 300)).not.toBe('not ended');
            const q = new URL(r.target, 'http://127.0.0.1').searchParams;
            expect(outcome === 'code' ? Boolean(q.get('code')) && !q.get('error') : Boolean(q.get('error'))).toBe(true);
            await pending;
            break;
          }
          const status = await pending;
          expect(status).not.toBe(-1);
          expect(await settled(wait)).toBe(false);
        }
        await s.close();
        expect(await refuses(s.port)).toBe(true);
      }),
      { numRuns: RUNS * 4 },
    );
    tally.push(
      `  right state among noise: ${RUNS * 4} servers, ${requests} requests, ${accepted} flows ended, each exactly on the request the rules allow`,
    );
  });
});
