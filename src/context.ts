/**
 * Everything a command touches: paths, database, config, secrets, network, clock, terminal,
 * browser. Core code takes a Context and never reads process.env, the real home folder, the
 * wall clock or the terminal itself; tests build one on a temp OKR_HOME (gh's Factory/IOStreams).
 */
import { homedir } from 'node:os';
import { whyNoBrowser } from './browser.js';
import { isTimeZone } from './dates.js';
import { nodeFetch, preconnect } from './http/node-fetch.js';
import { createProviderFetch } from './http/provider-fetch.js';
import { type IO, processIO } from './io.js';
import { type Paths, resolvePaths } from './paths.js';
import { createDefaultRegistry } from './plugins/index.js';
import type { PluginRegistry } from './plugins/registry.js';
import { runtimeZone } from './plugins/runtime-zone.js';
import type { PluginRuntime } from './plugins/types.js';
import { ConfFile } from './store/conf-file.js';
import { ConfigService } from './store/config.js';
import { type Db, openDatabase } from './store/db.js';
import { FileSecretBackend, KeychainBackend, type SecretBackend, SecretStore } from './store/secrets.js';
import { requestTimeoutFromEnv } from './sync/retry.js';

export interface Context {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  paths: Paths;
  io: IO;
  verbose: boolean;
  now(): Date;
  /**
   * For provider calls: same-origin redirects only, a capped body and a deadline
   * (http/provider-fetch.ts), over the transport given in the options (default: node-fetch.ts).
   */
  fetch: typeof fetch;
  /**
   * Opens up to `count` connections to `url`'s host (or the host a promised URL names) for
   * provider calls that will follow (the sync does while a token refresh is on the wire); returns
   * what closes those left unused. A no-op over a transport given in the options.
   */
  preconnect(url: string | Promise<string | undefined>, count: number): () => void;
  /** Aborted on Ctrl-C: long work stops at the next safe point. */
  signal: AbortSignal;
  registry: PluginRegistry;
  conf: ConfFile;
  secrets: SecretStore;
  config: ConfigService;
  /** Opens the database on first use (and migrates it). */
  db(): Db;
  /** The user's IANA time zone: `TZ` when it names one, else the system's. */
  timeZone(): string;
  /** What plugins get: config lookup, fetch, clock, abort signal, time zone. */
  /** `fetch` replaces the context's (the sync passes its counting, retrying one). */
  pluginRuntime(signal?: AbortSignal, fetch?: typeof globalThis.fetch): PluginRuntime;
  /** Best effort: the caller always prints the URL as well. */
  openBrowser(url: string): Promise<void>;
  /**
   * Why no browser the user can see would open (over SSH, no display), or undefined when one can.
   * A browser given in the options (the demo's, a test's) always can.
   */
  whyNoBrowser(): string | undefined;
  /** What `okr connect` calls the browser it opens: "the browser", or the demo's own. */
  browserName: string;
  close(): void;
}

export interface ContextOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  homedir?: string;
  io?: IO;
  verbose?: boolean;
  now?: () => Date;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  registry?: PluginRegistry;
  /** The user's IANA time zone (default: `TZ`, else the system's). */
  timeZone?: string;
  keychain?: SecretBackend;
  openBrowser?: (url: string) => Promise<void>;
  /** With `openBrowser`: what that browser is, for the words connect prints. */
  browserName?: string;
}

export function createContext(opts: ContextOptions = {}): Context {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const paths = resolvePaths({ env, platform, homedir: opts.homedir ?? homedir() });
  const io = opts.io ?? processIO(env);
  const registry = opts.registry ?? createDefaultRegistry();
  const conf = new ConfFile(paths.configFile);
  // `config` and `secrets` need each other (the default secret store is a config value), so the
  // store asks the service lazily.
  let config: ConfigService | undefined;
  const secrets = new SecretStore({
    conf,
    keychain: opts.keychain ?? new KeychainBackend('okr', platform),
    file: new FileSecretBackend(paths.secretsFile),
    defaultStore: () => config!.defaultSecretStore(),
  });
  config = new ConfigService(conf, secrets, registry, env);
  const fetchImpl = createProviderFetch(opts.fetch ?? nodeFetch, { timeoutMs: requestTimeoutFromEnv(env) });
  const now = opts.now ?? (() => new Date());
  const signal = opts.signal ?? new AbortController().signal;
  let db: Db | undefined;
  let zone: string | undefined = opts.timeZone;
  // Resolved on first use: Intl costs start-up time that most commands never need.
  const timeZone = () =>
    (zone ??= isTimeZone(env.TZ) ? env.TZ : Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

  return {
    env,
    platform,
    paths,
    io,
    verbose: opts.verbose ?? false,
    now,
    fetch: fetchImpl,
    preconnect: opts.fetch ? () => () => {} : preconnect,
    signal,
    registry,
    conf,
    secrets,
    config,
    db() {
      if (!db) db = openDatabase(paths.dbFile);
      return db;
    },
    timeZone,
    pluginRuntime(s?: AbortSignal, f?: typeof globalThis.fetch): PluginRuntime {
      // Assigned, not spread: the zone is a getter, resolved only if the plugin reads it.
      return Object.assign(runtimeZone(timeZone), {
        getConfig: (key: string) => config!.getConfigValue(key),
        configSource: async (key: string) => (await config!.resolve(key)).source,
        fetch: f ?? fetchImpl,
        now,
        signal: s ?? signal,
      });
    },
    openBrowser:
      opts.openBrowser ??
      (async (url: string) => {
        const { default: open } = await import('open');
        const child = await open(url);
        // `open` resolves even when no browser exists; never let its child's errors crash us.
        child.on('error', () => {});
      }),
    whyNoBrowser: () => (opts.openBrowser ? undefined : whyNoBrowser(env, platform)),
    browserName: opts.browserName ?? 'the browser',
    close() {
      if (db?.open) db.close();
      db = undefined;
    },
  };
}
