/**
 * The body of `okr sync`, loaded only when the command runs (src/commands/sync.ts wires flags).
 */
import type { Context } from '../context.js';
import { localDate } from '../dates.js';
import { ExitCode, UsageError } from '../errors.js';
import { resolveRange } from '../metrics/ranges.js';
import type { SyncTrigger } from '../store/sync-runs.js';
import { runSync } from './engine.js';
import { createRenderer, printPlan } from './render.js';

/** The default window: the 7 days ending today (the seed's "last 7 days"). */
export const DEFAULT_SYNC_DAYS = 7;

export interface SyncCommandOptions {
  since?: string;
  from?: string;
  to?: string;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  trigger?: string;
}

export async function syncCommand(ctx: Context, pluginIds: string[], opts: SyncCommandOptions): Promise<number> {
  const trigger = (opts.trigger ?? 'manual') as SyncTrigger;
  if (!['manual', 'schedule', 'live', 'demo'].includes(trigger)) {
    throw new UsageError(`--trigger must be manual or schedule, got ${JSON.stringify(opts.trigger)}`);
  }
  const today = localDate(ctx.now());
  const range = resolveRange({ since: opts.since, from: opts.from, to: opts.to }, today, DEFAULT_SYNC_DAYS);

  // No range given: each plugin's recent days may widen the default one (engine: syncFrom).
  const defaultRange = opts.since === undefined && opts.from === undefined && opts.to === undefined;
  // As typed, for a hint that names the command to run again (a backfill resumes only so).
  const rangeArgs = (['since', 'from', 'to'] as const).flatMap((k) =>
    opts[k] === undefined ? [] : [`--${k}`, String(opts[k])],
  );
  if (opts.dryRun) {
    const report = await runSync(ctx, {
      pluginIds,
      from: range.from,
      to: range.to,
      defaultRange,
      trigger,
      dryRun: true,
    });
    if (report.plugins.length === 0 && !opts.json) return nothingToSync(ctx);
    printPlan(ctx, report, opts.json === true);
    return report.exitCode;
  }

  const renderer = await createRenderer(ctx, { json: opts.json, quiet: opts.quiet });
  const report = await runSync(ctx, {
    pluginIds,
    from: range.from,
    to: range.to,
    defaultRange,
    rangeArgs,
    trigger,
    onProgress: (e) => renderer.onProgress(e),
  });
  if (report.plugins.length === 0 && !opts.json) return nothingToSync(ctx);
  renderer.finish(report);
  return report.exitCode;
}

function nothingToSync(ctx: Context): number {
  // Not an error: cron keeps calling `okr sync` after a disconnect, and that is fine.
  ctx.io.err('No connected plugin to sync.');
  ctx.io.err('hint: Run `okr connect <plugin>` first (`okr plugins` lists them).');
  return ExitCode.OK;
}
