/**
 * `okr doctor`: each check says pass, warn or fail, and for anything but pass the command that
 * fixes it. The check ids and the JSON shape are stable (monitoring reads them).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { demoHomeIntro, demoRecord, staleDemoHome } from '../demo/record.js';
import { OkrError } from '../errors.js';
import { demoFix, fixFor, fixText, STALE_SYNC_MS } from '../fixes.js';
import { pidAlive, staleLocks } from '../lock.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import { type Connection, listConnections } from '../store/connections.js';
import { type Db, openDatabase, schemaVersion } from '../store/db.js';
import { SCHEMA_VERSION } from '../store/migrations.js';
import { findOrphanedTokens } from '../store/orphaned-tokens.js';
import { inspectPath } from '../store/private-files.js';
import { loadCredentials } from '../store/tokens.js';
import { clause, localTime } from '../text.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id, e.g. `node`, `database`, `plugin.fitbit.tokens`. */
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** The command (or action) that fixes a warn or fail. */
  fix?: string;
}

const MIN_NODE = [20, 19] as const;
/** Warn this long before a refresh token expires (Google Testing mode: 7 days). */
const REFRESH_WARN_MS = 2 * 24 * 3600_000;

export function checkNode(version: string): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return {
    id: 'node',
    title: 'Node.js version',
    status: ok ? 'pass' : 'fail',
    detail: `node ${version}${ok ? '' : ` (okr needs ${MIN_NODE.join('.')} or newer)`}`,
    fix: ok ? undefined : 'Install Node.js 20.19 or newer (nvm install 20).',
  };
}

/** What a mode means for okr's paths: octal, as `ls -l` and `chmod` take it. */
const octal = (mode: number) => mode.toString(8).padStart(3, '0');

interface Watched {
  label: string;
  path: string;
  /** `home`: OKR_HOME, the user's folder that holds okr's; `secrets`: the plain-text secrets file. */
  kind: 'home' | 'folder' | 'file' | 'secrets';
}

/**
 * The real modes and owners of OKR_HOME and okr's folders and files, as found (this check runs
 * before anything opens them). A foreign owner, a symbolic link or a secrets file others can
 * read fail; other loose modes warn (okr tightens its own folders and files when it opens them).
 */
export function checkPermissions(ctx: Context): CheckResult {
  const { configDir, dataDir, stateDir, configFile, secretsFile, dbFile } = ctx.paths;
  const watched: Watched[] = [
    ...(ctx.env.OKR_HOME ? [{ label: 'OKR_HOME', path: ctx.env.OKR_HOME, kind: 'home' as const }] : []),
    { label: 'config folder', path: configDir, kind: 'folder' },
    { label: 'data folder', path: dataDir, kind: 'folder' },
    { label: 'state folder', path: stateDir, kind: 'folder' },
    { label: 'config.json', path: configFile, kind: 'file' },
    { label: 'secrets.json', path: secretsFile, kind: 'secrets' },
    { label: 'okr.db', path: dbFile, kind: 'file' },
    { label: 'okr.db-wal', path: `${dbFile}-wal`, kind: 'file' },
  ];
  const modes: string[] = [];
  const problems: string[] = [];
  const fixes: string[] = [];
  let status: CheckStatus = 'pass';
  const flag = (level: 'warn' | 'fail', problem: string, fix: string) => {
    if (level === 'fail' || status === 'pass') status = level;
    problems.push(problem);
    fixes.push(fix);
  };
  for (const w of watched) {
    const st = inspectPath(w.path);
    if (st.kind === 'missing') continue;
    const isDir = w.kind === 'home' || w.kind === 'folder';
    const mode = st.mode === undefined ? '?' : octal(st.mode);
    modes.push(`${w.label} ${mode}`);
    if (st.kind === 'symlink' && !isDir) {
      flag('fail', `${w.path} is a symbolic link (okr refuses to follow it)`, `put the real file at '${w.path}'`);
      continue;
    }
    if (isDir ? st.kind !== 'folder' && st.kind !== 'symlink' : st.kind !== 'file') {
      flag('fail', `${w.path} is not a ${isDir ? 'folder' : 'regular file'}`, `mv '${w.path}' '${w.path}.moved'`);
      continue;
    }
    if (!st.mine) {
      flag(
        'fail',
        `${w.path} belongs to another user (uid ${st.uid})`,
        `sudo chown${isDir ? ' -R' : ''} "$USER" '${w.path}'`,
      );
      continue;
    }
    if (st.mode === undefined) continue;
    if (w.kind === 'home') {
      // Others need no access to OKR_HOME, but write access is what lets them swap okr's folders.
      if (st.mode & 0o022)
        flag(
          'warn',
          `OKR_HOME ${w.path} is ${mode}: other users can rename or replace okr's folders in it`,
          `chmod 700 '${w.path}'`,
        );
    } else if (st.mode & 0o077) {
      if (w.kind === 'secrets')
        flag('fail', `${w.path} is ${mode}: other users can read your secrets`, `chmod 600 '${w.path}'`);
      else if (isDir) flag('warn', `${w.path} is ${mode} (others can look inside)`, `chmod 700 '${w.path}'`);
      else flag('warn', `${w.path} is ${mode}`, `chmod 600 '${w.path}'`);
    }
  }
  if (existsSync(dataDir)) {
    try {
      accessSync(dataDir, constants.W_OK);
    } catch {
      flag('fail', `${dataDir} is not writable`, `chmod u+w '${dataDir}'`);
    }
  }
  const found = modes.length > 0 ? modes.join(', ') : 'nothing created yet';
  return status === 'pass'
    ? { id: 'permissions', title: 'Data folder permissions', status, detail: `modes: ${found}` }
    : {
        id: 'permissions',
        title: 'Data folder permissions',
        status,
        detail: `${problems.join('; ')} (modes: ${found})`,
        fix: `${fixes.join(' && ')}${status === 'warn' ? ' (okr also tightens its own folders and files when it opens them)' : ''}`,
      };
}

/** The conf file parses and has okr's shape; a damaged one is named with the fix (never rewritten). */
export function checkConfigFile(ctx: Context): CheckResult {
  try {
    void ctx.conf.data;
    return {
      id: 'config',
      title: 'Config file',
      status: 'pass',
      detail: existsSync(ctx.paths.configFile) ? `${ctx.paths.configFile} is valid` : 'none yet (no setting stored)',
    };
  } catch (err) {
    const e = err instanceof OkrError ? err : new OkrError(String(err));
    return { id: 'config', title: 'Config file', status: 'fail', detail: e.message, fix: e.hint };
  }
}

/** Opens the database read-only (doctor never migrates or repairs), quick_check and version. */
export function checkDatabase(ctx: Context): { result: CheckResult; db?: Db } {
  const file = ctx.paths.dbFile;
  if (!existsSync(file)) {
    return {
      result: {
        id: 'database',
        title: 'Database',
        status: 'warn',
        detail: `no database yet at ${file}`,
        fix: 'okr connect <plugin> && okr sync (or okr demo to try it out)',
      },
    };
  }
  let db: Db | undefined;
  try {
    db = openDatabase(file, { readonly: true });
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const verdict = rows.map((r) => r.quick_check).join('; ');
    if (verdict !== 'ok') throw new OkrError(`quick_check: ${verdict}`);
    const version = schemaVersion(db);
    if (version < SCHEMA_VERSION) {
      return {
        db,
        result: {
          id: 'database',
          title: 'Database',
          status: 'warn',
          detail: `schema version ${version}; this okr upgrades it to ${SCHEMA_VERSION} on the next write`,
          fix: 'okr sync',
        },
      };
    }
    return {
      db,
      result: {
        id: 'database',
        title: 'Database',
        status: 'pass',
        detail: `quick_check ok, schema version ${version}`,
      },
    };
  } catch (err) {
    db?.close();
    const msg = err instanceof Error ? err.message : String(err);
    return {
      result: {
        id: 'database',
        title: 'Database',
        status: 'fail',
        detail: msg.split('\n')[0]!,
        fix:
          err instanceof OkrError && err.hint
            ? err.hint
            : `Move ${file} aside (mv '${file}' '${file}.broken') and run okr sync to rebuild it from the provider.`,
      },
    };
  }
}

/**
 * Secrets stored in the keychain need it reachable (fail). When none is there yet but new secrets
 * would go there, an unreachable keychain is a warning: nothing breaks until the next `config set`
 * or `connect`.
 */
export async function checkKeychain(ctx: Context): Promise<CheckResult> {
  const stored = Object.values(ctx.conf.data.secretStores).includes('keychain');
  const defaultsToKeychain = ctx.config.defaultSecretStore() === 'keychain';
  if (!stored && !defaultsToKeychain) {
    const file = inspectPath(ctx.paths.secretsFile);
    const mode =
      file.kind === 'missing'
        ? ', none stored yet'
        : file.mode === undefined
          ? ''
          : `, mode ${octal(file.mode)}${file.mode & 0o077 ? ': readable by others, see the permissions check' : ''}`;
    return {
      id: 'keychain',
      title: 'OS keychain',
      status: 'pass',
      detail: `not used: secrets are in the plain-text file ${ctx.paths.secretsFile} (secrets.store = file${mode})`,
    };
  }
  const probe = await ctx.secrets.probeKeychain();
  if (probe.ok)
    return { id: 'keychain', title: 'OS keychain', status: 'pass', detail: 'reachable (Secret Service / Keychain)' };
  return {
    id: 'keychain',
    title: 'OS keychain',
    status: stored ? 'fail' : 'warn',
    detail: stored
      ? probe.error.message
      : `${clause(probe.error.message)} (no secret is stored there yet; new ones would go there)`,
    fix: probe.error.hint,
  };
}

/** Stale lock files: a warning (the next okr that needs one takes it over) unless okr cannot remove it. */
export function checkLocks(ctx: Context): CheckResult {
  const stale = staleLocks(ctx.paths.lockDir);
  if (stale.length === 0) return { id: 'locks', title: 'Lock files', status: 'pass', detail: 'no stale lock' };
  return {
    id: 'locks',
    title: 'Lock files',
    status: stale.some((l) => l.blocks) ? 'fail' : 'warn',
    detail: stale.map((l) => `${l.path} is stale (${l.reason})`).join('; '),
    fix: stale.map((l) => l.fix).join(' && '),
  };
}

/**
 * A home `okr demo --home` made: its plugins' settings point at the demo's simulators, so while
 * no demo runs there every sync fails (a warning, with the command that syncs it: the demo). Not
 * a demo home: no check.
 */
export function checkDemo(ctx: Context): CheckResult | undefined {
  const demo = demoRecord(ctx.conf);
  if (!demo) return undefined;
  const title = 'Demo home';
  if (!staleDemoHome(ctx.conf, pidAlive)) {
    return { id: 'demo', title, status: 'pass', detail: `${demoHomeIntro(demo)}; its simulators are running now` };
  }
  return {
    id: 'demo',
    title,
    status: 'warn',
    detail: `${demoHomeIntro(demo)}; its simulators are not running, so \`okr sync\` fails here`,
    fix: fixText(demoFix(demo.home)),
  };
}

export async function checkPlugin(
  ctx: Context,
  conn: Connection | undefined,
  pluginId: string,
): Promise<CheckResult[]> {
  const plugin = ctx.registry.get(pluginId);
  const out: CheckResult[] = [];
  const id = (s: string) => `plugin.${pluginId}.${s}`;
  let missing: Awaited<ReturnType<typeof ctx.config.missingRequired>>;
  try {
    missing = await ctx.config.missingRequired(pluginId);
  } catch (err) {
    // A secret we cannot read (keychain down) makes the config check fail, not the doctor.
    const e = err instanceof OkrError ? err : new OkrError(String(err));
    return [{ id: id('config'), title: `${pluginId}: configuration`, status: 'fail', detail: e.message, fix: e.hint }];
  }
  out.push(
    missing.length === 0
      ? { id: id('config'), title: `${pluginId}: configuration`, status: 'pass', detail: 'complete' }
      : {
          id: id('config'),
          title: `${pluginId}: configuration`,
          status: conn?.enabled ? 'fail' : 'warn',
          detail: `missing ${missing.map((k) => k.key).join(', ')}`,
          fix: `okr config setup ${pluginId}`,
        },
  );
  if (!conn?.enabled) {
    const orphan = await findOrphanedTokens(ctx.secrets, pluginId, conn);
    if (orphan) {
      out.push({
        id: id('tokens'),
        title: `${pluginId}: tokens`,
        status: 'fail',
        detail: orphan.problem,
        fix: `${orphan.fix} (revokes and deletes them; then okr connect ${pluginId} to connect again)`,
      });
    }
    out.push({
      id: id('connection'),
      title: `${pluginId}: connection`,
      status: 'warn',
      detail: 'not connected',
      fix: `okr connect ${pluginId}`,
    });
    return out;
  }

  const now = ctx.now().getTime();
  // The same fixes as `okr sync` and `okr status` (src/fixes.ts); in a demo home, the demo's.
  const demo = staleDemoHome(ctx.conf, pidAlive)?.home;
  const fix = (kind: string | null) => fixText(fixFor(kind, pluginId, demo));
  let tokens: CheckResult;
  try {
    const creds = await loadCredentials(ctx.secrets, pluginId);
    if (!creds) {
      tokens = {
        id: id('tokens'),
        title: `${pluginId}: tokens`,
        status: 'fail',
        detail: `connected, but no tokens in the ${conn.tokenStore ?? 'secret'} store`,
        fix: fix('not_connected'),
      };
    } else if (conn.needsReauth) {
      tokens = {
        id: id('tokens'),
        title: `${pluginId}: tokens`,
        status: 'fail',
        detail: 'the provider refused the tokens; sign in again',
        fix: fix('reauth'),
      };
    } else if (creds.refreshTokenExpiresAt !== undefined && creds.refreshTokenExpiresAt <= now) {
      tokens = {
        id: id('tokens'),
        title: `${pluginId}: tokens`,
        status: 'fail',
        detail: `the refresh token expired ${localTime(creds.refreshTokenExpiresAt)}`,
        fix: fix('reauth'),
      };
    } else if (!creds.refreshToken && creds.expiresAt !== undefined && creds.expiresAt <= now) {
      tokens = {
        id: id('tokens'),
        title: `${pluginId}: tokens`,
        status: 'fail',
        detail: 'the access token expired and there is no refresh token',
        fix: fix('reauth'),
      };
    } else {
      const shortLived =
        plugin.shortRefreshTokenLifetimeMs !== undefined &&
        creds.refreshTokenExpiresAt !== undefined &&
        creds.refreshTokenExpiresAt - creds.obtainedAt <= plugin.shortRefreshTokenLifetimeMs + 60_000;
      const soon = creds.refreshTokenExpiresAt !== undefined && creds.refreshTokenExpiresAt - now < REFRESH_WARN_MS;
      tokens =
        shortLived || soon
          ? {
              id: id('tokens'),
              title: `${pluginId}: tokens`,
              status: 'warn',
              detail: `the refresh token expires ${localTime(creds.refreshTokenExpiresAt!)}${
                shortLived ? ' (a 7-day token: the OAuth app is in Testing mode)' : ''
              }`,
              fix: shortLived
                ? `Publish the OAuth consent screen "In production" in the provider's console, then okr connect ${pluginId}`
                : `okr connect ${pluginId}`,
            }
          : {
              id: id('tokens'),
              title: `${pluginId}: tokens`,
              status: 'pass',
              detail: `present in the ${conn.tokenStore ?? 'secret'} store${
                creds.expiresAt && creds.expiresAt <= now ? '; the access token is refreshed on the next sync' : ''
              }`,
            };
    }
  } catch (err) {
    const e = err instanceof OkrError ? err : new OkrError(String(err));
    tokens = { id: id('tokens'), title: `${pluginId}: tokens`, status: 'fail', detail: e.message, fix: e.hint };
  }
  out.push(tokens);

  if (conn.lastErrorKind === 'retired') {
    out.push({
      id: id('provider'),
      title: `${pluginId}: provider`,
      status: 'fail',
      detail: `the provider API is retired (HTTP 410): ${conn.lastError ?? ''}`.trim(),
      fix: fix('retired'),
    });
  } else {
    out.push({ id: id('provider'), title: `${pluginId}: provider`, status: 'pass', detail: 'no retirement seen' });
  }

  if (!conn.lastSyncAt) {
    out.push({
      id: id('sync'),
      title: `${pluginId}: last sync`,
      status: 'warn',
      detail: 'never synced',
      fix: fix('never_synced'),
    });
  } else {
    const age = now - Date.parse(conn.lastSyncAt);
    const hours = Math.round(age / 3600_000);
    if (conn.lastSyncStatus !== 'ok') {
      out.push({
        id: id('sync'),
        title: `${pluginId}: last sync`,
        status: 'fail',
        detail: `${conn.lastSyncStatus} at ${localTime(conn.lastSyncAt)}: ${conn.lastError ?? 'no detail'}`,
        fix: fix(conn.lastSyncStatus === 'reauth' ? 'reauth' : conn.lastErrorKind),
      });
    } else if (age > STALE_SYNC_MS) {
      // A fail, not a warning: with an hourly schedule, a day without a sync means it stopped.
      out.push({
        id: id('sync'),
        title: `${pluginId}: last sync`,
        status: 'fail',
        detail: `last succeeded ${hours} h ago (${localTime(conn.lastSyncAt)})`,
        fix: fix('stale'),
      });
    } else {
      out.push({ id: id('sync'), title: `${pluginId}: last sync`, status: 'pass', detail: `ok ${hours} h ago` });
    }
  }
  return out;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

export async function runChecks(
  ctx: Context,
  extra: (ctx: Context, db: Db | undefined) => Promise<CheckResult[]> = async () => [],
): Promise<DoctorReport> {
  const config = checkConfigFile(ctx);
  const checks: CheckResult[] = [checkNode(process.versions.node), checkPermissions(ctx), config];
  const { result, db } = checkDatabase(ctx);
  checks.push(result);
  // The keychain, plugin and schedule checks all read the config file: with it damaged they
  // could only repeat the config check's failure.
  if (config.status === 'fail') {
    db?.close();
    return { ok: false, checks };
  }
  checks.push(await checkKeychain(ctx));
  checks.push(checkLocks(ctx));
  const demo = checkDemo(ctx);
  if (demo) checks.push(demo);
  try {
    const conns = db ? listConnections(db) : [];
    for (const plugin of ctx.registry.list()) {
      if (fileOnlyMessage(plugin)) continue; // no sign-in to check: `okr import` reads its files
      const conn = conns.find((c) => c.pluginId === plugin.id);
      const configured = await ctx.config.missingRequired(plugin.id).then(
        (m) => m.length === 0,
        () => true, // unreadable secrets: let checkPlugin report it
      );
      if (!conn && !configured) continue;
      checks.push(...(await checkPlugin(ctx, conn, plugin.id)));
    }
    // A broken part (e.g. the database) must not stop the other checks from reporting.
    checks.push(
      ...(await extra(ctx, db).catch((err: unknown): CheckResult[] => {
        const e = err instanceof OkrError ? err : new OkrError(String(err));
        return [{ id: 'schedule', title: 'Schedule', status: 'fail', detail: e.message, fix: e.hint }];
      })),
    );
  } finally {
    db?.close();
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
