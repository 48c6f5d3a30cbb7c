/**
 * `okr schedule check --json`: what the preflight runs in the job's place, with the job's node,
 * the job's bin/okr.js and the job's environment. It answers what a scheduled sync needs, without
 * touching the network:
 * - the database opens and is writable (or, before the first sync, could be created);
 * - the keychain answers a write/read/delete probe, when secrets live there (or would go there);
 * - each connected plugin's tokens are readable, and its required settings resolve without the
 *   user's shell (a client id that only came from an exported variable is invisible to cron);
 * - the log folder is writable;
 * - and what the job resolves (`resolved`): every setting with where its value comes from, the
 *   folders and the time zone, so the preflight can compare them with the shell's: an endpoint
 *   override or a client id that only lives in an exported variable changes what the job does.
 * It never prints a secret: only whether each one could be read, and from where.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { OkrError } from '../errors.js';
import type { ValueSource } from '../store/config.js';
import { listEnabledConnections } from '../store/connections.js';
import { tokenKey } from '../store/tokens.js';

export interface CheckItem {
  ok: boolean;
  detail: string;
  error?: string;
  hint?: string;
}

export interface CheckReport {
  ok: boolean;
  node: { path: string; version: string };
  database: CheckItem & { path: string };
  keychain: CheckItem & { needed: boolean; busAddress: string | null };
  plugins: Array<{ id: string; tokens: CheckItem; settings: CheckItem & { missing: string[] } }>;
  log: CheckItem & { path: string };
  resolved: Resolved;
}

/** One setting as a process resolves it. Secrets carry no value: only where it came from. */
export interface ResolvedSetting {
  key: string;
  source: ValueSource | 'unreadable';
  value?: string;
}

/** What decides what a sync does, as one process sees it (the shell, or the scheduled job). */
export interface Resolved {
  configFile: string;
  dbFile: string;
  stateDir: string;
  timeZone: string;
  settings: ResolvedSetting[];
}

/** The settings, folders and time zone this process would sync with. */
export async function resolveForJob(ctx: Context): Promise<Resolved> {
  const settings: ResolvedSetting[] = [];
  for (const key of ctx.config.keys()) {
    try {
      const r = await ctx.config.resolve(key.key);
      settings.push(
        ctx.config.isSecret(key) || r.value === undefined
          ? { key: key.key, source: r.source }
          : { key: key.key, source: r.source, value: r.value },
      );
    } catch {
      settings.push({ key: key.key, source: 'unreadable' });
    }
  }
  return {
    configFile: ctx.paths.configFile,
    dbFile: ctx.paths.dbFile,
    stateDir: ctx.paths.stateDir,
    timeZone: ctx.timeZone(),
    settings,
  };
}

/** The folder that stops `path` from being created or written, if any: `path` itself when it
 * exists, else its nearest existing parent. */
function unwritable(path: string): string | undefined {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    accessSync(p, constants.W_OK);
    return undefined;
  } catch {
    return p;
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const hintOf = (err: unknown) => (err instanceof OkrError ? err.hint : undefined);

export async function runCheck(
  ctx: Context,
  node = process.execPath,
  nodeVersion = process.version,
): Promise<CheckReport> {
  const report: CheckReport = {
    ok: true,
    node: { path: node, version: nodeVersion },
    database: { ok: false, path: ctx.paths.dbFile, detail: '' },
    keychain: { ok: true, needed: false, detail: '', busAddress: ctx.env.DBUS_SESSION_BUS_ADDRESS ?? null },
    plugins: [],
    log: { ok: false, path: ctx.paths.syncLog, detail: '' },
    resolved: await resolveForJob(ctx),
  };

  let db: ReturnType<Context['db']> | undefined;
  if (!existsSync(ctx.paths.dbFile)) {
    // Not synced yet: do not create the file (install then remove must leave nothing behind);
    // the first sync creates it where a writable folder allows.
    const blocker = unwritable(ctx.paths.dataDir);
    report.database = blocker
      ? { ok: false, path: ctx.paths.dbFile, detail: 'cannot be created', error: `${blocker} is not writable` }
      : { ok: true, path: ctx.paths.dbFile, detail: 'does not exist yet; the first sync can create it' };
  } else {
    try {
      db = ctx.db();
      db.prepare('BEGIN IMMEDIATE').run(); // proves write access without writing anything
      db.prepare('ROLLBACK').run();
      report.database = { ok: true, path: ctx.paths.dbFile, detail: 'opens and is writable' };
    } catch (err) {
      report.database = {
        ok: false,
        path: ctx.paths.dbFile,
        detail: 'cannot be opened for writing',
        error: message(err),
        hint: hintOf(err),
      };
    }
  }

  try {
    const stores = Object.values(ctx.conf.data.secretStores);
    const needed = stores.includes('keychain') || ctx.config.defaultSecretStore() === 'keychain';
    if (!needed) {
      report.keychain = {
        ...report.keychain,
        ok: true,
        needed,
        detail: 'not used: every secret is in the plain-text file',
      };
    } else {
      const probe = await ctx.secrets.probeKeychain();
      report.keychain = probe.ok
        ? {
            ...report.keychain,
            ok: true,
            needed,
            detail: 'reachable: a probe entry was written, read back and deleted',
          }
        : {
            ...report.keychain,
            ok: false,
            needed,
            detail: 'not reachable',
            error: probe.error.message,
            hint: probe.error.hint,
          };
    }
  } catch (err) {
    report.keychain = {
      ...report.keychain,
      ok: false,
      needed: true,
      detail: 'not usable',
      error: message(err),
      hint: hintOf(err),
    };
  }

  if (db) {
    for (const conn of listEnabledConnections(db)) {
      const entry: CheckReport['plugins'][number] = {
        id: conn.pluginId,
        tokens: { ok: false, detail: '' },
        settings: { ok: true, detail: 'all required settings resolve', missing: [] },
      };
      try {
        const raw = await ctx.secrets.get(tokenKey(conn.pluginId));
        const where = ctx.secrets.storeOf(tokenKey(conn.pluginId));
        entry.tokens =
          raw === undefined
            ? {
                ok: false,
                detail: where ? `not readable from the ${where} (locked?)` : 'none stored',
                hint: `okr connect ${conn.pluginId}`,
              }
            : { ok: true, detail: `readable from the ${where}` };
      } catch (err) {
        entry.tokens = { ok: false, detail: 'not readable', error: message(err), hint: hintOf(err) };
      }
      try {
        if (ctx.registry.list().some((p) => p.id === conn.pluginId)) {
          const missing = await ctx.config.missingRequired(conn.pluginId);
          entry.settings = missing.length
            ? {
                ok: false,
                detail: `not set for the job: ${missing.map((k) => k.key).join(', ')}`,
                missing: missing.map((k) => k.key),
              }
            : entry.settings;
        }
      } catch (err) {
        entry.settings = { ok: false, detail: 'not readable', error: message(err), hint: hintOf(err), missing: [] };
      }
      report.plugins.push(entry);
    }
  }

  const logBlocker = unwritable(ctx.paths.stateDir);
  report.log = logBlocker
    ? { ok: false, path: ctx.paths.syncLog, detail: 'cannot be written', error: `${logBlocker} is not writable` }
    : { ok: true, path: ctx.paths.syncLog, detail: 'its folder is writable' };

  report.ok =
    report.database.ok &&
    report.keychain.ok &&
    report.log.ok &&
    report.plugins.every((p) => p.tokens.ok && p.settings.ok);
  return report;
}
