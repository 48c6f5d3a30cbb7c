import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { scheduleChecks } from '../../src/schedule/doctor.js';
import { localTime } from '../../src/text.js';
import { runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

const INSTALLED = new Date('2026-03-10T14:23:41.000Z');

/** A cron schedule installed on a fake machine; `secrets: 'file'` makes the job need no keychain. */
async function installed(secrets: 'file' | 'keychain' = 'file') {
  const fm = fakeMachine({ systemctl: false });
  const env = { ...fm.env, OKR_SECRETS: secrets };
  await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], {
    home: fm.okrHome,
    env,
    now: () => INSTALLED,
  });
  const at = (iso: string) => createContext({ env: { ...env, OKR_HOME: fm.okrHome }, now: () => new Date(iso) });
  const log = (text: string) => {
    mkdirSync(join(fm.okrHome, 'state'), { recursive: true });
    writeFileSync(join(fm.okrHome, 'state', 'sync.log'), text);
  };
  return { fm, at, log };
}

describe('doctor checks for the schedule', () => {
  it('not installed: passes, saying it is optional', async () => {
    const fm = fakeMachine({ systemctl: false });
    const ctx = createContext({ env: { ...fm.env, OKR_HOME: fm.okrHome } });
    expect(await scheduleChecks(ctx)).toEqual([
      {
        id: 'schedule',
        title: 'Schedule',
        status: 'pass',
        detail: 'not installed (optional: `okr schedule install` syncs every hour)',
      },
    ]);
  });

  it('installed and running: passes', async () => {
    const { at, log } = await installed();
    log('[2026-03-10T15:23:04.000Z] okr schedule run: finished, exit 0 after 3.9 s\n');
    const checks = await scheduleChecks(at('2026-03-10T15:30:00.000Z'));
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['schedule', 'pass'],
      ['schedule.environment', 'pass'],
      ['schedule.runs', 'pass'],
    ]);
  });

  it("fails when the job's environment cannot reach the keychain the secrets are in", async () => {
    const { at } = await installed('keychain');
    const env = (await scheduleChecks(at('2026-03-10T14:30:00.000Z'))).find((c) => c.id === 'schedule.environment');
    expect(env).toMatchObject({ status: 'fail', title: "Scheduled job's environment" });
    expect(env!.detail).toContain('the job cannot reach the keychain');
    expect(env!.fix).toContain('okr config set secrets.store file');
  });

  it('no run for three intervals: the scheduler is not running it', async () => {
    const { at } = await installed();
    const checks = await scheduleChecks(at('2026-03-10T18:00:00.000Z'));
    expect(checks.find((c) => c.id === 'schedule.runs')).toEqual({
      id: 'schedule.runs',
      title: 'Scheduled runs',
      status: 'warn',
      detail: `no scheduled run since ${localTime(INSTALLED)} (every 1h expected)`,
      fix: 'check that the cron daemon runs (systemctl status cron), then `okr schedule status`',
    });
  });

  it('the last run failed: warns with the log to read', async () => {
    const { fm, at, log } = await installed();
    log('[2026-03-10T15:23:04.000Z] okr schedule run: finished, exit 3 after 3.9 s\n');
    const checks = await scheduleChecks(at('2026-03-10T15:30:00.000Z'));
    expect(checks.find((c) => c.id === 'schedule.runs')).toMatchObject({
      status: 'warn',
      detail: 'the last scheduled sync exited 3',
      fix: `see ${join(fm.okrHome, 'state', 'sync.log')}; \`okr sync\` shows the error interactively`,
    });
  });

  it('the job was removed outside okr: fails with the command that puts it back', async () => {
    const { fm, at } = await installed();
    fm.setCrontab('');
    const checks = await scheduleChecks(at('2026-03-10T14:30:00.000Z'));
    expect(checks[0]).toEqual({
      id: 'schedule',
      title: 'Schedule',
      status: 'fail',
      detail: 'the cron job is gone (crontab): it was removed outside okr',
      fix: 'okr schedule install --backend cron --every 1h',
    });
  });
});
