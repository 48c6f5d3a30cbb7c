/**
 * Where okr keeps its files. Platform conventions by default (XDG on Linux, ~/Library on macOS,
 * %APPDATA% on Windows); `OKR_HOME=<dir>` puts everything under one folder, which is what tests
 * and `okr demo` use. How the folders and files are created and checked: src/store/private-files.ts.
 */
import { join } from 'node:path';

export interface Paths {
  /** conf file (`config.json`) and the opt-in plain-text secrets file. */
  configDir: string;
  /** `okr.db`. */
  dataDir: string;
  /** logs (`sync.log`) and lock files. */
  stateDir: string;
  configFile: string;
  secretsFile: string;
  dbFile: string;
  lockDir: string;
  syncLog: string;
}

export interface PathEnv {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
}

export function resolvePaths({ env, platform, homedir }: PathEnv): Paths {
  let configDir: string;
  let dataDir: string;
  let stateDir: string;
  if (env.OKR_HOME) {
    configDir = join(env.OKR_HOME, 'config');
    dataDir = join(env.OKR_HOME, 'data');
    stateDir = join(env.OKR_HOME, 'state');
  } else if (platform === 'darwin') {
    configDir = join(homedir, 'Library', 'Preferences', 'okr');
    dataDir = join(homedir, 'Library', 'Application Support', 'okr');
    stateDir = join(homedir, 'Library', 'Logs', 'okr');
  } else if (platform === 'win32') {
    const appData = env.APPDATA ?? join(homedir, 'AppData', 'Roaming');
    const localAppData = env.LOCALAPPDATA ?? join(homedir, 'AppData', 'Local');
    configDir = join(appData, 'okr', 'Config');
    dataDir = join(localAppData, 'okr', 'Data');
    stateDir = join(localAppData, 'okr', 'State');
  } else {
    configDir = join(env.XDG_CONFIG_HOME || join(homedir, '.config'), 'okr');
    dataDir = join(env.XDG_DATA_HOME || join(homedir, '.local', 'share'), 'okr');
    stateDir = join(env.XDG_STATE_HOME || join(homedir, '.local', 'state'), 'okr');
  }
  return {
    configDir,
    dataDir,
    stateDir,
    configFile: join(configDir, 'config.json'),
    secretsFile: join(configDir, 'secrets.json'),
    dbFile: join(dataDir, 'okr.db'),
    lockDir: join(stateDir, 'locks'),
    syncLog: join(stateDir, 'sync.log'),
  };
}

// The rules for okr's folders and files (private, owned by the user, never through a planted
// link) live in one module; re-exported here for the code that only needs a folder.
export { ensurePrivateDir } from './store/private-files.js';

/** Where okr's files are, as `okr doctor` and `okr status` show them (and in their --json). */
export function fileLocations(p: Paths): Record<'config' | 'secrets' | 'database' | 'log' | 'locks', string> {
  return { config: p.configFile, secrets: p.secretsFile, database: p.dbFile, log: p.syncLog, locks: p.lockDir };
}

/** The same, as lines for people. */
export function fileLocationLines(p: Paths): string[] {
  return ['Files:', ...Object.entries(fileLocations(p)).map(([what, path]) => `  ${what.padEnd(9)} ${path}`)];
}
