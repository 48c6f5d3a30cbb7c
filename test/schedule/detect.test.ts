import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRON_BEGIN } from '../../src/schedule/backends/cron.js';
import { runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

const now = () => new Date(2026, 2, 10, 14, 23, 41);

/** `okr …` on the fake machine, as the given platform. */
function okrOn(fm: ReturnType<typeof fakeMachine>, platform: NodeJS.Platform, args: string[]) {
  return runCli(args, { home: fm.okrHome, env: fm.env, now, platform });
}

describe('choosing the backend', () => {
  it('Linux: a systemd user timer when `systemctl --user` answers', async () => {
    const fm = fakeMachine({ systemctl: true });
    const r = await okrOn(fm, 'linux', ['schedule', 'install', '--no-preflight']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('with systemd user timer');
    expect(fm.crontab()).toBeUndefined();
  });

  it('Linux: cron when the user manager does not answer', async () => {
    const fm = fakeMachine({ systemctl: 'down' });
    const r = await okrOn(fm, 'linux', ['schedule', 'install', '--no-preflight']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('with cron');
    expect(fm.crontab()).toContain(CRON_BEGIN);
    expect(existsSync(fm.unitDir)).toBe(false);
  });

  it('Linux with neither: says what to install', async () => {
    const fm = fakeMachine({ systemctl: 'down', crontab: false });
    const r = await okrOn(fm, 'linux', ['schedule', 'install', '--no-preflight']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: No scheduler found (systemd user timer: systemctl --user does not answer (Failed to connect to bus: No medium found); cron: the crontab command is not installed).\n' +
        'hint: Install cron (Debian/Ubuntu: sudo apt-get install cron) or use --backend systemd.\n',
    );
    expect(existsSync(join(fm.okrHome, 'config', 'config.json'))).toBe(false);
  });

  it('--backend systemd without a user manager fails and points at cron', async () => {
    const fm = fakeMachine({ systemctl: 'down' });
    const r = await okrOn(fm, 'linux', ['schedule', 'install', '--backend', 'systemd', '--no-preflight']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hint: systemd user timers need a running user manager');
    expect(r.stderr).toContain('use --backend cron instead.');
  });

  it('an unknown backend or interval is a usage error', async () => {
    const fm = fakeMachine({ systemctl: true });
    const opts = { home: fm.okrHome, env: fm.env, now };
    expect((await runCli(['schedule', 'install', '--backend', 'anacron'], opts)).code).toBe(2);
    const bad = await runCli(['schedule', 'install', '--every', '7h'], opts);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --every 7h is not supported');
  });

  it('Windows is refused with a way out', async () => {
    const fm = fakeMachine();
    const r = await okrOn(fm, 'win32', ['schedule', 'install']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Task Scheduler');
  });

  it('switching backend removes the old job: one schedule at a time', async () => {
    const fm = fakeMachine({ systemctl: true });
    fm.setCrontab('0 5 * * * /usr/bin/backup\n');
    const opts = { home: fm.okrHome, env: fm.env, now };
    expect((await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts)).code).toBe(0);
    expect(fm.crontab()).toContain(CRON_BEGIN);
    const sw = await runCli(['schedule', 'install', '--backend', 'systemd', '--no-preflight'], opts);
    expect(sw.code).toBe(0);
    expect(sw.stdout).toContain('Removed the previous job (cron); one schedule at a time.');
    expect(fm.crontab()).toBe('0 5 * * * /usr/bin/backup\n');
    expect(existsSync(join(fm.unitDir, 'okr-sync.timer'))).toBe(true);
    const conf = JSON.parse(readFileSync(join(fm.okrHome, 'config', 'config.json'), 'utf8'));
    expect(conf.schedule.backend).toBe('systemd');
  });

  it('status reports an okr job that the conf file does not know about, and remove cleans it', async () => {
    const fm = fakeMachine({ systemctl: true });
    const opts = { home: fm.okrHome, env: fm.env, now };
    fm.setCrontab(
      `${CRON_BEGIN}\n23 * * * * /usr/bin/node /old/bin/okr.js schedule run\n# okr-sync end (managed by okr schedule)\n`,
    );
    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(st.installed).toBe(false);
    expect(st.problems).toEqual([
      { what: 'an okr job is installed with cron (crontab) but not recorded', fix: 'okr schedule remove' },
    ]);
    const rm = await runCli(['schedule', 'remove'], opts);
    expect(rm.stdout).toContain('the crontab (okr had the only entry)');
    expect(fm.crontab()).toBeUndefined();
  });
});
