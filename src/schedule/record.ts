/**
 * The installed schedule, as recorded in the conf file's `schedule` section, so that
 * `okr schedule status`, `okr schedule remove` and `okr doctor` know what was installed without
 * asking every scheduler. Nothing secret: paths, the interval and the job's environment.
 */
import type { ConfFile } from '../store/conf-file.js';
import type { Calendar } from './interval.js';
import type { BackendId } from './job.js';

export interface ScheduleRecord {
  backend: BackendId;
  /** `1h`, `15m`. */
  every: string;
  everyMinutes: number;
  calendar: Calendar;
  /** Absolute paths the job runs. */
  node: string;
  okr: string;
  args: string[];
  /** Variables the job file sets (OKR_HOME, DBUS_SESSION_BUS_ADDRESS, …). */
  env: Record<string, string>;
  /** Files okr wrote for the job (unit files, plist); empty for cron. */
  files: string[];
  /** launchd only: the session type the agent loads in. */
  sessionType?: 'Aqua' | 'Background';
  installedAt: string;
  /** The conf file did not exist before the first install: remove deletes it if nothing else is in it. */
  createdConfFile?: boolean;
}

export function readScheduleRecord(conf: ConfFile): ScheduleRecord | undefined {
  const s = conf.data.schedule as Partial<ScheduleRecord> | undefined;
  if (!s || typeof s !== 'object' || !s.backend || !s.calendar) return undefined;
  return s as ScheduleRecord;
}

export function writeScheduleRecord(conf: ConfFile, record: ScheduleRecord): void {
  conf.update((d) => {
    d.schedule = record;
  });
}

export function clearScheduleRecord(conf: ConfFile): boolean {
  if (!('schedule' in conf.data)) return false;
  conf.update((d) => {
    delete d.schedule;
  });
  return true;
}
