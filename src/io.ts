/**
 * Terminal output. Everything a command prints goes through here, so tests capture it and
 * `--json` output stays clean. Colour only on a TTY and never with NO_COLOR.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
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
  /** Terminal height (24 when unknown): taller output goes through the pager. */
  rows: number;
  out(line?: string): void;
  err(line?: string): void;
  json(value: unknown): void;
  /** Keeps what is written to stdout (out, json, stdout.write) until `release`: for the pager. */
  hold(): void;
  /** Stops holding; returns what was held. */
  release(): string;
}

export function createIO(opts: {
  stdout: Stream;
  stderr: Stream;
  stdin: IO['stdin'];
  env: Record<string, string | undefined>;
}): IO {
  const isTTY = opts.stdout.isTTY === true;
  const noColor = opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '';
  let held: string[] | undefined;
  const holder: Stream = {
    isTTY: opts.stdout.isTTY,
    columns: opts.stdout.columns,
    rows: opts.stdout.rows,
    write: (chunk: string) => held!.push(chunk),
  };
  const stdout = (): Stream => (held ? holder : opts.stdout);
  return {
    get stdout() {
      return stdout();
    },
    stderr: opts.stderr,
    // A getter: the real process.stdin is created on first use (see processIO).
    get stdin() {
      return opts.stdin;
    },
    isTTY,
    isInteractive: isTTY && opts.stdin.isTTY === true,
    color: isTTY && !noColor && opts.env.TERM !== 'dumb',
    columns: opts.stdout.columns && opts.stdout.columns > 0 ? opts.stdout.columns : 80,
    rows: opts.stdout.rows && opts.stdout.rows > 0 ? opts.stdout.rows : 24,
    out: (line = '') => void stdout().write(`${line}\n`),
    err: (line = '') => void opts.stderr.write(`${line}\n`),
    json: (value) => void stdout().write(`${JSON.stringify(value, null, 2)}\n`),
    hold() {
      held ??= [];
    },
    release() {
      const text = (held ?? []).join('');
      held = undefined;
      return text;
    },
  };
}

/** The real process's IO: its standard output and error (see standardOutput), stdin on first use. */
export function processIO(env: Record<string, string | undefined>): IO {
  return createIO({
    stdout: standardOutput(1),
    stderr: standardOutput(2),
    get stdin() {
      return process.stdin;
    },
    env,
  });
}

/**
 * Standard output or error of the real process. A terminal gets Node's own stream: spinners,
 * prompts and the terminal width need it. A file, a pipe or /dev/null is written with
 * fs.writeSync, as Node itself does for files and (on Linux) pipes: creating process.stdout and
 * process.stderr, and the tty module that tells a terminal, costs 2-4 ms of start-up, measured
 * on `okr metrics show` and `okr --help` (npm run bench).
 * A pipe someone made non-blocking can refuse a write when full (EAGAIN): the rest then goes
 * through Node's stream, which waits, and so does every later write, to keep the order.
 * `okr … | head` closes the pipe early (EPIPE): from then on the stream drops what it is given,
 * quietly, and the command carries on to its end. Exiting there, as `git log | head` does, left a
 * sync half done: its lock behind, its run row "running", the chunk in hand unstored.
 */
function standardOutput(fd: 1 | 2): Stream {
  let node: NodeJS.WriteStream | undefined;
  let closed = false;
  const nodeStream = (): NodeJS.WriteStream => {
    if (!node) {
      node = fd === 1 ? process.stdout : process.stderr;
      node.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        closed = true;
      });
    }
    return node;
  };
  // A terminal is Node's own stream (spinners and prompts need it); it never gives EPIPE.
  if (isTerminal(fd)) return nodeStream();
  return {
    isTTY: false,
    write(chunk: string) {
      if (closed) return true;
      if (node) return node.write(chunk);
      const bytes = Buffer.from(chunk);
      let done = 0;
      while (done < bytes.length) {
        try {
          done += writeSync(fd, bytes, done);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') return nodeStream().write(bytes.subarray(done));
          if (code !== 'EPIPE') throw err;
          closed = true;
          return true;
        }
      }
      return true;
    },
  };
}

function isTerminal(fd: number): boolean {
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(fd);
  } catch {
    return false; // closed
  }
  // Files and pipes are settled without loading the tty module (and net, which it loads).
  if (!stat.isCharacterDevice()) return false;
  // /dev/null is a character device too, and where scheduled and scripted runs often write.
  if (isDevNull(stat)) return false;
  const tty = process.getBuiltinModule('node:tty');
  return tty.isatty(fd);
}

function isDevNull(stat: ReturnType<typeof fstatSync>): boolean {
  try {
    return stat.rdev === statSync('/dev/null').rdev;
  } catch {
    return false; // no /dev/null on this system: ask the tty module
  }
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
