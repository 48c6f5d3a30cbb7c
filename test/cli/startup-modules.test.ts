/**
 * What the built CLI loads at start-up. Reading the database needs neither the network stack
 * (http, https, tls) nor child processes, and loading them costs start-up time on every
 * `okr metrics show`; they must stay behind the commands that use them. The speed itself is
 * measured by `npm run bench`; this checks the structure that keeps it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { BIN, runBin, tempDir, tempHome } from '../helpers/cli.js';
import { simulatorHome } from '../helpers/faults.js';

// Not `net`: Node itself loads it for a standard output that is a pipe, as it is here. `crypto`:
// only writing a file needs it (a temp name), and it costs ~5 ms and ~1.7 MB; `perf_hooks` (the
// `performance` global, ~0.8 ms) only timing that a read of stored values does not do.
const NOT_AT_START_UP = ['http', 'https', 'tls', 'child_process', 'dgram', 'crypto', 'perf_hooks'];

/** A preload that records which Node built-in modules a process loads, and reads them after it exited. */
function builtinsProbe(): { nodeOptions: string; loaded(): Set<string> } {
  const dir = tempDir('okr-probe-');
  const probe = join(dir, 'probe.cjs');
  const out = join(dir, 'modules.txt');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));`,
  );
  return {
    nodeOptions: `--require ${probe}`,
    loaded: () =>
      new Set(
        readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('NativeModule '))
          .map((l) => l.slice('NativeModule '.length)),
      ),
  };
}

/** Runs the built okr (output to pipes) and returns the Node built-in modules it loaded. */
async function builtinsLoadedBy(
  args: string[],
  home: string,
  env: Record<string, string> = { OKR_SECRETS: 'file' },
): Promise<Set<string>> {
  const probe = builtinsProbe();
  const r = await runBin(args, { home, env: { ...env, NODE_OPTIONS: probe.nodeOptions } });
  expect(r.code, r.stderr).toBe(0);
  return probe.loaded();
}

/** As builtinsLoadedBy, with standard output and error in a file, so Node itself loads no `net`. */
function builtinsLoadedWritingToFile(args: string[], home: string): Set<string> {
  const probe = builtinsProbe();
  const output = join(tempDir('okr-output-'), 'output.txt');
  const fd = openSync(output, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: { ...process.env, OKR_HOME: home, OKR_SECRETS: 'file', NODE_OPTIONS: probe.nodeOptions },
      stdio: ['ignore', fd, fd],
      timeout: 30_000,
    });
    expect(r.status, readFileSync(output, 'utf8')).toBe(0);
  } finally {
    closeSync(fd);
  }
  return probe.loaded();
}

describe('start-up modules', () => {
  it('with output to a file, `okr metrics show` and `okr --help` load no `net` either', async () => {
    const home = tempHome();
    expect((await runBin(['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number'], { home })).code).toBe(
      0,
    );
    expect((await runBin(['metrics', 'log', 'mood', '7'], { home })).code).toBe(0);
    for (const args of [['metrics', 'show', '--since', '7d'], ['--help']]) {
      const loaded = builtinsLoadedWritingToFile(args, home);
      expect(loaded.has('fs')).toBe(true);
      expect(loaded.has('net'), `okr ${args.join(' ')} loaded net`).toBe(false);
    }
  });

  it('`okr metrics show` and `okr --help` load no network, child-process, crypto or timing modules', async () => {
    const home = tempHome();
    const create = await runBin(['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number'], { home });
    expect(create.code).toBe(0);
    expect((await runBin(['metrics', 'log', 'mood', '7'], { home })).code).toBe(0);

    const show = await builtinsLoadedBy(['metrics', 'show', '--since', '7d'], home);
    // The probe sees the modules okr does load: the database driver's.
    expect(show.has('fs')).toBe(true);
    for (const m of NOT_AT_START_UP) expect(show.has(m), `metrics show loaded ${m}`).toBe(false);

    const help = await builtinsLoadedBy(['--help'], home);
    for (const m of NOT_AT_START_UP) expect(help.has(m), `--help loaded ${m}`).toBe(false);
    // Both run from CommonJS builds (bin/okr.js): no ES module is loaded (the ESM loader, ~7 ms).
    expect(help.has('internal/modules/esm/module_job'), '--help loaded an ES module').toBe(false);
    expect(show.has('internal/modules/esm/module_job'), 'metrics show loaded an ES module').toBe(false);
  });

  it('`okr sync` (with a token refresh) loads neither undici nor web streams: its own Response reads node:http', async () => {
    // ~9 MB resident for undici, ~3.5 ms and ~0.6 MB for web streams, on the way to every sync's
    // first answer (src/http/response.ts).
    const sim = await startSimulator({ seed: 3 });
    try {
      const h = await simulatorHome(sim, { credentials: { ...sim.issueTokens(), expiresAt: Date.now() - 1000 } });
      const sync = await builtinsLoadedBy(['sync', '--since', '3d', '--json'], h.home, h.env);
      expect(sim.stats['token:refresh_token']).toBe(1);
      expect(sync.has('http')).toBe(true);
      expect([...sync].filter((m) => /undici|webstreams\/readablestream/.test(m))).toEqual([]);
      // From its CommonJS build (bin/okr.js), like metrics show: no ES module loaded.
      expect(sync.has('internal/modules/esm/module_job'), 'sync loaded an ES module').toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('the probe does see the network stack when a command uses it (the demo runs a simulator)', async () => {
    const demo = await builtinsLoadedBy(['demo', '--days', '3'], tempHome());
    expect(demo.has('http')).toBe(true);
    // And an ES module is, when a command runs from the ES module build.
    expect(demo.has('internal/modules/esm/module_job')).toBe(true);
  });
});
