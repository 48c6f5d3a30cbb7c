/**
 * SIGTERM (`systemctl stop`, a shutdown, systemd's TimeoutStartSec, `kill`) and SIGHUP end a
 * running `okr sync` the way the first Ctrl-C does: it stops at a safe point, marks its run
 * `interrupted`, releases its lock, and exits with the code a shell reports for the signal (143,
 * 129). The built binary against the simulator, with a hard deadline. Needs `npm run build`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { simulatorHome, spawnOkr, syncRunRows } from '../helpers/faults.js';

const DEADLINE_MS = 20_000;
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 9 });
  // Slow answers: the sync is still on the wire when the signal comes.
  sim.faults.latencyMs = 400;
});
afterAll(() => sim.close());

describe.each([
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('%s during a sync', (signal, code) => {
  it(`stops at a safe point: run row interrupted, lock released, exit ${code}`, async () => {
    const h = await simulatorHome(sim, { prefix: 'okr-signal-' });
    const p = spawnOkr(['sync', 'fitbit', '--since', '2y'], { home: h.home, env: h.env });
    const timer = setTimeout(() => p.child.kill('SIGKILL'), DEADLINE_MS);
    try {
      // Until the sync has started its chunks (its run row and lock exist), then the signal.
      for (let i = 0; i < 200 && !/fitbit: syncing /.test(p.stdout()); i++) await new Promise((r) => setTimeout(r, 25));
      expect(p.stdout()).toMatch(/fitbit: syncing /);
      p.child.kill(signal);
      const r = await p.done;
      expect(r.signal, `killed at the deadline or by ${signal} itself:\n${r.stdout}\n${r.stderr}`).toBeNull();
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(/fitbit: interrupted after /);
      if (signal === 'SIGTERM') expect(r.stderr).toContain('Terminated (SIGTERM); finishing the current step.');
      expect(syncRunRows(h.dbFile).map((x) => x.status)).toEqual(['interrupted']);
      expect(readdirSync(join(h.home, 'state', 'locks'))).toEqual([]);
    } finally {
      clearTimeout(timer);
    }
  });
});
