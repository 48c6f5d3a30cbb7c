import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOkrScript } from '../../src/schedule/job.js';
import { runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

const NOW = new Date(2026, 2, 10, 14, 23, 41);
const now = () => NOW;
const NODE = process.execPath;
const OKR = resolveOkrScript();

/** `systemd-analyze verify` (system mode: the user mode needs a running user manager). */
function verifier(): ((...files: string[]) => { code: number; output: string }) | undefined {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  return (...files) => {
    const r = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' });
    return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
  };
}

describe('okr schedule with a systemd user timer (temp unit folder, fake systemctl on PATH)', () => {
  it('install → status → remove → status', async () => {
    // 2026-03-10T15:23:00Z, as systemctl --timestamp=unix prints it.
    const fm = fakeMachine({ systemctl: true, nextElapse: '@1773156180' });
    const opts = { home: fm.okrHome, env: fm.env, now };
    const inst = await runCli(['schedule', 'install', '--backend', 'systemd', '--no-preflight'], opts);
    expect(inst.stderr).toBe('');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain('Installed: okr sync every 1h, at minute 23 of every hour, with systemd user timer');

    const service = join(fm.unitDir, 'okr-sync.service');
    const timer = join(fm.unitDir, 'okr-sync.timer');
    expect(readFileSync(service, 'utf8')).toBe(
      [
        '# Managed by okr schedule: `okr schedule install` rewrites it, `okr schedule remove` deletes it.',
        '[Unit]',
        'Description=okr sync (managed by okr schedule)',
        '',
        '[Service]',
        'Type=oneshot',
        `Environment="OKR_HOME=${fm.okrHome}"`,
        `Environment="XDG_CONFIG_HOME=${fm.xdgConfig}"`,
        `ExecStart="${NODE}" "${OKR}" "schedule" "run"`,
        'TimeoutStartSec=30min',
        '',
      ].join('\n'),
    );
    expect(readFileSync(timer, 'utf8')).toBe(
      [
        '# Managed by okr schedule: `okr schedule install` rewrites it, `okr schedule remove` deletes it.',
        '[Unit]',
        'Description=okr sync every 1h (managed by okr schedule)',
        '',
        '[Timer]',
        'OnCalendar=*-*-* *:23:00',
        'Persistent=true',
        'Unit=okr-sync.service',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    );
    // No DBUS address in the unit: the user manager gives its services the bus.
    expect(readFileSync(service, 'utf8')).not.toContain('DBUS');
    expect(fm.calls('systemctl')).toEqual([
      '--user show-environment',
      '--user daemon-reload',
      '--user enable okr-sync.timer',
      '--user restart okr-sync.timer',
      '--user show okr-sync.timer -p NextElapseUSecRealtime -p ActiveState --timestamp=unix',
    ]);
    // What `systemctl enable` would have made:
    mkdirSync(join(fm.unitDir, 'timers.target.wants'));
    symlinkSync(timer, join(fm.unitDir, 'timers.target.wants', 'okr-sync.timer'));

    const st = await runCli(['schedule', 'status', '--json'], opts);
    expect(JSON.parse(st.stdout)).toMatchObject({
      installed: true,
      backend: 'systemd',
      every: '1h',
      schedule: '*-*-* *:23:00',
      present: true,
      active: true,
      nextRun: '2026-03-10T15:23:00.000Z',
      nextRunSource: 'scheduler',
      files: [service, timer],
      problems: [],
    });

    const rm = await runCli(['schedule', 'remove'], opts);
    expect(rm.code).toBe(0);
    expect(existsSync(service)).toBe(false);
    expect(existsSync(timer)).toBe(false);
    expect(readdirSync(fm.unitDir)).toEqual([]);
    expect(fm.calls('systemctl').slice(-4)).toEqual([
      '--user disable --now okr-sync.timer',
      '--user stop okr-sync.service',
      '--user daemon-reload',
      '--user reset-failed okr-sync.service okr-sync.timer',
    ]);

    const after = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(after).toMatchObject({ installed: false, present: false, files: [], problems: [] });
  });

  it('computes the next run from OnCalendar when systemctl does not say', async () => {
    const fm = fakeMachine({ systemctl: true, nextElapse: 'n/a' });
    const opts = { home: fm.okrHome, env: fm.env, now };
    await runCli(['schedule', 'install', '--backend', 'systemd', '--every', '6h', '--no-preflight'], opts);
    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(st.schedule).toBe('*-*-* 02,08,14,20:23:00');
    expect(st.nextRun).toBe(new Date(2026, 2, 10, 20, 23).toISOString());
    expect(st.nextRunSource).toBe('computed');
  });

  it('installing twice rewrites the same two files', async () => {
    const fm = fakeMachine({ systemctl: true });
    const opts = { home: fm.okrHome, env: fm.env, now };
    await runCli(['schedule', 'install', '--backend', 'systemd', '--no-preflight'], opts);
    await runCli(['schedule', 'install', '--backend', 'systemd', '--every', '30m', '--no-preflight'], opts);
    expect(readdirSync(fm.unitDir).sort()).toEqual(['okr-sync.service', 'okr-sync.timer']);
    expect(readFileSync(join(fm.unitDir, 'okr-sync.timer'), 'utf8')).toContain('OnCalendar=*-*-* *:23,53:00\n');
    expect(fm.calls('systemctl').filter((c) => c === '--user restart okr-sync.timer')).toHaveLength(2);
  });

  const verify = verifier();
  it.skipIf(!verify)('writes units that systemd-analyze verify accepts, odd paths included', async () => {
    const fm = fakeMachine({ systemctl: true });
    const odd = join(fm.root, 'it\'s 100% "okr" $HOME \\x');
    mkdirSync(odd);
    const r = await runCli(['schedule', 'install', '--backend', 'systemd', '--no-preflight'], {
      home: odd,
      env: fm.env,
      now,
    });
    expect(r.code).toBe(0);
    const service = join(fm.unitDir, 'okr-sync.service');
    expect(readFileSync(service, 'utf8')).toContain(
      `Environment="OKR_HOME=${fm.root}/it's 100%% \\"okr\\" $HOME \\\\x"\n`,
    );
    const v = verify!(service, join(fm.unitDir, 'okr-sync.timer'));
    expect(v.output).toBe('');
    expect(v.code).toBe(0);
  });
  if (!verify) console.warn('skipped: systemd-analyze is not installed, so unit files were not verified by systemd');

  it.skipIf(!verify)('a broken unit is caught by the verifier (the check is real)', () => {
    const fm = fakeMachine();
    mkdirSync(fm.unitDir, { recursive: true });
    const bad = join(fm.unitDir, 'okr-sync.timer');
    writeFileSync(bad, '[Timer]\nOnCalendar=every so often\n');
    expect(verify!(bad).code).not.toBe(0);
  });
});
