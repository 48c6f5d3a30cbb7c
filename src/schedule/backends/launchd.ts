/**
 * launchd: a LaunchAgent, `~/Library/LaunchAgents/local.okr.sync.plist`.
 *
 * The keychain question: the login keychain belongs to the user's GUI login session. An agent
 * loaded in that session (`LimitLoadToSessionType` = `Aqua`, bootstrapped into `gui/<uid>`) can
 * read it while the user is logged in; an agent in the `Background` session (`user/<uid>`) runs
 * without a GUI login but gets "User interaction is not allowed" / "could not be found" from the
 * keychain. So okr picks `Aqua` when secrets live in the keychain (the default), and `Background`
 * only when every secret is in the plain-text file (`secrets.store = file`), which a headless Mac
 * needs anyway.
 *
 * StartCalendarInterval uses the same wall-clock times as cron and systemd; launchd runs a
 * missed one after wake-up, and never starts a job that is still running (no overlap).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OkrError } from '../../errors.js';
import { writeFileAtomic } from '../../store/private-files.js';
import { exec } from '../exec.js';
import { type Calendar, launchdIntervals, nextRun } from '../interval.js';
import { type Job, jobArgv, schedulerBaseEnv } from '../job.js';
import { type PlistValue, parsePlist, writePlist } from '../plist.js';
import type { Backend, BackendEnv, Inspection, Probe } from './types.js';

export const LAUNCHD_LABEL = 'local.okr.sync';
export type SessionType = 'Aqua' | 'Background';

export function launchAgentsDir(home: string): string {
  return join(home, 'Library', 'LaunchAgents');
}

export function agentPlist(job: Job, cal: Calendar, sessionType: SessionType, home: string): string {
  const dict: Record<string, PlistValue> = {
    Label: LAUNCHD_LABEL,
    ProgramArguments: jobArgv(job),
  };
  if (Object.keys(job.env).length > 0) dict.EnvironmentVariables = { ...job.env };
  dict.StartCalendarInterval = launchdIntervals(cal);
  dict.LimitLoadToSessionType = sessionType;
  dict.ProcessType = 'Background';
  dict.RunAtLoad = false;
  dict.WorkingDirectory = home;
  return writePlist(dict);
}

/** Reads StartCalendarInterval back into a Calendar (only the Minute/Hour forms okr writes). */
export function calendarFromPlist(value: PlistValue | undefined): Calendar | undefined {
  const entries = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  const minutes = new Set<number>();
  const hours = new Set<number>();
  let everyHour = false;
  for (const e of entries) {
    if (!e || typeof e !== 'object' || Array.isArray(e) || e instanceof Date) return undefined;
    const { Minute, Hour, ...rest } = e as Record<string, PlistValue>;
    if (Object.keys(rest).length > 0 || typeof Minute !== 'number') return undefined;
    minutes.add(Minute);
    if (typeof Hour === 'number') hours.add(Hour);
    else everyHour = true;
  }
  if (minutes.size === 0) return undefined;
  const sort = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { minutes: sort(minutes), hours: everyHour ? null : sort(hours) };
}

export class LaunchdBackend implements Backend {
  readonly id = 'launchd' as const;
  readonly label = 'LaunchAgent';
  readonly dir: string;
  /** Decided by the caller: Aqua when the keychain is needed (see the module comment). */
  sessionType: SessionType = 'Aqua';
  constructor(private readonly b: BackendEnv) {
    this.dir = launchAgentsDir(b.home);
  }

  get plistPath() {
    return join(this.dir, `${LAUNCHD_LABEL}.plist`);
  }

  #domain(type: SessionType = this.sessionType) {
    return `${type === 'Aqua' ? 'gui' : 'user'}/${this.b.uid ?? 0}`;
  }

  #launchctl(...args: string[]) {
    return exec('launchctl', args, { env: this.b.ctx.env, timeoutMs: 30_000 });
  }

  async probe(): Promise<Probe> {
    if (this.b.ctx.platform !== 'darwin') return { ok: false, reason: 'launchd exists only on macOS' };
    const r = await this.#launchctl('version');
    if (r.missing) return { ok: false, reason: 'launchctl is not installed' };
    return { ok: true };
  }

  async install(job: Job, cal: Calendar) {
    mkdirSync(this.dir, { recursive: true });
    // Replace: unload a previous copy (in either session) before loading the new file.
    await this.#launchctl('bootout', `${this.#domain('Aqua')}/${LAUNCHD_LABEL}`);
    await this.#launchctl('bootout', `${this.#domain('Background')}/${LAUNCHD_LABEL}`);
    writeFileAtomic(this.plistPath, agentPlist(job, cal, this.sessionType, this.b.home), 0o644);
    await this.#launchctl('enable', `${this.#domain()}/${LAUNCHD_LABEL}`);
    const r = await this.#launchctl('bootstrap', this.#domain(), this.plistPath);
    if (r.code !== 0) {
      throw new OkrError(`launchctl bootstrap ${this.#domain()} failed: ${r.stderr.trim() || `exit ${r.code}`}`, {
        hint:
          this.sessionType === 'Aqua'
            ? 'Run it from a Terminal inside your logged-in desktop session (not over ssh).'
            : `Check \`launchctl print ${this.#domain()}\`.`,
      });
    }
    return {
      files: [this.plistPath],
      notes: [
        `loaded in the ${this.sessionType} session (${this.#domain()})${
          this.sessionType === 'Aqua' ? ': runs while you are logged in, with your login keychain' : ''
        }`,
      ],
      sessionType: this.sessionType,
    };
  }

  async remove(): Promise<string[]> {
    if (!existsSync(this.plistPath)) return [];
    await this.#launchctl('bootout', `${this.#domain('Aqua')}/${LAUNCHD_LABEL}`);
    await this.#launchctl('bootout', `${this.#domain('Background')}/${LAUNCHD_LABEL}`);
    rmSync(this.plistPath, { force: true });
    return [this.plistPath];
  }

  async inspect(now: Date): Promise<Inspection> {
    const where = this.plistPath;
    if (!existsSync(this.plistPath)) return { present: false, where };
    let cal: Calendar | undefined;
    let session: SessionType = this.sessionType;
    try {
      const root = parsePlist(readFileSync(this.plistPath, 'utf8')) as Record<string, PlistValue>;
      cal = calendarFromPlist(root.StartCalendarInterval);
      if (root.LimitLoadToSessionType === 'Background') session = 'Background';
    } catch {
      // A broken file: present but unreadable; status says so through the missing next run.
    }
    const r = await this.#launchctl('print', `${this.#domain(session)}/${LAUNCHD_LABEL}`);
    return {
      present: true,
      where,
      active: r.missing ? undefined : r.code === 0,
      ...(cal ? { nextRun: nextRun(cal, now), nextRunSource: 'computed' as const } : {}),
    };
  }

  async schedulerEnv(job: Job): Promise<Record<string, string>> {
    return { ...schedulerBaseEnv(this.b.user, this.b.home, '/usr/bin:/bin:/usr/sbin:/sbin'), ...job.env };
  }
}
