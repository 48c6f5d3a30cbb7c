/**
 * The preflight: right after installing, run the job once the way the scheduler will (same node,
 * same bin/okr.js, the scheduler's bare environment plus what the job file sets, from the home
 * folder) and report whether it reached the database and the keychain.
 *
 * It runs `okr schedule check --json` in the job's place rather than the sync itself: same
 * program, same environment, but no network and no waiting on the provider, and a failure names
 * the part that failed instead of a sync error to interpret. Every failure comes with the exact
 * change to make; okr never switches to the plain-text store on its own.
 */
import type { Context } from '../context.js';
import type { Backend } from './backends/types.js';
import { type CheckReport, type Resolved, type ResolvedSetting, resolveForJob } from './check.js';
import { exec, showCommand } from './exec.js';
import { CHECK_ARGS, type Job, jobArgv } from './job.js';

export interface Problem {
  what: string;
  fix: string;
}

export interface PreflightOutcome {
  ok: boolean;
  /** What ran, and the environment it ran with (nothing secret: paths and a bus address). */
  command: string[];
  env: Record<string, string>;
  report?: CheckReport;
  problems: Problem[];
}

export const PREFLIGHT_TIMEOUT_MS = 60_000;

export async function runPreflight(ctx: Context, backend: Backend, job: Job, home: string): Promise<PreflightOutcome> {
  const env = await backend.schedulerEnv(job);
  const command = jobArgv(job, CHECK_ARGS);
  const r = await exec(command[0]!, command.slice(1), { env, cwd: home, timeoutMs: PREFLIGHT_TIMEOUT_MS });
  let report: CheckReport | undefined;
  try {
    report = JSON.parse(r.stdout) as CheckReport;
  } catch {
    report = undefined;
  }
  if (!report || typeof report.ok !== 'boolean') {
    const why = r.missing
      ? `${job.node} does not exist`
      : r.timedOut
        ? `it did not finish in ${PREFLIGHT_TIMEOUT_MS / 1000} s`
        : firstLines(r.stderr) || `exit ${r.code}`;
    return {
      ok: false,
      command,
      env,
      problems: [
        {
          what: `the job's command could not run: ${why}`,
          fix: r.missing
            ? 'node moved (an nvm or n upgrade?): run `okr schedule install` again with the node you use now'
            : `run it yourself to see the whole error: env -i ${Object.entries(env)
                .map(([k, v]) => showCommand([`${k}=${v}`]))
                .join(' ')} ${showCommand(command)}`,
        },
      ],
    };
  }
  const problems = explain(ctx, backend, job, report);
  if (report.resolved) problems.push(...differences(ctx, await resolveForJob(ctx), report));
  return { ok: report.ok && problems.length === 0, command, env, report, problems };
}

function describeValue(s: ResolvedSetting): string {
  if (s.source === 'unset') return 'no value';
  if (s.value === undefined) return `a secret from the ${s.source}`;
  return s.source === 'default' ? `the default ${s.value}` : s.value;
}

/**
 * Every setting, folder and the time zone that the shell and the job resolve differently. The
 * usual cause is an exported variable (FITBIT_API_BASE_URL pointing at a simulator, a client id):
 * the shell uses it, cron never sees it, so the job would sync something else, or send the
 * simulator's token to Google. Each difference comes with the command that stores the shell's value.
 */
export function differences(ctx: Context, shell: Resolved, report: CheckReport): Problem[] {
  const job = report.resolved;
  const problems: Problem[] = [];
  const reinstall = 'run `okr schedule install` again from a shell set up like the one you use okr in';
  if (job.configFile !== shell.configFile || job.dbFile !== shell.dbFile || job.stateDir !== shell.stateDir) {
    problems.push({
      what: `the job would use ${job.dbFile} and ${job.configFile}; this shell uses ${shell.dbFile} and ${shell.configFile}`,
      fix: reinstall,
    });
  }
  if (job.timeZone !== shell.timeZone) {
    problems.push({
      what: `the job's time zone is ${job.timeZone}, this shell's ${shell.timeZone}: its days would end at another midnight`,
      fix: `set TZ=${shell.timeZone} in the shell, then ${reinstall.slice(4)}`,
    });
  }
  // Missing required settings were reported above, with their own wording.
  const missing = new Set(report.plugins.flatMap((p) => p.settings.missing));
  const inJob = new Map(job.settings.map((s) => [s.key, s]));
  for (const here of shell.settings) {
    const there = inJob.get(here.key);
    if (!there || missing.has(here.key) || there.source === 'unreadable' || here.source === 'unreadable') continue;
    const same = there.source === here.source && there.value === here.value;
    if (same) continue;
    const key = ctx.config.describe(here.key);
    const secret = ctx.config.isSecret(key);
    const fromEnv = here.source === 'env' && key.env;
    const shown = secret ? 'a secret' : here.value;
    problems.push({
      what: fromEnv
        ? `${here.key} is ${shown} in this shell, from ${key.env}, which scheduled jobs do not get: the job would use ${describeValue(there)}`
        : `${here.key} is ${describeValue(here)} here, but ${describeValue(there)} for the job`,
      fix: fromEnv
        ? `store it, so every okr uses it: \`${secret ? `okr config set ${here.key}` : showCommand(['okr', 'config', 'set', here.key, here.value!])}\`${secret ? ' (type it at the prompt)' : ''}, then run \`okr schedule install\` again (or, if it was only for a test, unset ${key.env} and install again)`
        : reinstall,
    });
  }
  return problems;
}

function firstLines(s: string): string {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(' / ');
}

/** The exact commands that move existing secrets out of the keychain, and what that costs. */
export function fileStoreFix(ctx: Context): string {
  const keys = Object.entries(ctx.conf.data.secretStores)
    .filter(([, where]) => where === 'keychain')
    .map(([k]) => k);
  const again = keys.map((k) => (k.startsWith('tokens.') ? `okr connect ${k.slice(7)}` : `okr config set ${k}`));
  return (
    'keep secrets in a file instead: `okr config set secrets.store file`' +
    (again.length ? `, then store the existing ones again: ${again.map((c) => `\`${c}\``).join(', ')}` : '') +
    `. Consequence: client secrets and OAuth tokens are then kept in plain text in ${ctx.paths.secretsFile} ` +
    '(mode 0600): anyone who can read your files (root, a backup, a stolen unencrypted disk) can use your connected accounts.'
  );
}

function keychainProblem(ctx: Context, backend: Backend, job: Job, report: CheckReport): Problem {
  const err = report.keychain.error ?? report.keychain.detail;
  const headless = `On a headless machine, ${fileStoreFix(ctx)}`;
  if (backend.id === 'cron' && ctx.platform === 'darwin') {
    return {
      what: `cron jobs on macOS run outside your login session and cannot use the login keychain: ${err}`,
      fix: `Use a LaunchAgent instead: \`okr schedule install --backend launchd\`. ${headless}`,
    };
  }
  if (backend.id === 'cron' && !job.env.DBUS_SESSION_BUS_ADDRESS) {
    return {
      what:
        'the job cannot reach the keychain: cron starts jobs without a D-Bus session bus, and okr found none to give it ' +
        '(no per-user bus socket in /run/user/<uid>, no DBUS_SESSION_BUS_ADDRESS in this shell)',
      fix: `On a desktop, run \`okr schedule install\` again from a terminal inside your graphical session, or use a systemd user timer (\`okr schedule install --backend systemd\`). ${headless}`,
    };
  }
  if (backend.id === 'launchd') {
    return {
      what: `the LaunchAgent cannot use your login keychain: ${err}`,
      fix: `Run \`okr schedule install\` from Terminal in your logged-in desktop session (not over ssh), and allow okr's keychain prompt if one appears. ${headless}`,
    };
  }
  const bus = report.keychain.busAddress ?? job.env.DBUS_SESSION_BUS_ADDRESS;
  if (backend.id === 'systemd' && !bus) {
    return {
      what: 'the job cannot reach the keychain: the systemd user manager gives its services no D-Bus session bus',
      fix: `Install the per-user bus (Debian/Ubuntu: \`sudo apt-get install dbus-user-session\`) and log in again, or use cron from a terminal in your desktop session (\`okr schedule install --backend cron\`). ${headless}`,
    };
  }
  return {
    what: `the job reached D-Bus${bus ? ` (${bus})` : ''} but not a working keychain: ${err}`,
    fix: `Make sure a Secret Service keyring (gnome-keyring, KeePassXC) starts with your session and is unlocked, then run \`okr schedule install\` again. ${headless}`,
  };
}

function explain(ctx: Context, backend: Backend, job: Job, report: CheckReport): Problem[] {
  const problems: Problem[] = [];
  if (!report.database.ok) {
    problems.push({
      what: `the job cannot open the database ${report.database.path}: ${report.database.error ?? report.database.detail}`,
      fix: report.database.hint ?? `check that ${report.database.path} and its folder belong to you and are writable`,
    });
  }
  if (!report.keychain.ok) problems.push(keychainProblem(ctx, backend, job, report));
  for (const p of report.plugins) {
    // Unreadable tokens are the keychain problem again when the keychain failed: say it once.
    if (!p.tokens.ok && report.keychain.ok) {
      problems.push({
        what: `the job cannot read the tokens of ${p.id}: ${p.tokens.error ?? p.tokens.detail}`,
        fix: p.tokens.hint ?? `okr connect ${p.id}`,
      });
    }
    if (!p.settings.ok && (report.keychain.ok || p.settings.missing.length > 0)) {
      for (const key of p.settings.missing) {
        let envName: string | undefined;
        try {
          envName = ctx.config.describe(key).env;
        } catch {
          envName = undefined;
        }
        const fromShell =
          envName && ctx.env[envName]
            ? ` (your shell has ${envName}, but scheduled jobs do not get your shell's variables)`
            : '';
        problems.push({
          what: `the job has no value for ${key}${fromShell}`,
          fix: `store it: \`okr config set ${key}${ctx.config.isSecret(ctx.config.describe(key)) ? '' : ' <value>'}\``,
        });
      }
      if (p.settings.missing.length === 0) {
        problems.push({
          what: `the job cannot read the settings of ${p.id}: ${p.settings.error}`,
          fix: p.settings.hint ?? `okr config list`,
        });
      }
    }
  }
  if (!report.log.ok) {
    problems.push({
      what: `the job cannot write its log ${report.log.path}: ${report.log.error ?? report.log.detail}`,
      fix: `check that the folder of ${report.log.path} belongs to you and is writable`,
    });
  }
  return problems;
}
