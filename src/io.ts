/**
 * Terminal output. Everything a command prints goes through here, so tests capture it and
 * `--json` output stays clean. Colour only on a TTY and never with NO_COLOR.
 */
export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface IO {
  stdout: Stream;
  stderr: Stream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** stdout is a terminal (spinners, tables with colour, sparklines). */
  isTTY: boolean;
  /** stdin is a terminal (prompts are allowed). */
  isInteractive: boolean;
  color: boolean;
  columns: number;
  out(line?: string): void;
  err(line?: string): void;
  json(value: unknown): void;
}

export function createIO(opts: {
  stdout: Stream;
  stderr: Stream;
  stdin: IO['stdin'];
  env: Record<string, string | undefined>;
}): IO {
  const isTTY = opts.stdout.isTTY === true;
  const noColor = opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '';
  return {
    stdout: opts.stdout,
    stderr: opts.stderr,
    stdin: opts.stdin,
    isTTY,
    isInteractive: opts.stdin.isTTY === true && isTTY,
    color: isTTY && !noColor && opts.env.TERM !== 'dumb',
    columns: opts.stdout.columns && opts.stdout.columns > 0 ? opts.stdout.columns : 80,
    out: (line = '') => void opts.stdout.write(`${line}\n`),
    err: (line = '') => void opts.stderr.write(`${line}\n`),
    json: (value) => void opts.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof CODES;

/** Wraps text in an ANSI style when colour is on; returns it unchanged otherwise. */
export function paint(io: Pick<IO, 'color'>, style: Style, text: string): string {
  if (!io.color) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Visible width of a string, ignoring ANSI escapes. */
export function visibleLength(s: string): number {
  return [...s.replace(/\u001b\[[0-9;]*m/g, '')].length;
}
