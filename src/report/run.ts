/**
 * The body of `okr report` (src/commands/report.ts declares the flags): which range, which
 * template, then the JSON, the page, or both; then the browser when asked.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from '../context.js';
import { isCivilDate, localDate } from '../dates.js';
import { UsageError } from '../errors.js';
import { chooseTemplate } from '../metrics/actions.js';
import { parseSince } from '../metrics/ranges.js';
import { parsePeriod } from '../okr/period.js';
import { safeText } from '../safe-text.js';
import { plural } from '../text.js';
import { buildReport } from './data.js';
import { renderReport } from './html.js';
import { writeReport } from './write.js';

export interface ReportFlags {
  period?: string;
  since?: string;
  template?: string;
  output?: string;
  force?: boolean;
  open?: boolean;
  json?: boolean;
}

export const DEFAULT_OUTPUT = 'okr-report.html';
const DEFAULT_SINCE = '1y';

/** The report's range: the period or span asked for, ending today at the latest. */
export function reportRange(opts: Pick<ReportFlags, 'period' | 'since'>, today: string) {
  if (opts.period !== undefined && opts.since !== undefined) {
    throw new UsageError('--period and --since both set the range', 'Use one of them: --period 2026-Q4, or --since 1y');
  }
  let from: string;
  let to: string;
  let label: string;
  if (opts.period !== undefined) {
    ({ from, to, label } = parsePeriod(opts.period));
  } else {
    const since = opts.since ?? DEFAULT_SINCE;
    from = parseSince(since, today);
    to = today;
    // `--since 90d` is the last 90 days; `--since 2026-06-01` the days since then.
    label = isCivilDate(since.trim()) ? `since ${since.trim()}` : `last ${since.trim()}`;
  }
  if (from > today) {
    throw new UsageError(
      `${label} starts after today (${today}): there is nothing to report yet`,
      'Ask for a period that has started, e.g. --since 90d',
    );
  }
  return { from, to: to > today ? today : to, label };
}

export async function report(ctx: Context, opts: ReportFlags): Promise<number> {
  const today = localDate(ctx.now());
  const range = reportRange(opts, today);
  if (opts.json && opts.open && opts.output === undefined) {
    throw new UsageError('--open needs a page: --json alone writes none', 'Add -o report.html to write one too');
  }
  const template = chooseTemplate(ctx, opts.template, 'report');
  const data = await buildReport(ctx, template, range, today);
  if (opts.json) ctx.io.json(data);
  if (opts.json && opts.output === undefined) return 0;

  const page = renderReport(data);
  const output = opts.output ?? DEFAULT_OUTPUT;
  if (output === '-') {
    if (opts.json) throw new UsageError('--json and -o - would both write to standard output', 'Give -o a file name');
    ctx.io.stdout.write(page);
    return 0;
  }
  const file = resolve(output);
  const { replaced } = writeReport(file, page, { force: opts.force });
  const charts = data.metrics.filter((m) => m.points.length > 0).length;
  const what = `${plural(charts, 'chart')}, ${plural(data.objectives.length, 'objective')}, ${Math.ceil(Buffer.byteLength(page) / 1024)} KB`;
  ctx.io.err(`${replaced ? 'Replaced' : 'Wrote'} ${file} (${what}; ${range.from} to ${range.to}).`);
  if (opts.open) await openPage(ctx, file);
  return 0;
}

/** Opens the page the way `okr connect` opens its consent page (src/browser.ts decides if it can). */
async function openPage(ctx: Context, file: string): Promise<void> {
  const why = ctx.whyNoBrowser();
  if (why) {
    ctx.io.err(`No browser can open here: ${why}. Open ${file} yourself (or set $BROWSER).`);
    return;
  }
  try {
    await ctx.openBrowser(pathToFileURL(file).href);
    ctx.io.err(`Opened it in ${ctx.browserName}.`);
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    ctx.io.err(`Could not open a browser (${safeText(reason, 200)}); open ${file} yourself.`);
  }
}
