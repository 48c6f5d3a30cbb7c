/**
 * The sync engine: the seed's `syncPluginData`, made safe for cron.
 *
 * For each plugin, one after the other (a failure never stops the next one):
 *   1. take the plugin's sync lock (wait a little, then report who holds it and skip; a holder
 *      older than LONG_HELD_MS is a failure instead: it is probably stuck);
 *   2. mark runs left `running` (by killed processes: no other sync holds the lock) as
 *      `interrupted`; start a `sync_runs` row;
 *   3. get fresh credentials (refresh only when expired or expiring; see credentials.ts);
 *   4. plan the chunks (plan.ts: newest first, resumable), then for each chunk call `fetchData`
 *      through the sync's fetch (http.ts: counting, quota, retries, one refresh on 401) and write
 *      its values, its coverage rows and the run's progress in ONE transaction;
 *   5. finish the run row and record the result on the connection.
 *
 * Ctrl-C (ctx.signal) is honoured between chunks and aborts in-flight requests; a chunk's
 * transaction is synchronous, so it either commits whole or never starts. A process killed at
 * any point leaves the values of committed chunks and nothing of the others.
 */
import type { Context } from '../context.js';
import { addDays, daysBetween, eachDate, isCivilDate, lastDays, localDate } from '../dates.js';
import { demoHomeIntro, staleDemoHome } from '../demo/record.js';
import { ExitCode, isProviderError, MAX_PROVIDER_MESSAGE_LENGTH, OkrError, ProviderError } from '../errors.js';
import { fixFor, hintWithFix } from '../fixes.js';
import {
  acquireLock,
  durationText,
  heldForMs,
  LONG_HELD_MS,
  type LockHandle,
  type LockInfo,
  lockWaitFromEnv,
  pidAlive,
  quietForMs,
} from '../lock.js';
import { latestDate, plausibleRecords } from '../metrics/plausible.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import { withRuntime } from '../plugins/runtime-zone.js';
import type {
  DataFieldDescriptor,
  DataImportPlugin,
  FetchResult,
  ImportedDataRecord,
  OAuthCredentials,
} from '../plugins/types.js';
import { safeText } from '../safe-text.js';
import {
  assertConnected,
  ConnectionGoneError,
  getConnection,
  listEnabledConnections,
  recordSyncResult,
} from '../store/connections.js';
import { lastCoveredAt, markCoverage } from '../store/coverage.js';
import { databaseError } from '../store/db.js';
import { findOrphanedTokens } from '../store/orphaned-tokens.js';
import { prepareForWrites } from '../store/private-files.js';
import {
  callsSince,
  finishSyncRun,
  markLeftRunsInterrupted,
  type SyncTrigger,
  startSyncRun,
  updateSyncRunProgress,
} from '../store/sync-runs.js';
import { loadCredentials } from '../store/tokens.js';
import { upsertSyncedRecords } from '../store/values.js';
import { capitalized, clause, plural } from '../text.js';
import { freshCredentials, needsRefresh, reconnectHint } from './credentials.js';
import { createSyncFetch, type RetryEvent } from './http.js';
import { backfillThreshold, type PlanLimits, type PlannedChunk, planSync } from './plan.js';
import { limiterForQuota, quotaWindows } from './rate-limit.js';
import { abortableSleep, type RetryPolicy, retryPolicyFromEnv } from './retry.js';

/** `partial`: some fields synced, others could not be read (a scope left unticked at sign-in). */
export type PluginSyncStatus = 'ok' | 'partial' | 'error' | 'reauth' | 'skipped' | 'interrupted';

/** A field the sync could not read because its scope was not granted. */
export interface NotGranted {
  /** The metric name, e.g. `fitbit.sleepLength`. */
  metric: string;
  scope?: string;
}

export interface PluginSyncResult {
  plugin: string;
  status: PluginSyncStatus;
  from: string;
  to: string;
  /** Dates fetched (skipped chunks not counted). */
  days: number;
  chunks: number;
  chunksFetched: number;
  chunksSkipped: number;
  valuesWritten: number;
  /** Values the provider sent for a (date, metric) the user logged by hand: kept, not overwritten. */
  keptManual: number;
  /** Values that cannot be real (src/metrics/plausible.ts), not stored: how many of each kind. */
  refused: Array<{ kind: string; count: number }>;
  /** HTTP requests made, token refreshes and retries included. */
  calls: number;
  retries: number;
  refreshed: boolean;
  ms: number;
  error: string | null;
  /**
   * What kind of failure: a ProviderError category (`reauth`, `retired`, `rate_limited`, …),
   * `database` for the store, null for anything else. Recorded as `plugins.last_error_kind`.
   */
  errorKind: string | null;
  hint: string | null;
  /** Fields skipped because their scope was not granted (status `partial`, or `error` when all were). */
  notGranted: NotGranted[];
  /** Dry run only: the chunks that would be fetched or skipped. */
  plan?: Array<{ from: string; to: string; days: number; skip: boolean }>;
  /** Dry run only: the fields (data types) fetchData would be asked for. */
  fields?: string[];
  /** Dry run only: whether the access token would be refreshed first. */
  wouldRefresh?: boolean;
}

export interface SyncReport {
  from: string;
  to: string;
  trigger: SyncTrigger;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  ms: number;
  exitCode: number;
  plugins: PluginSyncResult[];
}

export type SyncEvent =
  | { type: 'plugin-start'; plugin: string; from: string; to: string; chunks: number; chunksSkipped: number }
  | { type: 'lock-wait'; plugin: string; holder?: LockInfo }
  | { type: 'refresh'; plugin: string; reason: 'expiring' | 'rejected' }
  | { type: 'retry'; plugin: string; retry: RetryEvent }
  | { type: 'chunk-done'; plugin: string; index: number; total: number; from: string; to: string; values: number }
  | { type: 'plugin-done'; result: PluginSyncResult };

export interface SyncOptions {
  /** Plugins to sync; default every enabled connection. */
  pluginIds?: string[];
  /** The range is the default one (no --since/--from/--to): each plugin's `recentDays` may widen it. */
  defaultRange?: boolean;
  /**
   * The range as the user gave it (`['--since', '3y']`), for the command a hint names to run again:
   * a backfill resumes only when asked for again. Default: `--from <from> --to <to>`.
   */
  rangeArgs?: string[];
  from: string;
  to: string;
  trigger: SyncTrigger;
  dryRun?: boolean;
  onProgress?: (event: SyncEvent) => void;
  /** How long to wait for another process's sync of the same plugin (default OKR_LOCK_WAIT_MS or 10 s). */
  lockWaitMs?: number;
  /** Tests: retry bounds and delays (default from ctx.env, see retry.ts). */
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Every provider request of each plugin's sync ends within this many ms (`okr metrics show`'s live fetch). */
  deadlineMs?: number;
}

const DEFAULT_LOCK_WAIT_MS = 10_000;
/** Refreshes one sync may make when its access tokens keep expiring by their own clock. */
export const MAX_REFRESHES_PER_SYNC = 5;

/**
 * Whether a 401 may refresh the tokens. The first 401 of a sync may. After that, a token the
 * provider rejects before its time gets no second refresh (that would loop on a provider that
 * rejects every token: the user must sign in again); one that expired by its own clock during a
 * long sync (Google's last an hour) is refreshed again, up to MAX_REFRESHES_PER_SYNC.
 */
export function mayRefreshAfter401(s: {
  refreshesMade: number;
  rejected: string;
  credentials: OAuthCredentials | undefined;
  nowMs: number;
}): boolean {
  if (s.refreshesMade === 0) return true;
  if (s.refreshesMade >= MAX_REFRESHES_PER_SYNC) return false;
  const c = s.credentials;
  return c?.accessToken === s.rejected && c.expiresAt !== undefined && c.expiresAt <= s.nowMs;
}
/**
 * What the sync does while a token refresh is on the wire, not before it leaves. It waits for two
 * turns of the event loop, by which the request (its connect on loopback or the kept-alive socket)
 * has been written. Then:
 * - it opens the connections the first data requests will use (the data API is another host than
 *   the token endpoint: its handshakes would otherwise follow the refresh);
 * - it loads the plugin's data modules (its response schemas: zod) and node:crypto for the token
 *   save: compiling blocks the thread ~20 ms.
 * Only an ordering of work: whenever it runs, the requests and the save do the same.
 * Returns what closes the connections no request took.
 */
function whileRefreshing(ctx: Context, api: string | undefined, plugin: DataImportPlugin): () => void {
  const twoTurns = new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
  const count = plugin.requestsAtOnce?.(availableFields(plugin).map((f) => f.id)) ?? 1;
  const release = ctx.preconnect(
    twoTurns.then(() => api),
    count,
  );
  void twoTurns.then(() => {
    prepareForWrites();
    void plugin.preload?.().catch(() => undefined);
  });
  return release;
}

/** Chunks fetched at once by a backfill (each runs its data types in parallel inside fetchData). */
export const CHUNK_CONCURRENCY = 3;

function lockWait(ctx: Context, opts: SyncOptions): number {
  return opts.lockWaitMs ?? lockWaitFromEnv(ctx.env, DEFAULT_LOCK_WAIT_MS);
}

function emptyResult(plugin: string, from: string, to: string): PluginSyncResult {
  return {
    plugin,
    status: 'ok',
    from,
    to,
    days: 0,
    chunks: 0,
    chunksFetched: 0,
    chunksSkipped: 0,
    valuesWritten: 0,
    keptManual: 0,
    refused: [],
    calls: 0,
    retries: 0,
    refreshed: false,
    ms: 0,
    error: null,
    errorKind: null,
    hint: null,
    notGranted: [],
  };
}

function planLimits(plugin: DataImportPlugin): PlanLimits {
  return {
    maxDaysPerFetch: plugin.maxDaysPerFetch,
    pagesLongRanges: plugin.pagesLongRanges,
    recentDays: plugin.recentDays,
  };
}

/**
 * The first date to sync for a plugin: the asked one, or, for the default range (the recent
 * days), earlier when the plugin's data settles later (`recentDays` longer than the default).
 */
function syncFrom(ctx: Context, plugin: DataImportPlugin, opts: SyncOptions): string {
  if (!opts.defaultRange || !plugin.recentDays) return opts.from;
  const recent = lastDays(localDate(ctx.now()), plugin.recentDays);
  // biome-ignore lint/complexity/useMathMinMax: civil dates compare as strings, not numbers
  return recent < opts.from ? recent : opts.from;
}

/** The category of a failure (see PluginSyncResult.errorKind); a wrapped ProviderError counts. */
function errorKindOf(err: unknown): string | null {
  if (isProviderError(err)) return err.category;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (isProviderError(cause)) return cause.category;
  if (isSqliteError(err) || isSqliteError(cause)) return 'database';
  return null;
}

/**
 * The overall exit code: 0 all ok, 3 re-authentication needed, 1 all failed, 4 partial failure:
 * some plugins failed, or a plugin synced some of its fields but not others.
 */
export function exitCodeFor(results: PluginSyncResult[]): number {
  if (results.some((r) => r.status === 'interrupted')) return ExitCode.INTERRUPTED;
  if (results.some((r) => r.status === 'reauth')) return ExitCode.REAUTH;
  const failed = results.filter((r) => r.status === 'error').length;
  if (failed > 0 && failed === results.length) return ExitCode.ERROR;
  if (failed > 0 || results.some((r) => r.status === 'partial')) return ExitCode.PARTIAL;
  return ExitCode.OK;
}

/** Plugins to sync: the named ones (unknown names are a usage error) or every enabled connection. */
function selectPlugins(ctx: Context, ids: string[] | undefined): DataImportPlugin[] {
  if (ids && ids.length > 0) {
    const unique = [...new Set(ids)];
    const unknown = unique.filter((id) => !ctx.registry.has(id));
    if (unknown.length > 0) throw ctx.registry.unknown(unknown);
    const fileOnly = unique.map((id) => fileOnlyMessage(ctx.registry.get(id))).find(Boolean);
    if (fileOnly) throw new OkrError(fileOnly, { hint: 'okr import --help', exitCode: ExitCode.USAGE });
    return unique.map((id) => ctx.registry.get(id));
  }
  return listEnabledConnections(ctx.db())
    .filter((c) => ctx.registry.has(c.pluginId))
    .map((c) => ctx.registry.get(c.pluginId));
}

function availableFields(plugin: DataImportPlugin): DataFieldDescriptor[] {
  return plugin.getAvailableFields().filter((f) => f.availability === undefined);
}

/**
 * The fields to ask for, and those whose scope the stored grant does not list. A grant without a
 * scope list (some providers do not say) asks for everything; the plugin then reports refusals.
 */
export function splitByGrant(
  plugin: DataImportPlugin,
  credentials: OAuthCredentials | undefined,
): { fields: string[]; notGranted: NotGranted[] } {
  const granted = credentials?.scope ? new Set(credentials.scope.split(/\s+/)) : undefined;
  const fields: string[] = [];
  const notGranted: NotGranted[] = [];
  for (const f of availableFields(plugin)) {
    if (granted && f.scope && !granted.has(f.scope))
      notGranted.push({ metric: `${plugin.id}.${f.id}`, scope: f.scope });
    else fields.push(f.id);
  }
  return { fields, notGranted };
}

/** "fitbit.sleepLength, fitbit.bedTime not synced: the scope … was not granted at sign-in". */
export function notGrantedMessage(pluginId: string, missing: NotGranted[], allMissing: boolean): string {
  const byScope = new Map<string, string[]>();
  for (const m of missing) byScope.set(m.scope ?? '', [...(byScope.get(m.scope ?? '') ?? []), m.metric]);
  const parts = [...byScope].map(
    ([scope, metrics]) => `${metrics.join(', ')} not synced: ${scope ? `the scope ${scope}` : 'its scope'}`,
  );
  const rest = allMissing ? `nothing synced from ${pluginId}` : `the other ${pluginId} fields synced`;
  return `${parts.join('; ')} ${byScope.size === 1 ? 'was' : 'were'} not granted at sign-in (${rest})`;
}

/**
 * Keeps only what the table may hold: dates inside the chunk, declared available fields, numbers
 * or strings (plausibleRecords then refuses, and counts, what cannot be real: NaN among them). A
 * plugin bug then costs a value, not the whole chunk's transaction.
 */
function cleanRecords(records: ImportedDataRecord[], chunk: PlannedChunk, fields: Set<string>): ImportedDataRecord[] {
  const out: ImportedDataRecord[] = [];
  for (const r of records) {
    if (typeof r?.date !== 'string' || r.date < chunk.from || r.date > chunk.to || !/^\d{4}-\d\d-\d\d$/.test(r.date)) {
      continue;
    }
    const kept: ImportedDataRecord['fields'] = {};
    for (const [k, v] of Object.entries(r.fields ?? {})) {
      if (!fields.has(k)) continue;
      // A non-finite number goes on to the plausibility rule, which refuses it and counts it.
      if (typeof v === 'number' || typeof v === 'string') kept[k] = v;
    }
    out.push({ date: r.date, fields: kept });
  }
  return out;
}

/**
 * The command that syncs the same range again: `okr sync fitbit` for the default range, else with
 * the range as given (`okr sync fitbit --since 3y`). Only that resumes a backfill: a plain
 * `okr sync fitbit`, and the scheduled sync, fetch the recent days.
 */
export function syncAgainCommand(pluginId: string, opts: SyncOptions): string {
  if (opts.defaultRange) return `okr sync ${pluginId}`;
  return `okr sync ${pluginId} ${(opts.rangeArgs ?? ['--from', opts.from, '--to', opts.to]).join(' ')}`;
}

/** "run `…` again later", with what that does: retried by the schedule, or resumed. */
function runAgainLater(plugin: DataImportPlugin, opts: SyncOptions, from: string): string {
  const cmd = syncAgainCommand(plugin.id, opts);
  if (opts.defaultRange) return `run \`${cmd}\` again later (a scheduled sync retries on its own)`;
  const total = daysBetween(from, opts.to) + 1;
  return total > backfillThreshold(planLimits(plugin), total)
    ? `run \`${cmd}\` again later: it resumes this backfill, fetching only what is missing (a scheduled sync fetches only the recent days)`
    : `run \`${cmd}\` again later`;
}

/** The plugin's hint for a retryable error says "okr retries"; once the retries are spent, say what to do. */
function gaveUpHint(err: ProviderError, again: string, retries: number): string {
  const tried = `okr retried ${plural(retries, 'time')}`;
  if (err.category === 'rate_limited') return `The provider's rate limit held after ${tried}: ${again}.`;
  if (err.status === undefined) return `${capitalized(tried)}. Check the network connection, then ${again}.`;
  return `The provider's error persisted after ${tried}: ${again}.`;
}

function isSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

function lostLock(pluginId: string): OkrError {
  return new OkrError(`Another okr took over the ${pluginId} sync lock while this sync ran; it stopped writing.`, {
    hint: `Run \`okr sync ${pluginId}\` again.`,
  });
}

/**
 * What a failed sync prints and stores. A plugin may throw any error with its provider's words in
 * it (ProviderError makes those safe itself; other errors may not): made safe here (safe-text.ts).
 */
function describe(err: unknown): { message: string; hint: string | null } {
  const message = safeText(err instanceof Error ? err.message : String(err), MAX_PROVIDER_MESSAGE_LENGTH);
  if (err instanceof OkrError) return { message, hint: err.hint === undefined ? null : safeText(err.hint) };
  return { message, hint: null };
}

export async function runSync(ctx: Context, opts: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  const startedAt = ctx.now().toISOString();
  const plugins = selectPlugins(ctx, opts.pluginIds);
  const results: PluginSyncResult[] = [];
  // `okr sync` with no names syncs the enabled connections; tokens of a plugin with none (an
  // interrupted `okr connect`) are reported as that plugin's failure rather than ignored.
  const orphans = opts.pluginIds?.length ? [] : await orphanResults(ctx, plugins, opts);
  for (const plugin of plugins) {
    let result: PluginSyncResult;
    if (ctx.signal.aborted) {
      result = { ...emptyResult(plugin.id, opts.from, opts.to), status: 'interrupted', error: 'Interrupted.' };
    } else if (opts.dryRun) {
      result = await planOnly(ctx, plugin, opts);
    } else {
      result = await syncPlugin(ctx, plugin, opts);
    }
    results.push(result);
    opts.onProgress?.({ type: 'plugin-done', result });
  }
  for (const result of orphans) {
    results.push(result);
    opts.onProgress?.({ type: 'plugin-done', result });
  }
  return {
    from: opts.from,
    to: opts.to,
    trigger: opts.trigger,
    dryRun: opts.dryRun === true,
    startedAt,
    finishedAt: ctx.now().toISOString(),
    ms: Math.round(performance.now() - started),
    exitCode: exitCodeFor(results),
    plugins: results,
  };
}

async function orphanResults(
  ctx: Context,
  syncing: DataImportPlugin[],
  opts: SyncOptions,
): Promise<PluginSyncResult[]> {
  const out: PluginSyncResult[] = [];
  for (const plugin of ctx.registry.list()) {
    if (syncing.includes(plugin)) continue;
    const orphan = await findOrphanedTokens(ctx.secrets, plugin.id, getConnection(ctx.db(), plugin.id));
    if (orphan) {
      out.push({
        ...emptyResult(plugin.id, opts.from, opts.to),
        status: 'error',
        error: `${orphan.problem}.`,
        hint: orphan.hint,
      });
    }
  }
  return out;
}

/** Checks that make a sync pointless before any network call: not connected, needs re-auth. */
async function precheck(
  ctx: Context,
  plugin: DataImportPlugin,
  base: PluginSyncResult,
): Promise<PluginSyncResult | undefined> {
  // A demo home's settings point at the demo's simulator, gone once `okr demo` ended: say so
  // instead of retrying a dead port.
  const demo = staleDemoHome(ctx.conf, pidAlive);
  if (demo) {
    return {
      ...base,
      status: 'error',
      error: `${demoHomeIntro(demo)}; its simulators are not running.`,
      hint: hintWithFix(null, fixFor(null, plugin.id, demo.home)),
    };
  }
  const conn = getConnection(ctx.db(), plugin.id);
  if (!conn?.enabled) {
    const orphan = await findOrphanedTokens(ctx.secrets, plugin.id, conn);
    if (orphan) return { ...base, status: 'error', error: `${orphan.problem}.`, hint: orphan.hint };
    return {
      ...base,
      status: 'error',
      error: `${plugin.id} is not connected.`,
      hint: `Run \`okr connect ${plugin.id}\` first.`,
    };
  }
  if (conn.needsReauth) {
    return {
      ...base,
      status: 'reauth',
      error: `${plugin.id} needs you to sign in again${conn.lastError ? ` (${clause(conn.lastError)})` : ''}.`,
      hint: reconnectHint(plugin.id),
    };
  }
  return undefined;
}

async function planOnly(ctx: Context, plugin: DataImportPlugin, opts: SyncOptions): Promise<PluginSyncResult> {
  const base = emptyResult(plugin.id, syncFrom(ctx, plugin, opts), opts.to);
  const pre = await precheck(ctx, plugin, base);
  if (pre) return pre;
  // An endpoint setting the sync would refuse: the dry run fails as the sync would, naming it.
  const refused = await plugin.getBaseUrls(ctx.pluginRuntime(ctx.signal)).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (refused !== undefined) {
    const { message, hint } = describe(refused);
    const kind = errorKindOf(refused);
    return {
      ...base,
      status: 'error',
      error: message,
      errorKind: kind,
      hint: hintWithFix(hint, fixFor(kind, plugin.id)),
    };
  }
  const plan = planSync(ctx.db(), {
    ...planLimits(plugin),
    pluginId: plugin.id,
    from: syncFrom(ctx, plugin, opts),
    to: opts.to,
    today: localDate(ctx.now()),
  });
  let wouldRefresh = false;
  let creds: OAuthCredentials | undefined;
  try {
    creds = await loadCredentials(ctx.secrets, plugin.id);
    wouldRefresh = creds === undefined || needsRefresh(creds, ctx.now().getTime());
  } catch {
    wouldRefresh = true;
  }
  const { fields, notGranted } = splitByGrant(plugin, creds);
  const fetched = plan.chunks.filter((c) => !c.skip);
  return {
    ...base,
    days: fetched.reduce((n, c) => n + c.days, 0),
    chunks: plan.chunks.length,
    chunksFetched: fetched.length,
    chunksSkipped: plan.chunks.length - fetched.length,
    plan: plan.chunks.map((c) => ({ from: c.from, to: c.to, days: c.days, skip: c.skip })),
    fields,
    notGranted,
    wouldRefresh,
  };
}

async function syncPlugin(ctx: Context, plugin: DataImportPlugin, opts: SyncOptions): Promise<PluginSyncResult> {
  const t0 = performance.now();
  const result = emptyResult(plugin.id, syncFrom(ctx, plugin, opts), opts.to);
  const done = (r: PluginSyncResult) => ({ ...r, ms: Math.round(performance.now() - t0) });
  const pre = await precheck(ctx, plugin, result);
  if (pre) return done(pre);

  const got = await acquireLock(ctx.paths.lockDir, `${plugin.id}.sync`, {
    waitMs: lockWait(ctx, opts),
    now: () => ctx.now(),
    signal: ctx.signal,
    purpose: `okr sync (${opts.trigger})`,
    onWait: (holder) => opts.onProgress?.({ type: 'lock-wait', plugin: plugin.id, holder }),
  });
  if (!got.acquired) {
    if (ctx.signal.aborted) return done({ ...result, status: 'interrupted', error: 'Interrupted.' });
    if (got.blocker) {
      return done({
        ...result,
        status: 'error',
        error: `${plugin.id} cannot be synced: its lock ${got.blocker.problem}.`,
        hint: `Remove it (\`${got.blocker.fix}\`) and run \`okr sync ${plugin.id}\` again.`,
      });
    }
    const who = got.holder ? `pid ${got.holder.pid}, since ${got.holder.startedAt}` : 'an unknown process';
    const held = heldForMs(got.holder, ctx.now());
    // Progress, not age: a long backfill stores a chunk every few seconds (its coverage rows),
    // a stuck holder nothing.
    const quiet = quietForMs(got.holder, lastCoveredAt(ctx.db(), plugin.id), ctx.now());
    if (got.holder && held !== undefined && quiet !== undefined && quiet > LONG_HELD_MS) {
      // Not a skip: a holder this quiet is most likely stuck, and a skip (exit 0) at every hourly
      // run would hide that the plugin has not synced for hours.
      const stored = quiet < held ? ` and stored nothing for ${durationText(quiet)}` : ' without storing anything';
      return done({
        ...result,
        status: 'error',
        error: `${plugin.id} was not synced: another okr (${who}) has held its lock for ${durationText(held)}${stored}, and may be stuck.`,
        hint: `If pid ${got.holder.pid} is an okr that makes no progress, end it (\`kill ${got.holder.pid}\`), then run \`${syncAgainCommand(plugin.id, opts)}\`. If no okr is running, remove ${got.path}.`,
      });
    }
    return done({
      ...result,
      status: 'skipped',
      error: `${plugin.id} is being synced by another okr (${who}); skipped.`,
      hint: `It finishes on its own; run \`${syncAgainCommand(plugin.id, opts)}\` again later. If no okr is running, remove ${got.path}.`,
    });
  }

  // Checked again under the lock: a disconnect may have finished while we waited for it.
  const after = await precheck(ctx, plugin, result).catch((err: unknown) => {
    got.lock.release();
    throw err;
  });
  if (after) {
    got.lock.release();
    return done(after);
  }

  const db = ctx.db();
  let runId: number | undefined;
  try {
    const nowIso = () => ctx.now().toISOString();
    // We hold the plugin's sync lock: no other sync of it runs, so a 'running' row of it is one
    // its process left (killed, rebooted), even when its pid now names a live process.
    markLeftRunsInterrupted(db, plugin.id, nowIso());
    runId = startSyncRun(db, {
      pluginId: plugin.id,
      trigger: opts.trigger,
      startedAt: nowIso(),
      rangeFrom: result.from,
      rangeTo: opts.to,
      pid: process.pid,
    });
    await runChunks(ctx, plugin, opts, runId, result, got.lock);
    if (result.notGranted.length > 0) {
      // Some fields synced, the others need a new sign-in with their box ticked: exit 4, and
      // status and doctor read the same problem (kind `scope`) back from the connection.
      result.status = 'partial';
      result.error = notGrantedMessage(plugin.id, result.notGranted, false);
      result.hint = hintWithFix(null, fixFor('scope', plugin.id));
      result.errorKind = 'scope';
    } else {
      result.status = 'ok';
    }
    finishSyncRun(db, runId, {
      finishedAt: nowIso(),
      status: result.status,
      valuesWritten: result.valuesWritten,
      apiCalls: result.calls,
      error: result.error,
    });
    recordSyncResult(db, plugin.id, {
      at: nowIso(),
      status: result.status,
      error: result.error,
      errorKind: result.errorKind,
    });
  } catch (err) {
    const interrupted = ctx.signal.aborted;
    // Disconnected meanwhile: the connection row is not ours to write any more.
    const gone = err instanceof ConnectionGoneError;
    const reauth = !interrupted && isProviderError(err) && err.category === 'reauth';
    // A SQLite error (disk full, read-only folder, damaged file) reads as the store words it, with
    // a hint, instead of SQLite's bare "database or disk is full".
    const known = isSqliteError(err) ? databaseError(ctx.paths.dbFile, err) : err;
    const { message, hint } = interrupted ? { message: 'Interrupted.', hint: null } : describe(known);
    // Some of the range is stored (whole chunks, or the days a paging plugin handed over): a
    // partial failure, exit 4, as the run row and the connection record it. Not after a
    // disconnect: what was stored is gone with it.
    const stored = (result.chunksFetched > 0 || result.days > 0) && !gone;
    const failed = reauth ? 'reauth' : stored ? 'partial' : 'error';
    result.status = interrupted ? 'interrupted' : failed;
    result.error = message;
    // The kind status and doctor read back to give the same fix (src/fixes.ts).
    const kind = interrupted ? null : gone ? 'not_connected' : errorKindOf(known);
    result.errorKind = kind;
    result.hint = interrupted ? null : hintWithFix(hint, fixFor(kind, plugin.id));
    if (!interrupted && isProviderError(err) && err.retryable) {
      result.hint = gaveUpHint(err, runAgainLater(plugin, opts, result.from), result.retries);
    } else if (!interrupted && failed === 'partial' && !opts.defaultRange) {
      // The fix comes first; the rest of the range then comes only from the same range again.
      const resume = `Then run \`${syncAgainCommand(plugin.id, opts)}\` to sync the rest (only what is missing is fetched).`;
      result.hint = result.hint ? `${result.hint} ${resume}` : resume;
    }
    if (ctx.verbose && err instanceof Error && err.stack && !interrupted) result.error = `${message}\n${err.stack}`;
    try {
      if (runId !== undefined) {
        finishSyncRun(db, runId, {
          finishedAt: ctx.now().toISOString(),
          status: interrupted ? 'interrupted' : failed,
          valuesWritten: result.valuesWritten,
          apiCalls: result.calls,
          error: message,
        });
      }
      // An interruption says nothing about the connection's health: leave its status alone.
      if (!interrupted && !gone) {
        recordSyncResult(db, plugin.id, {
          at: ctx.now().toISOString(),
          status: failed,
          error: message,
          errorKind: kind,
        });
      }
    } catch {
      // The database itself failed (disk full…): the error above is what the user needs.
    }
  } finally {
    got.lock.release();
  }
  return done(result);
}

async function runChunks(
  ctx: Context,
  plugin: DataImportPlugin,
  opts: SyncOptions,
  runId: number,
  result: PluginSyncResult,
  lock: LockHandle,
): Promise<void> {
  const db = ctx.db();
  const sleep = opts.sleep ?? abortableSleep;
  const policy = opts.retryPolicy ?? retryPolicyFromEnv(ctx.env);
  let credentials: OAuthCredentials | undefined;
  let refreshError: unknown;
  let refreshesMade = 0;

  const http = createSyncFetch({
    baseFetch: ctx.fetch,
    signal: ctx.signal,
    policy,
    bucket: limiterForQuota(plugin.quota, { now: () => performance.now(), sleep }),
    dailyBudget: dailyBudget(ctx, plugin),
    sleep,
    random: opts.random ?? Math.random,
    wallNow: () => ctx.now().getTime(),
    onRetry: (retry) => opts.onProgress?.({ type: 'retry', plugin: plugin.id, retry }),
    deadlineMs: opts.deadlineMs,
    answerStatus: plugin.answerStatus?.bind(plugin),
    refreshOn401: async (rejected) => {
      if (!mayRefreshAfter401({ refreshesMade, rejected, credentials, nowMs: ctx.now().getTime() })) return undefined;
      refreshesMade++;
      try {
        const r = await freshCredentials(ctx, plugin, {
          force: true,
          rejectedAccessToken: rejected,
          runtime: rt,
          onRefresh: () => opts.onProgress?.({ type: 'refresh', plugin: plugin.id, reason: 'rejected' }),
        });
        result.refreshed ||= r.refreshed;
        credentials = r.credentials;
        return r.credentials.accessToken;
      } catch (err) {
        refreshError = err;
        return undefined;
      }
    },
  });
  const rt = ctx.pluginRuntime(ctx.signal, http.fetch);
  const syncCalls = () => http.stats.calls;
  let closeWarm = () => {};

  try {
    // The plugin's endpoint settings, checked before anything is sent: one okr refuses would
    // otherwise show only after a token refresh, or hide behind a token endpoint that fails.
    const [api] = await plugin.getBaseUrls(rt);
    const fresh = await freshCredentials(ctx, plugin, {
      runtime: rt,
      onRefresh: () => {
        opts.onProgress?.({ type: 'refresh', plugin: plugin.id, reason: 'expiring' });
        closeWarm = whileRefreshing(ctx, api, plugin);
      },
    });
    credentials = fresh.credentials;
    result.refreshed = fresh.refreshed;

    const plan = planSync(db, {
      ...planLimits(plugin),
      pluginId: plugin.id,
      from: syncFrom(ctx, plugin, opts),
      to: opts.to,
      today: localDate(ctx.now()),
      excludeRunId: runId,
    });
    result.chunks = plan.chunks.length;
    result.chunksSkipped = plan.chunks.filter((c) => c.skip).length;
    opts.onProgress?.({
      type: 'plugin-start',
      plugin: plugin.id,
      from: result.from,
      to: opts.to,
      chunks: plan.chunks.length,
      chunksSkipped: result.chunksSkipped,
    });

    const grant = splitByGrant(plugin, credentials);
    const fields = grant.fields;
    const fieldSet = new Set(fields);
    const notGranted = new Map(grant.notGranted.map((m) => [m.metric, m]));
    const scopeOf = new Map(availableFields(plugin).map((f) => [f.id, f.scope]));
    // What cannot be real is never stored, and the result counts it (src/metrics/plausible.ts).
    const descriptors = availableFields(plugin);
    // The process's local calendar, as the plan's `today`: naming ctx.timeZone() would load ICU's
    // zone data, 7 MB of a backfill's peak RSS (bench/sync.bench.mjs).
    const latest = latestDate(ctx.now());
    const refuse = (kind: string) => {
      const seen = result.refused.find((r) => r.kind === kind);
      if (seen) seen.count++;
      else result.refused.push({ kind, count: 1 });
    };
    if (fields.length === 0) {
      throw new ProviderError('scope', notGrantedMessage(plugin.id, grant.notGranted, true), {
        hint: hintWithFix(null, fixFor('scope', plugin.id)),
      });
    }
    const todo = plan.chunks.filter((c) => !c.skip);
    // A few chunks are in flight at once (newest first): a backfill waits for each data type's
    // pages in sequence (sleep: 25 points per page), so overlapping chunks divides its wall time
    // without adding a single call. Each chunk still commits alone, whole, as soon as it arrives.
    const inFlight = new Set<AbortController>();
    let failure: { err: unknown } | undefined;
    let next = 0;
    const fail = (err: unknown) => {
      failure ??= { err };
      for (const c of inFlight) c.abort(err);
    };
    /**
     * Stores the days `from..to` of a chunk: their values, their coverage and the run's progress,
     * in ONE transaction. Returns false (and writes nothing) after Ctrl-C or another chunk's failure.
     */
    const store = (
      chunk: PlannedChunk,
      span: { from: string; to: string },
      got: { records?: FetchResult['records']; provisionalDates?: string[]; notGranted?: string[] },
    ): { written: number } | undefined => {
      if (ctx.signal.aborted || failure) return undefined;
      const part = { ...chunk, ...span };
      const refused = (got.notGranted ?? []).filter((f) => fieldSet.has(f));
      for (const f of refused)
        notGranted.set(`${plugin.id}.${f}`, { metric: `${plugin.id}.${f}`, scope: scopeOf.get(f) });
      const kept = refused.length > 0 ? new Set(fields.filter((f) => !refused.includes(f))) : fieldSet;
      const records = plausibleRecords(
        plugin.id,
        descriptors,
        cleanRecords(got.records ?? [], part, kept),
        latest,
        refuse,
      );
      // Dates where a field could not be read count as provisional: a later sync (after a new
      // sign-in) fetches them again instead of skipping them as done.
      const provisional = new Set(
        refused.length > 0 || notGranted.size > 0
          ? eachDate(part.from, part.to)
          : (got.provisionalDates ?? []).filter((d) => d >= part.from && d <= part.to),
      );
      const at = ctx.now().toISOString();
      const write = db.transaction(() => {
        // Inside the IMMEDIATE transaction, so serialised with disconnect's: a plugin disconnected
        // (and purged) meanwhile gets nothing written back.
        assertConnected(db, plugin.id, 'sync');
        if (!lock.stillHeld()) throw lostLock(plugin.id);
        const r = upsertSyncedRecords(db, plugin.id, records, at);
        markCoverage(db, plugin.id, eachDate(part.from, part.to), provisional, at);
        updateSyncRunProgress(db, runId, {
          valuesWritten: result.valuesWritten + r.written,
          apiCalls: syncCalls(),
        });
        return r;
      });
      const w = write.immediate();
      result.valuesWritten += w.written;
      result.keptManual += w.keptManual;
      result.days += daysBetween(part.from, part.to) + 1;
      result.calls = syncCalls();
      return w;
    };
    const fetchChunk = async (chunk: PlannedChunk): Promise<void> => {
      // When one data type fails, fetchData rejects at once: abort its siblings' requests (and
      // the other chunks'), so nothing keeps calling the provider after the sync has failed.
      const chunkAbort = new AbortController();
      inFlight.add(chunkAbort);
      // The first day not yet stored: a paging plugin hands days over as its pages arrive.
      let pending = chunk.from;
      let written = 0;
      const commitDays = (through: string, records: FetchResult['records'], provisionalDates?: string[]) => {
        if (!isCivilDate(through) || through < pending) return;
        const to = through > chunk.to ? chunk.to : through;
        const w = store(chunk, { from: pending, to }, { records, provisionalDates });
        if (!w) return;
        written += w.written;
        pending = addDays(to, 1);
      };
      let fetched: FetchResult;
      try {
        const chunkRt = withRuntime(rt, { signal: AbortSignal.any([ctx.signal, chunkAbort.signal]), commitDays });
        fetched = await plugin.fetchData(chunkRt, credentials!, chunk.from, chunk.to, fields);
      } catch (err) {
        fail(err);
        return;
      } finally {
        inFlight.delete(chunkAbort);
      }
      // Safe point: after Ctrl-C or another chunk's failure, no transaction starts.
      if (pending <= chunk.to) {
        const w = store(chunk, { from: pending, to: chunk.to }, fetched);
        if (!w) return;
        written += w.written;
      }
      result.chunksFetched++;
      opts.onProgress?.({
        type: 'chunk-done',
        plugin: plugin.id,
        index: result.chunksFetched,
        total: todo.length,
        from: chunk.from,
        to: chunk.to,
        values: written,
      });
    };
    const worker = async () => {
      while (next < todo.length && !failure && !ctx.signal.aborted) {
        const chunk = todo[next++]!;
        try {
          await fetchChunk(chunk);
        } catch (err) {
          fail(err); // the database write failed (disk full…)
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(Math.max(1, plugin.chunksInFlight ?? CHUNK_CONCURRENCY), todo.length) }, worker),
    );
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (failure) {
      const err = failure.err;
      // The refresh after a 401 failed: its error (invalid_grant…) is the real cause.
      if (refreshError !== undefined) throw refreshError;
      if (http.note && err instanceof OkrError) {
        throw new OkrError(err.message, {
          hint: `${http.note} ${capitalized(runAgainLater(plugin, opts, result.from))}.`,
          exitCode: err.exitCode,
          cause: err,
        });
      }
      throw err;
    }
    result.notGranted = [...notGranted.values()];
  } finally {
    closeWarm();
    http.close();
    result.calls = syncCalls();
    result.retries = http.stats.retries;
  }
}

/**
 * A per-day quota spans runs (an hourly cron job, a backfill, a retry): what this sync may still
 * spend is the quota minus the calls of the plugin's syncs in the last 24 hours.
 */
function dailyBudget(ctx: Context, plugin: DataImportPlugin): { remaining: number; perDay: number } | undefined {
  const perDay = Math.min(
    ...quotaWindows(plugin.quota)
      .filter((w) => w.seconds === 86_400)
      .map((w) => w.requests),
  );
  if (!Number.isFinite(perDay)) return undefined;
  const since = new Date(ctx.now().getTime() - 86_400_000).toISOString();
  return { remaining: Math.max(0, perDay - callsSince(ctx.db(), plugin.id, since)), perDay };
}
