/**
 * systemd: a user timer, `okr-sync.timer`, starting the oneshot `okr-sync.service`, in the user
 * unit folder (`$XDG_CONFIG_HOME/systemd/user`, default `~/.config/systemd/user`).
 *
 * - The user manager gives its services the session bus (DBUS_SESSION_BUS_ADDRESS), so the
 *   keychain works without okr carrying an address.
 * - `Persistent=true` runs a missed sync at the next boot or wake-up.
 * - A timer never starts its service while the previous run is still going: no overlap.
 * - Timers of a user manager run while the user is logged in (or always, with
 *   `loginctl enable-linger`); a desktop keyring is unlocked only while logged in anyway.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OkrError } from '../../errors.js';
import { writeFileAtomic } from '../../store/private-files.js';
import { exec } from '../exec.js';
import { type Calendar, nextRun, onCalendar, parseOnCalendar } from '../interval.js';
import { type Job, jobArgv, schedulerBaseEnv } from '../job.js';
import type { Backend, BackendEnv, Inspection, Probe } from './types.js';

export const SYSTEMD_SERVICE = 'okr-sync.service';
export const SYSTEMD_TIMER = 'okr-sync.timer';

/** The user unit folder systemd reads first. */
export function systemdUnitDir(env: Record<string, string | undefined>, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user');
}

/** A double-quoted unit-file word: C escapes, and `%` doubled (systemd expands %-specifiers). */
function unitQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

/** An ExecStart= word: also `$` doubled, since ExecStart= expands $VARIABLES. */
function execQuote(s: string): string {
  return unitQuote(s).replace(/\$/g, '$$$$');
}

export function serviceUnit(job: Job): string {
  const env = Object.entries(job.env).map(([k, v]) => `Environment=${unitQuote(`${k}=${v}`)}`);
  return [
    '# Managed by okr schedule: `okr schedule install` rewrites it, `okr schedule remove` deletes it.',
    '[Unit]',
    'Description=okr sync (managed by okr schedule)',
    '',
    '[Service]',
    'Type=oneshot',
    ...env,
    `ExecStart=${jobArgv(job).map(execQuote).join(' ')}`,
    // A sync that hangs must not block the next hour's run forever.
    'TimeoutStartSec=30min',
    '',
  ].join('\n');
}

export function timerUnit(cal: Calendar, every: string): string {
  return [
    '# Managed by okr schedule: `okr schedule install` rewrites it, `okr schedule remove` deletes it.',
    '[Unit]',
    `Description=okr sync every ${every} (managed by okr schedule)`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar(cal)}`,
    'Persistent=true',
    `Unit=${SYSTEMD_SERVICE}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

export class SystemdBackend implements Backend {
  readonly id = 'systemd' as const;
  readonly label = 'systemd user timer';
  readonly dir: string;
  constructor(private readonly b: BackendEnv) {
    this.dir = systemdUnitDir(b.ctx.env, b.home);
  }

  get servicePath() {
    return join(this.dir, SYSTEMD_SERVICE);
  }
  get timerPath() {
    return join(this.dir, SYSTEMD_TIMER);
  }

  #systemctl(...args: string[]) {
    return exec('systemctl', ['--user', ...args], { env: this.b.ctx.env, timeoutMs: 30_000 });
  }

  async #must(...args: string[]): Promise<string> {
    const r = await this.#systemctl(...args);
    if (r.code !== 0) {
      throw new OkrError(`systemctl --user ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.code}`}`, {
        hint: 'Check `systemctl --user status`; or use cron: `okr schedule install --backend cron`.',
      });
    }
    return r.stdout;
  }

  async probe(): Promise<Probe> {
    const r = await this.#systemctl('show-environment');
    if (r.missing) return { ok: false, reason: 'systemctl is not installed' };
    if (r.code !== 0)
      return { ok: false, reason: `systemctl --user does not answer (${r.stderr.trim() || `exit ${r.code}`})` };
    return { ok: true };
  }

  async install(job: Job, cal: Calendar, every: string) {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.servicePath, serviceUnit(job), 0o644);
    writeFileAtomic(this.timerPath, timerUnit(cal, every), 0o644);
    await this.#must('daemon-reload');
    await this.#must('enable', SYSTEMD_TIMER);
    // restart, not start: an already running timer must pick up new times.
    await this.#must('restart', SYSTEMD_TIMER);
    return {
      files: [this.servicePath, this.timerPath],
      notes: [
        `journal: journalctl --user -u ${SYSTEMD_SERVICE}; timer: systemctl --user list-timers ${SYSTEMD_TIMER}`,
        'user timers run while you are logged in; `loginctl enable-linger` keeps them running after logout',
      ],
    };
  }

  async remove(): Promise<string[]> {
    const removed: string[] = [];
    const present = existsSync(this.servicePath) || existsSync(this.timerPath);
    if (!present) return removed;
    // Best effort: the manager may be gone (no session); the files go either way.
    await this.#systemctl('disable', '--now', SYSTEMD_TIMER);
    await this.#systemctl('stop', SYSTEMD_SERVICE);
    for (const f of [this.timerPath, this.servicePath, join(this.dir, 'timers.target.wants', SYSTEMD_TIMER)]) {
      // lstat, not exists: the wants/ symlink dangles once the timer file is gone.
      if (lexists(f)) {
        rmSync(f, { force: true });
        removed.push(f);
      }
    }
    try {
      rmdirSync(join(this.dir, 'timers.target.wants')); // only when empty: `enable` may have made it
    } catch {
      // not empty (other timers) or absent
    }
    await this.#systemctl('daemon-reload');
    await this.#systemctl('reset-failed', SYSTEMD_SERVICE, SYSTEMD_TIMER);
    return removed;
  }

  async inspect(now: Date): Promise<Inspection> {
    const where = this.timerPath;
    if (!existsSync(this.timerPath) || !existsSync(this.servicePath)) return { present: false, where };
    const cal = /^OnCalendar=(.*)$/m.exec(readFileSync(this.timerPath, 'utf8'))?.[1];
    const out: Inspection = { present: true, where, calendarText: cal };
    const r = await this.#systemctl(
      'show',
      SYSTEMD_TIMER,
      '-p',
      'NextElapseUSecRealtime',
      '-p',
      'ActiveState',
      '--timestamp=unix',
    );
    if (r.code === 0) {
      const props = Object.fromEntries(
        r.stdout
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
      );
      if (props.ActiveState) out.active = props.ActiveState === 'active';
      const next = parseSystemdTime(props.NextElapseUSecRealtime);
      if (next) {
        out.nextRun = next;
        out.nextRunSource = 'scheduler';
      }
    }
    if (!out.nextRun && out.active !== false && cal) {
      const parsed = parseOnCalendar(cal);
      if (parsed) {
        out.nextRun = nextRun(parsed, now);
        out.nextRunSource = 'computed';
      }
    }
    return out;
  }

  async schedulerEnv(job: Job): Promise<Record<string, string>> {
    // What the user manager hands its services: its own bus and runtime folder.
    const fromManager: Record<string, string> = {};
    const r = await this.#systemctl('show-environment');
    if (r.code === 0) {
      for (const line of r.stdout.split('\n')) {
        const m = /^(DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR)=(.*)$/.exec(line);
        if (m) fromManager[m[1]!] = m[2]!;
      }
    }
    return { ...schedulerBaseEnv(this.b.user, this.b.home), ...fromManager, ...job.env };
  }
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `@1767225600` (--timestamp=unix) or a date systemd printed; undefined for `n/a` or empty. */
export function parseSystemdTime(value: string | undefined): Date | undefined {
  if (!value || value === 'n/a' || value === '0') return undefined;
  const unix = /^@(\d+)$/.exec(value);
  if (unix) return new Date(Number(unix[1]) * 1000);
  const t = Date.parse(value.replace(/^[A-Za-z]{3} /, ''));
  return Number.isNaN(t) ? undefined : new Date(t);
}
