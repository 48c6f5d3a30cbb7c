/**
 * `okr doctor [--json] [--redacted]`: self-diagnosis, and a support bundle safe to paste.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { type CheckResult, runChecks } from '../doctor/checks.js';
import { paint } from '../io.js';
import { fileLocationLines, fileLocations } from '../paths.js';
import { redactUrls } from '../redact.js';
import { displayValue } from '../store/config.js';
import { openDatabase } from '../store/db.js';
import { plural } from '../text.js';
import { VERSION } from '../version.js';
import { type App, action } from './app.js';

const MARK: Record<CheckResult['status'], string> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL' };
const COLOR = { pass: 'green', warn: 'yellow', fail: 'red' } as const;

export function register(program: Command, app: App): void {
  program
    .command('doctor')
    .description('check the installation, database, keychain, plugins and schedule; says how to fix each problem')
    .option('--json', 'stable machine-readable output, for monitoring')
    .option('--redacted', 'print a support bundle (versions, settings with secrets masked, recent syncs) safe to paste')
    .addHelpText('after', '\nExit code: 0 when no check fails (warnings allowed), 1 otherwise.')
    .action(
      action(app, async (ctx, opts: { json?: boolean; redacted?: boolean }) => {
        const report = await runChecks(ctx, extraChecks);
        if (opts.redacted) {
          ctx.io.json(await supportBundle(ctx, report.checks));
          return report.ok ? 0 : 1;
        }
        if (opts.json) {
          ctx.io.json({ ...report, files: fileLocations(ctx.paths) });
          return report.ok ? 0 : 1;
        }
        for (const c of report.checks) {
          ctx.io.out(`${paint(ctx.io, COLOR[c.status], MARK[c.status])}  ${c.title}: ${c.detail}`);
          if (c.fix && c.status !== 'pass') ctx.io.out(`      fix: ${c.fix}`);
        }
        const fails = report.checks.filter((c) => c.status === 'fail').length;
        const warns = report.checks.filter((c) => c.status === 'warn').length;
        ctx.io.out();
        ctx.io.out(
          fails
            ? `${plural(fails, 'problem')}, ${plural(warns, 'warning')}.`
            : warns
              ? `No problems, ${plural(warns, 'warning')}.`
              : 'Everything looks fine.',
        );
        ctx.io.out();
        for (const l of fileLocationLines(ctx.paths)) ctx.io.out(l);
        return report.ok ? 0 : 1;
      }),
    );
}

/** Checks owned by other modules (the schedule), loaded only when doctor runs. */
async function extraChecks(ctx: Context): Promise<CheckResult[]> {
  const { scheduleChecks } = await import('../schedule/doctor.js');
  return scheduleChecks(ctx);
}

/** Everything a bug report needs, nothing secret: no values of secret keys, no tokens, home as ~. */
async function supportBundle(ctx: Context, checks: CheckResult[]) {
  const home = ctx.env.HOME;
  // Home as ~, and no password in any URL (a setting, an error recorded by a sync).
  const tidy = (s: string) => redactUrls(home ? s.split(home).join('~') : s);
  const settings: Array<{ key: string; value: string | null; source: string }> = [];
  for (const k of ctx.config.keys()) {
    try {
      const r = await ctx.config.resolve(k.key);
      if (r.source === 'unset') continue;
      settings.push({
        key: k.key,
        value: r.value === undefined ? null : displayValue(k, r.value),
        source: r.source,
      });
    } catch (err) {
      settings.push({ key: k.key, value: null, source: tidy(`error: ${(err as Error).message}`) });
    }
  }
  let recentSyncs: unknown[] = [];
  try {
    const db = openDatabase(ctx.paths.dbFile, { readonly: true });
    recentSyncs = db
      .prepare(
        'SELECT plugin_id, trigger, started_at, finished_at, status, range_from, range_to, values_written, api_calls, error FROM sync_runs ORDER BY id DESC LIMIT 20',
      )
      .all();
    db.close();
  } catch {
    recentSyncs = [];
  }
  return {
    okr: VERSION,
    node: process.versions.node,
    platform: `${ctx.platform} ${process.arch}`,
    paths: Object.fromEntries(Object.entries(ctx.paths).map(([k, v]) => [k, tidy(v)])),
    settings,
    checks: checks.map((c) => ({ ...c, detail: tidy(c.detail), fix: c.fix && tidy(c.fix) })),
    recentSyncs: recentSyncs.map((row) =>
      Object.fromEntries(Object.entries(row as object).map(([k, v]) => [k, typeof v === 'string' ? tidy(v) : v])),
    ),
  };
}
