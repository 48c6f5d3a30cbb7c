/**
 * OAuth credentials of each connection, kept as one secret (`tokens.<pluginId>`, a JSON object)
 * in the secret store: the OS keychain, or the opt-in plain-text file. Never in SQLite, never in
 * the conf file. Non-secret facts about them (expiry times, which store) are mirrored into the
 * `plugins` table for `okr status` and `okr doctor`.
 */
import { OkrError } from '../errors.js';
import type { OAuthCredentials } from '../plugins/types.js';
import type { SecretStore, SecretStoreKind } from './secrets.js';

export function tokenKey(pluginId: string): string {
  return `tokens.${pluginId}`;
}

export async function loadCredentials(secrets: SecretStore, pluginId: string): Promise<OAuthCredentials | undefined> {
  const raw = await secrets.get(tokenKey(pluginId));
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as OAuthCredentials;
    if (typeof parsed.accessToken !== 'string') throw new Error('no accessToken');
    return parsed;
  } catch {
    // Never include the raw value: it is a secret.
    throw new OkrError(`The stored tokens of ${pluginId} are unreadable.`, {
      hint: `Run \`okr connect ${pluginId}\` to sign in again.`,
    });
  }
}

export async function saveCredentials(
  secrets: SecretStore,
  pluginId: string,
  credentials: OAuthCredentials,
  store?: SecretStoreKind,
): Promise<SecretStoreKind> {
  // Keep the store the tokens already live in, unless the caller chose one.
  return secrets.set(tokenKey(pluginId), JSON.stringify(credentials), store ?? secrets.storeOf(tokenKey(pluginId)));
}

export async function deleteCredentials(secrets: SecretStore, pluginId: string): Promise<void> {
  await secrets.delete(tokenKey(pluginId));
}

export function isoOrNull(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}
