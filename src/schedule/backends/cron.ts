/**
 * cron: one entry in the user's crontab, between two marker lines:
 *
 *   # okr-sync (managed by okr schedule)
 *   23 * * * * OKR_HOME='/srv/okr' DBUS_SESSION_BUS_ADDRESS='unix:path=/run/user/1000/bus' '/usr/bin/node' '/…/bin/okr.js' schedule run
 *   # okr-sync end (managed by okr schedule)
 *
 * Only the lines between the markers are ever touched: the user's other entries go back
 * byte-for-byte (any bytes, CRLF line ends, a last line without a newline), installing again
 * replaces the block, and removing the last entry of a crontab okr created removes the crontab
 * (`crontab -r`), leaving no trace. A crontab whose last line has no newline gets one before the
 * block, and a begin marker that says so, so that removing the block takes that newline away
 * again. Written through `crontab -` (never by editing spool files), found on the context's PATH.
 */
import { OkrError } from '../../errors.js';
import { type CronSchedule, CronSyntaxError, nextCronRun, parseCron } from '../cron-expr.js';
import { exec } from '../exec.js';
import { type Calendar, cronFields } from '../interval.js';
import { type Job, jobArgv, schedulerBaseEnv } from '../job.js';
import type { Backend, BackendEnv, Inspection, Probe } from './types.js';

export const CRON_BEGIN = '# okr-sync (managed by okr schedule)';
/** The begin marker when okr had to end the user's last line with a newline to add its block. */
export const CRON_BEGIN_NEWLINE_ADDED = '# okr-sync (managed by okr schedule; okr ended the line above)';
export const CRON_END = '# okr-sync end (managed by okr schedule)';

/** sh single quotes, then cron's own rule: an unescaped % ends the command. */
function shellQuote(s: string): string {
  return /^[\w@+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function cronEntry(job: Job, cal: Calendar): string {
  const assigns = Object.entries(job.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const command = [...assigns, ...jobArgv(job).map(shellQuote)].join(' ');
  return `${cronFields(cal)} ${command.replace(/%/g, '\\%')}`;
}

export interface SplitCrontab {
  /** The crontab without okr's block, other lines byte-for-byte. */
  rest: string;
  found: boolean;
  /** okr's entry line, when found. */
  entry?: string;
}

const isBegin = (line: string) => {
  const l = line.trimEnd();
  return l === CRON_BEGIN || l === CRON_BEGIN_NEWLINE_ADDED;
};

/**
 * Takes okr's block out of a crontab's text; everything else stays byte for byte. The inverse of
 * withEntry: splitCrontab(withEntry(rest, entry)).rest === rest.
 */
export function splitCrontab(text: string): SplitCrontab {
  const lines = text.split('\n');
  const kept: string[] = [];
  let found = false;
  let entry: string | undefined;
  let unendLastLine = false;
  const isJob = (l: string | undefined) => l !== undefined && l.trim() !== '' && !l.trimStart().startsWith('#');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isBegin(line)) {
      kept.push(line);
      continue;
    }
    found = true;
    let last = i;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trimEnd() !== CRON_END && !isBegin(lines[j]!)) j++;
    if (j < lines.length && lines[j]!.trimEnd() === CRON_END) {
      entry = lines.slice(i + 1, j).find(isJob) ?? entry;
      last = j;
    } else if (isJob(lines[i + 1]) && lines[i + 1]!.includes(' schedule run')) {
      // The end marker was deleted by hand: take the marker and our entry right after it.
      entry = lines[i + 1];
      last = i + 1;
    }
    // okr added the newline that ends the line before its block; when the block is still the
    // crontab's end, that line goes back without it. (With lines after the block, it must stay.)
    unendLastLine = line.trimEnd() === CRON_BEGIN_NEWLINE_ADDED && last === lines.length - 2 && lines[last + 1] === '';
    i = last;
  }
  let rest = kept.join('\n');
  if (unendLastLine && kept.length > 1) rest = rest.slice(0, -1);
  return { rest, found, entry };
}

export function withEntry(rest: string, entry: string): string {
  const ended = rest === '' || rest.endsWith('\n');
  return `${ended ? rest : `${rest}\n`}${ended ? CRON_BEGIN : CRON_BEGIN_NEWLINE_ADDED}\n${entry}\n${CRON_END}\n`;
}

/** The time fields of an entry line (skipping `@hourly`-style specials, which okr never writes). */
export function entrySchedule(entry: string): CronSchedule | undefined {
  const fields = entry.trim().split(/\s+/).slice(0, 5).join(' ');
  try {
    return parseCron(fields);
  } catch (err) {
    if (err instanceof CronSyntaxError) return undefined;
    throw err;
  }
}

export class CronBackend implements Backend {
  readonly id = 'cron' as const;
  readonly label = 'cron';
  constructor(private readonly b: BackendEnv) {}

  /** The crontab travels as bytes (latin1: one character per byte), so a comment in another
   * encoding comes back exactly as it was; okr's own lines are UTF-8 turned into such bytes. */
  #crontab(args: string[], input?: string) {
    return exec('crontab', args, { env: this.b.ctx.env, input, encoding: 'latin1', timeoutMs: 15_000 });
  }

  /** The crontab's bytes, one character each. */
  async read(): Promise<string> {
    const r = await this.#crontab(['-l']);
    if (r.missing) {
      throw new OkrError('crontab is not installed.', {
        hint: 'Install cron (Debian/Ubuntu: sudo apt-get install cron), or use --backend systemd.',
      });
    }
    if (r.code === 0) return r.stdout;
    if (/no crontab/i.test(r.stderr)) return '';
    throw new OkrError(`crontab -l failed: ${r.stderr.trim() || `exit ${r.code}`}`, {
      hint: 'Check that you may use cron (/etc/cron.allow, /etc/cron.deny), or use --backend systemd.',
    });
  }

  async #write(text: string): Promise<void> {
    // Only a crontab with nothing left at all is removed: blank lines the user had stay.
    const r = text === '' ? await this.#crontab(['-r']) : await this.#crontab(['-'], text);
    if (r.code !== 0 && !(text === '' && /no crontab/i.test(r.stderr))) {
      throw new OkrError(`crontab failed to save the schedule: ${r.stderr.trim() || `exit ${r.code}`}`, {
        hint: 'Run `crontab -l` to see your crontab; nothing else was changed.',
      });
    }
  }

  async probe(): Promise<Probe> {
    const r = await this.#crontab(['-l']);
    if (r.missing) return { ok: false, reason: 'the crontab command is not installed' };
    if (r.code === 0 || /no crontab/i.test(r.stderr)) return { ok: true };
    return { ok: false, reason: `crontab -l failed: ${r.stderr.trim() || `exit ${r.code}`}` };
  }

  async install(job: Job, cal: Calendar) {
    const current = await this.read();
    const { rest } = splitCrontab(current);
    await this.#write(withEntry(rest, Buffer.from(cronEntry(job, cal), 'utf8').toString('latin1')));
    const notes = ['in your crontab (`crontab -l`), between the "# okr-sync" marker lines'];
    return { files: [], notes };
  }

  async remove(): Promise<string[]> {
    const r = await this.#crontab(['-l']);
    if (r.missing || r.code !== 0) return [];
    const { rest, found } = splitCrontab(r.stdout);
    if (!found) return [];
    await this.#write(rest);
    return [rest === '' ? 'the crontab (okr had the only entry)' : 'the okr-sync entry from your crontab'];
  }

  async inspect(now: Date): Promise<Inspection> {
    const r = await this.#crontab(['-l']);
    if (r.missing || r.code !== 0) return { present: false, where: 'crontab' };
    const { found, entry } = splitCrontab(r.stdout);
    if (!found || !entry) return { present: false, where: 'crontab' };
    const sched = entrySchedule(entry);
    const next = sched && nextCronRun(sched, now);
    return {
      present: true,
      where: 'crontab',
      calendarText: entry.trim().split(/\s+/).slice(0, 5).join(' '),
      ...(next ? { nextRun: next, nextRunSource: 'computed' as const } : {}),
    };
  }

  async schedulerEnv(job: Job): Promise<Record<string, string>> {
    return { ...schedulerBaseEnv(this.b.user, this.b.home), ...job.env };
  }
}
