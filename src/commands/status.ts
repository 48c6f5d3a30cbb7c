/**
 * `okr status [--json]`: per plugin, whether it is configured and connected (as whom), where its
 * tokens are, when they expire, how the last sync went, and the command that fixes each problem
 * (the seed's status route; `gh auth status` for the shape). Tokens are read only to check they
 * are there; no secret is printed.
 *
 * Exit codes, for health checks: 0 all good, 3 a connected plugin needs re-authentication,
 * 1 the token store could not be read (cannot tell).
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { demoHomeIntro, demoRecord, staleDemoHome } from '../demo/record.js';
import { ExitCode, OkrError } from '../errors.js';
import { demoFix, fixFor, fixText, STALE_SYNC_MS } from '../fixes.js';
import { paint } from '../io.js';
import { pidAlive, staleLocks } from '../lock.js';
import { fileLocationLines, fileLocations } from '../paths.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import type { DataImportPlugin, OAuthCredentials } from '../plugins/types.js';
import { getConnection } from '../store/connections.js';
import { findOrphanedTokens } from '../store/orphaned-tokens.js';
import { OkrFileError } from '../store/private-files.js';
import { KeychainUnavailableError } from '../store/secrets.js';
import { loadCredentials, tokenKey } from '../store/tokens.js';
import { countValuesBySource } from '../store/values.js';
import { formatNumber, localTime } from '../text.js';
import { type App, action } from './app.js';

export type TokenState = 'present' | 'missing' | 'unreadable' | 'unknown' | 'none';

export interface Problem {
  severity: 'error' | 'warning';
  problem: string;
  /** The command that fixes it (src/fixes.ts, shared with sync and doctor). */
  fix: string;
  /** What to do besides running it, when that matters. */
  note?: string;
}

export interface PluginStatus {
  id: string;
  name: string;
  configured: boolean;
  missingConfig: string[];
  connected: boolean;
  enabled: boolean;
  account: string | null;
  accountLabel: string | null;
  connectedAt: string | null;
  tokenStore: 'keychain' | 'file' | null;
  /**
   * For tokens in the plain-text file, how they got there: `setting` or `env` (secrets.store or
   * OKR_SECRETS say file: the user's standing choice) or `flag` (`--insecure-storage` on connect).
   */
  fileStoreChoice: 'setting' | 'env' | 'flag' | null;
  tokens: TokenState;
  hasRefreshToken: boolean | null;
  accessTokenExpiresAt: string | null;
  accessTokenExpired: boolean | null;
  refreshTokenExpiresAt: string | null;
  refreshTokenExpired: boolean | null;
  lastSync: { at: string; status: string | null; error: string | null } | null;
  values: number;
  needsReauth: boolean;
  /** Tokens are stored while no connection is recorded (an interrupted `okr connect`). */
  orphanedTokens: boolean;
  problems: Problem[];
  /** For a plugin without OAuth: what to run instead (`okr import …`); null otherwise. */
  importsFiles: string | null;
}

const DAY = 24 * 3600 * 1000;

async function readTokens(
  ctx: Context,
  pluginId: string,
): Promise<{ state: TokenState; creds?: OAuthCredentials; error?: string }> {
  try {
    const creds = await loadCredentials(ctx.secrets, pluginId);
    if (creds) return { state: 'present', creds };
    // The keychain answers "nothing" both for an absent entry and a locked keyring: tell them apart.
    if (ctx.secrets.storeOf(tokenKey(pluginId)) === 'keychain') {
      const probe = await ctx.secrets.probeKeychain();
      if (!probe.ok) return { state: 'unknown', error: probe.error.message };
    }
    return { state: 'missing' };
  } catch (err) {
    if (err instanceof KeychainUnavailableError) return { state: 'unknown', error: err.message };
    if (err instanceof OkrFileError) throw err; // a damaged secrets file: stop and name it
    if (err instanceof OkrError) return { state: 'unreadable', error: err.message };
    throw err;
  }
}

async function missingConfig(ctx: Context, pluginId: string): Promise<{ missing: string[]; error?: string }> {
  try {
    return { missing: (await ctx.config.missingRequired(pluginId)).map((k) => k.key) };
  } catch (err) {
    if (err instanceof OkrFileError) throw err; // a damaged config file: stop and name it
    if (err instanceof OkrError) return { missing: [], error: err.message };
    throw err;
  }
}

export async function pluginStatus(ctx: Context, plugin: DataImportPlugin): Promise<PluginStatus> {
  const db = ctx.db();
  const now = ctx.now().getTime();
  const conn = getConnection(db, plugin.id);
  const cfg = await missingConfig(ctx, plugin.id);
  const connected = conn?.enabled === true;
  const problems: Problem[] = [];
  // In a demo home whose simulator is gone, every fix is to run the demo again.
  const demo = staleDemoHome(ctx.conf, pidAlive)?.home;
  const reconnect = fixFor('reauth', plugin.id).command;
  const fixOf = (kind: string | null) => {
    const f = fixFor(kind, plugin.id, demo);
    return f.note ? { fix: f.command, note: f.note } : { fix: f.command };
  };
  if (cfg.error)
    problems.push({ severity: 'error', problem: `settings unreadable: ${cfg.error}`, fix: 'okr config list' });
  else if (cfg.missing.length > 0) {
    problems.push({
      severity: connected ? 'error' : 'warning',
      problem: `not configured (missing ${cfg.missing.join(', ')})`,
      fix: `okr config setup ${plugin.id}`,
    });
  }

  let tokens: Awaited<ReturnType<typeof readTokens>> = { state: 'none' };
  if (connected) tokens = await readTokens(ctx, plugin.id);
  const creds = tokens.creds;
  const accessAt = creds?.expiresAt ?? (conn?.accessExpiresAt ? Date.parse(conn.accessExpiresAt) : undefined);
  const refreshAt =
    creds?.refreshTokenExpiresAt ?? (conn?.refreshExpiresAt ? Date.parse(conn.refreshExpiresAt) : undefined);
  const accessExpired = connected && accessAt !== undefined ? accessAt <= now : null;
  const refreshExpired = connected && refreshAt !== undefined ? refreshAt <= now : null;

  let needsReauth = false;
  if (connected) {
    if (conn.needsReauth) {
      needsReauth = true;
      problems.push({
        severity: 'error',
        problem: `needs re-authentication${conn.lastError ? `: ${conn.lastError}` : ' (the provider refused the tokens)'}`,
        ...fixOf('reauth'),
      });
    }
    if (tokens.state === 'missing' || tokens.state === 'unreadable') {
      needsReauth = true;
      problems.push({
        severity: 'error',
        problem:
          tokens.state === 'missing'
            ? `no tokens in the ${conn.tokenStore === 'file' ? 'secrets file' : 'keychain'}`
            : (tokens.error ?? 'the stored tokens are unreadable'),
        ...fixOf('reauth'),
      });
    } else if (tokens.state === 'unknown') {
      problems.push({
        severity: 'error',
        problem: `cannot read the tokens: ${tokens.error}`,
        fix: `unlock the OS keyring, or ${reconnect} --insecure-storage`,
      });
    }
    if (refreshExpired) {
      needsReauth = true;
      problems.push({
        severity: 'error',
        problem: 'the sign-in expired (refresh token past its expiry)',
        ...fixOf('reauth'),
      });
    } else if (creds && !creds.refreshToken && accessExpired) {
      needsReauth = true;
      problems.push({
        severity: 'error',
        problem: 'the access token expired and there is no refresh token',
        ...fixOf('reauth'),
      });
    } else if (refreshAt !== undefined && refreshAt - now < 2 * DAY) {
      problems.push({
        severity: 'warning',
        problem: `the sign-in expires ${relative(refreshAt, now)}`,
        ...fixOf('reauth'),
      });
    }
    if (conn.lastSyncStatus === 'error' || conn.lastSyncStatus === 'partial') {
      problems.push({
        severity: 'warning',
        problem: `last sync ${conn.lastSyncStatus === 'error' ? 'failed' : 'was partial'}${conn.lastError ? `: ${conn.lastError}` : ''}`,
        ...fixOf(conn.lastErrorKind),
      });
    } else if (!conn.lastSyncAt) {
      problems.push({ severity: 'warning', problem: 'never synced', ...fixOf('never_synced') });
    } else if (now - Date.parse(conn.lastSyncAt) > STALE_SYNC_MS) {
      // As `okr doctor` says (a fail there): an hourly schedule would not leave a day without one.
      problems.push({
        severity: 'warning',
        problem: `last synced ${relative(Date.parse(conn.lastSyncAt), now)}, none since`,
        ...fixOf('stale'),
      });
    }
  }
  const orphan = connected ? undefined : await findOrphanedTokens(ctx.secrets, plugin.id, conn);
  if (orphan) problems.push({ severity: 'error', problem: orphan.problem, fix: orphan.fix });
  else if (!connected && cfg.missing.length === 0 && !cfg.error && !fileOnlyMessage(plugin)) {
    problems.push({ severity: 'warning', problem: conn ? 'disconnected' : 'not connected', ...fixOf('not_connected') });
  }
  for (const lock of staleLocks(ctx.paths.lockDir, [`${plugin.id}.sync`, `${plugin.id}.tokens`])) {
    const severity = lock.blocks ? 'error' : 'warning';
    problems.push({ severity, problem: `stale lock ${lock.path} (${lock.reason})`, fix: lock.fix });
  }

  let fileStoreChoice: PluginStatus['fileStoreChoice'] = null;
  if (connected && conn.tokenStore === 'file') {
    const setting = await ctx.config.resolve('secrets.store');
    fileStoreChoice = setting.value !== 'file' ? 'flag' : setting.source === 'env' ? 'env' : 'setting';
  }

  return {
    id: plugin.id,
    name: plugin.name,
    configured: cfg.missing.length === 0 && !cfg.error,
    missingConfig: cfg.missing,
    connected,
    enabled: conn?.enabled ?? false,
    account: conn?.accountId ?? null,
    accountLabel: conn?.accountLabel ?? null,
    connectedAt: conn?.connectedAt ?? null,
    tokenStore: connected ? (conn.tokenStore ?? null) : null,
    fileStoreChoice,
    tokens: tokens.state,
    hasRefreshToken: creds ? Boolean(creds.refreshToken) : null,
    accessTokenExpiresAt: connected && accessAt !== undefined ? new Date(accessAt).toISOString() : null,
    accessTokenExpired: accessExpired,
    refreshTokenExpiresAt: connected && refreshAt !== undefined ? new Date(refreshAt).toISOString() : null,
    refreshTokenExpired: refreshExpired,
    lastSync: conn?.lastSyncAt ? { at: conn.lastSyncAt, status: conn.lastSyncStatus, error: conn.lastError } : null,
    values: countValuesBySource(db, plugin.id),
    needsReauth,
    orphanedTokens: orphan !== undefined,
    problems,
    importsFiles: fileOnlyMessage(plugin) ?? null,
  };
}

/** 0 all good, 3 re-authentication needed, 1 tokens could not be checked. */
export function statusExitCode(rows: PluginStatus[]): number {
  if (rows.some((r) => r.connected && r.needsReauth)) return ExitCode.REAUTH;
  if (rows.some((r) => r.connected && r.tokens === 'unknown')) return ExitCode.ERROR;
  return ExitCode.OK;
}

function relative(at: number, now: number): string {
  const d = at - now;
  const abs = Math.abs(d);
  const n =
    abs < 90_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 90 * 60_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 2 * DAY
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / DAY)} days`;
  return d >= 0 ? `in ${n}` : `${n} ago`;
}

function printHuman(ctx: Context, rows: PluginStatus[]): void {
  const io = ctx.io;
  const now = ctx.now().getTime();
  const yes = (b: boolean) => (b ? paint(io, 'green', 'yes') : paint(io, 'yellow', 'no'));
  const line = (label: string, value: string) => io.out(`  ${label.padEnd(14)} ${value}`);
  rows.forEach((r, i) => {
    if (i > 0) io.out();
    io.out(`${paint(io, 'bold', r.id)}  ${r.name}`);
    if (r.importsFiles) {
      line('imports files', r.importsFiles);
      return;
    }
    line(
      'configured',
      r.configured
        ? yes(true)
        : `${yes(false)}${r.missingConfig.length ? ` (missing ${r.missingConfig.join(', ')})` : ''}`,
    );
    const who = r.account
      ? `${r.accountLabel && r.accountLabel !== r.account ? `${r.accountLabel} (${r.account})` : r.account}`
      : '';
    if (r.connected)
      line('connected', `${yes(true)}, as ${who}${r.connectedAt ? ` (since ${localTime(r.connectedAt)})` : ''}`);
    else line('connected', r.account ? `${yes(false)} (disconnected; was ${who})` : yes(false));
    line('enabled', yes(r.enabled));
    if (r.connected) {
      const where =
        r.tokenStore === 'file'
          ? paint(io, 'yellow', `plain-text file ${ctx.paths.secretsFile}`)
          : r.tokenStore === 'keychain'
            ? 'OS keychain'
            : 'unknown';
      const state =
        r.tokens === 'present' ? '' : paint(io, 'red', ` (${r.tokens === 'unknown' ? 'cannot read' : r.tokens})`);
      line('tokens', `${where}${state}`);
      // Advice that fits the store the user chose: none for a standing choice of the file (a
      // headless server), the way back to the keychain for a one-off --insecure-storage.
      if (r.fileStoreChoice === 'setting' || r.fileStoreChoice === 'env') {
        const why = r.fileStoreChoice === 'env' ? 'OKR_SECRETS=file' : 'secrets.store = file';
        line('', `plain text, as you chose (${why})`);
      } else if (r.fileStoreChoice === 'flag') {
        line(
          '',
          `kept there by --insecure-storage; to move them to the keychain: \`okr config set secrets.store keychain\`, then \`okr connect ${r.id}\``,
        );
      }
      if (r.accessTokenExpiresAt) {
        const at = Date.parse(r.accessTokenExpiresAt);
        line(
          'access token',
          `${r.accessTokenExpired ? 'expired' : 'expires'} ${localTime(r.accessTokenExpiresAt)} (${relative(at, now)})${r.accessTokenExpired && r.hasRefreshToken !== false ? ', renewed at the next sync' : ''}`,
        );
      }
      if (r.refreshTokenExpiresAt) {
        const at = Date.parse(r.refreshTokenExpiresAt);
        line(
          'refresh token',
          `${r.refreshTokenExpired ? paint(io, 'red', 'expired') : 'expires'} ${localTime(r.refreshTokenExpiresAt)} (${relative(at, now)})`,
        );
      } else if (r.hasRefreshToken) line('refresh token', 'no expiry reported');
      else if (r.hasRefreshToken === false) line('refresh token', paint(io, 'yellow', 'none'));
    }
    if (r.lastSync) {
      const st =
        r.lastSync.status === 'ok' ? paint(io, 'green', 'ok') : paint(io, 'red', r.lastSync.status ?? 'unknown');
      line('last sync', `${localTime(r.lastSync.at)} (${relative(Date.parse(r.lastSync.at), now)}), ${st}`);
    } else if (r.connected) line('last sync', 'never');
    if (r.values > 0 || r.account) line('values', `${formatNumber(r.values)} synced`);
    for (const p of r.problems) {
      const mark = p.severity === 'error' ? paint(io, 'red', '✗') : paint(io, 'yellow', '!');
      // The problem may end in a provider's own sentence: the fix goes on a line of its own.
      io.out(`  ${mark} ${p.problem}`);
      io.out(`      fix: ${fixText({ command: p.fix, note: p.note })}`);
    }
  });
}

export function register(program: Command, app: App): void {
  program
    .command('status')
    .description('connection, tokens and last sync of every plugin; exit 3 when one needs re-authentication')
    .argument('[plugins...]', 'only these plugins (default: all)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExit codes: 0 fine, 3 a connected plugin needs `okr connect` again, 1 the token store could not be read.',
    )
    .action(
      action(app, async (ctx, ids: string[], opts: { json?: boolean }) => {
        const unknown = ids.filter((id) => !ctx.registry.has(id));
        if (unknown.length > 0) throw ctx.registry.unknown(unknown);
        const rows: PluginStatus[] = [];
        for (const p of ctx.registry.list())
          if (ids.length === 0 || ids.includes(p.id)) rows.push(await pluginStatus(ctx, p));
        const demo = demoRecord(ctx.conf);
        if (opts.json) ctx.io.json({ plugins: rows, files: fileLocations(ctx.paths), demo: demo ?? null });
        else {
          if (demo) {
            const running = staleDemoHome(ctx.conf, pidAlive) === undefined;
            ctx.io.out(
              paint(
                ctx.io,
                'yellow',
                `${demoHomeIntro(demo)}: its plugins' settings point at the demo's simulators, which ${running ? 'are running now' : 'run only during `okr demo`'}.`,
              ),
            );
            if (!running) ctx.io.out(`To sync it again, re-run the demo there: ${demoFix(demo.home).command}`);
            ctx.io.out();
          }
          if (rows.length === 0) ctx.io.out('No plugins are registered.');
          else printHuman(ctx, rows);
          ctx.io.out();
          for (const l of fileLocationLines(ctx.paths)) ctx.io.out(l);
        }
        return statusExitCode(rows);
      }),
    );
}
