/**
 * What `okr sync` prints. Three forms:
 * - a terminal (and no --quiet): an ora spinner per plugin, then a summary table;
 * - not a terminal, or --quiet: plain timestamped lines, one event per line, fit for a log file
 *   (cron appends them to sync.log); --quiet keeps only each plugin's result;
 * - --json: the SyncReport object, once, at the end (keys documented in README, "okr sync").
 * Failures go to stderr as "what failed" plus a "hint:" line; everything else to stdout.
 */
import type { Context } from '../context.js';
import { paint } from '../io.js';
import { clause, formatNumber, plural } from '../text.js';
import type { PluginSyncResult, SyncEvent, SyncReport } from './engine.js';

export interface RenderOptions {
  json?: boolean;
  quiet?: boolean;
}

export interface Renderer {
  onProgress(e: SyncEvent): void;
  finish(report: SyncReport): void;
}

interface SpinnerLike {
  text: string;
  start(text?: string): SpinnerLike;
  succeed(text?: string): SpinnerLike;
  fail(text?: string): SpinnerLike;
  warn(text?: string): SpinnerLike;
  stop(): SpinnerLike;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Values the provider sent that cannot be real (src/metrics/plausible.ts), not stored:
 * `2 values not stored (fitbit.steps values outside 0–200,000 steps)`, or '' when none. The
 * kinds are okr's own text (metric names and bounds), never the provider's. The sync's result
 * line and `metrics show`'s live fetch both say it.
 */
export function refusedSummary(refused: PluginSyncResult['refused'] = []): string {
  const n = refused.reduce((sum, k) => sum + k.count, 0);
  if (n === 0) return '';
  const kinds = refused.slice(0, 3).map((k) => (refused.length > 1 ? `${k.kind}: ${formatNumber(k.count)}` : k.kind));
  return `${plural(n, 'value')} not stored (${kinds.join('; ')}${refused.length > 3 ? '; …' : ''})`;
}

function refusedText(r: PluginSyncResult): string {
  const summary = refusedSummary(r.refused);
  return summary ? `, ${summary}` : '';
}

/** One line per plugin result, shared by the plain and TTY forms. */
export function resultLine(r: PluginSyncResult): string {
  const skipped = r.chunksSkipped > 0 ? `, ${plural(r.chunksSkipped, 'chunk')} already synced` : '';
  const manual = r.keptManual > 0 ? `, ${formatNumber(r.keptManual)} manual kept` : '';
  const counts = `${plural(r.days, 'day')}, ${plural(r.valuesWritten, 'value')} written${manual}${refusedText(r)}${skipped}, ${plural(r.calls, 'call')}, ${formatMs(r.ms)}`;
  switch (r.status) {
    case 'ok':
      return `${r.plugin}: ok, ${counts}`;
    case 'partial':
      return `${r.plugin}: partial, ${counts}; ${r.error}`;
    case 'skipped':
      return `${r.plugin}: skipped: ${r.error}`;
    case 'interrupted':
      return `${r.plugin}: interrupted after ${counts}`;
    default:
      return `${r.plugin}: ${r.status === 'reauth' ? 'needs sign-in' : 'failed'}: ${r.valuesWritten > 0 ? `${clause(r.error ?? '')} (${counts} before that)` : r.error}`;
  }
}

function eventLine(e: SyncEvent): string | undefined {
  switch (e.type) {
    case 'plugin-start':
      return `${e.plugin}: syncing ${e.from}..${e.to} in ${plural(e.chunks, 'chunk')}${e.chunksSkipped ? ` (${formatNumber(e.chunksSkipped)} already synced, resuming)` : ''}`;
    case 'lock-wait':
      return `${e.plugin}: waiting for another okr sync (pid ${e.holder?.pid ?? '?'})`;
    case 'refresh':
      return `${e.plugin}: refreshing the access token${e.reason === 'rejected' ? ' (rejected by the provider)' : ''}`;
    case 'retry': {
      const why =
        e.retry.reason === 'rate_limited'
          ? 'rate-limited (429)'
          : e.retry.reason === 'server_error'
            ? `server error (${e.retry.status})`
            : e.retry.reason === 'timeout'
              ? 'timed out'
              : 'network error';
      return `${e.plugin}: ${why}; retry ${e.retry.retry} in ${formatMs(e.retry.delayMs)}`;
    }
    case 'chunk-done':
      return `${e.plugin}: chunk ${e.index}/${e.total} ${e.from}..${e.to}: ${plural(e.values, 'value')}`;
    case 'plugin-done':
      return undefined;
  }
}

function printFailure(ctx: Context, r: PluginSyncResult, prefix = ''): void {
  if (r.status === 'ok' || !r.error) return;
  if (r.hint) ctx.io.err(`${prefix}hint: ${r.hint}`);
}

function plainRenderer(ctx: Context, opts: RenderOptions): Renderer {
  const stamp = () => ctx.now().toISOString();
  return {
    onProgress(e) {
      if (e.type === 'plugin-done') {
        const r = e.result;
        const line = `${stamp()} ${resultLine(r)}`;
        if (r.status === 'ok' || r.status === 'skipped') ctx.io.out(line);
        else ctx.io.err(line);
        printFailure(ctx, r, `${stamp()} ${r.plugin}: `);
        return;
      }
      if (opts.quiet) return;
      const line = eventLine(e);
      if (line) ctx.io.out(`${stamp()} ${line}`);
    },
    finish() {},
  };
}

async function ttyRenderer(ctx: Context): Promise<Renderer> {
  const stream = ctx.io.stdout as NodeJS.WriteStream;
  // ora needs a real terminal stream (cursor movement); a fake TTY in tests gets plain lines. A
  // terminal reporting 0 columns (a pty nobody sized) makes ora clear lines forever: no spinner.
  const canSpin =
    typeof stream.cursorTo === 'function' && typeof stream.clearLine === 'function' && (stream.columns ?? 0) > 0;
  const ora = canSpin ? (await import('ora')).default : undefined;
  const { default: Table } = await import('cli-table3');
  const spinners = new Map<string, SpinnerLike>();
  const spinner = (plugin: string): SpinnerLike | undefined => {
    if (!ora) return undefined;
    let s = spinners.get(plugin);
    if (!s) {
      s = ora({ stream, color: 'cyan', isEnabled: true, discardStdin: false }).start(`${plugin}: starting`);
      spinners.set(plugin, s);
    }
    return s;
  };
  return {
    onProgress(e) {
      if (e.type === 'plugin-done') {
        const r = e.result;
        // Failures are detailed (message + hint) under the table; the spinner line stays short.
        const failed = r.status === 'error' || r.status === 'reauth';
        const line = failed
          ? `${r.plugin}: ${r.status === 'reauth' ? 'needs sign-in' : 'failed'}`
          : r.status === 'partial'
            ? `${r.plugin}: partial (${r.notGranted.length > 0 ? `${plural(r.notGranted.length, 'field')} not granted` : 'failed part-way'})`
            : resultLine(r);
        const s = spinner(r.plugin);
        if (s) {
          if (r.status === 'ok') s.succeed(line);
          else if (r.status === 'skipped' || r.status === 'interrupted' || r.status === 'partial') s.warn(line);
          else s.fail(line);
        } else {
          ctx.io.out(line);
        }
        return;
      }
      const line = eventLine(e);
      if (!line) return;
      const s = spinner(e.plugin);
      if (s) s.text = line;
      else ctx.io.out(line);
    },
    finish(report) {
      for (const s of spinners.values()) s.stop();
      if (report.plugins.length === 0) return;
      // cli-table3 colours headers red by default (reads as an error) and ignores NO_COLOR.
      const style = { head: ctx.io.color ? ['bold'] : [], border: ctx.io.color ? ['grey'] : [] };
      const table = new Table({
        head: ['plugin', 'status', 'days', 'values written', 'calls', 'time'],
        colAligns: ['left', 'left', 'right', 'right', 'right', 'right'],
        style,
      });
      for (const r of report.plugins) {
        const status =
          r.status === 'ok'
            ? paint(ctx.io, 'green', 'ok')
            : r.status === 'skipped' || r.status === 'interrupted' || r.status === 'partial'
              ? paint(ctx.io, 'yellow', r.status)
              : paint(ctx.io, 'red', r.status === 'reauth' ? 'sign-in needed' : 'error');
        table.push([
          r.plugin,
          status,
          formatNumber(r.days),
          formatNumber(r.valuesWritten),
          formatNumber(r.calls),
          formatMs(r.ms),
        ]);
      }
      ctx.io.out(table.toString());
      for (const r of report.plugins) {
        if (r.status === 'ok' || !r.error) continue;
        const tone = r.status === 'skipped' || r.status === 'partial' ? 'yellow' : 'red';
        ctx.io.err(paint(ctx.io, tone, `${r.plugin}: ${r.error}`));
        printFailure(ctx, r);
      }
    },
  };
}

export async function createRenderer(ctx: Context, opts: RenderOptions): Promise<Renderer> {
  if (opts.json) return { onProgress() {}, finish: (report) => ctx.io.json(report) };
  if (ctx.io.isTTY && !opts.quiet) return ttyRenderer(ctx);
  return plainRenderer(ctx, opts);
}

/** `--dry-run`: the plan, nothing fetched or written. */
export function printPlan(ctx: Context, report: SyncReport, json: boolean): void {
  if (json) {
    ctx.io.json(report);
    return;
  }
  ctx.io.out(`Dry run: ${report.from}..${report.to}; nothing is fetched or written.`);
  for (const r of report.plugins) {
    if (r.status !== 'ok') {
      ctx.io.err(`${r.plugin}: ${r.error}`);
      if (r.hint) ctx.io.err(`hint: ${r.hint}`);
      continue;
    }
    ctx.io.out('');
    ctx.io.out(
      `${paint(ctx.io, 'bold', r.plugin)}: ${plural(r.chunksFetched, 'chunk')} to fetch${r.chunksSkipped ? `, ${formatNumber(r.chunksSkipped)} already synced by the interrupted backfill (skipped)` : ''}, newest first`,
    );
    ctx.io.out(`  access token: ${r.wouldRefresh ? 'expired or expiring: one refresh first' : 'valid, no refresh'}`);
    ctx.io.out(`  data types: ${(r.fields ?? []).join(', ')}`);
    if (r.notGranted.length > 0) {
      ctx.io.out(`  not granted (skipped): ${r.notGranted.map((m) => m.metric).join(', ')}`);
    }
    for (const c of r.plan ?? []) {
      ctx.io.out(`  ${c.skip ? 'skip ' : 'fetch'} ${c.from}..${c.to} (${plural(c.days, 'day')})`);
    }
  }
}
