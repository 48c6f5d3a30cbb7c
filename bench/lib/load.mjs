// Loads the TypeScript pieces the benchmarks drive in-process (the simulator with its fault
// injection, the store functions) by bundling them with esbuild into a temp folder. The okr under
// measurement is always the built bin/okr.js, run as a child process like a user or cron runs it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const REPO = resolve(import.meta.dirname, '..', '..');

const madeDirs = [];
process.on('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A new temp folder, removed when the benchmark exits (however it ends, short of a kill). */
export function benchTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

const ENTRY = `
export { startSimulator } from './src/simulator/index.ts';
export { startOuraSimulator, OURA_COLLECTIONS } from './src/simulator/oura/index.ts';
export { createContext } from './src/context.ts';
export { openDatabase } from './src/store/db.ts';
export { recordConnected } from './src/store/connections.ts';
export { saveCredentials } from './src/store/tokens.ts';
export { upsertSyncedRecords } from './src/store/values.ts';
export { markCoverage } from './src/store/coverage.ts';
export { addDays, eachDate, localDate } from './src/dates.ts';
`;

export async function loadOkr() {
  // Inside the repo, so that the externals (better-sqlite3) resolve from its node_modules.
  const dir = join(REPO, 'node_modules', '.cache', 'okr-bench');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `lib-${process.pid}.mjs`);
  await build({
    stdin: { contents: ENTRY, resolveDir: REPO, loader: 'ts', sourcefile: 'bench-entry.ts' },
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3', '@napi-rs/keyring', 'open'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    define: { __OKR_VERSION__: '"bench"' },
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}

/**
 * A temp OKR_HOME with a plugin (default fitbit) connected to `sim`, its tokens in the plain-text
 * store (default) or, with `store: 'keychain'`, in the OS keychain.
 */
export async function connectedHome(
  okr,
  sim,
  { expired = false, pluginId = 'fitbit', accountId = sim.healthUserId, store = 'file' } = {},
) {
  const home = benchTempDir('okr-bench-home-');
  const env = { ...sim.env, OKR_SECRETS: store, OKR_HOME: home };
  const ctx = okr.createContext({ env, homedir: home });
  try {
    okr.recordConnected(ctx.db(), {
      pluginId,
      accountId,
      connectedAt: new Date().toISOString(),
      tokenStore: store,
    });
    const creds = sim.issueTokens();
    if (expired) creds.expiresAt = Date.now() - 1000;
    await okr.saveCredentials(ctx.secrets, pluginId, creds, store);
  } finally {
    ctx.close();
  }
  return { home, env, dbFile: join(home, 'data', 'okr.db') };
}

/** Runs `node script …args` with `env` added: `{ code, stdout, stderr, ms }`, ms from spawn to exit. */
export function runNode(script, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
