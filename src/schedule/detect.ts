/**
 * Which scheduler to use. Default: a LaunchAgent on macOS; on Linux a systemd user timer when
 * `systemctl --user` answers (it gives jobs the session bus, catches up missed runs and never
 * overlaps them), else cron; cron on other Unixes. `--backend` forces one, and fails with the
 * reason when it cannot work here.
 */
import { homedir, userInfo } from 'node:os';
import type { Context } from '../context.js';
import { OkrError, UsageError } from '../errors.js';
import { CronBackend } from './backends/cron.js';
import { LaunchdBackend } from './backends/launchd.js';
import { SystemdBackend } from './backends/systemd.js';
import type { Backend, BackendEnv } from './backends/types.js';
import type { BackendId } from './job.js';

export const BACKENDS: BackendId[] = ['cron', 'systemd', 'launchd'];

/** The user the jobs run as, from the context (HOME, USER) with the OS as fallback. */
export function backendEnv(ctx: Context): BackendEnv {
  let user = ctx.env.USER || ctx.env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'user';
    }
  }
  return { ctx, home: ctx.env.HOME || homedir(), user, uid: process.getuid?.() };
}

export function makeBackend(id: BackendId, b: BackendEnv): Backend {
  switch (id) {
    case 'cron':
      return new CronBackend(b);
    case 'systemd':
      return new SystemdBackend(b);
    case 'launchd':
      return new LaunchdBackend(b);
  }
}

export function parseBackend(text: string): BackendId {
  if ((BACKENDS as string[]).includes(text)) return text as BackendId;
  throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${text}".`);
}

const FALLBACK_HINT: Record<BackendId, string> = {
  cron: 'Install cron (Debian/Ubuntu: sudo apt-get install cron) or use --backend systemd.',
  systemd:
    'systemd user timers need a running user manager (a login session, or `loginctl enable-linger`); use --backend cron instead.',
  launchd: 'LaunchAgents exist only on macOS; use --backend systemd or --backend cron.',
};

export async function chooseBackend(b: BackendEnv, requested?: BackendId): Promise<Backend> {
  const { platform } = b.ctx;
  if (platform === 'win32') {
    throw new OkrError('okr schedule does not support Windows yet.', {
      hint: 'Create a Task Scheduler task that runs `okr sync --quiet` every hour.',
    });
  }
  if (requested) {
    const backend = makeBackend(requested, b);
    const probe = await backend.probe();
    if (!probe.ok)
      throw new OkrError(`Cannot use ${backend.label} here: ${probe.reason}.`, { hint: FALLBACK_HINT[requested] });
    return backend;
  }
  const order: BackendId[] =
    platform === 'darwin' ? ['launchd'] : platform === 'linux' ? ['systemd', 'cron'] : ['cron'];
  const reasons: string[] = [];
  for (const id of order) {
    const backend = makeBackend(id, b);
    const probe = await backend.probe();
    if (probe.ok) return backend;
    reasons.push(`${backend.label}: ${probe.reason}`);
  }
  throw new OkrError(`No scheduler found (${reasons.join('; ')}).`, {
    hint: platform === 'linux' ? FALLBACK_HINT.cron : FALLBACK_HINT[order[0]!],
  });
}
