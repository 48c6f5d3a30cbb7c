/**
 * What `okr import` prints. On a terminal: a progress bar (an ora spinner line, like sync's)
 * while the export is read, then the summary. Otherwise, or with --quiet: timestamped log lines,
 * one every 10% read. With --json: the ImportReport object once, at the end (keys in README,
 * "Importing history"). Problems go to stderr, everything else to stdout.
 */
import type { Context } from '../context.js';
import { paint } from '../io.js';
import { formatNumber } from '../metrics/values.js';
import { plural } from '../text.js';
import type { Conflict, MetricCounts } from './write.js';

export interface ImportReport {
  plugin: string;
  importer: string;
  source: string;
  path: string;
  dryRun: boolean;
  interrupted: boolean;
  filesRead: number;
  days: number;
  range: { from: string | null; to: string | null };
  timeZone: { zone: string; from: string } | null;
  exportedAt: string | null;
  metrics: Record<string, MetricCounts>;
  written: number;
  conflicts: Conflict[];
  conflictsTotal: number;
  notRead: Array<{ kind: string; count: number }>;
  notReadOther: number;
  problems: Array<{ file: string; message: string }>;
  notes: string[];
}

export interface ImportRenderer {
  progress(done: number, total: number, file: string): void;
  problem(file: string, message: string): void;
  stop(): void;
  finish(report: ImportReport): void;
}

export function byteSize(bytes: number): string {
  // Bytes below a KB: a small export read "30% (0 KB of 0 KB)".
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

interface SpinnerLike {
  text: string;
  start(text?: string): SpinnerLike;
  stop(): SpinnerLike;
}

export async function createImportRenderer(
  ctx: Context,
  plugin: string,
  opts: { json?: boolean; quiet?: boolean },
): Promise<ImportRenderer> {
  const stamp = () => ctx.now().toISOString();
  const stream = ctx.io.stdout as NodeJS.WriteStream;
  const tty =
    ctx.io.isTTY &&
    !opts.json &&
    !opts.quiet &&
    typeof stream.cursorTo === 'function' &&
    typeof stream.clearLine === 'function' &&
    (stream.columns ?? 0) > 0;
  let spinner: SpinnerLike | undefined;
  if (tty) {
    const ora = (await import('ora')).default;
    spinner = ora({ stream, color: 'cyan', isEnabled: true, discardStdin: false }).start(`${plugin}: opening`);
  }
  let lastDraw = 0;
  let lastStep = -1;
  return {
    progress(done, total, file) {
      const fraction = total > 0 ? done / total : 0;
      if (spinner) {
        const t = performance.now(); // the drawing rate only, not a time anything records
        if (t - lastDraw < 100) return;
        lastDraw = t;
        const name = file.length > 40 ? `…${file.slice(-39)}` : file;
        spinner.text = `${plugin}: ${bar(fraction)} ${Math.floor(fraction * 100)}% ${byteSize(done)} of ${byteSize(total)} ${name}`;
        return;
      }
      if (opts.json || opts.quiet) return;
      const step = Math.floor(fraction * 10);
      if (step > lastStep && step < 10) {
        lastStep = step;
        ctx.io.out(`${stamp()} ${plugin}: read ${step * 10}% (${byteSize(done)} of ${byteSize(total)})`);
      }
    },
    problem(file, message) {
      if (opts.json) return;
      const line = `${plugin}: ${file}: ${message}`;
      if (spinner) {
        spinner.stop();
        ctx.io.err(paint(ctx.io, 'yellow', line));
        spinner.start();
      } else ctx.io.err(`${stamp()} ${line}`);
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
    finish(report) {
      if (opts.json) {
        ctx.io.json(report);
        return;
      }
      printReport(ctx, report, !tty);
    },
  };
}

function printReport(ctx: Context, r: ImportReport, stamped: boolean): void {
  const out = (line: string) => ctx.io.out(stamped ? `${ctx.now().toISOString()} ${line}` : line);
  const verb = r.dryRun ? 'would write' : 'wrote';
  const zone = r.timeZone ? `, times in ${r.timeZone.zone} (${r.timeZone.from})` : '';
  out(
    `${r.plugin}: read ${formatNumber(r.filesRead)} file${r.filesRead === 1 ? '' : 's'} of ${r.path}: ${plural(r.days, 'day')}${r.range.from ? ` ${r.range.from}..${r.range.to}` : ''}${zone}; ${verb} ${plural(r.written, 'value')}${r.dryRun ? ' (dry run: nothing written)' : ''}`,
  );
  const names = Object.keys(r.metrics).sort();
  if (names.length > 0) {
    const cols: Array<[keyof MetricCounts, string]> = [
      ['added', 'added'],
      ['updated', 'updated'],
      ['unchanged', 'unchanged'],
      ['keptYours', 'kept yours'],
      ['keptSynced', 'kept synced'],
      ['replacedSynced', 'replaced synced'],
    ];
    const width = Math.max(...names.map((n) => n.length), 6);
    const head = ['metric'.padEnd(width), ...cols.map(([, h]) => h)].join('  ');
    if (!stamped) ctx.io.out(paint(ctx.io, 'dim', head));
    for (const n of names) {
      const c = r.metrics[n]!;
      if (stamped) {
        out(`${r.plugin}: ${n}: ${cols.map(([k, h]) => `${c[k]} ${h}`).join(', ')}`);
      } else {
        ctx.io.out([n.padEnd(width), ...cols.map(([k, h]) => formatNumber(c[k]).padStart(h.length))].join('  '));
      }
    }
  }
  for (const c of r.conflicts) {
    out(
      `${r.plugin}: ${c.date} ${c.metric}: ${c.action} ${c.action === 'kept' ? c.stored : c.imported} (${c.action === 'kept' ? `import had ${c.imported}` : `was ${c.stored} from ${c.storedSource}`}): ${c.why}`,
    );
  }
  if (r.conflictsTotal > r.conflicts.length)
    out(
      `${r.plugin}: … and ${r.conflictsTotal - r.conflicts.length} more kept or replaced values (--json lists the first ${r.conflicts.length})`,
    );
  if (r.notRead.length > 0) {
    const list = r.notRead
      .slice(0, 12)
      .map((u) => `${u.kind} (${formatNumber(u.count)})`)
      .join(', ');
    const more = r.notRead.length > 12 ? `, and ${r.notRead.length - 12} more kinds (--json lists them)` : '';
    out(`${r.plugin}: not read: ${list}${more}`);
  }
  for (const n of r.notes) out(`${r.plugin}: ${n}`);
  for (const p of r.problems)
    ctx.io.err(`${stamped ? `${ctx.now().toISOString()} ` : ''}${r.plugin}: could not read ${p.file}: ${p.message}`);
  if (r.problems.length > 0)
    ctx.io.err(`hint: the other files were imported; fix or re-download the export and run the same okr import again.`);
  if (r.interrupted) ctx.io.err(`hint: interrupted; what was written stays. Run the same okr import again to finish.`);
}
