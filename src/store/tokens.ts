/**
 * OAuth credentials of each connection, kept as one secret (`tokens.<pluginId>`, a JSON object)
 * in the secret store: the OS keychain, or the opt-in plain-text file. Never in SQLite, never in
 * the conf file. Non-secret facts about them (expiry times, which store) are mirrored into the
 * `plugins` table for `okr status` and `okr doctor`.
 *
 * `credentialsProblem` is the rule for what may be stored: a hostile token endpoint can send an
 * access token with control characters (it would break every request and be printed by whatever
 * quotes it) or an `expires_in` of 1e308 (an expiry that is not a time). Every token response is
 * checked with it before anything is stored (oauth/tokens.ts), saveCredentials refuses what fails
 * it, and the sync reads stored tokens that fail it as "sign in again" (sync/credentials.ts).
 */
import { OkrError } from '../errors.js';
import type { OAuthCredentials } from '../plugins/types.js';
import type { SecretStore, SecretStoreKind } from './secrets.js';

/**
 * RFC 6749 A.12/A.13: tokens are visible ASCII (VSCHAR). okr also refuses the space, which would
 * split `Authorization: Bearer <token>`, and anything longer than 8 KiB.
 */
const TOKEN = /^[\x21-\x7e]{1,8192}$/;
const TOKEN_TYPE = /^[\x21-\x7e]{1,64}$/;
/** Scope: space-separated visible ASCII (RFC 6749 A.4). */
const SCOPE = /^[\x20-\x7e]{0,8192}$/;
/** An account id a token response names: printable ASCII, short. */
const USER_ID = /^[\x21-\x7e]{1,256}$/;
/** The range a JavaScript Date can hold, in epoch ms. */
const MAX_INSTANT_MS = 8.64e15;

function validInstant(ms: unknown): boolean {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_INSTANT_MS;
}

/**
 * What makes these credentials unsafe to store or send, in words that never quote a value; undefined
 * when they are fine.
 */
export function credentialsProblem(c: OAuthCredentials): string | undefined {
  if (typeof c.accessToken !== 'string' || !TOKEN.test(c.accessToken)) {
    return 'the access token is empty, longer than 8 KiB, or holds characters other than printable ASCII';
  }
  if (c.refreshToken !== undefined && (typeof c.refreshToken !== 'string' || !TOKEN.test(c.refreshToken))) {
    return 'the refresh token is empty, longer than 8 KiB, or holds characters other than printable ASCII';
  }
  if (c.tokenType !== undefined && (typeof c.tokenType !== 'string' || !TOKEN_TYPE.test(c.tokenType))) {
    return 'the token type is not a short printable word';
  }
  if (c.scope !== undefined && (typeof c.scope !== 'string' || !SCOPE.test(c.scope))) {
    return 'the scope holds characters other than printable ASCII';
  }
  if (c.userId !== undefined && (typeof c.userId !== 'string' || !USER_ID.test(c.userId))) {
    return 'the user id is empty, longer than 256 characters, or holds characters other than printable ASCII';
  }
  if (!validInstant(c.obtainedAt)) return 'the time the tokens were obtained is not a valid time';
  if (c.expiresAt !== undefined && !validInstant(c.expiresAt)) return 'the access token expiry is not a valid time';
  if (c.refreshTokenExpiresAt !== undefined && !validInstant(c.refreshTokenExpiresAt)) {
    return 'the refresh token expiry is not a valid time';
  }
  return undefined;
}

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
  const problem = credentialsProblem(credentials);
  if (problem) {
    // Never include the values: they are secrets, and may hold terminal escapes.
    throw new OkrError(`okr did not store the ${pluginId} tokens: ${problem}.`, {
      hint: `Run \`okr connect ${pluginId}\` to sign in again.`,
    });
  }
  // Keep the store the tokens already live in, unless the caller chose one.
  return secrets.set(tokenKey(pluginId), JSON.stringify(credentials), store ?? secrets.storeOf(tokenKey(pluginId)));
}

export async function deleteCredentials(secrets: SecretStore, pluginId: string): Promise<void> {
  await secrets.delete(tokenKey(pluginId));
}

export function isoOrNull(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}
