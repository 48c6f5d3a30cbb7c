/**
 * The warm-up run behind dist/sync.cjs's code cache (scripts/build.mjs): real `okr sync` command
 * lines against the simulator, in the home the build made for it (OKR_HOME). The first finds its
 * access token expired, as an hourly sync does after Google's hour: the refresh, the save, the
 * requests, the mapping and the writes are then compiled into the cache. The second prints the
 * human report, the third a plan.
 */
import { type ContextOptions, createContext } from '../../src/context.js';
import { startSimulator } from '../../src/simulator/index.js';
import { recordConnected } from '../../src/store/connections.js';
import { saveCredentials } from '../../src/store/tokens.js';

type Main = (argv: string[], opts: ContextOptions) => Promise<number>;

const COMMAND_LINES = [
  ['sync', '--since', '7d', '--json'],
  ['sync', '--since', '30d'],
  ['sync', '--dry-run'],
];

export async function warmUp(main: Main, home: string): Promise<void> {
  const sim = await startSimulator({ seed: 1 });
  try {
    const env = { ...process.env, ...sim.env, OKR_HOME: home, OKR_SECRETS: 'file' };
    const ctx = createContext({ env, homedir: home });
    try {
      recordConnected(ctx.db(), {
        pluginId: 'fitbit',
        accountId: sim.healthUserId,
        connectedAt: new Date().toISOString(),
        tokenStore: 'file',
      });
      await saveCredentials(ctx.secrets, 'fitbit', { ...sim.issueTokens(), expiresAt: Date.now() - 1000 }, 'file');
    } finally {
      ctx.close();
    }
    for (const args of COMMAND_LINES) {
      // A signal of its own: main then leaves the process's V8 flags alone (cli.ts tuneV8ForSync),
      // and V8 refuses a cache made under flags other than those a run starts with.
      const code = await main(['node', 'okr', ...args], { env, homedir: home, signal: new AbortController().signal });
      if (code !== 0) throw new Error(`warm-up failed: okr ${args.join(' ')} exited ${code}`);
    }
  } finally {
    await sim.close();
  }
}
