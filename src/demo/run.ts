/**
 * `okr demo`: the whole job for real, on the embedded simulator, in a throwaway home.
 * 1. a fresh temporary OKR_HOME (or --home to keep it), plain-file secrets inside it: the user's
 *    real data and keychain are never touched;
 * 2. the simulator on 127.0.0.1;
 * 3. `fitbit` configured against it;
 * 4. the real OAuth flow through `okr connect` (auto-approved, or --browser to click Allow);
 * 5. `okr sync --since 30d` and the default template;
 * 6. `okr metrics show` and a chart of sleep;
 * 7. a summary, and the commands to do the same with a real account.
 * Each step runs the real command in-process against the demo home.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { addDays, lastDays, localDate } from '../dates.js';
import { OkrError } from '../errors.js';
import { paint } from '../io.js';
import { formatValue } from '../metrics/values.js';
import { resolvePaths } from '../paths.js';
import { openDatabase } from '../store/db.js';
import { getValues } from '../store/values.js';
import { plural } from '../text.js';
import { barChart } from './chart.js';
import { writeDemoRecord } from './record.js';

export interface DemoOptions {
  home?: string;
  /** Open a real browser on the simulator's consent page instead of auto-approving. */
  browser?: boolean;
  days: number;
}

type Main = (argv: string[], opts: import('../context.js').ContextOptions) => Promise<number>;

export async function runDemo(ctx: Context, opts: DemoOptions, main: Main): Promise<number> {
  const io = ctx.io;
  const keep = opts.home !== undefined;
  if (keep) refuseNonDemoHome(resolve(opts.home!), ctx.platform);
  const home = keep ? resolve(opts.home!) : mkdtempSync(join(tmpdir(), 'okr-demo-'));
  // The temporary home goes even when the process ends without reaching `finally`: a closed
  // pipe (`okr demo | head`) and a second Ctrl-C exit at once (see io.ts and cli.ts).
  const removeHome = () => {
    if (!keep) rmSync(home, { recursive: true, force: true });
  };
  process.once('exit', removeHome);
  const step = (n: number, text: string) => io.out(`\n${paint(io, 'bold', `${n}. ${text}`)}`);
  // One simulator server with a module per provider. Oura registers one exact redirect URI
  // (port included): the demo registers a free loopback port with its Oura module, as a
  // developer would in Oura's portal, and gives okr the same.
  const [{ startSimulatorServer, googleHealthModule }, { ouraModule }] = await Promise.all([
    import('../simulator/index.js'),
    import('../simulator/oura/index.js'),
  ]);
  const ouraRedirect = `http://127.0.0.1:${await freeLoopbackPort()}/oura/callback`;
  const simulator = await startSimulatorServer({
    google: googleHealthModule({ autoApprove: !opts.browser, now: ctx.now() }),
    oura: ouraModule({ autoApprove: !opts.browser, now: ctx.now(), redirectUris: [ouraRedirect] }),
  });
  const { google: sim, oura } = simulator.modules;
  const env: Record<string, string | undefined> = { ...ctx.env, OKR_HOME: home, OKR_SECRETS: 'file' };
  // The "browser" of the auto-approved flow: follow the authorization URL's redirects, which end
  // at okr's own loopback callback server (another origin), as a browser would. It follows them
  // itself because ctx.fetch, the provider fetch, never leaves an origin. Like a real browser it
  // runs on its own: `openBrowser` returns at once and connect waits for the callback.
  const browse = async (start: string) => {
    let url = start;
    for (let hop = 0; hop < 10; hop++) {
      const res = await ctx.fetch(url, { redirect: 'manual', signal: ctx.signal });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return;
      url = new URL(location, url).href;
    }
  };
  const autoBrowser = async (url: string) => {
    browse(url).catch((err: Error) => io.err(paint(io, 'yellow', `The demo browser stopped: ${err.message}`)));
  };
  const okr = async (...argv: string[]) => {
    io.out(paint(io, 'dim', `$ okr ${argv.join(' ')}`));
    const code = await main(['node', 'okr', ...argv], {
      env,
      io,
      now: ctx.now,
      signal: ctx.signal,
      openBrowser: opts.browser ? undefined : autoBrowser,
      browserName: opts.browser ? undefined : "the demo's browser, which approves by itself,",
    });
    if (code !== 0)
      throw new OkrError(`The demo step \`okr ${argv.join(' ')}\` failed (exit ${code}).`, { exitCode: 1 });
  };
  const started = Date.now();
  try {
    step(1, 'A fresh home');
    io.out(`OKR_HOME=${home}${keep ? '' : ' (temporary, removed at the end; --home <dir> keeps it)'}`);
    io.out('Secrets go to a plain-text 0600 file inside it: your keychain and your real data are not touched.');

    step(2, 'The provider simulator');
    io.out(`A local stand-in for two providers on one server at ${simulator.url}:`);
    io.out(`Google OAuth and the Google Health API v4 at ${sim.url}, with two years of generated`);
    io.out('Fitbit data (steps, sleep with naps, heart rate; a DST change), and Oura OAuth and the');
    io.out(`Oura API v2 at ${oura.url} (a ring's scores, sleep periods, activity).`);

    step(3, 'Configure the fitbit and oura plugins against them');
    // Through the config service of the demo home, as `okr config set` would store them.
    const { createContext } = await import('../context.js');
    const demoCtx = createContext({ env, io, now: ctx.now, registry: ctx.registry });
    const settings: Array<[string, string]> = [
      ['secrets.store', 'file'],
      ['plugin.fitbit.client_id', sim.clientId],
      ['plugin.fitbit.client_secret', sim.clientSecret],
      ['plugin.fitbit.auth_url', sim.authUrl],
      ['plugin.fitbit.token_url', sim.tokenUrl],
      ['plugin.fitbit.revoke_url', sim.revokeUrl],
      ['plugin.fitbit.api_base_url', sim.apiBaseUrl],
      ['plugin.oura.client_id', oura.clientId],
      ['plugin.oura.client_secret', oura.clientSecret],
      ['plugin.oura.redirect_uri', ouraRedirect],
      ['plugin.oura.auth_url', oura.authUrl],
      ['plugin.oura.token_url', oura.tokenUrl],
      ['plugin.oura.revoke_url', oura.revokeUrl],
      ['plugin.oura.api_base_url', oura.apiBaseUrl],
    ];
    for (const [key, value] of settings) await demoCtx.config.set(key, value, { store: 'file' });
    // The home says it is a demo's: once this process (and its simulator) is gone, sync and
    // status there say to re-run the demo instead of calling a dead port.
    const createdAt = ctx.now().toISOString();
    if (keep) writeDemoRecord(demoCtx.conf, { home, createdAt, runningPid: process.pid });
    demoCtx.close();
    io.out('Each: client id, client secret and the endpoint URLs; oura also its registered redirect URI');
    io.out('(okr config list shows them).');

    step(4, opts.browser ? 'Connect: approve in your browser' : 'Connect through the real OAuth flow (auto-approved)');
    await okr('connect', 'fitbit', '--timeout', opts.browser ? '5m' : '30s');
    await okr('connect', 'oura', '--timeout', opts.browser ? '5m' : '30s');

    step(5, `Sync the last ${plural(opts.days, 'day')}`);
    await okr('sync', '--since', `${opts.days}d`);

    step(6, 'The metrics');
    await okr('metrics', 'show', '--since', '14d', '--offline');
    drawSleepChart(ctx, env, opts.days);

    step(7, 'Done');
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    io.out(`In ${secs} s: configured fitbit and oura, signed in with OAuth2 through one-shot 127.0.0.1 servers,`);
    io.out(`synced ${plural(opts.days, 'day')} into SQLite and showed them. With your own Google account:`);
    io.out();
    io.out('  okr config setup fitbit      # client id + secret, with the Google Cloud console steps');
    io.out('  okr connect fitbit           # sign in through the browser');
    io.out('  okr sync --since 30d         # import into SQLite');
    io.out('  okr metrics show             # the table');
    io.out('  okr schedule install         # an hourly sync');
    if (keep) {
      io.out(`\nThe demo's data stays in ${home}: OKR_HOME='${home}' okr metrics show --offline`);
      io.out(`Its simulator stops now; to sync it again, run \`okr demo --home ${home}\` again.`);
    }
    return 0;
  } finally {
    await simulator.close();
    if (keep) await markDemoStopped(ctx, env);
    process.off('exit', removeHome);
    removeHome();
  }
}

/** Days the sleep chart shows at most: one column each, beside a `10:30 ┤` axis, in 80 columns. */
const CHART_DAYS = 70;

/** A chart of one metric (sleep) over the synced days (the last CHART_DAYS), read straight from the demo's database. */
function drawSleepChart(ctx: Context, env: Record<string, string | undefined>, days: number): void {
  const io = ctx.io;
  const paths = resolvePaths({ env, platform: ctx.platform, homedir: tmpdir() });
  const db = openDatabase(paths.dbFile, { readonly: true });
  try {
    const shown = Math.min(days, CHART_DAYS);
    const to = localDate(ctx.now());
    const from = lastDays(to, shown);
    const byDate = new Map(getValues(db, ['fitbit.sleepLength'], from, to).map((v) => [v.date, Number(v.value)]));
    const series: Array<number | undefined> = [];
    for (let d = from; d <= to; d = addDays(d, 1)) series.push(byDate.get(d));
    io.out();
    const title =
      shown < days
        ? `Sleep length, the last ${shown} days, ${from} to ${to} (blank: no data)`
        : `Sleep length, ${from} to ${to} (one column a day; blank: no data)`;
    io.out(paint(io, 'bold', title));
    for (const line of barChart(series, { height: 8, format: (v) => formatValue('duration', v) })) io.out(line);
  } finally {
    db.close();
  }
}

/**
 * `okr demo --home <dir>` may reuse a demo home (its conf says so) or fill an empty or new folder;
 * anything else may be someone's real okr home or other files, which the demo must not touch.
 */
function refuseNonDemoHome(home: string, platform: NodeJS.Platform): void {
  if (!existsSync(home) || readdirSync(home).length === 0) return;
  const conf = resolvePaths({ env: { OKR_HOME: home }, platform, homedir: tmpdir() }).configFile;
  let demo = false;
  try {
    const data = JSON.parse(readFileSync(conf, 'utf8')) as { demo?: { home?: unknown } };
    demo = typeof data?.demo?.home === 'string';
  } catch {
    demo = false;
  }
  if (!demo) {
    throw new OkrError(`${home} is not empty and is not a demo home: okr demo leaves it alone.`, {
      hint: 'Give `okr demo --home` a new or empty folder, or one an earlier `okr demo --home` made.',
      exitCode: 2,
    });
  }
}

/** The demo's simulator is gone: the record keeps the home's story without a running process. */
async function markDemoStopped(ctx: Context, env: Record<string, string | undefined>): Promise<void> {
  const { createContext } = await import('../context.js');
  const demoCtx = createContext({ env, io: ctx.io, now: ctx.now, registry: ctx.registry });
  try {
    demoCtx.conf.update((d) => {
      const rec = d.demo as { runningPid?: number } | undefined;
      if (rec && typeof rec === 'object') delete rec.runningPid;
    });
  } finally {
    demoCtx.close();
  }
}

/** A loopback port nothing listens on now (the OS picks it), for the demo's registered redirect. */
async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}
