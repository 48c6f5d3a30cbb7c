/**
 * Provider faults from the simulator, each its own case. Every case first syncs a good range
 * (60 days), then syncs a larger overlapping range (151 days: one chunk, its requests at once) with the
 * fault injected, and checks:
 * - the outcome: the correct data (recoverable faults), or a clear, categorised failure: the exit
 *   code the README documents, a one-line message saying what failed, and a hint saying what to do;
 * - bounded cost: an upper bound on the simulator's request count and on the wall time;
 * - nothing already stored is lost or changed, and whatever the faulty sync stored is exactly
 *   what a clean sync stores (a chunk commits whole or not at all).
 * The syncs run in-process (runCli) with short retry delays (OKR_RETRY_BASE_MS=5).
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, daysBetween, eachDate, localDate } from '../../src/dates.js';
import { MAX_ROLLUP_DAYS, SLEEP_WINDOW_DAYS } from '../../src/plugins/fitbit/api.js';
import { resetFaults } from '../../src/simulator/faults.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { type Home, simulatorHome, valuesByDate, withDb } from '../helpers/faults.js';

let sim: Simulator;
let today: string;
let goodFrom: string;
let goodTo: string;
let from: string;
let reference: Map<string, string[]>;
const homes: string[] = [];
const figures: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 41 });
  today = localDate(new Date());
  from = addDays(today, -150);
  goodFrom = from;
  goodTo = addDays(today, -91);
  const ref = await simulatorHome(sim, { prefix: 'okr-pf-ref-' });
  homes.push(ref.home);
  const r = await runCli(['sync', '--from', from, '--to', today, '--json'], { home: ref.home, env: ref.env });
  expect(r.code, r.stderr).toBe(0);
  reference = valuesByDate(ref.dbFile);
});

afterEach(() => resetFaults(sim.faults));

afterAll(async () => {
  console.log(`provider-faults: ${figures.length} cases\n${figures.join('\n')}`);
  await sim?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  status: string;
  error: string | null;
  hint: string | null;
  calls: number;
  ms: number;
  stderr: string;
  home: Home;
}

/**
 * The requests the faulty sync starts at once: its range is one chunk, in which fitbit sends its
 * two roll-ups in 90-day windows, two daily lists, and sleep in 21-day windows, all together.
 */
function inFlight(): number {
  const days = daysBetween(from, today) + 1;
  return 2 * Math.ceil(days / MAX_ROLLUP_DAYS) + 2 + Math.ceil(days / SLEEP_WINDOW_DAYS);
}

/** Good sync first, then the faulty one. Checks that nothing stored is lost or wrong. */
async function faultySync(
  name: string,
  /** Injects the fault; may return a function that ends it. */
  inject: () => unknown,
  opts: { env?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<Outcome> {
  const h = await simulatorHome(sim, { env: opts.env });
  homes.push(h.home);
  const good = await runCli(['sync', '--from', goodFrom, '--to', goodTo, '--json'], { home: h.home, env: h.env });
  expect(good.code, good.stderr).toBe(0);
  const before = valuesByDate(h.dbFile);
  expect(before.size).toBeGreaterThan(50);

  const cleanup = inject();
  sim.resetStats();
  const t0 = performance.now();
  const r = await runCli(['sync', '--from', from, '--to', today, '--json'], {
    home: h.home,
    env: h.env,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const ms = Math.round(performance.now() - t0);
  const calls = sim.stats.all ?? 0;
  if (typeof cleanup === 'function') cleanup();
  resetFaults(sim.faults);

  // Nothing already stored is lost or changed.
  const after = valuesByDate(h.dbFile);
  for (const [date, vals] of before) expect(after.get(date), `${name}: ${date} changed`).toEqual(vals);
  // Whatever was stored is what a clean sync stores, date by date.
  for (const [date, vals] of after) expect(vals, `${name}: ${date}`).toEqual(reference.get(date));
  // No run left running.
  const running = withDb(h.dbFile, (db) =>
    db.prepare("SELECT count(*) FROM sync_runs WHERE status = 'running'").pluck().get(),
  );
  expect(running).toBe(0);

  const p = r.stdout ? JSON.parse(r.stdout).plugins[0] : { status: '?', error: r.stderr, hint: null };
  const o: Outcome = {
    code: r.code,
    status: p.status,
    error: p.error,
    hint: p.hint,
    calls,
    ms,
    stderr: r.stderr,
    home: h,
  };
  figures.push(
    `  ${name}: exit ${o.code}, ${o.status}, ${calls} requests, ${ms} ms${o.error ? `; error: ${o.error.split('\n')[0]}` : ''}${o.hint ? `; hint: ${o.hint}` : ''}`,
  );
  return o;
}

/** The faulty sync recovered: exit 0 and the whole range equals the clean sync. */
function expectCorrect(o: Outcome) {
  expect(o.code, `${o.error} ${o.stderr}`).toBe(0);
  expect(o.status).toBe('ok');
  const got = valuesByDate(o.home.dbFile);
  for (const d of eachDate(from, today)) expect(got.get(d), d).toEqual(reference.get(d));
}

/** A clear failure: the documented exit code, one line of what failed, and a hint. */
function expectFailure(o: Outcome, code: number, status: string | RegExp, message: RegExp, hint: RegExp) {
  expect(o.code).toBe(code);
  expect(o.status).toMatch(status);
  expect(o.error).toMatch(message);
  expect(o.error).not.toContain('\n');
  expect(o.hint).toMatch(hint);
  expect(o.stderr).toBe(''); // --json: the report is the output; no stack, no noise
  const conn = withDb(o.home.dbFile, (db) =>
    db.prepare("SELECT * FROM plugins WHERE plugin_id = 'fitbit'").get(),
  ) as Record<string, unknown>;
  expect(conn.last_error ?? conn.lastError).toBeTruthy();
}

describe('provider faults (a good range first, then the faulty sync)', () => {
  it('latency spikes past the request timeout: retried, correct data', async () => {
    // Responses wait 1.2 s during spikes (the request timeout is 0.8 s), none between them; the
    // sync starts inside a spike, so its first requests time out and are retried.
    const o = await faultySync(
      'latency spikes (1.2 s, on/off every 0.7 s, timeout 0.8 s)',
      () => {
        let spike = true;
        sim.faults.latencyMs = 1200;
        const timer = setInterval(() => {
          spike = !spike;
          sim.faults.latencyMs = spike ? 1200 : 0;
        }, 700);
        return () => clearInterval(timer);
      },
      { env: { OKR_HTTP_TIMEOUT_MS: '800' } },
    );
    expectCorrect(o);
    expect(o.calls).toBeGreaterThan(15); // some requests timed out and were sent again
    expect(o.calls).toBeLessThanOrEqual(60);
    expect(o.ms).toBeLessThan(20_000);
  });

  it('steady latency (150 ms on every response): correct data', async () => {
    const o = await faultySync('latency 150 ms', () => {
      sim.faults.latencyMs = 150;
    });
    expectCorrect(o);
    expect(o.calls).toBeLessThanOrEqual(25);
    expect(o.ms).toBeLessThan(10_000);
  });

  it('a short 429 storm (4 in a row, no Retry-After): retried with back-off, correct data', async () => {
    const o = await faultySync('429 × 4', () => {
      sim.faults.status429 = 4;
    });
    expectCorrect(o);
    expect(o.calls).toBeLessThanOrEqual(25 + 4);
  });

  it('429 with Retry-After: 1 is honoured, correct data', async () => {
    const o = await faultySync('429 × 2 with Retry-After: 1', () => {
      sim.faults.status429 = 2;
      sim.faults.retryAfterSeconds = 1;
    });
    expectCorrect(o);
    expect(o.ms).toBeGreaterThanOrEqual(1000); // it really waited
    expect(o.ms).toBeLessThan(10_000);
  });

  it('an endless 429 storm: rate_limited failure after bounded retries', async () => {
    const o = await faultySync('429 storm (every request)', () => {
      sim.faults.status429 = 1_000_000;
    });
    expectFailure(o, 1, 'error', /answered 429 RESOURCE_EXHAUSTED/, /rate limit held after okr retried \d+ times/);
    // At most the requests in flight, each tried 1 + 5 times.
    expect(o.calls).toBeLessThanOrEqual(inFlight() * 6);
    expect(o.ms).toBeLessThan(10_000);
  });

  it('429 with a Retry-After of an hour: fails at once and says when to retry', async () => {
    const o = await faultySync('429 storm with Retry-After: 3600', () => {
      sim.faults.status429 = 1_000_000;
      sim.faults.retryAfterSeconds = 3600;
    });
    expectFailure(o, 1, 'error', /429/, /wait 3600 s|later/);
    expect(o.calls).toBeLessThanOrEqual(inFlight());
    expect(o.ms).toBeLessThan(5_000);
  });

  it('a few 500s: retried, correct data', async () => {
    const o = await faultySync('500 × 3', () => {
      sim.faults.status500 = 3;
    });
    expectCorrect(o);
  });

  it('500 on every request: transient failure after bounded retries', async () => {
    const o = await faultySync('500 storm (every request)', () => {
      sim.faults.status500 = 1_000_000;
    });
    expectFailure(o, 1, 'error', /answered 500 INTERNAL/, /persisted after okr retried \d+ times.*okr sync fitbit/);
    expect(o.calls).toBeLessThanOrEqual(inFlight() * 4);
    expect(o.ms).toBeLessThan(10_000);
  });

  it('truncated JSON: bad_response failure, nothing half-stored', async () => {
    const o = await faultySync('truncated JSON (1 response)', () => {
      sim.faults.truncatedJson = 1;
    });
    expectFailure(o, 1, /^(error|partial)$/, /cannot read: .*JSON is invalid or cut short/, /Try again later/);
    expect(o.calls).toBeLessThanOrEqual(25);
  });

  it('a wrong content type (an HTML page with 200): bad_response failure', async () => {
    const o = await faultySync('wrong content type (1 response)', () => {
      sim.faults.wrongContentType = 1;
    });
    expectFailure(o, 1, /^(error|partial)$/, /expected JSON, got content type "text\/html/, /Try again later/);
    expect(o.calls).toBeLessThanOrEqual(25);
  });

  it('a missing field: bad_response failure naming the field', async () => {
    const o = await faultySync('missing field (1 response)', () => {
      sim.faults.missingField = 1;
    });
    expectFailure(o, 1, /^(error|partial)$/, /cannot read: .*: .*(Required|expected|Invalid)/i, /Try again later/);
    expect(o.calls).toBeLessThanOrEqual(25);
  });

  it('a field of the wrong type: bad_response failure naming the field', async () => {
    const o = await faultySync('wrong-typed field (1 response)', () => {
      sim.faults.wrongFieldType = 1;
    });
    expectFailure(o, 1, /^(error|partial)$/, /cannot read: .*: /i, /Try again later/);
    expect(o.calls).toBeLessThanOrEqual(25);
  });

  it('pagination that never ends (the same page token again): stops at the repeat', async () => {
    const o = await faultySync('endless pagination', () => {
      sim.faults.endlessPagination = true;
    });
    expectFailure(o, 1, 'error', /the same page token came back twice/, /Try again later/);
    // Each paged request sees the token twice at most before giving up.
    expect(o.calls).toBeLessThanOrEqual(30);
    expect(o.ms).toBeLessThan(5_000);
  });

  it('the grant revoked mid-sync: re-authentication needed (exit 3), the hint names okr connect', async () => {
    let apiCalls = 0;
    const revokingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      // After a few data requests the user removes the app's access in their Google Account.
      if (url.includes('/v4/') && ++apiCalls === 4) sim.revokeAll();
      return fetch(input, init);
    }) as typeof fetch;
    const o = await faultySync('token revoked mid-sync', () => {}, { fetch: revokingFetch });
    expectFailure(o, 3, 'reauth', /invalid_grant|revoked|401/i, /okr connect fitbit/);
    // One refresh attempt, never a loop.
    expect(sim.stats['token:refresh_token'] ?? 0).toBe(1);
    expect(o.calls).toBeLessThanOrEqual(30);
    const conn = withDb(o.home.dbFile, (db) =>
      db.prepare("SELECT * FROM plugins WHERE plugin_id = 'fitbit'").get(),
    ) as Record<string, unknown>;
    expect(JSON.stringify(conn)).toMatch(/reauth/);
    // And the next sync says so at once, without calling the provider.
    sim.resetStats();
    const again = await runCli(['sync', '--json'], { home: o.home.home, env: o.home.env });
    expect(again.code).toBe(3);
    expect(sim.stats.all ?? 0).toBe(0);
  });

  it('every access token rejected (401 after a refresh too): reauth after one refresh', async () => {
    const o = await faultySync('expired token (every request 401)', () => {
      sim.faults.expiredToken = true;
    });
    expectFailure(o, 3, 'reauth', /401|UNAUTHENTICATED/, /okr connect fitbit/);
    expect(sim.stats['token:refresh_token'] ?? 0).toBe(1);
    expect(o.calls).toBeLessThanOrEqual(30);
  });

  it('an endless 200 body: cut at the 4 MiB cap, a bad_response failure, nothing half-stored', async () => {
    const o = await faultySync('endless 200 body (1 response)', () => {
      sim.faults.endlessBody = 1;
    });
    expectFailure(
      o,
      1,
      /^(error|partial)$/,
      /sent a response larger than 4 MiB, the most okr reads/,
      /Try again later/,
    );
    // What the simulator wrote before okr hung up: the cap plus the socket buffers, not gigabytes.
    expect(sim.stats.endlessBodyBytes ?? 0).toBeGreaterThan(4 * 2 ** 20);
    expect(sim.stats.endlessBodyBytes ?? 0).toBeLessThan(32 * 2 ** 20);
    expect(o.calls).toBeLessThanOrEqual(25); // not retried
    expect(o.ms).toBeLessThan(10_000);
  });

  it('a redirect to another origin (127.0.0.2): not followed, a redirect failure naming the setting', async () => {
    const o = await faultySync('307 to another origin (every data request)', () => {
      sim.faults.redirectTo = 'http://127.0.0.2:1';
    });
    expectFailure(
      o,
      1,
      'error',
      /answered with a redirect \(HTTP 307\) to another origin \(http:\/\/127\.0\.0\.2:1\), which okr does not follow/,
      /URL settings \(`okr config list`\)/,
    );
    expect(o.calls).toBeLessThanOrEqual(12); // not retried
    expect(o.ms).toBeLessThan(3_000);
  });

  it('410 Gone (a retired API): a retired failure that says what to do', async () => {
    const o = await faultySync('410 Gone', () => {
      sim.faults.gone = true;
    });
    expectFailure(o, 1, 'error', /410/, /retired/i);
    expect(o.calls).toBeLessThanOrEqual(12); // not retried
    expect(o.ms).toBeLessThan(3_000);
  });
});
