/**
 * `okr disconnect <plugin> [--purge] [--yes]`: revoke the tokens at the provider (when it has a
 * revoke endpoint; a failure is reported, not fatal), delete them from the secret store, mark
 * the connection disabled. Synced values stay unless `--purge` (after a confirmation).
 *
 * It holds the plugin's sync and token locks (in the order a sync takes them) from reading the
 * tokens to the last write, so a running sync or refresh finishes first and none can start until
 * the disconnect is done; a sync still running after DISCONNECT_LOCK_WAIT_MS leaves everything
 * as it was, with a message. It also removes orphaned tokens (saved by a `connect` killed before
 * it recorded the connection).
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { ExitCode, OkrError, UsageError } from '../errors.js';
import { paint } from '../io.js';
import { acquireLock, type LockHandle, lockWaitFromEnv } from '../lock.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import type { DataImportPlugin } from '../plugins/types.js';
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

/** How long disconnect waits for a running sync of the plugin (OKR_LOCK_WAIT_MS overrides). */
export const DISCONNECT_LOCK_WAIT_MS = 30_000;

function interrupted(ctx: Context): OkrError {
  return ctx.signal.reason instanceof OkrError
    ? ctx.signal.reason
    : new OkrError('Interrupted.', { exitCode: ExitCode.INTERRUPTED });
}

/** Takes `<plugin>.sync`, then `<plugin>.tokens`; returns the function that releases both. */
async function lockPlugin(ctx: Context, pluginId: string): Promise<() => void> {
  const waitMs = lockWaitFromEnv(ctx.env, DISCONNECT_LOCK_WAIT_MS);
  const held: LockHandle[] = [];
  const release = () => {
    for (const l of held.reverse()) l.release();
  };
  try {
    for (const [name, doing] of [
      [`${pluginId}.sync`, 'syncing'],
      [`${pluginId}.tokens`, 'refreshing the tokens of'],
    ] as const) {
      const got = await acquireLock(ctx.paths.lockDir, name, {
        waitMs,
        now: () => ctx.now(),
        signal: ctx.signal,
        purpose: 'okr disconnect',
        onWait: (h) => ctx.io.err(`Waiting for the okr ${doing} ${pluginId} (pid ${h?.pid ?? '?'}) to finish…`),
      });
      if (got.acquired) {
        held.push(got.lock);
        continue;
      }
      if (ctx.signal.aborted) throw interrupted(ctx);
      if (got.blocker) {
        throw new OkrError(`Cannot disconnect ${pluginId}: the lock ${got.blocker.problem}; nothing was changed.`, {
          hint: `Remove it (\`${got.blocker.fix}\`) and run \`okr disconnect ${pluginId}\` again.`,
        });
      }
      const who = got.holder ? `pid ${got.holder.pid}, since ${got.holder.startedAt}` : 'an unknown process';
      throw new OkrError(
        `Another okr (${who}) is ${doing} ${pluginId} and did not finish within ${waitMs < 1000 ? `${waitMs} ms` : `${Math.round(waitMs / 1000)} s`}; nothing was changed.`,
        {
          hint: `Run \`okr disconnect ${pluginId}\` again when it has finished${got.holder ? ` (or stop it: \`kill ${got.holder.pid}\`)` : ''}.`,
        },
      );
    }
  } catch (err) {
    release();
    throw err;
  }
  return release;
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
  const release = await lockPlugin(ctx, plugin.id);
  try {
    return await disconnectLocked(ctx, plugin, opts);
  } finally {
    release();
  }
}

async function disconnectLocked(ctx: Context, plugin: DataImportPlugin, opts: DisconnectOptions): Promise<number> {
  const io = ctx.io;
  const db = ctx.db();
  const conn = getConnection(db, plugin.id);
  // Read the tokens before changing anything: an unreachable keychain stops here, untouched.
  const creds = await loadCredentials(ctx.secrets, plugin.id);

  if (!conn?.enabled && !creds) {
    // A plugin that only imports files never connects: say that, not "not connected".
    io.out(
      fileOnlyMessage(plugin)
        ? `${plugin.id} imports files and never connects; there is nothing to disconnect.`
        : `${plugin.id} is not connected.`,
    );
  } else {
    if (creds) {
      const { revokeAtProvider } = await import('../oauth/disconnect.js');
      const r = await revokeAtProvider(ctx, plugin, creds);
      if (ctx.signal.aborted) throw interrupted(ctx);
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
  } else {
    // Counted again: a sync may have added values while this waited for its lock.
    const count = countValuesBySource(db, plugin.id);
    if (count > 0)
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
