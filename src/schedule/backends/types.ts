import type { Context } from '../../context.js';
import type { Calendar } from '../interval.js';
import type { BackendId, Job } from '../job.js';

/** What a backend needs to know about the user and machine. */
export interface BackendEnv {
  ctx: Context;
  /** The user's home folder (HOME). */
  home: string;
  user: string;
  uid?: number;
}

export type Probe = { ok: true } | { ok: false; reason: string };

export interface InstallResult {
  /** Files written for the job (absolute). */
  files: string[];
  /** Lines worth telling the user (where the job is, caveats). */
  notes: string[];
  sessionType?: 'Aqua' | 'Background';
}

export interface Inspection {
  /** The job is where okr put it (crontab block, unit files, plist). */
  present: boolean;
  /** The scheduler has it loaded/active, when the backend can tell. */
  active?: boolean;
  nextRun?: Date;
  /** `scheduler`: the scheduler said so; `computed`: from the job's time expression. */
  nextRunSource?: 'scheduler' | 'computed';
  /** Where the job lives, for humans: `crontab`, a file path. */
  where: string;
  /** The calendar found in the installed job (may differ from the record if edited by hand). */
  calendarText?: string;
}

export interface Backend {
  id: BackendId;
  /** `cron`, `systemd user timer`, `LaunchAgent`. */
  label: string;
  /** Can this backend be used here (its tool runs, the user manager answers)? */
  probe(): Promise<Probe>;
  /** Installs or replaces the job. */
  install(job: Job, cal: Calendar, every: string): Promise<InstallResult>;
  /** Removes the job if present; returns what was removed (empty when nothing was there). */
  remove(): Promise<string[]>;
  inspect(now: Date): Promise<Inspection>;
  /** The environment the scheduler will start the job with (bare scheduler env + the job's). */
  schedulerEnv(job: Job): Promise<Record<string, string>>;
}
