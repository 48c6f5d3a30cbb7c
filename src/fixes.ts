/**
 * The one fix for each kind of problem a plugin can have, so that `okr sync` (when it happens),
 * `okr status` and `okr doctor` (when they read it back from the `plugins` table) tell the user
 * the same thing. A kind is a ProviderError category (`scope`, `reauth`, …, stored as
 * `plugins.last_error_kind`) or one of the few problems okr finds itself.
 *
 * The plugin's own hint may say more (which console page, why Google expired a token); this is
 * the command to run, and every command that reports the problem prints it.
 */
import type { ProviderErrorCategory } from './errors.js';
import { capitalized } from './text.js';

export type ProblemKind =
  | ProviderErrorCategory
  /** The connection has no tokens, or was never made. */
  | 'not_connected'
  /** Another okr held the plugin's sync lock. */
  | 'locked'
  /** Synced fine, but not for a day or more. */
  | 'stale'
  | 'never_synced';

/**
 * A plugin whose last sync is older than this is stale (`stale`): the schedule runs hourly, so a
 * day and then some without a sync means it stopped. `okr status` warns, `okr doctor` fails it.
 */
export const STALE_SYNC_MS = 26 * 3600_000;

export interface Fix {
  /** The command to run, e.g. `okr connect fitbit`. */
  command: string;
  /** What to do besides running it, when that matters (which box to tick). */
  note?: string;
  /**
   * For a problem the user corrects by hand, as the error's own hint says (a setting): the command
   * that follows the correction. A sync's hint then ends with it instead of a second fix.
   */
  afterHint?: string;
}

/** The fix for every problem of a demo home whose simulator is gone: the demo made it, the demo syncs it. */
export function demoFix(home: string): Fix {
  const dir = /^[\w@%+=:,./-]+$/.test(home) ? home : `'${home.replace(/'/g, `'\\''`)}'`;
  return { command: `okr demo --home ${dir}`, note: 'this is a demo home: its simulators run only during `okr demo`' };
}

/** The fix for a kind of problem; in a demo home whose simulator is gone (`demoHome`), the demo's. */
export function fixFor(kind: string | null | undefined, pluginId: string, demoHome?: string): Fix {
  if (demoHome !== undefined) return demoFix(demoHome);
  const sync = `okr sync ${pluginId}`;
  const connect = `okr connect ${pluginId}`;
  switch (kind as ProblemKind) {
    case 'reauth':
    case 'not_connected':
      return { command: connect };
    case 'scope':
      return { command: connect, note: "tick every checkbox on the provider's consent screen" };
    case 'account':
      return { command: connect, note: 'sign in with the account that holds your data' };
    case 'setup':
      return { command: sync, note: "first set up the provider's app or project as the message says" };
    case 'rate_limited':
    case 'transient':
    case 'locked':
      return { command: sync, note: 'later; a scheduled sync retries on its own' };
    case 'retired':
      return { command: 'npm install -g okr@latest', note: "the provider's old API is switched off" };
    case 'redirect':
      // okr never follows a provider to another origin; only a URL setting can be wrong here.
      return {
        command: 'okr config list',
        note: `check the plugin.${pluginId}.* URLs, then \`${sync}\``,
        afterHint: sync,
      };
    case 'settings':
      return {
        command: 'okr config list',
        note: `correct the setting the message names, then run \`${sync}\``,
        afterHint: sync,
      };
    case 'stale':
      return { command: sync, note: 'then check `okr schedule status`' };
    case 'never_synced':
      return { command: sync };
    default:
      // bad_response, client, a database error, or nothing recorded: the details say more.
      return { command: `${sync} --verbose` };
  }
}

/** `okr connect fitbit (tick every checkbox…)`: what status and doctor print after "fix:". */
export function fixText(fix: Fix): string {
  return `${fix.command}${fix.note ? ` (${fix.note})` : ''}`;
}

/**
 * A sync hint that names the fix: the plugin's hint when it already names the command, and after
 * a hint that says what to correct by hand, only the command that follows (`afterHint`).
 */
export function hintWithFix(hint: string | null | undefined, fix: Fix): string {
  const line = `run \`${fix.command}\`${fix.note ? ` (${fix.note})` : ''}`;
  if (!hint) return `${capitalized(line)}.`;
  if (fix.afterHint) {
    return hint.includes(`\`${fix.afterHint}\``) ? hint : `${hint.replace(/\s*$/, '')} Then run \`${fix.afterHint}\`.`;
  }
  if (hint.includes(`\`${fix.command}\``)) return hint;
  return `${hint.replace(/\s*$/, '')} Then ${line}.`;
}
