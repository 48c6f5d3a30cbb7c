/**
 * Fake schedulers for the schedule tests: `crontab`, `systemctl` and `launchctl` shell scripts in
 * a temp bin folder that comes first (and alone) on PATH, so no test can reach the machine's real
 * crontab, systemd or launchd. Each records its calls; `crontab` keeps the table in a file and
 * prints it back for `crontab -l`. The scripts call utilities by absolute path because PATH holds
 * only the fakes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempHome } from '../helpers/home.js';

export interface FakeMachine {
  root: string;
  bin: string;
  /** HOME for the run (LaunchAgents live under it). */
  home: string;
  okrHome: string;
  /** XDG_CONFIG_HOME: the systemd user unit folder is under it. */
  xdgConfig: string;
  /** XDG_RUNTIME_DIR: empty unless a test puts a bus socket in it. */
  runtimeDir: string;
  crontabFile: string;
  /** The env a test passes to runCli. */
  env: Record<string, string | undefined>;
  /** Calls made to a fake, one line of arguments each. */
  calls(tool: 'crontab' | 'systemctl' | 'launchctl'): string[];
  crontab(): string | undefined;
  setCrontab(text: string): void;
  unitDir: string;
  launchAgents: string;
}

export interface FakeOptions {
  crontab?: boolean;
  systemctl?: boolean | 'down';
  launchctl?: boolean;
  /** What the fake `systemctl --user show-environment` reports as the manager's bus. */
  managerBus?: string;
  /** What the fake `systemctl --user show okr-sync.timer` reports. */
  nextElapse?: string;
}

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

export function fakeMachine(opts: FakeOptions = {}): FakeMachine {
  const root = tempHome('okr-sched-');
  const bin = join(root, 'bin');
  const home = join(root, 'home');
  const okrHome = join(root, 'okr');
  const xdgConfig = join(home, '.config');
  const runtimeDir = join(root, 'run');
  for (const d of [bin, home, runtimeDir]) mkdirSync(d, { recursive: true });
  const crontabFile = join(root, 'crontab.txt');
  const log = (tool: string) => `/bin/echo "$*" >> '${join(root, `${tool}.calls`)}'`;

  if (opts.crontab !== false) {
    script(
      join(bin, 'crontab'),
      `${log('crontab')}
f='${crontabFile}'
case "$1" in
  -l) if [ -f "$f" ]; then /bin/cat "$f"; else /bin/echo "no crontab for tester" >&2; exit 1; fi ;;
  -r) if [ -f "$f" ]; then /bin/rm -f "$f"; else /bin/echo "no crontab for tester" >&2; exit 1; fi ;;
  -) /bin/cat > "$f" ;;
  *) /bin/echo "fake crontab: unexpected arguments: $*" >&2; exit 2 ;;
esac`,
    );
  }
  if (opts.systemctl) {
    script(
      join(bin, 'systemctl'),
      `${log('systemctl')}
${opts.systemctl === 'down' ? '/bin/echo "Failed to connect to bus: No medium found" >&2; exit 1' : ''}
case "$*" in
  "--user show-environment")
    /bin/echo "HOME=${home}"
    ${opts.managerBus ? `/bin/echo 'DBUS_SESSION_BUS_ADDRESS=${opts.managerBus}'` : ''}
    /bin/echo "XDG_RUNTIME_DIR=${runtimeDir}" ;;
  "--user show okr-sync.timer"*)
    /bin/echo "NextElapseUSecRealtime=${opts.nextElapse ?? ''}"
    /bin/echo "ActiveState=active" ;;
esac
exit 0`,
    );
  }
  if (opts.launchctl) script(join(bin, 'launchctl'), `${log('launchctl')}\nexit 0`);

  return {
    root,
    bin,
    home,
    okrHome,
    xdgConfig,
    runtimeDir,
    crontabFile,
    unitDir: join(xdgConfig, 'systemd', 'user'),
    launchAgents: join(home, 'Library', 'LaunchAgents'),
    env: {
      PATH: bin,
      HOME: home,
      USER: 'tester',
      LOGNAME: 'tester',
      XDG_CONFIG_HOME: xdgConfig,
      XDG_DATA_HOME: undefined,
      XDG_STATE_HOME: undefined,
      XDG_RUNTIME_DIR: runtimeDir,
      DBUS_SESSION_BUS_ADDRESS: undefined,
      OKR_SECRETS: undefined,
    },
    calls(tool) {
      const f = join(root, `${tool}.calls`);
      return existsSync(f) ? readFileSync(f, 'utf8').trimEnd().split('\n') : [];
    },
    crontab() {
      return existsSync(crontabFile) ? readFileSync(crontabFile, 'utf8') : undefined;
    },
    setCrontab(text) {
      writeFileSync(crontabFile, text);
    },
  };
}
