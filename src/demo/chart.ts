/**
 * A vertical bar chart for a terminal: one column per day, `height` rows, missing days blank.
 * Used by `okr demo` to draw one metric over the synced month.
 */
const PARTIAL = ['', '▁', '▂', '▃', '▄', '▅', '▆', '▇'];

export interface ChartOptions {
  height: number;
  /** Formats the axis labels (e.g. 7:32 for a duration in minutes). */
  format: (v: number) => string;
}

export function barChart(values: Array<number | undefined>, opts: ChartOptions): string[] {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length === 0) return ['(no data)'];
  const max = Math.max(...present);
  const min = Math.min(...present);
  // Start the axis a little below the minimum so the differences show, but never below zero.
  const floor = Math.max(0, min - (max - min) * 0.5);
  const span = max - floor || 1;
  const eighths = values.map((v) =>
    v === undefined ? 0 : Math.max(1, Math.round(((v - floor) / span) * opts.height * 8)),
  );
  const labels = [opts.format(max), opts.format(floor)];
  const w = Math.max(...labels.map((l) => l.length));
  const lines: string[] = [];
  for (let row = opts.height - 1; row >= 0; row--) {
    const cells = eighths.map((e) => {
      const fill = e - row * 8;
      return fill >= 8 ? '█' : fill > 0 ? PARTIAL[fill] : ' ';
    });
    const label = row === opts.height - 1 ? labels[0]! : row === 0 ? labels[1]! : '';
    lines.push(`${label.padStart(w)} ┤${cells.join('')}`);
  }
  lines.push(`${''.padStart(w)} └${'─'.repeat(values.length)}`);
  return lines;
}
