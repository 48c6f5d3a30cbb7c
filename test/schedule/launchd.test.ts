import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOkrScript } from '../../src/schedule/job.js';
import { parsePlist } from '../../src/schedule/plist.js';
import { runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

const NOW = new Date(2026, 2, 10, 14, 23, 41);
const now = () => NOW;
const NODE = process.execPath;
const OKR = resolveOkrScript();
const UID = process.getuid?.() ?? 0;

/** An independent plist parser: Python's plistlib (or macOS plutil) when installed. */
function pythonPlist(file: string): unknown | undefined {
  const r = spawnSync(
    'python3',
    ['-c', 'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file],
    { encoding: 'utf8' },
  );
  if (r.error || r.status !== 0) return r.error ? undefined : { error: r.stderr };
  return JSON.parse(r.stdout);
}

describe('okr schedule with a LaunchAgent (temp LaunchAgents folder, fake launchctl on PATH)', () => {
  it('install → status → remove → status, in the Aqua session that reaches the login keychain', async () => {
    const fm = fakeMachine({ launchctl: true });
    const opts = { home: fm.okrHome, env: fm.env, now, platform: 'darwin' as const };
    const inst = await runCli(['schedule', 'install', '--no-preflight'], opts);
    expect(inst.stderr).toBe('');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain('with LaunchAgent; next run 2026-03-10 15:23.');
    expect(inst.stdout).toContain(
      `loaded in the Aqua session (gui/${UID}): runs while you are logged in, with your login keychain`,
    );

    const plist = join(fm.launchAgents, 'local.okr.sync.plist');
    const expected = {
      Label: 'local.okr.sync',
      ProgramArguments: [NODE, OKR, 'schedule', 'run'],
      // XDG_* mean nothing on macOS: only OKR_HOME is carried.
      EnvironmentVariables: { OKR_HOME: fm.okrHome },
      StartCalendarInterval: [{ Minute: 23 }],
      LimitLoadToSessionType: 'Aqua',
      ProcessType: 'Background',
      RunAtLoad: false,
      WorkingDirectory: fm.home,
    };
    const xml = readFileSync(plist, 'utf8');
    expect(parsePlist(xml)).toEqual(expected);
    const independent = pythonPlist(plist);
    if (independent === undefined)
      console.warn('skipped: python3 is not installed, plist checked by okr’s own parser only');
    else expect(independent).toEqual(expected);

    expect(fm.calls('launchctl')).toEqual([
      'version',
      `bootout gui/${UID}/local.okr.sync`,
      `bootout user/${UID}/local.okr.sync`,
      `enable gui/${UID}/local.okr.sync`,
      `bootstrap gui/${UID} ${plist}`,
      `print gui/${UID}/local.okr.sync`,
    ]);

    const st = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(st).toMatchObject({
      installed: true,
      backend: 'launchd',
      sessionType: 'Aqua',
      present: true,
      active: true,
      nextRun: new Date(2026, 2, 10, 15, 23).toISOString(),
      nextRunSource: 'computed',
      files: [plist],
      problems: [],
    });

    const rm = await runCli(['schedule', 'remove'], opts);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(plist);
    expect(existsSync(plist)).toBe(false);
    expect(fm.calls('launchctl').slice(-2)).toEqual([
      `bootout gui/${UID}/local.okr.sync`,
      `bootout user/${UID}/local.okr.sync`,
    ]);
    const after = JSON.parse((await runCli(['schedule', 'status', '--json'], opts)).stdout);
    expect(after).toMatchObject({ installed: false, present: false, problems: [] });
  });

  it('uses the Background session only when every secret is in the plain-text file', async () => {
    const fm = fakeMachine({ launchctl: true });
    const opts = { home: fm.okrHome, env: fm.env, now, platform: 'darwin' as const };
    expect((await runCli(['config', 'set', 'secrets.store', 'file'], opts)).code).toBe(0);
    const inst = await runCli(['schedule', 'install', '--every', '6h', '--no-preflight'], opts);
    expect(inst.code).toBe(0);
    const plist = join(fm.launchAgents, 'local.okr.sync.plist');
    const parsed = parsePlist(readFileSync(plist, 'utf8')) as Record<string, unknown>;
    expect(parsed.LimitLoadToSessionType).toBe('Background');
    expect(parsed.StartCalendarInterval).toEqual([
      { Hour: 2, Minute: 23 },
      { Hour: 8, Minute: 23 },
      { Hour: 14, Minute: 23 },
      { Hour: 20, Minute: 23 },
    ]);
    expect(fm.calls('launchctl')).toContain(`bootstrap user/${UID} ${plist}`);
  });

  it('installing twice leaves one agent file', async () => {
    const fm = fakeMachine({ launchctl: true });
    const opts = { home: fm.okrHome, env: fm.env, now, platform: 'darwin' as const };
    await runCli(['schedule', 'install', '--no-preflight'], opts);
    await runCli(['schedule', 'install', '--every', '30m', '--no-preflight'], opts);
    expect(readdirSync(fm.launchAgents)).toEqual(['local.okr.sync.plist']);
    const parsed = parsePlist(readFileSync(join(fm.launchAgents, 'local.okr.sync.plist'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(parsed.StartCalendarInterval).toEqual([{ Minute: 23 }, { Minute: 53 }]);
  });

  it('refuses launchd off macOS', async () => {
    const fm = fakeMachine({ launchctl: true });
    const r = await runCli(['schedule', 'install', '--backend', 'launchd', '--no-preflight'], {
      home: fm.okrHome,
      env: fm.env,
      now,
      platform: 'linux',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: Cannot use LaunchAgent here: launchd exists only on macOS.\nhint: LaunchAgents exist only on macOS; use --backend systemd or --backend cron.\n',
    );
  });
});
