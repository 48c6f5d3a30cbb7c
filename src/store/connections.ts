/**
 * The `plugins` table: one row per connected plugin. Tokens are NOT here (they live in the
 * keychain or the opt-in secrets file); this keeps what `okr status` and `okr doctor` need to say
 * about a connection without reading any secret.
 */

import { OkrError } from '../errors.js';
import { safeText } from '../safe-text.js';
import type { Db } from './db.js';

export type SyncStatus = 'ok' | 'partial' | 'error' | 'reauth';
export type TokenStoreKind = 'keychain' | 'file';

export interface Connection {
  pluginId: string;
  accountId: string | null;
  accountLabel: string | null;
  enabled: boolean;
  connectedAt: string | null;
  lastSyncAt: string | null;
  lastSyncStatus: SyncStatus | null;
  lastError: string | null;
  /** The ProviderError category of the last failure (e.g. `retired`, `reauth`), for doctor. */
  lastErrorKind: string | null;
  tokenStore: TokenStoreKind | null;
  accessExpiresAt: string | null;
  refreshExpiresAt: string | null;
  needsReauth: boolean;
}

interface Row {
  plugin_id: string;
  account_id: string | null;
  account_label: string | null;
  enabled: number;
  connected_at: string | null;
  last_sync_at: string | null;
  last_sync_status: SyncStatus | null;
  last_error: string | null;
  last_error_kind: string | null;
  token_store: TokenStoreKind | null;
  access_expires_at: string | null;
  refresh_expires_at: string | null;
  needs_reauth: number;
}

/**
 * Text that came from a provider (its error, the account's name) is made safe before it is
 * stored, but rows written by older versions of okr may hold it raw: it is made safe again on the
 * way out, for `status`, `doctor` and `sync` (safe-text.ts; a no-op on text that is already safe).
 */
function fromRow(r: Row): Connection {
  const safe = (s: string | null) => (s === null ? null : safeText(s));
  return {
    pluginId: r.plugin_id,
    accountId: safe(r.account_id),
    accountLabel: safe(r.account_label),
    enabled: r.enabled === 1,
    connectedAt: r.connected_at,
    lastSyncAt: r.last_sync_at,
    lastSyncStatus: r.last_sync_status,
    lastError: safe(r.last_error),
    lastErrorKind: r.last_error_kind,
    tokenStore: r.token_store,
    accessExpiresAt: r.access_expires_at,
    refreshExpiresAt: r.refresh_expires_at,
    needsReauth: r.needs_reauth === 1,
  };
}

export function getConnection(db: Db, pluginId: string): Connection | undefined {
  const row = db.prepare('SELECT * FROM plugins WHERE plugin_id = ?').get(pluginId) as Row | undefined;
  return row && fromRow(row);
}

export function listConnections(db: Db): Connection[] {
  return (db.prepare('SELECT * FROM plugins ORDER BY plugin_id').all() as Row[]).map(fromRow);
}

export function listEnabledConnections(db: Db): Connection[] {
  return listConnections(db).filter((c) => c.enabled);
}

/** Records a (re)connection: enabled, account, token store and expiries; clears errors. */
export function recordConnected(
  db: Db,
  c: {
    pluginId: string;
    accountId: string;
    accountLabel?: string;
    connectedAt: string;
    tokenStore: TokenStoreKind;
    accessExpiresAt?: string;
    refreshExpiresAt?: string;
  },
): void {
  db.prepare(
    `INSERT INTO plugins (plugin_id, account_id, account_label, enabled, connected_at, token_store,
                          access_expires_at, refresh_expires_at, needs_reauth, last_error)
     VALUES (@pluginId, @accountId, @accountLabel, 1, @connectedAt, @tokenStore, @accessExpiresAt, @refreshExpiresAt, 0, NULL)
     ON CONFLICT (plugin_id) DO UPDATE SET
       account_id = excluded.account_id, account_label = excluded.account_label, enabled = 1,
       connected_at = excluded.connected_at, token_store = excluded.token_store,
       access_expires_at = excluded.access_expires_at, refresh_expires_at = excluded.refresh_expires_at,
       needs_reauth = 0, last_error = NULL`,
  ).run({
    accountLabel: null,
    accessExpiresAt: null,
    refreshExpiresAt: null,
    ...c,
  });
}

export function recordTokenExpiry(
  db: Db,
  pluginId: string,
  accessExpiresAt: string | null,
  refreshExpiresAt: string | null,
): void {
  db.prepare('UPDATE plugins SET access_expires_at = ?, refresh_expires_at = ? WHERE plugin_id = ?').run(
    accessExpiresAt,
    refreshExpiresAt,
    pluginId,
  );
}

export function recordSyncResult(
  db: Db,
  pluginId: string,
  r: { at: string; status: SyncStatus; error: string | null; errorKind?: string | null },
): void {
  db.prepare(
    `UPDATE plugins SET last_sync_at = ?, last_sync_status = ?, last_error = ?, last_error_kind = ?,
       needs_reauth = CASE WHEN ? = 'reauth' THEN 1 WHEN ? = 'ok' THEN 0 ELSE needs_reauth END
     WHERE plugin_id = ?`,
  ).run(r.at, r.status, r.error, r.errorKind ?? null, r.status, r.status, pluginId);
}

export function markDisconnected(db: Db, pluginId: string): void {
  db.prepare(
    `UPDATE plugins SET enabled = 0, access_expires_at = NULL, refresh_expires_at = NULL, needs_reauth = 0
     WHERE plugin_id = ?`,
  ).run(pluginId);
}

/**
 * The connection is gone (disconnected, or never recorded) while a writer worked on it: a sync's
 * chunk or a token refresh then writes nothing, so a disconnect that won is never undone.
 */
export class ConnectionGoneError extends OkrError {
  constructor(pluginId: string, what: string) {
    super(`${pluginId} was disconnected during the ${what}; nothing more was written.`, {
      hint: `Run \`okr connect ${pluginId}\` to connect it again.`,
    });
    this.name = 'ConnectionGoneError';
  }
}

/** Throws ConnectionGoneError unless pluginId has an enabled connection (call inside the write's transaction). */
export function assertConnected(db: Db, pluginId: string, what: string): void {
  const row = db.prepare('SELECT enabled FROM plugins WHERE plugin_id = ?').get(pluginId) as
    | { enabled: number }
    | undefined;
  if (row?.enabled !== 1) throw new ConnectionGoneError(pluginId, what);
}
