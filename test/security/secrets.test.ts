/**
 * Secrets never leak. One home goes through the whole life of a connection with the built `okr`
 * as real processes: `config setup --from-file`, `config set` (a secret as an argument is refused,
 * then given on stdin), `connect --no-browser` completed through the simulator's consent, every
 * read command and its `--json` form, `--verbose` and OKR_DEBUG=1, syncs (one slowed down by
 * latency), the scheduled job (sync.log), `doctor --redacted`, and the error paths: a refresh the
 * token endpoint fails, a wrong client secret, a revoked grant; then `disconnect`.
 *
 * Known values: a client secret chosen for this test (the simulator accepts any), the access and
 * refresh tokens the simulator issued (read from the secret store after connect, and again after
 * every refresh), and a wrong client secret. None may appear in:
 * - stdout or stderr of any command;
 * - any file of the home (raw bytes: the SQLite file and its -wal/-shm, config.json, sync.log,
 *   lock files…), except `secrets.json`, the plain-text store these tests opt into with
 *   OKR_SECRETS=file (the OS keychain is shared by parallel tests, so it is not used here);
 * - the argument list (/proc/<pid>/cmdline, what `ps` shows every user) of every process the test
 *   starts and of their children, sampled while they run.
 * Also: the callback server listens on 127.0.0.1 only, only while `connect` runs; no other command
 * listens at all; folders are 0700 and files 0600 at the end.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { tempHome } from '../helpers/cli.js';
import { cmdlineOf, type Spawned, spawnOkr } from '../helpers/faults.js';
import { refuses } from '../oauth/helpers.js';

const CLIENT_ID = `${randomBytes(6).toString('hex')}-leakcheck.apps.googleusercontent.com`;
const CLIENT_SECRET = `GOCSPX-leak-${randomBytes(12).toString('hex')}`;
const WRONG_SECRET = `GOCSPX-wrong-${randomBytes(12).toString('hex')}`;
const ENV = { OKR_SECRETS: 'file', NO_COLOR: '1', OKR_RETRY_BASE_MS: '5', OKR_RETRY_MAX_MS: '20' };

let sim: Simulator;
let home: string;
/** Every secret value seen so far (tokens are added as they are issued). */
const secrets = new Set<string>([CLIENT_SECRET, WRONG_SECRET]);
const outputs: Array<{ what: string; text: string }> = [];
const cmdlines: Array<{ what: string; text: string }> = [];
const listeners: Array<{ what: string; addrs: string[] }> = [];
let commands = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 61, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoApprove: true });
  home = tempHome('okr-leaks-');
});
afterAll(async () => {
  await sim?.close();
});

/** The argument lists of a process and its descendants. */
function treeCmdlines(pid: number): string[] {
  const out = [cmdlineOf(pid)];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const k of kids) out.push(...treeCmdlines(Number(k)));
    }
  } catch {
    // gone
  }
  return out.filter(Boolean);
}

/** Local addresses of the TCP sockets this process listens on (from /proc: fd inodes ↔ net/tcp). */
function listening(pid: number): string[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) out.push(decodeAddress(f[1]!));
    }
  }
  return out;
}

function decodeAddress(hex: string): string {
  const [ip, port] = hex.split(':') as [string, string];
  const p = Number.parseInt(port, 16);
  if (ip.length === 8) {
    const bytes = ip
      .match(/../g)!
      .map((b) => Number.parseInt(b, 16))
      .reverse();
    return `${bytes.join('.')}:${p}`;
  }
  return `[${ip}]:${p}`;
}

/** Runs one command, sampling its argument lists and listening sockets while it runs. */
async function okr(
  args: string[],
  opts: { stdin?: string | 'keep-open'; env?: Record<string, string>; during?: (p: Spawned) => Promise<void> } = {},
) {
  const what = `okr ${args.join(' ')}`;
  const p = spawnOkr(args, { home, env: { ...ENV, ...opts.env }, stdin: opts.stdin });
  commands++;
  let sampling = true;
  const sampler = (async () => {
    const seen = new Set<string>();
    while (sampling) {
      for (const c of treeCmdlines(p.pid)) seen.add(c);
      const l = listening(p.pid);
      if (l.length > 0) listeners.push({ what, addrs: l });
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const c of seen) cmdlines.push({ what, text: c });
  })();
  if (opts.during) await opts.during(p);
  const r = await p.done;
  sampling = false;
  await sampler;
  outputs.push({ what, text: r.stdout + r.stderr });
  return r;
}

/** The tokens in the plain-text store, added to the secrets to look for. */
function captureTokens(): { accessToken: string; refreshToken: string } {
  const store = JSON.parse(readFileSync(join(home, 'config', 'secrets.json'), 'utf8')) as Record<string, string>;
  const t = JSON.parse(store['tokens.fitbit']!) as { accessToken: string; refreshToken: string };
  secrets.add(t.accessToken);
  secrets.add(t.refreshToken);
  return t;
}

function walk(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function leaksIn(text: string | Buffer): string[] {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  return [...secrets].filter((x) => s.includes(x));
}

describe('secrets never leak (built okr, real processes)', () => {
  it('through setup, connect, every command, the errors and disconnect', async () => {
    const t0 = performance.now();
    // --- setup: the client file, endpoints, a secret refused as an argument, then given on stdin
    const clientFile = join(tempHome('okr-client-'), 'client_secret_test.json');
    writeFileSync(
      clientFile,
      JSON.stringify({
        installed: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: ['http://localhost'] },
      }),
      { mode: 0o600 },
    );
    expect((await okr(['config', 'setup', 'fitbit', '--from-file', clientFile, '--insecure-storage'])).code).toBe(0);
    for (const [key, value] of Object.entries({
      auth_url: sim.authUrl,
      token_url: sim.tokenUrl,
      revoke_url: sim.revokeUrl,
      api_base_url: sim.apiBaseUrl,
    })) {
      expect((await okr(['config', 'set', `plugin.fitbit.${key}`, value])).code).toBe(0);
    }
    const asArg = await okr(['config', 'set', 'plugin.fitbit.client_secret', WRONG_SECRET]);
    expect(asArg.code).toBe(2); // refused: it would sit in `ps` and the shell history
    const viaStdin = await okr(['config', 'set', 'plugin.fitbit.client_secret', '--stdin', '--insecure-storage'], {
      stdin: `${CLIENT_SECRET}\n`,
    });
    expect(viaStdin.code, viaStdin.stderr).toBe(0);

    // --- connect: nothing listens before; 127.0.0.1 only while it waits; closed after
    let port = 0;
    const connect = await okr(['connect', 'fitbit', '--no-browser', '--insecure-storage'], {
      stdin: 'keep-open',
      during: async (p) => {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setInterval(() => {
            const m = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m.exec(p.stderr());
            if (m) {
              clearInterval(timer);
              resolve(m[1]!);
            }
          }, 10);
          void p.done.then(() => {
            clearInterval(timer);
            reject(new Error(`connect ended early: ${p.stderr()}`));
          });
        });
        port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
        const l = listening(p.pid);
        expect(l).toEqual([`127.0.0.1:${port}`]);
        expect(await refuses(port)).toBe(false);
        expect(await refuses(port, '127.0.0.2')).toBe(true);
        expect(await refuses(port, '::1')).toBe(true);
        // The simulator consents at once and redirects to the loopback server: what a browser does.
        const page = await (await fetch(url, { redirect: 'follow' })).text();
        expect(page).toContain('Connected');
        p.child.stdin?.end();
      },
    });
    expect(connect.code, connect.stderr).toBe(0);
    expect(await refuses(port)).toBe(true);
    captureTokens();

    // --- every command, plain, --json, --verbose, OKR_DEBUG
    const reads = [
      ['config', 'list'],
      ['config', 'list', '--all'],
      ['config', 'list', '--json'],
      ['config', 'get', 'plugin.fitbit.client_secret'],
      ['config', 'get', 'plugin.fitbit.client_secret', '--json'],
      ['config', 'get', 'plugin.fitbit.client_id'],
      ['status'],
      ['status', '--json'],
      ['sync', '--since', '30d'],
      ['sync', '--since', '45d', '--json'],
      ['sync', '--since', '10d', '--verbose'],
      ['metrics', 'show'],
      ['metrics', 'show', '--json'],
      ['metrics', 'show', '--since', '90d', '--verbose'],
      ['metrics', 'show', '--offline', '--csv'],
      ['plugins'],
      ['plugins', '--json'],
      ['plugins', 'show', 'fitbit'],
      ['plugins', 'show', 'fitbit', '--json'],
      ['doctor'],
      ['doctor', '--json'],
      ['doctor', '--redacted'],
      ['schedule', 'run'],
      ['--verbose', 'status'],
    ];
    for (const args of reads) {
      const r = await okr(args);
      expect([0, 1, 3, 4], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
    }
    expect((await okr(['status', '--json'], { env: { OKR_DEBUG: '1' } })).code).toBe(0);

    // A sync slowed down (tokens refreshed first), sampled while its requests are in flight.
    sim.expireAccessTokens();
    sim.faults.latencyMs = 40;
    // The -wal and -shm files exist only while a process has the database open: scan them then.
    const walScans: string[] = [];
    expect(
      (
        await okr(['sync', '--since', '90d', '--verbose'], {
          during: async (p) => {
            let running = true;
            void p.done.then(() => (running = false));
            while (running) {
              for (const f of ['okr.db-wal', 'okr.db-shm']) {
                try {
                  const bytes = readFileSync(join(home, 'data', f));
                  walScans.push(f);
                  for (const x of leaksIn(bytes)) outputs.push({ what: `${f} during a sync`, text: x });
                } catch {
                  // not there at this moment
                }
              }
              await new Promise((r) => setTimeout(r, 10));
            }
          },
        })
      ).code,
    ).toBe(0);
    sim.faults.latencyMs = 0;
    expect(walScans.filter((f) => f === 'okr.db-wal').length).toBeGreaterThan(0);
    captureTokens();

    // --- errors: a failing token endpoint, a wrong client secret, a revoked grant
    sim.expireAccessTokens();
    sim.faults.endpoints = ['token'];
    sim.faults.status500 = 1000;
    const failedRefresh = await okr(['sync', '--verbose'], { env: { OKR_DEBUG: '1' } });
    expect(failedRefresh.code).not.toBe(0);
    expect((await okr(['metrics', 'show', '--verbose'])).code).toBe(0); // the table still shows, with a note
    sim.faults.status500 = 0;
    delete sim.faults.endpoints;

    expect((await okr(['config', 'set', 'plugin.fitbit.client_secret', '--stdin'], { stdin: WRONG_SECRET })).code).toBe(
      0,
    );
    const wrongClient = await okr(['sync', '--verbose']);
    expect(wrongClient.code).not.toBe(0);
    expect((await okr(['doctor', '--json'])).code).not.toBe(0);
    expect(
      (await okr(['config', 'set', 'plugin.fitbit.client_secret', '--stdin'], { stdin: CLIENT_SECRET })).code,
    ).toBe(0);
    expect((await okr(['sync'])).code).toBe(0);
    captureTokens();

    sim.revokeAll();
    sim.expireAccessTokens();
    const revoked = await okr(['sync', '--verbose'], { env: { OKR_DEBUG: '1' } });
    expect(revoked.code).toBe(3);
    for (const args of [['sync', '--json'], ['status'], ['status', '--json'], ['doctor'], ['doctor', '--redacted']]) {
      await okr(args);
    }
    expect((await okr(['disconnect', 'fitbit'])).code).toBe(0);
    expect((await okr(['status', '--json'])).code).toBe(0);

    // --- scan
    const tokensSeen = secrets.size - 2;
    expect(tokensSeen).toBeGreaterThanOrEqual(4); // two access tokens at least, and their refresh tokens
    const found: string[] = outputs
      .filter((o) => o.what.endsWith('during a sync'))
      .map((o) => `${o.what}: has a secret`);
    for (const o of outputs.filter((o) => !o.what.endsWith('during a sync')))
      for (const s of leaksIn(o.text)) found.push(`${o.what}: output has ${s.slice(0, 12)}…`);
    // The one command where the test itself typed a secret as an argument (refused) is not okr's doing.
    const typedByTest = `okr config set plugin.fitbit.client_secret ${WRONG_SECRET}`;
    for (const c of cmdlines.filter((c) => c.what !== typedByTest)) {
      for (const s of leaksIn(c.text)) found.push(`${c.what}: argv has ${s.slice(0, 12)}…`);
    }
    const files = walk(home).filter((p) => statSync(p).isFile());
    const scanned = files.filter((f) => !f.endsWith(join('config', 'secrets.json')));
    for (const f of scanned) for (const s of leaksIn(readFileSync(f))) found.push(`${f}: has ${s.slice(0, 12)}…`);
    expect(found).toEqual([]);
    // The files that matter were really scanned.
    const names = scanned.map((f) => f.slice(home.length));
    for (const must of ['/data/okr.db', '/config/config.json', '/state/sync.log']) expect(names).toContain(must);

    // --- the callback server was the only listener, during connect only
    expect(listeners.filter((l) => !l.what.startsWith('okr connect'))).toEqual([]);
    expect(new Set(listeners.flatMap((l) => l.addrs))).toEqual(new Set([`127.0.0.1:${port}`]));

    // --- modes
    const badModes = walk(home)
      .map((p) => ({ p, st: statSync(p) }))
      .filter(({ st }) => (st.isDirectory() ? (st.mode & 0o777) !== 0o700 : (st.mode & 0o777) !== 0o600))
      .map(({ p, st }) => `${p.slice(home.length) || '/'} ${(st.mode & 0o777).toString(8)}`);
    expect(badModes).toEqual([]);

    console.log(
      `secrets: ${commands} commands run, ${secrets.size} secret values (client secret, a wrong one, ${tokensSeen} tokens) ` +
        `looked for in ${outputs.length} outputs, ${cmdlines.length} process argument lists and ${scanned.length} files ` +
        `(${names.join(', ')}; and the -wal/-shm ${walScans.length} times during a sync): 0 found; listeners: only 127.0.0.1:${port}, only during connect; ` +
        `${walk(home).length} paths all 0700/0600; ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }, 180_000);
});
