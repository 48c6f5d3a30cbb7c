/**
 * Data coverage per source over the report's range: on how many days each source (a plugin, a
 * Takeout or Health export, `manual`, `import`) stored at least one value, of any metric (not only
 * the template's), and for each connected plugin how many days a sync asked the provider for
 * (`sync_coverage`: a day synced without data is covered yet has no value). The strip under each
 * source shades every bucket (day, week or month, as the charts) by its share of days with values.
 */
import { daysBetween } from '../dates.js';
import type { Db } from '../store/db.js';
import { bucketsOf, type DateRange, indexRange, type Resolution } from './series.js';

/** More sources than this is not a person's data: the rest are counted, not drawn. */
export const MAX_SOURCES = 40;

export interface CoverageCell {
  from: string;
  to: string;
  /** Days in the bucket. */
  days: number;
  /** Days of it with at least one value from the source. */
  withValues: number;
}

export interface SourceCoverage {
  source: string;
  /** Days of the range with at least one value from this source. */
  daysWithValues: number;
  /** For a connected plugin: days of the range a sync covered; null for other sources. */
  daysSynced: number | null;
  first: string | null;
  last: string | null;
  cells: CoverageCell[];
}

export interface CoverageReport {
  days: number;
  sources: SourceCoverage[];
  /** Sources left out past MAX_SOURCES. */
  omitted: number;
}

export function readCoverage(
  db: Db,
  range: DateRange,
  resolution: Resolution,
  connectedPlugins: readonly string[],
): CoverageReport {
  const rows = db
    .prepare(
      `SELECT source, date FROM daily_metric_values WHERE date >= ? AND date <= ?
       GROUP BY source, date ORDER BY source, date`,
    )
    .all(range.from, range.to) as Array<{ source: string; date: string }>;
  const bySource = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = bySource.get(r.source);
    if (set) set.add(r.date);
    else bySource.set(r.source, new Set([r.date]));
  }
  for (const p of connectedPlugins) if (!bySource.has(p)) bySource.set(p, new Set());
  const synced = new Map<string, number>();
  const countSynced = db.prepare(
    'SELECT count(*) AS n FROM sync_coverage WHERE plugin_id = ? AND date >= ? AND date <= ?',
  );
  for (const p of connectedPlugins) {
    synced.set(p, (countSynced.get(p, range.from, range.to) as { n: number }).n);
  }

  const buckets = bucketsOf(range, resolution);
  const days = buckets.reduce((n, b) => n + bucketDays(b), 0);
  // The most complete sources first; ties by name, so the order is stable.
  const names = [...bySource.keys()].sort((a, b) => bySource.get(b)!.size - bySource.get(a)!.size || (a < b ? -1 : 1));
  const sources = names.slice(0, MAX_SOURCES).map((source): SourceCoverage => {
    const dates = bySource.get(source)!;
    const sorted = [...dates].sort();
    return {
      source,
      daysWithValues: dates.size,
      daysSynced: synced.get(source) ?? null,
      first: sorted[0] ?? null,
      last: sorted.at(-1) ?? null,
      cells: buckets.map((b) => ({ from: b.from, to: b.to, days: bucketDays(b), withValues: countIn(sorted, b) })),
    };
  });
  return { days, sources, omitted: Math.max(0, names.length - MAX_SOURCES) };
}

function bucketDays(b: DateRange): number {
  return daysBetween(b.from, b.to) + 1;
}

/** How many of the sorted dates fall in the bucket. */
function countIn(sorted: readonly string[], b: DateRange): number {
  const [start, end] = indexRange(sorted, b);
  return end - start;
}
