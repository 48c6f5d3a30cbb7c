/**
 * install / status / remove, independent of the terminal: the command module prints what these
 * return. The conf file's `schedule` section records what was installed (record.ts).
 */
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import type { Context } from '../context.js';
import { demoHomeIntro, demoRecord } from '../demo/record.js';
import { OkrError } from '../errors.js';
import { lockPath, pidAlive, readLock } from '../lock.js';
import { openDatabase } from '../store/db.js';
import type { LaunchdBackend } from './backends/launchd.js';
import type { Backend, Inspection, InstallResult } from './backends/types.js';
import { BACKENDS, backendEnv, chooseBackend, makeBackend } from './detect.js';
import { calendarFor, describeCalendar, formatEvery, parseEvery } from './interval.js';
import { type BackendId, buildJob, type Job, resolveOkrScript, type SessionBus } from './job.js';
import { type LastJob, lastJobFromLog, rotatedLog } from './log.js';
import { type PreflightOutcome, type Problem, runPreflight } from './preflight.js';
import { clearScheduleRecord, readScheduleRecord, type ScheduleRecord, writeScheduleRecord } from './record.js';
import { JOB_LOCK } from './run.js';

/** Secrets live in the keychain, or new ones would go there. */
export function keychainNeeded(ctx: Context): boolean {
  return (
    Object.values(ctx.conf.data.secretStores).includes('keychain') || ctx.config.defaultSecretStore() === 'keychain'
  );
}

export interface InstallOptions {
  every?: string;
  backend?: BackendId;
  preflight?: boolean;
  /** The node binary and bin/okr.js the job runs (default: this process's). */
  node?: string;
  okr?: string;
}

export interface InstallOutcome {
  record: ScheduleRecord;
  backend: Backend;
  result: InstallResult;
  inspection: Inspection;
  bus?: SessionBus;
  /** The backend of a replaced schedule, when there was one. */
  replaced?: BackendId;
  preflight?: PreflightOutcome;
}

export async function installSchedule(ctx: Context, opts: InstallOptions): Promise<InstallOutcome> {
  const everyMinutes = parseEvery(opts.every ?? '1h');
  // A demo home's plugins point at the demo's simulators, which run only during `okr demo`:
  // every scheduled sync there would fail (the preflight, which makes no network call, passes).
  const demo = demoRecord(ctx.conf);
  if (demo) {
    throw new OkrError(
      `${demoHomeIntro(demo)}; its simulators run only during the demo, so every scheduled sync would fail.`,
      { hint: 'Schedule your own home: run okr schedule install without OKR_HOME pointing at the demo.' },
    );
  }
  const b = backendEnv(ctx);
  const backend = await chooseBackend(b, opts.backend);
  const { job, bus } = buildJob(ctx, backend.id, {
    node: opts.node ?? process.execPath,
    okr: opts.okr ?? resolveOkrScript(),
    uid: b.uid,
  });
  if (backend.id === 'launchd') (backend as LaunchdBackend).sessionType = keychainNeeded(ctx) ? 'Aqua' : 'Background';

  // One schedule at a time: a job on another backend goes first (same backend: replaced in place).
  const previous = readScheduleRecord(ctx.conf);
  if (previous && previous.backend !== backend.id) await makeBackend(previous.backend, b).remove();

  const now = ctx.now();
  const calendar = calendarFor(everyMinutes, now);
  const every = formatEvery(everyMinutes);
  const createdConfFile = previous?.createdConfFile === true || !existsSync(ctx.paths.configFile);
  const result = await backend.install(job, calendar, every);
  const record: ScheduleRecord = {
    backend: backend.id,
    every,
    everyMinutes,
    calendar,
    node: job.node,
    okr: job.okr,
    args: job.args,
    env: job.env,
    files: result.files,
    ...(result.sessionType ? { sessionType: result.sessionType } : {}),
    installedAt: now.toISOString(),
    ...(createdConfFile ? { createdConfFile } : {}),
  };
  writeScheduleRecord(ctx.conf, record);
  const inspection = await backend.inspect(now);
  const preflight = opts.preflight === false ? undefined : await runPreflight(ctx, backend, job, b.home);
  return { record, backend, result, inspection, bus, replaced: previous?.backend, preflight };
}

export interface ScheduledRunRow {
  pluginId: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  valuesWritten: number;
  error: string | null;
}

export interface LastScheduledRun {
  startedAt: string;
  finishedAt: string | null;
  /** ok only when every plugin's row is ok. */
  status: string;
  plugins: ScheduledRunRow[];
}

const SEVERITY = ['ok', 'running', 'interrupted', 'partial', 'reauth', 'error'];

/** The last scheduled `okr sync`: the latest `schedule` row and the rows of the same process. */
export function lastScheduledRun(ctx: Context): LastScheduledRun | undefined {
  if (!existsSync(ctx.paths.dbFile)) return undefined;
  const db = openDatabase(ctx.paths.dbFile, { readonly: true });
  try {
    const latest = db
      .prepare(
        `SELECT id, pid, started_at AS startedAt FROM sync_runs WHERE trigger = 'schedule' ORDER BY started_at DESC, id DESC LIMIT 1`,
      )
      .get() as { id: number; pid: number | null; startedAt: string } | undefined;
    if (!latest) return undefined;
    const rows = db
      .prepare(
        `SELECT plugin_id AS pluginId, status, started_at AS startedAt, finished_at AS finishedAt,
                values_written AS valuesWritten, error
           FROM sync_runs
          WHERE trigger = 'schedule' AND pid IS ? AND id > ? - 100 AND id <= ?
            AND started_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-1 hour')
          ORDER BY id`,
      )
      .all(latest.pid, latest.id, latest.id, latest.startedAt) as ScheduledRunRow[];
    const plugins = rows.length ? rows : [];
    const status = plugins.reduce(
      (worst, r) => (SEVERITY.indexOf(r.status) > SEVERITY.indexOf(worst) ? r.status : worst),
      'ok',
    );
    const finished = plugins.map((r) => r.finishedAt);
    return {
      startedAt: plugins[0]?.startedAt ?? latest.startedAt,
      finishedAt: finished.includes(null) ? null : (finished.sort().at(-1) ?? null),
      status,
      plugins,
    };
  } finally {
    db.close();
  }
}

export interface StatusOutcome {
  record?: ScheduleRecord;
  backend?: Backend;
  inspection?: Inspection;
  /** okr jobs found on a scheduler that the conf file does not record. */
  strays: Array<{ backend: BackendId; where: string }>;
  lastRun?: LastScheduledRun;
  lastJob?: LastJob;
  problems: Problem[];
}

export async function scheduleStatus(ctx: Context): Promise<StatusOutcome> {
  const b = backendEnv(ctx);
  const record = readScheduleRecord(ctx.conf);
  const now = ctx.now();
  const out: StatusOutcome = { record, strays: [], problems: [] };
  for (const id of BACKENDS) {
    if (id === record?.backend) continue;
    const found = await makeBackend(id, b).inspect(now);
    if (found.present) out.strays.push({ backend: id, where: found.where });
  }
  for (const s of out.strays) {
    out.problems.push({
      what: `an okr job is installed with ${s.backend} (${s.where}) but not recorded`,
      fix: record ? 'okr schedule install (keeps one job) or okr schedule remove' : 'okr schedule remove',
    });
  }
  out.lastRun = lastScheduledRun(ctx);
  out.lastJob = lastJobFromLog(ctx.paths.syncLog);
  if (!record) return out;

  const backend = makeBackend(record.backend, b);
  if (record.sessionType && backend.id === 'launchd') (backend as LaunchdBackend).sessionType = record.sessionType;
  out.backend = backend;
  out.inspection = await backend.inspect(now);
  if (!out.inspection.present) {
    out.problems.push({
      what: `the ${backend.label} job is gone (${out.inspection.where}): it was removed outside okr`,
      fix: `okr schedule install --backend ${record.backend} --every ${record.every}`,
    });
  } else if (out.inspection.active === false) {
    out.problems.push({
      what: `the ${backend.label} is installed but not active`,
      fix: `okr schedule install --backend ${record.backend} --every ${record.every}`,
    });
  }
  for (const [what, path] of [
    ['node binary', record.node],
    ['okr script', record.okr],
  ] as const) {
    if (!existsSync(path)) {
      out.problems.push({
        what: `the job's ${what} ${path} no longer exists (node upgraded with nvm or n? okr moved?)`,
        fix: `okr schedule install --every ${record.every} (from the shell where \`okr\` works)`,
      });
    }
  }
  return out;
}

export interface RemoveOutcome {
  removed: string[];
  hadRecord: boolean;
}

export async function removeSchedule(ctx: Context): Promise<RemoveOutcome> {
  const b = backendEnv(ctx);
  const record = readScheduleRecord(ctx.conf);
  const removed: string[] = [];
  // The recorded backend first, then any other scheduler holding an okr job: no trace anywhere.
  const order = record ? [record.backend, ...BACKENDS.filter((id) => id !== record.backend)] : BACKENDS;
  for (const id of order) removed.push(...(await makeBackend(id, b).remove()));
  for (const f of [ctx.paths.syncLog, rotatedLog(ctx.paths.syncLog)]) {
    if (existsSync(f)) {
      rmSync(f, { force: true });
      removed.push(f);
    }
  }
  // A lock left by a killed run; a live run keeps its lock and finishes.
  const holder = readLock(ctx.paths.lockDir, JOB_LOCK);
  const lock = lockPath(ctx.paths.lockDir, JOB_LOCK);
  if (existsSync(lock) && !(holder && pidAlive(holder.pid))) rmSync(lock, { force: true });
  if (clearScheduleRecord(ctx.conf)) removed.push(`the "schedule" section of ${ctx.paths.configFile}`);
  const conf = ctx.conf.data;
  const confEmpty =
    Object.keys(conf).every((k) => k === 'values' || k === 'secretStores') &&
    Object.keys(conf.values).length === 0 &&
    Object.keys(conf.secretStores).length === 0;
  if (record?.createdConfFile && confEmpty && existsSync(ctx.paths.configFile)) {
    rmSync(ctx.paths.configFile);
    removed.push(ctx.paths.configFile);
  }
  for (const dir of [ctx.paths.lockDir, ctx.paths.stateDir, ctx.paths.configDir]) rmdirIfEmpty(dir);
  return { removed, hadRecord: record !== undefined };
}

function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or not there: either way not ours to remove
  }
}

export function describeRecord(r: ScheduleRecord): string {
  return `every ${r.every}, ${describeCalendar(r.calendar)}`;
}

export function recordJob(r: ScheduleRecord): Job {
  return { node: r.node, okr: r.okr, args: r.args, env: r.env };
}
