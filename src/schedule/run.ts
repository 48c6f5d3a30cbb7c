/**
 * `okr schedule run`: what the scheduler starts. It runs `okr sync --quiet --trigger schedule` as a
 * child process (the same node, the same bin/okr.js), appends the child's output to `sync.log`
 * between a start and an end line, rotates the log at LOG_MAX_BYTES, and exits with the sync's
 * exit code (so `systemctl --user status okr-sync` shows a failed sync as failed).
 *
 * Overlap: a job-wide lock (`schedule.lock` in the lock folder) makes a run that starts while the
 * previous one is still going (a long backfill under cron) log one "skipped" line and exit 0,
 * instead of queueing behind it; a previous run going for longer than LONG_HELD_MS is probably
 * stuck, and is logged as a failure (exit 1) instead. The sync's own per-plugin locks still protect manual runs.
 */
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import type { Context } from '../context.js';
import { acquireLock, durationText, heldForMs, LONG_HELD_MS } from '../lock.js';
import { openPrivateAppend } from '../store/private-files.js';
import { SYNC_ARGS } from './job.js';
import { LOG_MAX_BYTES, logLine, rotateLog } from './log.js';

export const JOB_LOCK = 'schedule';

export interface RunJobOptions {
  node: string;
  okr: string;
  args?: string[];
  maxLogBytes?: number;
}

export async function runJob(ctx: Context, opts: RunJobOptions): Promise<number> {
  const args = opts.args ?? SYNC_ARGS;
  const log = ctx.paths.syncLog;
  // Taking the lock makes the state folder (the log's folder) private: src/lock.ts.
  const lock = await acquireLock(ctx.paths.lockDir, JOB_LOCK, { waitMs: 0, now: ctx.now, purpose: 'okr schedule run' });
  if (lock.acquired) rotateLog(log, opts.maxLogBytes ?? LOG_MAX_BYTES);
  let fd: number;
  try {
    fd = openPrivateAppend(log, 'sync log');
  } catch (err) {
    if (lock.acquired) lock.lock.release();
    throw err;
  }
  try {
    if (!lock.acquired) {
      const who = lock.holder ? ` (pid ${lock.holder.pid}, started ${lock.holder.startedAt})` : '';
      const held = heldForMs(lock.holder, ctx.now());
      if (held !== undefined && held > LONG_HELD_MS) {
        // Probably stuck: fail (exit 1, and systemd shows the job failed) instead of skipping
        // quietly every hour behind it.
        writeSync(
          fd,
          logLine(
            ctx.now(),
            `not run, exit 1: the previous run${who} has been going for ${durationText(held)} and may be stuck; end it (kill ${lock.holder!.pid}) if it makes no progress`,
          ),
        );
        return 1;
      }
      writeSync(fd, logLine(ctx.now(), `skipped, the previous run${who} is still going`));
      return 0;
    }
    writeSync(fd, logLine(ctx.now(), `starting okr ${args.join(' ')} (pid ${process.pid})`));
    const started = performance.now();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
    const code = await new Promise<number>((resolve) => {
      const child = spawn(opts.node, [opts.okr, ...args], { env, stdio: ['ignore', fd, fd] });
      child.on('error', (err) => {
        writeSync(fd, logLine(ctx.now(), `could not start ${opts.node}: ${err.message}`));
        resolve(127);
      });
      child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    writeSync(fd, logLine(ctx.now(), `finished, exit ${code} after ${secs} s`));
    return code;
  } finally {
    closeSync(fd);
    if (lock.acquired) lock.lock.release();
  }
}
