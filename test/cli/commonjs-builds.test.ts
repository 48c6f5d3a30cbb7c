/**
 * bin/okr.js runs a command line that names no command (`okr`, `okr --help`, `okr --version`, a
 * mistyped option) from dist/no-command.cjs, `okr metrics …` from dist/metrics.cjs and
 * `okr sync …` from dist/sync.cjs, CommonJS builds of the same program with V8's code cache
 * (bin/code-cache.js); every other one from dist/cli.js. They must not be told apart: each
 * command line here runs both ways and must print the same bytes with the same exit. (Every
 * other test that runs `okr metrics` or `okr sync` through the bin runs the CommonJS build too.)
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { REPO_ROOT, runBin, runNode, tempDir, tempHome } from '../helpers/cli.js';
import { simulatorHome } from '../helpers/faults.js';

const NO_COMMAND = join(REPO_ROOT, 'dist', 'no-command.cjs');
const METRICS = join(REPO_ROOT, 'dist', 'metrics.cjs');
const SYNC = join(REPO_ROOT, 'dist', 'sync.cjs');

/** Runs `node -e script` with no inherited NODE_OPTIONS (V8 flags would change the cache's fate). */
async function node(script: string, args: string[], env: Record<string, string> = {}) {
  const r = await runNode(['--input-type=module', '-e', script, '--', ...args], { env: { NODE_OPTIONS: '', ...env } });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** The ES module build, run directly: what bin/okr.js did for every command line before. */
const ESM_MAIN = `const m = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'cli.js'))});
process.exitCode = await m.main(['node', 'okr', ...process.argv.slice(1)]);`;

/**
 * Runs each command line through bin/okr.js and through the ES module build: same exit, same
 * bytes (after `normalize`, for what says when it ran). Returns the exit codes seen.
 */
async function expectSameFromBothBuilds(
  lines: string[][],
  env: Record<string, string>,
  normalize = (out: string) => out,
): Promise<Set<number>> {
  const seen = new Set<number>();
  for (const args of lines) {
    const viaBin = await runBin(args, { env: { ...env, NODE_OPTIONS: '' } });
    const direct = await node(ESM_MAIN, args, env);
    expect({ code: viaBin.code, stdout: normalize(viaBin.stdout), stderr: viaBin.stderr }, args.join(' ')).toEqual({
      ...direct,
      stdout: normalize(direct.stdout),
    });
    seen.add(direct.code);
  }
  return seen;
}

describe('command lines that name no command', () => {
  const lines = [
    [],
    ['--help'],
    ['-h'],
    ['help'],
    ['--version'],
    ['-V'],
    ['--verbose', '--help'],
    ['--bogus'],
    ['help', 'sync'],
  ];
  it.each(lines.map((l) => [l.join(' ') || '(none)', l]))(
    '`okr %s` prints the same from either build',
    async (_, args) => {
      const home = tempHome();
      const env = { OKR_HOME: home, NO_COLOR: '1' };
      const viaBin = await runBin(args as string[], { env: { ...env, NODE_OPTIONS: '' } });
      const direct = await node(ESM_MAIN, args as string[], env);
      expect({ code: viaBin.code, stdout: viaBin.stdout, stderr: viaBin.stderr }).toEqual(direct);
      // The runs did print something: help, a version, or a usage error.
      expect(`${direct.stdout}${direct.stderr}`).toMatch(/Usage: okr|okr \d+\.\d+\.\d+|unknown option/);
    },
  );
});

describe('okr metrics …', () => {
  it('prints the same from either build, read commands, help and errors alike', async () => {
    const home = tempHome();
    const env = { OKR_HOME: home, NO_COLOR: '1', OKR_SECRETS: 'file' };
    const create = await runBin(['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number'], { env });
    expect(create.code, create.stderr).toBe(0);
    expect((await runBin(['metrics', 'log', 'mood', '7'], { env })).code).toBe(0);
    const lines = [
      ['metrics', 'show', '--since', '7d'],
      ['metrics', 'show', '--since', '7d', '--json'],
      ['metrics', 'template', 'list', '--json'],
      ['metrics', '--help'],
      ['help', 'metrics'],
      ['metrics', 'show', '--since', 'soon'],
      ['metrics', 'log', 'nosuchmetric', '1'],
    ];
    const seen = await expectSameFromBothBuilds(lines, env);
    // Both successes and failures were compared, and the table holds the value logged above.
    expect(seen.has(0)).toBe(true);
    expect([...seen].some((c) => c !== 0)).toBe(true);
    expect((await runBin(['metrics', 'show', '--since', '7d', '--json'], { env })).stdout).toContain('"mood"');
  });
});

describe('okr sync …', () => {
  it('prints the same from either build: plans, help and errors', async () => {
    const sim = await startSimulator({ seed: 5 });
    try {
      const h = await simulatorHome(sim, { credentials: { ...sim.issueTokens(), expiresAt: Date.now() - 1000 } });
      const env = { ...h.env, OKR_HOME: h.home, NO_COLOR: '1' };
      const lines = [
        ['sync', '--since', '30d', '--dry-run'],
        ['sync', '--since', '30d', '--dry-run', '--json'],
        ['sync', '--help'],
        ['help', 'sync'],
        ['sync', '--since', 'soon'],
        ['sync', 'nosuchplugin'],
      ];
      // The JSON report says when it ran and how long it took: all else must match.
      const untimed = (stdout: string) =>
        stdout.startsWith('{')
          ? JSON.stringify(JSON.parse(stdout, (k, v) => (['startedAt', 'finishedAt', 'ms'].includes(k) ? 0 : v)))
          : stdout;
      const seen = await expectSameFromBothBuilds(lines, env, untimed);
      expect(seen.has(0)).toBe(true);
      expect([...seen].some((c) => c !== 0)).toBe(true);
      // A plan only: nothing was asked of the provider.
      expect(sim.stats.all).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it('syncs through it: an expired token refreshed and saved, the values written', async () => {
    const sim = await startSimulator({ seed: 5 });
    try {
      const h = await simulatorHome(sim, { credentials: { ...sim.issueTokens(), expiresAt: Date.now() - 1000 } });
      const r = await runBin(['sync', '--since', '7d', '--json'], { home: h.home, env: h.env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).plugins[0]).toMatchObject({ status: 'ok', refreshed: true, days: 7 });
      expect(JSON.parse(r.stdout).plugins[0].valuesWritten).toBeGreaterThan(0);
      expect(sim.stats['token:refresh_token']).toBe(1);
      // The saved token is used by the next sync: no second refresh.
      const again = await runBin(['sync', '--since', '2d'], { home: h.home, env: h.env });
      expect(again.code, again.stderr).toBe(0);
      expect(sim.stats['token:refresh_token']).toBe(1);
    } finally {
      await sim.close();
    }
  });
});

describe('what the CommonJS builds load later', () => {
  it('holds no import(): code that node:vm compiled cannot run one (Node 20), so require() does it', () => {
    for (const file of [NO_COMMAND, METRICS, SYNC]) {
      const code = readFileSync(file, 'utf8');
      expect(code.match(/(?<![\w$.])import\(/g), file).toBeNull();
      // What cannot be required is left out with a loud error: only `open`, never bundled code
      // (the prompts and the spinner are bundled, and `metrics template create` asks with them).
      const left = [...code.matchAll(/okr: (\S+) \(an ES module\) is not in/g)].map((m) => m[1]);
      expect(
        left.filter((m) => m !== 'open'),
        file,
      ).toEqual([]);
    }
  });

  it('`okr metrics show` fetches dates never synced through it (node:http, loaded on the way)', async () => {
    const sim = await startSimulator({ seed: 5 });
    try {
      const h = await simulatorHome(sim);
      const r = await runBin(['metrics', 'show', '--since', '3d', '--json'], { home: h.home, env: h.env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).live).toEqual([expect.objectContaining({ pluginId: 'fitbit', days: 3, ok: true })]);
      expect(sim.stats.api).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });
});

describe('the code cache of the CommonJS builds', () => {
  const load = (file: string) =>
    `import { createRequire } from 'node:module';
const { loadCached } = createRequire(import.meta.url)(${JSON.stringify(join(REPO_ROOT, 'bin', 'code-cache.js'))});
const r = loadCached(${JSON.stringify(file)});
console.log(JSON.stringify({ cache: r.cache, command: r.exports.invokedCommand(['--verbose', 'sync']) }));`;

  it.each([NO_COMMAND, METRICS, SYNC])('%s: used by this Node (the build made it)', async (file) => {
    const r = await node(load(file), []);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ cache: 'used', command: 'sync' });
  });

  it('refused by V8 (another Node, or damaged), or missing: the bundle compiles as usual', async () => {
    const dir = tempDir('okr-code-cache-');
    const copy = join(dir, 'no-command.cjs');
    copyFileSync(NO_COMMAND, copy);
    expect(JSON.parse((await node(load(copy), [])).stdout)).toEqual({ cache: 'none', command: 'sync' });
    const real = readFileSync(join(REPO_ROOT, 'dist', 'no-command.v8-cache'));
    const damaged = Buffer.from(real);
    damaged.fill(0x5a, 0, 64); // its header: V8's version and flags hash, the source's hash
    writeFileSync(join(dir, 'no-command.v8-cache'), damaged);
    expect(JSON.parse((await node(load(copy), [])).stdout)).toEqual({ cache: 'rejected', command: 'sync' });
  });
});
