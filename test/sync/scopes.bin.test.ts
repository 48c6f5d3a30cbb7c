/**
 * A sign-in with one box left unticked (no sleep scope): the built `okr sync` imports the data
 * types that were granted, names the missing ones (field, scope, fix) and exits 4; `okr status`
 * and `okr doctor` then give the same fix for the problem they read back from the database.
 * Needs `npm run build` first (npm test does it).
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE_PREFIX, SCOPES } from '../../src/plugins/fitbit/fields.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runBin } from '../helpers/cli.js';
import { type Home, simulatorHome } from '../helpers/faults.js';
import { allValues, connectionRow } from './helpers.js';

let sim: Simulator;
const homes: Home[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h.home, { recursive: true, force: true });
});

async function homeWithout(scope: string, opts: { forgetGrantedScopes?: boolean } = {}): Promise<Home> {
  const credentials = sim.issueTokens([SCOPES.activity, SCOPES.healthMetrics, SCOPES.sleep].filter((s) => s !== scope));
  // Some providers do not say which scopes they granted: then the 403 of the data type tells.
  if (opts.forgetGrantedScopes) delete credentials.scope;
  const h = await simulatorHome(sim, { credentials, prefix: 'okr-scope-' });
  homes.push(h);
  return h;
}

const NOTE = "(tick every checkbox on the provider's consent screen)";
/** What status and doctor print after "fix:", and the hint sync prints when it happens. */
const FIX = `okr connect fitbit ${NOTE}`;
const SYNC_HINT = `hint: Run \`okr connect fitbit\` ${NOTE}.`;
const SLEEP_FIELDS = ['fitbit.sleepLength', 'fitbit.wakeUpTime', 'fitbit.bedTime'];

describe('one scope left unticked', () => {
  for (const forgetGrantedScopes of [false, true]) {
    it(`syncs the granted data types, names the missing one and exits 4 (${forgetGrantedScopes ? 'learnt from the 403' : 'from the stored grant'})`, async () => {
      const h = await homeWithout(SCOPES.sleep, { forgetGrantedScopes });
      const r = await runBin(['sync'], { home: h.home, env: h.env });
      expect(r.code, r.stderr).toBe(4);
      const values = allValues(h.dbFile);
      const metrics = new Set(values.map((v) => v.metric_name));
      expect(metrics.has('fitbit.steps')).toBe(true);
      expect(metrics.has('fitbit.restingHeartRate')).toBe(true);
      for (const f of SLEEP_FIELDS) expect(metrics.has(f)).toBe(false);
      const out = r.stdout + r.stderr;
      for (const f of SLEEP_FIELDS) expect(out).toContain(f);
      expect(out).toContain(SCOPES.sleep);
      expect(r.stderr).toContain(SYNC_HINT);
      expect(connectionRow(h.dbFile)).toMatchObject({ last_sync_status: 'partial', last_error_kind: 'scope' });
    });
  }

  it('a grant with no data scope at all fails the sync (exit 1) with the same fix', async () => {
    const credentials = sim.issueTokens([`${SCOPE_PREFIX}profile.readonly`]);
    const h = await simulatorHome(sim, { credentials, prefix: 'okr-scope-' });
    homes.push(h);
    const r = await runBin(['sync'], { home: h.home, env: h.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(SYNC_HINT);
    expect(allValues(h.dbFile)).toEqual([]);
  });

  it('sync, status and doctor print the same fix for the stored problem', async () => {
    const h = await homeWithout(SCOPES.sleep);
    const sync = await runBin(['sync'], { home: h.home, env: h.env });
    expect(sync.code).toBe(4);
    const status = await runBin(['status'], { home: h.home, env: h.env });
    const doctor = await runBin(['doctor'], { home: h.home, env: h.env });
    const statusLines = status.stdout.split('\n');
    const j = statusLines.findIndex((l) => l.includes('last sync was partial'));
    expect(j, status.stdout).toBeGreaterThan(0);
    expect(statusLines[j]).toContain(SCOPES.sleep);
    expect(statusLines[j + 1]!.trim()).toBe(`fix: ${FIX}`);
    const doctorLines = doctor.stdout.split('\n');
    const i = doctorLines.findIndex((l) => l.includes('fitbit: last sync'));
    expect(doctorLines[i], doctor.stdout).toContain('partial');
    expect(doctorLines[i + 1]!.trim()).toBe(`fix: ${FIX}`);
    expect(sync.stderr).toContain(SYNC_HINT);
  });

  it('a failed sync of another kind: the three say the same command too', async () => {
    const h = await homeWithout('none');
    // The provider is down: a transient error, retried, then given up.
    sim.faults.status500 = 1_000_000;
    try {
      const sync = await runBin(['sync'], { home: h.home, env: h.env });
      expect(sync.code).toBe(1);
      expect(sync.stderr).toContain('`okr sync fitbit`');
    } finally {
      sim.faults.status500 = 0;
    }
    const status = await runBin(['status'], { home: h.home, env: h.env });
    const doctor = await runBin(['doctor'], { home: h.home, env: h.env });
    const fix = 'okr sync fitbit (later; a scheduled sync retries on its own)';
    expect(status.stdout).toContain(`fix: ${fix}`);
    expect(doctor.stdout).toContain(`fix: ${fix}`);
  });
});
