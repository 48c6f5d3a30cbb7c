/**
 * The scheduled job: one command line that works without the user's shell.
 *
 *   <node> <okr>/bin/okr.js schedule run
 *
 * - Absolute paths to the node binary (the one running okr now, `process.execPath`) and to
 *   `bin/okr.js`, so the job does not depend on PATH (nvm and n put node where cron never looks).
 * - `okr schedule run` runs `okr sync --quiet --trigger schedule` as a child (so its `sync_runs`
 *   rows say `schedule`), appends the child's output to `sync.log` in the state folder
 *   with a start and an end line, and rotates that log at 1 MiB (`sync.log` → `sync.log.1`: at
 *   most 2 MiB on disk). Doing this in okr instead of a shell redirect works the same on the
 *   three backends, and a crash of the sync still lands in the log.
 * - The environment it carries (only what differs from the scheduler's bare one): OKR_HOME and
 *   the XDG folders when set, so a custom home keeps working; OKR_SECRETS and TZ (the zone
 *   whose midnight ends a day) when set; and on cron,
 *   DBUS_SESSION_BUS_ADDRESS so the Secret Service (the keychain) is reachable.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../context.js';
import { OkrError } from '../errors.js';

export type BackendId = 'cron' | 'systemd' | 'launchd';

export interface Job {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of `bin/okr.js`. */
  okr: string;
  /** Arguments after the script. */
  args: string[];
  /** Variables the job file sets on top of what the scheduler gives. Never secrets. */
  env: Record<string, string>;
}

export const JOB_ARGS = ['schedule', 'run'];
/** What the job runs as its child. */
export const SYNC_ARGS = ['sync', '--quiet', '--trigger', 'schedule'];
/** What the preflight runs in the job's place: the same program and environment, no network. */
export const CHECK_ARGS = ['schedule', 'check', '--json'];

export function jobArgv(job: Job, args = job.args): string[] {
  return [job.node, job.okr, ...args];
}

/** Finds `bin/okr.js` from this module's own location: `src/schedule/` in tests, `dist/` when
 * built, the package folder when installed with npm. Symlinks resolved (npm's global bin). */
export function resolveOkrScript(from = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'bin', 'okr.js');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return realpathSync(candidate);
    dir = dirname(dir);
  }
  throw new OkrError('Cannot find bin/okr.js next to this okr installation.', {
    hint: 'Reinstall okr (npm install -g okr), then run `okr schedule install` again.',
  });
}

export interface SessionBus {
  address: string;
  /** `runtime`: the per-user bus socket (stable across logins); `session`: this shell's value. */
  source: 'runtime' | 'session';
}

/** The user's D-Bus session bus for a cron job: the per-user socket when it exists
 * (`$XDG_RUNTIME_DIR/bus`, else `/run/user/<uid>/bus`), otherwise this session's address. */
export function findSessionBus(
  env: Record<string, string | undefined>,
  uid: number | undefined,
): SessionBus | undefined {
  const runtimeDir = env.XDG_RUNTIME_DIR || (uid !== undefined ? `/run/user/${uid}` : undefined);
  if (runtimeDir) {
    const socket = join(runtimeDir, 'bus');
    try {
      if (statSync(socket).isSocket()) return { address: `unix:path=${socket}`, source: 'runtime' };
    } catch {
      // no per-user bus
    }
  }
  if (env.DBUS_SESSION_BUS_ADDRESS) return { address: env.DBUS_SESSION_BUS_ADDRESS, source: 'session' };
  return undefined;
}

/** Variables that decide where okr's files are and where secrets go. */
const CARRIED = ['OKR_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'OKR_SECRETS', 'TZ'] as const;

export interface BuildJobOptions {
  node: string;
  okr: string;
  uid?: number;
}

export function buildJob(ctx: Context, backend: BackendId, opts: BuildJobOptions): { job: Job; bus?: SessionBus } {
  const env: Record<string, string> = {};
  for (const k of CARRIED) {
    // XDG_* mean nothing to okr on macOS (paths.ts uses ~/Library there).
    if (k.startsWith('XDG_') && ctx.platform === 'darwin') continue;
    const v = ctx.env[k];
    // The job starts in the home folder: a relative OKR_HOME would point somewhere else.
    if (v) env[k] = k === 'OKR_SECRETS' || k === 'TZ' || isAbsolute(v) ? v : resolve(v);
  }
  let bus: SessionBus | undefined;
  // systemd user services get the bus from the user manager; launchd reaches the keychain
  // through the login session, not D-Bus.
  if (backend === 'cron' && ctx.platform !== 'darwin') {
    bus = findSessionBus(ctx.env, opts.uid);
    if (bus) env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  }
  for (const [k, v] of Object.entries(env)) {
    if (/[\n\r\0]/.test(v)) throw new OkrError(`${k} contains a line break; a scheduled job cannot carry it.`);
  }
  if (/[\n\r\0]/.test(opts.node + opts.okr)) throw new OkrError('The path to node or okr contains a line break.');
  return { job: { node: opts.node, okr: opts.okr, args: [...JOB_ARGS], env }, bus };
}

/** The bare environment a scheduler starts jobs with (cron: HOME, LOGNAME, SHELL=/bin/sh,
 * PATH=/usr/bin:/bin; USER too on most systems), plus what the job file sets. */
export function schedulerBaseEnv(user: string, home: string, path = '/usr/bin:/bin'): Record<string, string> {
  return { HOME: home, USER: user, LOGNAME: user, SHELL: '/bin/sh', PATH: path };
}
