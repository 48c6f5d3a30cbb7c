/**
 * What `okr doctor` says about the schedule (for its `extraChecks` hook): the job is where okr put
 * it and its paths still exist, the scheduler has been running it, and its last run succeeded.
 * With a schedule installed it also runs the preflight's check (`okr schedule check`) in the
 * job's own environment, so "the keychain is reachable from cron" is tested, not assumed.
 */
import type { Context } from '../context.js';
import type { CheckResult } from '../doctor/checks.js';
import { localTime } from '../text.js';
import { backendEnv, makeBackend } from './detect.js';
import { runPreflight } from './preflight.js';
import { recordJob, scheduleStatus } from './service.js';

/** Runs missed for this many intervals mean the scheduler is not running the job. */
const MISSED_INTERVALS = 3;

export async function scheduleChecks(ctx: Context): Promise<CheckResult[]> {
  const s = await scheduleStatus(ctx);
  const out: CheckResult[] = [];
  if (!s.record) {
    out.push({
      id: 'schedule',
      title: 'Schedule',
      status: s.problems.length ? 'warn' : 'pass',
      detail: s.problems.length
        ? s.problems.map((p) => p.what).join('; ')
        : 'not installed (optional: `okr schedule install` syncs every hour)',
      ...(s.problems.length ? { fix: s.problems[0]!.fix } : {}),
    });
    return out;
  }
  const r = s.record;
  out.push(
    s.problems.length
      ? {
          id: 'schedule',
          title: 'Schedule',
          status: 'fail',
          detail: s.problems.map((p) => p.what).join('; '),
          fix: s.problems[0]!.fix,
        }
      : {
          id: 'schedule',
          title: 'Schedule',
          status: 'pass',
          detail: `${r.backend}, every ${r.every}${s.inspection?.nextRun ? `, next run ${localTime(s.inspection.nextRun)}` : ''}`,
        },
  );

  out.push(await jobEnvironmentCheck(ctx, r));

  const last = s.lastJob ? Date.parse(s.lastJob.at) : Number.NaN;
  const since = Number.isNaN(last) ? Date.parse(r.installedAt) : last;
  const overdue = ctx.now().getTime() - since > MISSED_INTERVALS * r.everyMinutes * 60_000;
  if (overdue) {
    out.push({
      id: 'schedule.runs',
      title: 'Scheduled runs',
      status: 'warn',
      detail: `no scheduled run since ${localTime(since)} (every ${r.every} expected)`,
      fix:
        r.backend === 'systemd'
          ? 'systemctl --user list-timers okr-sync.timer; journalctl --user -u okr-sync.service'
          : r.backend === 'cron'
            ? 'check that the cron daemon runs (systemctl status cron), then `okr schedule status`'
            : 'launchctl print gui/$(id -u)/local.okr.sync',
    });
  } else if (s.lastJob && !s.lastJob.skipped && s.lastJob.exitCode !== 0) {
    const plugins = s.lastRun?.plugins.filter((p) => p.status !== 'ok').map((p) => `${p.pluginId} ${p.status}`) ?? [];
    out.push({
      id: 'schedule.runs',
      title: 'Scheduled runs',
      status: 'warn',
      detail: `the last scheduled sync exited ${s.lastJob.exitCode}${plugins.length ? ` (${plugins.join(', ')})` : ''}`,
      fix: `see ${ctx.paths.syncLog}; \`okr sync\` shows the error interactively`,
    });
  } else if (s.lastJob) {
    out.push({ id: 'schedule.runs', title: 'Scheduled runs', status: 'pass', detail: `last run ${s.lastJob.at}` });
  }
  return out;
}

/** The job's view of the keychain and database: what fails under cron but works in a shell. */
async function jobEnvironmentCheck(
  ctx: Context,
  r: NonNullable<Awaited<ReturnType<typeof scheduleStatus>>['record']>,
): Promise<CheckResult> {
  const b = backendEnv(ctx);
  const pre = await runPreflight(ctx, makeBackend(r.backend, b), recordJob(r), b.home);
  return pre.ok
    ? {
        id: 'schedule.environment',
        title: "Scheduled job's environment",
        status: 'pass',
        detail: 'the job reaches the database and the secrets it needs',
      }
    : {
        id: 'schedule.environment',
        title: "Scheduled job's environment",
        status: 'fail',
        detail: pre.problems.map((p) => p.what).join('; '),
        fix: pre.problems[0]?.fix,
      };
}
