/**
 * Orphaned tokens: OAuth tokens in the secret store while no enabled connection is recorded for
 * their plugin. `okr connect` saves the tokens before it records the connection, so one killed in
 * between leaves valid tokens that nothing syncs, shows or revokes. `okr status`, `okr sync` and
 * `okr doctor` find them with this one function and say the same thing; `okr disconnect <plugin>`
 * removes them (revoking them at the provider first).
 */
import type { Connection } from './connections.js';
import type { SecretStore, SecretStoreKind } from './secrets.js';
import { tokenKey } from './tokens.js';

export interface OrphanedTokens {
  pluginId: string;
  store: SecretStoreKind;
  /** What is wrong, one line, without a final period. */
  problem: string;
  /** The command that removes them. */
  fix: string;
  /** The fix and the alternative, as a sentence. */
  hint: string;
}

export async function findOrphanedTokens(
  secrets: SecretStore,
  pluginId: string,
  conn: Connection | undefined,
): Promise<OrphanedTokens | undefined> {
  if (conn?.enabled) return undefined;
  const key = tokenKey(pluginId);
  // No record of a save: no secret store is touched (a locked keychain stays out of the way).
  const store = secrets.storeOf(key);
  if (!store) return undefined;
  try {
    if ((await secrets.get(key)) === undefined) return undefined;
  } catch {
    // Unreadable (a locked keychain): the record says they were saved; disconnect says what to do.
  }
  const where = store === 'file' ? 'the secrets file' : 'the OS keychain';
  const fix = `okr disconnect ${pluginId}`;
  return {
    pluginId,
    store,
    problem: `${where} holds ${pluginId} tokens, but no connection is recorded (an \`okr connect\` stopped half-way)`,
    fix,
    hint: `Run \`${fix}\` to revoke and delete them, or \`okr connect ${pluginId}\` to connect again.`,
  };
}
