/**
 * `okr connect fitbit` end to end against the embedded simulator over real HTTP on 127.0.0.1:
 * the authorize redirect (auto-approve), our loopback server, the code exchange with PKCE and
 * the client secret in the body, validateCredentials, storage, then `status` and `disconnect`.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { openDatabase } from '../../src/store/db.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { closedPort, fetchBrowser, homeFiles, leaks, redirectPort, refuses } from '../oauth/helpers.js';

let sim: Simulator;
let home: string;
/** Every request okr sends, to check what went over the wire. */
let sent: Array<{ url: string; body: string }>;
const recordingFetch: typeof fetch = async (input, init) => {
  const body = init?.body === undefined || init.body === null ? '' : String(init.body);
  sent.push({ url: String(input), body });
  return fetch(input, init);
};

beforeEach(async () => {
  sim = await startSimulator({ autoApprove: true, refreshTokenTtlSeconds: 604_799 });
  home = tempHome();
  sent = [];
});
afterEach(async () => {
  await sim.close();
});

function env(extra: Record<string, string> = {}) {
  return { ...sim.env, OKR_SECRETS: 'file', ...extra };
}

function storedTokens(): {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshTokenExpiresAt: number;
  scope: string;
} {
  const file = JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8')) as Record<string, string>;
  return JSON.parse(file['tokens.fitbit']!);
}

describe('okr connect fitbit against the simulator', () => {
  it('signs in, stores the tokens, records the account, and tells what to run next', async () => {
    const browser = fetchBrowser();
    const r = await runCli(['connect', 'fitbit'], {
      home,
      env: env(),
      openBrowser: browser.openBrowser,
      fetch: recordingFetch,
    });
    const hops = await browser.finished;
    expect(r.stderr).toContain(browser.openedUrl!);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ Connected Fitbit (Google Health) as ${sim.healthUserId}.`);
    expect(r.stdout).toContain('Next: okr sync');
    // Testing-mode refresh tokens (7 days) get a warning.
    expect(r.stdout).toMatch(/expires on \d{4}-\d\d-\d\d \(the provider's test mode\)/);

    // The authorization request: PKCE S256, 256-bit state, Google's extra parameters.
    const auth = new URL(browser.openedUrl!);
    expect(auth.origin + auth.pathname).toBe(sim.authUrl);
    const q = auth.searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(q.get('state')!, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    // The browser landed on our success page.
    const last = hops.at(-1)!;
    expect(last.url.startsWith(q.get('redirect_uri')!)).toBe(true);
    expect(last.status).toBe(200);
    expect(last.body).toContain(`Connected to Fitbit (Google Health)`);
    expect(last.body).toContain(sim.healthUserId);

    // The token request carried the verifier and the secret in the body (client_secret_post).
    const tokenReq = sent.find((s) => s.url === sim.tokenUrl)!;
    const form = new URLSearchParams(tokenReq.body);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(form.get('client_secret')).toBe(sim.clientSecret);
    expect(form.get('redirect_uri')).toBe(q.get('redirect_uri'));

    const tokens = storedTokens();
    expect(tokens.accessToken).toMatch(/^ya29\./);
    expect(tokens.refreshToken).toMatch(/^1\/\//);
    expect(tokens.refreshTokenExpiresAt - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);

    const db = openDatabase(homeFiles(home).db);
    const row = db.prepare('SELECT * FROM plugins WHERE plugin_id = ?').get('fitbit') as Record<string, unknown>;
    db.close();
    expect(row.account_id).toBe(sim.healthUserId);
    expect(row.enabled).toBe(1);
    expect(row.token_store).toBe('file');
    expect(row.access_expires_at).toBe(new Date(tokens.expiresAt).toISOString());
    expect(row.refresh_expires_at).toBe(new Date(tokens.refreshTokenExpiresAt).toISOString());
    // Tokens are not in SQLite.
    expect(JSON.stringify(row)).not.toContain(tokens.accessToken);

    // The loopback server is gone.
    expect(await refuses(redirectPort(browser.openedUrl!))).toBe(true);

    // No secret in any output.
    const code = new URL(hops.find((h) => h.location?.startsWith('http://127.0.0.1'))!.location!).searchParams.get(
      'code',
    );
    const all = r.stdout + r.stderr;
    expect(
      leaks(all, [sim.clientSecret, tokens.accessToken, tokens.refreshToken, code!, form.get('code_verifier')!]),
    ).toEqual([]);

    // status: connected, file store, expiries, never synced; exit 0.
    const st = await runCli(['status', '--json'], { home, env: env() });
    expect(st.code).toBe(0);
    const fit = (JSON.parse(st.stdout) as { plugins: Array<Record<string, unknown>> }).plugins.find(
      (p) => p.id === 'fitbit',
    )!;
    expect(fit).toMatchObject({
      configured: true,
      connected: true,
      enabled: true,
      account: sim.healthUserId,
      tokenStore: 'file',
      tokens: 'present',
      hasRefreshToken: true,
      accessTokenExpiresAt: new Date(tokens.expiresAt).toISOString(),
      accessTokenExpired: false,
      refreshTokenExpiresAt: new Date(tokens.refreshTokenExpiresAt).toISOString(),
      refreshTokenExpired: false,
      lastSync: null,
      needsReauth: false,
    });
    expect(leaks(st.stdout + st.stderr, [sim.clientSecret, tokens.accessToken, tokens.refreshToken])).toEqual([]);

    // disconnect: revoke at the simulator (the grant dies), tokens deleted, row disabled.
    const revokesBefore = sim.stats.revoke ?? 0;
    const d = await runCli(['disconnect', 'fitbit'], { home, env: env(), fetch: recordingFetch });
    expect(d.code).toBe(0);
    expect(d.stdout).toContain("Revoked okr's access at Fitbit (Google Health).");
    expect(d.stdout).toContain(`Disconnected fitbit (account ${sim.healthUserId}); its tokens are deleted.`);
    expect(sim.stats.revoke).toBe(revokesBefore + 1);
    const revokeReq = sent.find((s) => s.url === sim.revokeUrl)!;
    expect(new URLSearchParams(revokeReq.body).get('token')).toBe(tokens.refreshToken);
    // The refresh token no longer works at the provider.
    const refresh = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
      }),
    });
    expect(refresh.status).toBe(400);
    expect(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.fitbit']).toBeUndefined();
    const after = await runCli(['status', '--json'], { home, env: env() });
    const fit2 = (JSON.parse(after.stdout) as { plugins: Array<Record<string, unknown>> }).plugins.find(
      (p) => p.id === 'fitbit',
    )!;
    expect(fit2).toMatchObject({ connected: false, enabled: false, account: sim.healthUserId, tokens: 'none' });
    expect(after.code).toBe(0);
    expect(leaks(d.stdout + d.stderr, [sim.clientSecret, tokens.accessToken, tokens.refreshToken])).toEqual([]);
  });

  it('--no-browser prints the URL, never opens a browser, and still takes the callback', async () => {
    let opened = 0;
    const { startCli } = await import('../oauth/helpers.js');
    const run = startCli(['connect', 'fitbit', '--no-browser'], {
      home,
      env: env(),
      openBrowser: async () => void opened++,
      endStdin: false,
    });
    const [, url] = await run.waitFor(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m);
    const port = redirectPort(url!);
    expect(run.stderr()).toContain(`ssh -L ${port}:127.0.0.1:${port}`);
    // A browser on this machine follows the redirect to the loopback server.
    const res = await fetch(url!, { redirect: 'follow' });
    expect(await res.text()).toContain('Connected to Fitbit (Google Health)');
    run.stdin.end();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(opened).toBe(0);
    expect(await refuses(port)).toBe(true);
  });

  it('--no-browser accepts the redirect URL pasted from another machine, checked like a callback', async () => {
    const { startCli } = await import('../oauth/helpers.js');
    const run = startCli(['connect', 'fitbit', '--no-browser'], { home, env: env(), endStdin: false });
    const [, url] = await run.waitFor(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m);
    // "Another machine": fetch the authorize URL but do not follow the redirect to the loopback.
    const res = await fetch(url!, { redirect: 'manual' });
    const location = res.headers.get('location')!;
    const good = new URL(location);
    // A pasted URL with a wrong state is refused and the flow keeps waiting.
    const forged = new URL(location);
    forged.searchParams.set('state', 'forged-state-value');
    run.stdin.write(`${forged.href}\n`);
    await run.waitFor(/state does not match/);
    // A URL for another port or path is refused too.
    const otherPort = new URL(location);
    otherPort.port = String(Number(good.port) + 1 > 65535 ? 1024 : Number(good.port) + 1);
    run.stdin.write(`${otherPort.href}\n`);
    await run.waitFor(/not this sign-in's redirect/);
    run.stdin.write('not a url at all\n');
    await run.waitFor(/That is not a URL/);
    run.stdin.write(`  ${good.href}  \n`);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Connected Fitbit (Google Health) as ${sim.healthUserId}`);
    expect(await refuses(Number(good.port))).toBe(true);
    expect(leaks(r.stdout + r.stderr, [good.searchParams.get('code')!, storedTokens().accessToken])).toEqual([]);
  });

  it('refuses an unconfigured plugin and points to `okr config setup`', async () => {
    const r = await runCli(['connect', 'fitbit'], {
      home,
      env: { ...env(), FITBIT_CLIENT_ID: '', FITBIT_CLIENT_SECRET: '' },
      openBrowser: async () => {
        throw new Error('must not open');
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: The fitbit plugin is not configured: client id and client secret missing.');
    expect(r.stderr).toContain('hint: Run `okr config setup fitbit` first.');
    expect(sim.stats.all ?? 0).toBe(0);
  });

  it('prints the URL when the browser cannot be opened, and still completes', async () => {
    const run = await import('../oauth/helpers.js').then(({ startCli }) =>
      startCli(['connect', 'fitbit'], {
        home,
        env: env(),
        openBrowser: async () => {
          throw new Error('spawn xdg-open ENOENT');
        },
      }),
    );
    const [, url] = await run.waitFor(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/google\/o\/oauth2\/v2\/auth\?\S+)$/m);
    await run.waitFor(/Could not open a browser \(spawn xdg-open ENOENT\); open the URL above yourself\./);
    await fetch(url!, { redirect: 'follow' }).then((r) => r.text());
    expect((await run.done).code).toBe(0);
  });
});

describe('failed token exchange stores nothing and says what to do', () => {
  async function connectExpectingFailure(extraEnv: Record<string, string>) {
    const browser = fetchBrowser();
    const r = await runCli(['connect', 'fitbit'], { home, env: env(extraEnv), openBrowser: browser.openBrowser });
    const hops = await browser.finished;
    expect(r.code).toBe(1);
    // Nothing stored: no secrets file entry, no connection row.
    let secrets: Record<string, string> = {};
    try {
      secrets = JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'));
    } catch {}
    expect(secrets['tokens.fitbit']).toBeUndefined();
    // No connection on record either.
    const st = await runCli(['status', '--json'], { home, env: env(extraEnv) });
    const fit = (JSON.parse(st.stdout) as { plugins: Array<Record<string, unknown>> }).plugins.find(
      (p) => p.id === 'fitbit',
    );
    expect(fit).toMatchObject({ connected: false, account: null, tokens: 'none' });
    expect(await refuses(redirectPort(browser.openedUrl!))).toBe(true);
    const last = hops.at(-1)!;
    expect(last.body).toContain('Could not connect to Fitbit (Google Health)');
    expect(last.body).toContain('Nothing was stored.');
    const codeHop = hops.find((h) => h.location?.startsWith('http://127.0.0.1'));
    const code = codeHop ? new URL(codeHop.location!).searchParams.get('code') : undefined;
    expect(leaks(r.stdout + r.stderr + (last.body ?? ''), [sim.clientSecret, code ?? undefined])).toEqual([]);
    return r;
  }

  it('400 invalid_grant (an expired code)', async () => {
    await sim.close();
    sim = await startSimulator({ autoApprove: true, codeTtlSeconds: -1 });
    const r = await connectExpectingFailure({});
    expect(r.stderr).toContain('error: fitbit rejected the authorization code (invalid_grant: Bad Request).');
    expect(r.stderr).toContain(
      'hint: The code expired, was already used, or does not match this sign-in. Run `okr connect fitbit` again',
    );
  });

  it('401 invalid_client (a wrong client secret)', async () => {
    const r = await connectExpectingFailure({ FITBIT_CLIENT_SECRET: 'GOCSPX-not-the-right-secret' });
    expect(r.stderr).toContain("error: fitbit rejected okr's client credentials (invalid_client: Unauthorized).");
    expect(r.stderr).toContain('hint: Check the client id and secret: `okr config setup fitbit`');
    expect(r.stderr).not.toContain('GOCSPX-not-the-right-secret');
  });

  it('the network down (nothing listens on the token URL)', async () => {
    const port = await closedPort();
    const r = await connectExpectingFailure({ FITBIT_TOKEN_URL: `http://127.0.0.1:${port}/token` });
    expect(r.stderr).toContain(
      `error: Could not reach the token endpoint of fitbit (127.0.0.1:${port}): ECONNREFUSED.`,
    );
    expect(r.stderr).toContain(
      'hint: Check the network connection, then run `okr connect fitbit` again. Nothing was stored.',
    );
  });
});
