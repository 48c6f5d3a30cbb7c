/**
 * The provider side of `okr disconnect`: revoke the stored grant, best effort. Kept apart from the
 * command so oauth4webapi loads only when there is something to revoke.
 */
import type { Context } from '../context.js';
import type { DataImportPlugin, OAuthCredentials } from '../plugins/types.js';
import { type RevokeResult, revokeForPlugin } from './revoke.js';

export async function revokeAtProvider(
  ctx: Context,
  plugin: DataImportPlugin,
  creds: OAuthCredentials,
): Promise<RevokeResult> {
  let cfg: Awaited<ReturnType<DataImportPlugin['getOAuthConfig']>>;
  try {
    cfg = await plugin.getOAuthConfig(ctx.pluginRuntime());
  } catch (err) {
    // An unconfigured plugin (client secret removed) cannot authenticate a revocation.
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  return revokeForPlugin(ctx.pluginRuntime(), plugin, cfg, creds);
}
