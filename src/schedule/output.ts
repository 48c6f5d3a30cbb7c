/**
 * What `okr schedule install|status|remove|check` print. The behaviour is in service.ts.
 */
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { paint } from '../io.js';
import { clause, localTime, plural } from '../text.js';
import { type CheckItem, type CheckReport, runCheck } from './check.js';
import { showCommand } from './exec.js';
import { describeCalendar } from './interval.js';
import { type BackendId, jobArgv } from './job.js';
import { LOG_MAX_BYTES } from './log.js';
import type { PreflightOutcome, Problem } from './preflight.js';
import { describeRecord, installSchedule, recordJob, removeSchedule, scheduleStatus } from './service.js';

function envText(env: Record<string, string>): string {
  const parts = Object.entries(env).map(([k, v]) => showCommand([`${k}=${v}`]));
  return parts.length ? parts.join(' ') : '(nothing beyond the scheduler’s own)';
}

function printProblems(ctx: Context, problems: Problem[]): void {
  for (const p of problems) {
    ctx.io.out(`  - ${p.what}`);
    ctx.io.out(`    ${paint(ctx.io, 'bold', 'fix:')} ${p.fix}`);
  }
}

function checkLine(ctx: Context, name: string, item: CheckItem): void {
  const mark = item.ok ? paint(ctx.io, 'green', 'ok  ') : paint(ctx.io, 'red', 'FAIL');
  ctx.io.out(`  ${mark}  ${name.padEnd(9)} ${item.detail}${item.error ? `: ${item.error}` : ''}`);
}

function printReport(ctx: Context, report: CheckReport): void {
  checkLine(ctx, 'database', { ...report.database, detail: `${report.database.path} ${report.database.detail}` });
  checkLine(ctx, 'keychain', report.keychain);
  for (const p of report.plugins) {
    const ok = p.tokens.ok && p.settings.ok;
    const detail = ok
      ? `tokens ${p.tokens.detail}; ${p.settings.detail}`
      : [p.tokens, p.settings]
          .filter((i) => !i.ok)
          .map((i) => i.detail)
          .join('; ');
    checkLine(ctx, p.id, { ok, detail });
  }
  checkLine(ctx, 'log', { ...report.log, detail: `${report.log.path}: ${report.log.detail}` });
}

function printPreflight(ctx: Context, backendLabel: string, pf: PreflightOutcome): void {
  ctx.io.out();
  ctx.io.out(`Preflight: ran the job once as ${backendLabel} will, with only ${Object.keys(pf.env).join(', ')} set:`);
  ctx.io.out(`  ${paint(ctx.io, 'dim', showCommand(pf.command))}`);
  if (pf.report) printReport(ctx, pf.report);
  if (pf.ok) {
    ctx.io.out(paint(ctx.io, 'green', 'The scheduled sync can reach the database and the keychain.'));
    return;
  }
  ctx.io.out();
  ctx.io.out(paint(ctx.io, 'red', 'The scheduled sync will fail:'));
  printProblems(ctx, pf.problems);
  ctx.io.out();
  ctx.io.out(
    'The job stays installed. After the fix, run `okr schedule install` again to re-check, or `okr schedule remove`.',
  );
}

export async function installCommand(
  ctx: Context,
  opts: { every: string; backend?: BackendId; preflight: boolean },
): Promise<number> {
  const r = await installSchedule(ctx, opts);
  const { record, backend, inspection } = r;
  if (r.replaced) {
    ctx.io.out(
      r.replaced === backend.id
        ? `Replaced the existing ${backend.label} job.`
        : `Removed the previous job (${r.replaced}); one schedule at a time.`,
    );
  }
  const next = inspection.nextRun ? `; next run ${localTime(inspection.nextRun)}` : '';
  ctx.io.out(paint(ctx.io, 'bold', `Installed: okr sync ${describeRecord(record)}, with ${backend.label}${next}.`));
  ctx.io.out(`  job:   ${showCommand(jobArgv(recordJob(record)))}`);
  ctx.io.out(`         (runs \`okr sync --quiet --trigger schedule\`; absolute paths, so PATH does not matter)`);
  ctx.io.out(`  env:   ${envText(record.env)}`);
  for (const f of record.files) ctx.io.out(`  file:  ${f}`);
  for (const n of r.result.notes) ctx.io.out(`  note:  ${n}`);
  ctx.io.out(`  log:   ${ctx.paths.syncLog} (moved to sync.log.1 at ${LOG_MAX_BYTES / 1024 / 1024} MiB)`);
  if (r.bus?.source === 'session') {
    ctx.io.out(
      paint(
        ctx.io,
        'yellow',
        `  note:  the D-Bus address comes from this login session (no per-user bus socket found); after you log in again it changes: run \`okr schedule install\` again then.`,
      ),
    );
  }
  if (!r.preflight) {
    ctx.io.out(
      paint(
        ctx.io,
        'yellow',
        'Preflight skipped (--no-preflight): nothing checked that the job can reach the keychain.',
      ),
    );
    return ExitCode.OK;
  }
  printPreflight(ctx, backend.label, r.preflight);
  return r.preflight.ok ? ExitCode.OK : ExitCode.ERROR;
}

export async function statusCommand(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const s = await scheduleStatus(ctx);
  if (opts.json) {
    const r = s.record;
    ctx.io.json({
      installed: r !== undefined,
      backend: r?.backend ?? null,
      every: r?.every ?? null,
      everyMinutes: r?.everyMinutes ?? null,
      times: r ? describeCalendar(r.calendar) : null,
      schedule: s.inspection?.calendarText ?? null,
      present: s.inspection?.present ?? false,
      active: s.inspection?.active ?? null,
      nextRun: s.inspection?.nextRun?.toISOString() ?? null,
      nextRunSource: s.inspection?.nextRunSource ?? null,
      command: r ? jobArgv(recordJob(r)) : null,
      env: r?.env ?? null,
      files: r?.files ?? [],
      sessionType: r?.sessionType ?? null,
      installedAt: r?.installedAt ?? null,
      log: ctx.paths.syncLog,
      lastRun: s.lastRun ?? null,
      lastJob: s.lastJob ?? null,
      problems: s.problems,
    });
    return ExitCode.OK;
  }
  if (!s.record) {
    ctx.io.out('No schedule installed. Run `okr schedule install` to sync every hour.');
    if (s.problems.length) printProblems(ctx, s.problems);
    return ExitCode.OK;
  }
  const r = s.record;
  ctx.io.out(paint(ctx.io, 'bold', `okr sync ${describeRecord(r)}, with ${s.backend!.label}`));
  const ins = s.inspection!;
  const source =
    ins.nextRunSource === 'scheduler'
      ? ` (from ${s.backend!.id === 'systemd' ? 'systemctl' : 'the scheduler'})`
      : ins.calendarText
        ? ` (from "${ins.calendarText}")`
        : '';
  ctx.io.out(`  next run:  ${ins.nextRun ? `${localTime(ins.nextRun)}${source}` : 'unknown'}`);
  if (s.lastRun) {
    const plugins = s.lastRun.plugins
      .map(
        (p) =>
          `${p.pluginId} ${p.status}${p.error ? ` (${clause(p.error)})` : ` (${plural(p.valuesWritten, 'value')})`}`,
      )
      .join(', ');
    ctx.io.out(
      `  last run:  ${localTime(new Date(s.lastRun.startedAt))}, ${s.lastRun.status}${plugins ? `: ${plugins}` : ''}`,
    );
  } else {
    ctx.io.out('  last run:  none recorded yet');
  }
  if (s.lastJob) {
    ctx.io.out(
      `  last job:  ${localTime(new Date(s.lastJob.at))}, ${s.lastJob.skipped ? 'skipped (previous run still going)' : `exit ${s.lastJob.exitCode}`}`,
    );
  }
  ctx.io.out(`  job:       ${showCommand(jobArgv(recordJob(r)))}`);
  ctx.io.out(`  env:       ${envText(r.env)}`);
  ctx.io.out(`  where:     ${ins.where}`);
  ctx.io.out(`  log:       ${ctx.paths.syncLog}`);
  if (s.problems.length) {
    ctx.io.out();
    ctx.io.out(paint(ctx.io, 'yellow', 'Problems:'));
    printProblems(ctx, s.problems);
  }
  return ExitCode.OK;
}

export async function removeCommand(ctx: Context): Promise<number> {
  const r = await removeSchedule(ctx);
  if (r.removed.length === 0) {
    ctx.io.out('Nothing to remove: no okr schedule is installed.');
    return ExitCode.OK;
  }
  ctx.io.out('Removed the scheduled sync:');
  for (const what of r.removed) ctx.io.out(`  - ${what}`);
  return ExitCode.OK;
}

export async function checkCommand(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const report = await runCheck(ctx);
  if (opts.json) ctx.io.json(report);
  else printReport(ctx, report);
  return report.ok ? ExitCode.OK : ExitCode.ERROR;
}
