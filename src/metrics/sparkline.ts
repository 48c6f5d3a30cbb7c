/**
 * A one-line trend of a series, one character per day: ▁▂▃▄▅▆▇█ from the series' own minimum to
 * its maximum. Missing days are a gap (a space by default), never the lowest bar: no data is not
 * zero. A flat series sits in the middle (▄) so it reads as "steady", not "bottom".
 *
 * Clock times must be unwrapped first (`unwrapTimes` in stats.ts), or a bedtime moving from
 * 23:50 to 00:10 would jump from the top to the bottom.
 */

export const SPARK_LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** Character for a missing day; default a space. `·` keeps gaps visible in copied text. */
  missing?: string;
}

export function sparkline(values: ReadonlyArray<number | undefined>, opts: SparklineOptions = {}): string {
  const missing = opts.missing ?? ' ';
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (present.length === 0) return values.map(() => missing).join('');
  const min = Math.min(...present);
  const max = Math.max(...present);
  const top = SPARK_LEVELS.length - 1;
  return values
    .map((v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return missing;
      if (max === min) return SPARK_LEVELS[3];
      return SPARK_LEVELS[Math.round(((v - min) / (max - min)) * top)];
    })
    .join('');
}
