/**
 * The whole path, as cron would take it: install with a fake crontab, then run the installed
 * crontab line itself through /bin/sh with nothing but cron's bare environment. The sync reaches
 * the local simulator through settings stored in the conf file (the job does not get the test's
 * FITBIT_* variables), writes `sync_runs` rows marked `schedule`, and `status` reports them.
 * Needs `npm run build` first (the job runs bin/okr.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { splitCrontab } from '../../src/schedule/backends/cron.js';
import { exec } from '../../src/schedule/exec.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { openDatabase } from '../../src/store/db.js';
import { runCli } from '../helpers/cli.js';
import { connectHome } from '../sync/helpers.js';
import { fakeMachine } from './fakes.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3 });
});
afterAll(async () => {
  await sim.close();
});

describe('a scheduled sync end to end (fake crontab, real job, simulator)', () => {
  it('install → the crontab line runs under cron’s bare env → status shows the scheduled run → remove', async () => {
    const fm = fakeMachine({ systemctl: false });
    const { home } = await connectHome({ sim });
    // Everything the job needs goes in the conf file / secrets file, not in this shell.
    const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' } });
    for (const k of ctx.config.keys()) {
      const v = k.env ? sim.env[k.env] : undefined;
      if (v) await ctx.config.set(k.key, v, { store: 'file' });
    }
    await ctx.config.set('secrets.store', 'file');
    ctx.close();

    const env = { ...fm.env, OKR_SECRETS: undefined };
    const inst = await runCli(['schedule', 'install', '--backend', 'cron'], { home, env });
    expect(inst.stdout).toMatch(/ok {4}fitbit {4}tokens readable from the file; all required settings resolve/);
    expect(inst.code).toBe(0);

    // What cron does with the line: drop the five time fields, turn \% back into %, run it with sh.
    const entry = splitCrontab(fm.crontab()!).entry!;
    const command = entry.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    const cronEnv = { HOME: fm.home, LOGNAME: 'tester', USER: 'tester', SHELL: '/bin/sh', PATH: '/usr/bin:/bin' };
    const run = await exec('/bin/sh', ['-c', command], { env: cronEnv, cwd: fm.home, timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.code).toBe(0);

    const log = readFileSync(join(home, 'state', 'sync.log'), 'utf8');
    expect(log).toMatch(/okr schedule run: starting okr sync --quiet --trigger schedule/);
    expect(log).toMatch(/okr schedule run: finished, exit 0 after/);

    const db = openDatabase(join(home, 'data', 'okr.db'), { readonly: true });
    const rows = db.prepare('SELECT plugin_id, trigger, status FROM sync_runs').all();
    const values = (
      db.prepare("SELECT count(*) AS n FROM daily_metric_values WHERE source = 'fitbit'").get() as { n: number }
    ).n;
    db.close();
    expect(rows).toEqual([{ plugin_id: 'fitbit', trigger: 'schedule', status: 'ok' }]);
    expect(values).toBeGreaterThan(0);

    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], { home, env })).stdout);
    expect(st.lastRun).toMatchObject({ status: 'ok', plugins: [{ pluginId: 'fitbit', status: 'ok', error: null }] });
    expect(st.lastRun.plugins[0].valuesWritten).toBe(values);
    expect(st.lastJob).toMatchObject({ exitCode: 0 });

    const rm = await runCli(['schedule', 'remove'], { home, env });
    expect(rm.code).toBe(0);
    expect(fm.crontab()).toBeUndefined();
    expect(existsSync(join(home, 'state', 'sync.log'))).toBe(false);
    const conf = JSON.parse(readFileSync(join(home, 'config', 'config.json'), 'utf8'));
    expect(conf.schedule).toBeUndefined();
    // The user's settings and synced data are not the schedule's: they stay.
    expect(conf.values['secrets.store']).toBe('file');
    expect(existsSync(join(home, 'data', 'okr.db'))).toBe(true);
  });
});
