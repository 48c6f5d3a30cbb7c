/**
 * Fresh OAuth credentials for a plugin: used by the sync engine, the metrics read path and
 * `okr doctor`.
 *
 * The access token is refreshed when it has expired or expires within `marginMs`, or when the
 * caller saw it rejected (`force`, after a 401). Refreshing is where connections get lost, so:
 * - it happens under a per-plugin token lock (`<plugin>.tokens.lock`), and the stored tokens are
 *   read again once the lock is held: another process (cron, `okr metrics show`) may have
 *   refreshed meanwhile, and many providers make refresh tokens single-use;
 * - the new tokens are saved before they are used, and a refresh token the provider rotated is
 *   kept (a response without one keeps the old one);
 * - the non-secret expiry times are mirrored into the `plugins` table for `okr status`;
 * - nothing is saved for a plugin no longer connected (`okr disconnect` takes the same lock, and
 *   the connection is checked again before the save).
 *
 * A refresh the provider refuses (`invalid_grant`, a revoked grant) surfaces as a ProviderError
 * with category `reauth` and a hint naming `okr connect <plugin>`. This module does not write the
 * connection's status: the sync engine records it (needs_reauth); doctor only reports.
 */
import type { Context } from '../context.js';
import { isProviderError, OkrError, ProviderError } from '../errors.js';
import { acquireLock } from '../lock.js';
import { refreshCredentials } from '../oauth/tokens.js';
import type { DataImportPlugin, OAuthCredentials, PluginRuntime } from '../plugins/types.js';
import { assertConnected, recordTokenExpiry } from '../store/connections.js';
import { credentialsProblem, isoOrNull, loadCredentials, saveCredentials } from '../store/tokens.js';

/** Refresh this long before the access token expires, so it cannot expire mid-sync. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_LOCK_WAIT_MS = 15_000;

export interface FreshCredentialsOptions {
  /** Refresh even if the stored token looks valid (the caller saw it rejected with a 401). */
  force?: boolean;
  /**
   * With `force`: the access token that was rejected. When the stored token differs, another
   * process has already refreshed, and the stored one is returned without a second refresh.
   */
  rejectedAccessToken?: string;
  /** The runtime the refresh request goes through (the sync passes its counting, retrying fetch). */
  runtime?: PluginRuntime;
  marginMs?: number;
  /** Called just before the provider is asked for new tokens. */
  onRefresh?: () => void;
}

export interface FreshCredentials {
  credentials: OAuthCredentials;
  /** True when this call obtained new tokens from the provider. */
  refreshed: boolean;
}

export function reconnectHint(pluginId: string): string {
  return `Run \`okr connect ${pluginId}\` to sign in again.`;
}

function notConnected(pluginId: string): ProviderError {
  return new ProviderError('reauth', `${pluginId} has no stored sign-in (tokens).`, {
    hint: `Run \`okr connect ${pluginId}\` to connect it.`,
  });
}

/**
 * The stored tokens, if they are safe to send. Tokens stored before okr checked token responses
 * may hold control characters: they would break every request, so they mean "sign in again".
 */
async function loadUsable(ctx: Context, pluginId: string): Promise<OAuthCredentials | undefined> {
  const creds = await loadCredentials(ctx.secrets, pluginId);
  const problem = creds && credentialsProblem(creds);
  if (problem) {
    throw new ProviderError('reauth', `The stored ${pluginId} tokens cannot be used: ${problem}.`, {
      hint: reconnectHint(pluginId),
      reason: 'invalid_stored_tokens',
    });
  }
  return creds;
}

export function needsRefresh(c: OAuthCredentials, nowMs: number, marginMs = REFRESH_MARGIN_MS): boolean {
  // Unknown expiry: use the token until the provider rejects it (the 401 path refreshes then).
  return c.expiresAt !== undefined && c.expiresAt - marginMs <= nowMs;
}

/** Makes sure a re-authentication error says which command fixes it. */
function withReconnectHint(err: ProviderError, pluginId: string): ProviderError {
  if (err.hint?.includes(`okr connect ${pluginId}`)) return err;
  return new ProviderError('reauth', err.message, {
    hint: err.hint ? `${err.hint} ${reconnectHint(pluginId)}` : reconnectHint(pluginId),
    status: err.status,
    reason: err.reason,
    cause: err,
  });
}

export async function getFreshCredentials(
  ctx: Context,
  plugin: DataImportPlugin,
  opts: FreshCredentialsOptions = {},
): Promise<OAuthCredentials> {
  return (await freshCredentials(ctx, plugin, opts)).credentials;
}

/** As getFreshCredentials, and says whether a refresh happened. */
export async function freshCredentials(
  ctx: Context,
  plugin: DataImportPlugin,
  opts: FreshCredentialsOptions = {},
): Promise<FreshCredentials> {
  const margin = opts.marginMs ?? REFRESH_MARGIN_MS;
  const current = await loadUsable(ctx, plugin.id);
  if (!current) throw notConnected(plugin.id);
  if (!opts.force && !needsRefresh(current, ctx.now().getTime(), margin)) {
    return { credentials: current, refreshed: false };
  }

  const rt = opts.runtime ?? ctx.pluginRuntime(ctx.signal);
  const got = await acquireLock(ctx.paths.lockDir, `${plugin.id}.tokens`, {
    waitMs: TOKEN_LOCK_WAIT_MS,
    now: () => ctx.now(),
    signal: ctx.signal,
    purpose: 'token refresh',
  });
  if (!got.acquired) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // Someone else has been refreshing for a long time: use what they stored if it is usable.
    const stored = await loadUsable(ctx, plugin.id);
    if (stored && !opts.force && !needsRefresh(stored, ctx.now().getTime(), margin)) {
      return { credentials: stored, refreshed: false };
    }
    if (got.blocker) {
      throw new OkrError(`Cannot refresh the ${plugin.id} tokens: the lock ${got.blocker.problem}.`, {
        hint: `Remove it (\`${got.blocker.fix}\`) and run the command again.`,
      });
    }
    throw new OkrError(
      `Another okr process (pid ${got.holder?.pid ?? 'unknown'}) is refreshing the ${plugin.id} tokens.`,
      { hint: `Wait a moment and run the command again. If no okr is running, remove ${got.path}.` },
    );
  }
  try {
    // Re-read under the lock: another process may have refreshed (and rotated) since we looked.
    const stored = await loadUsable(ctx, plugin.id);
    if (!stored) throw notConnected(plugin.id);
    const someoneRefreshed = opts.force
      ? opts.rejectedAccessToken !== undefined && stored.accessToken !== opts.rejectedAccessToken
      : !needsRefresh(stored, ctx.now().getTime(), margin);
    if (someoneRefreshed) return { credentials: stored, refreshed: false };

    let fresh: OAuthCredentials;
    opts.onRefresh?.();
    try {
      fresh = await refreshCredentials(rt, plugin, await plugin.getOAuthConfig(rt), stored);
    } catch (err) {
      if (isProviderError(err) && err.category === 'reauth') throw withReconnectHint(err, plugin.id);
      throw err;
    }
    const merged: OAuthCredentials = {
      ...fresh,
      // A provider that does not rotate sends no refresh token: keep the one we have.
      refreshToken: fresh.refreshToken ?? stored.refreshToken,
      obtainedAt: fresh.obtainedAt ?? ctx.now().getTime(),
    };
    if (merged.refreshToken === undefined) delete merged.refreshToken;
    // A disconnect deleted the tokens while the provider answered: saving would bring them back.
    assertConnected(ctx.db(), plugin.id, 'token refresh');
    // Save before use: if we die right after the provider rotated the refresh token, the new one
    // must already be on disk.
    await saveCredentials(ctx.secrets, plugin.id, merged);
    recordTokenExpiry(ctx.db(), plugin.id, isoOrNull(merged.expiresAt), isoOrNull(merged.refreshTokenExpiresAt));
    return { credentials: merged, refreshed: true };
  } finally {
    got.lock.release();
  }
}
