/**
 * `okr disconnect <plugin> [--purge] [--yes]`: revoke the tokens at the provider (when it has a
 * revoke endpoint; a failure is reported, not fatal), delete them from the secret store, mark
 * the connection disabled. Synced values stay unless `--purge` (after a confirmation).
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { ExitCode, OkrError, UsageError } from '../errors.js';
import { paint } from '../io.js';
import { loadPrompts } from '../prompt.js';
import { getConnection, markDisconnected } from '../store/connections.js';
import { deleteCoverage } from '../store/coverage.js';
import { deleteCredentials, loadCredentials } from '../store/tokens.js';
import { countValuesBySource, deleteValuesBySource } from '../store/values.js';
import { plural } from '../text.js';
import { type App, action } from './app.js';

interface DisconnectOptions {
  purge?: boolean;
  yes?: boolean;
}

async function confirmPurge(ctx: Context, pluginId: string, count: number, yes: boolean | undefined): Promise<boolean> {
  if (yes || count === 0) return true;
  if (!ctx.io.isInteractive) {
    throw new UsageError(
      `--purge deletes the ${plural(count, 'value')} synced from ${pluginId}; confirm with --yes when not in a terminal.`,
      `Run \`okr disconnect ${pluginId} --purge --yes\`.`,
    );
  }
  const p = await loadPrompts(ctx.io);
  return p.confirm({
    message: `Delete the ${plural(count, 'value')} synced from ${pluginId}? This cannot be undone.`,
    default: false,
  });
}

export async function runDisconnect(ctx: Context, pluginId: string, opts: DisconnectOptions): Promise<number> {
  const plugin = ctx.registry.get(pluginId);
  const io = ctx.io;
  const db = ctx.db();
  const count = countValuesBySource(db, plugin.id);
  if (opts.purge && !(await confirmPurge(ctx, plugin.id, count, opts.yes))) {
    io.err('Cancelled; nothing was changed.');
    return ExitCode.ERROR;
  }
  const conn = getConnection(db, plugin.id);
  // Read the tokens before changing anything: an unreachable keychain stops here, untouched.
  const creds = await loadCredentials(ctx.secrets, plugin.id);

  if (!conn?.enabled && !creds) {
    io.out(`${plugin.id} is not connected.`);
  } else {
    if (creds) {
      const { revokeAtProvider } = await import('../oauth/disconnect.js');
      const r = await revokeAtProvider(ctx, plugin, creds);
      if (ctx.signal.aborted) {
        throw ctx.signal.reason instanceof OkrError
          ? ctx.signal.reason
          : new OkrError('Interrupted.', { exitCode: ExitCode.INTERRUPTED });
      }
      if (r.ok === true) io.out(`Revoked okr's access at ${plugin.name}.`);
      else if (r.ok === 'unsupported')
        io.out(`${plugin.name} has no revoke endpoint: remove okr's access in your account settings there.`);
      else
        io.err(
          paint(
            io,
            'yellow',
            `Could not revoke the tokens at ${plugin.name} (${r.reason}); remove okr's access in your account settings there. Disconnecting anyway.`,
          ),
        );
    }
    await deleteCredentials(ctx.secrets, plugin.id);
    if (conn) markDisconnected(db, plugin.id);
    io.out(
      `Disconnected ${plugin.id}${conn?.accountId ? ` (account ${conn.accountId})` : ''}; its tokens are deleted.`,
    );
  }

  if (opts.purge) {
    // The coverage goes with the values: purged dates then read as never synced, so a later
    // `okr connect` + `okr metrics show` or a backfill fetches them again instead of skipping them.
    const deleted = db.transaction(() => {
      deleteCoverage(db, plugin.id);
      return deleteValuesBySource(db, plugin.id);
    })();
    io.out(`Deleted ${plural(deleted, 'value')} synced from ${plugin.id}.`);
  } else if (count > 0) {
    io.out(
      `Kept the ${plural(count, 'value')} synced from ${plugin.id}; \`okr disconnect ${plugin.id} --purge\` deletes them.`,
    );
  }
  return ExitCode.OK;
}

export function register(program: Command, app: App): void {
  program
    .command('disconnect')
    .description("revoke a plugin's tokens, delete them, and stop syncing it (synced values are kept)")
    .argument('<plugin>', 'plugin id, e.g. fitbit')
    .option('--purge', 'also delete every value synced from this plugin (asks first)')
    .option('-y, --yes', 'do not ask before --purge (needed when not in a terminal)')
    .action(action(app, (ctx, pluginId: string, opts: DisconnectOptions) => runDisconnect(ctx, pluginId, opts)));
}
