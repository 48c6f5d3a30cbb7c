/**
 * Helpers for the sync tests: a temp OKR_HOME with fitbit "connected" to a simulator (tokens in
 * the plain-text store, so these tests do not need a keychain), and readers for what landed.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createContext } from '../../src/context.js';
import type { PluginRegistry } from '../../src/plugins/registry.js';
import type { OAuthCredentials } from '../../src/plugins/types.js';
import type { Simulator } from '../../src/simulator/index.js';
import { recordConnected } from '../../src/store/connections.js';
import { loadCredentials, saveCredentials } from '../../src/store/tokens.js';
import { tempHome } from '../helpers/home.js';

/** Small retry delays so fault tests take milliseconds, not seconds. */
export const FAST_RETRY_ENV = {
  OKR_RETRY_BASE_MS: '5',
  OKR_RETRY_MAX_MS: '40',
  OKR_SECRETS: 'file',
};

export interface Connected {
  home: string;
  env: Record<string, string>;
  dbFile: string;
}

export async function connectHome(
  opts: {
    sim?: Simulator;
    pluginId?: string;
    credentials?: OAuthCredentials;
    registry?: PluginRegistry;
    env?: Record<string, string>;
  } = {},
): Promise<Connected> {
  const home = tempHome('okr-sync-');
  const env: Record<string, string> = { ...(opts.sim?.env ?? {}), ...FAST_RETRY_ENV, ...opts.env };
  const pluginId = opts.pluginId ?? 'fitbit';
  const ctx = createContext({ env: { ...env, OKR_HOME: home }, homedir: home, registry: opts.registry });
  try {
    recordConnected(ctx.db(), {
      pluginId,
      accountId: opts.sim?.healthUserId ?? 'acct-1',
      connectedAt: '2026-01-01T00:00:00.000Z',
      tokenStore: 'file',
    });
    const creds = opts.credentials ?? opts.sim?.issueTokens();
    if (!creds) throw new Error('connectHome: give credentials or a simulator');
    await saveCredentials(ctx.secrets, pluginId, creds, 'file');
  } finally {
    ctx.close();
  }
  return { home, env, dbFile: join(home, 'data', 'okr.db') };
}

export async function storedTokens(home: string, pluginId = 'fitbit'): Promise<OAuthCredentials | undefined> {
  const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home });
  try {
    return await loadCredentials(ctx.secrets, pluginId);
  } finally {
    ctx.close();
  }
}

/** Opens the database file read-only, for assertions. */
export function withDb<T>(dbFile: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface ValueRow {
  date: string;
  metric_name: string;
  value: number | string;
  source: string;
}

export function allValues(dbFile: string): ValueRow[] {
  return withDb(
    dbFile,
    (db) =>
      db
        .prepare('SELECT date, metric_name, value, source FROM daily_metric_values ORDER BY date, metric_name')
        .all() as ValueRow[],
  );
}

export function syncRuns(dbFile: string): Array<Record<string, unknown>> {
  return withDb(
    dbFile,
    (db) => db.prepare('SELECT * FROM sync_runs ORDER BY id').all() as Array<Record<string, unknown>>,
  );
}

export function connectionRow(dbFile: string, pluginId = 'fitbit'): Record<string, unknown> | undefined {
  return withDb(
    dbFile,
    (db) =>
      db.prepare('SELECT * FROM plugins WHERE plugin_id = ?').get(pluginId) as Record<string, unknown> | undefined,
  );
}
