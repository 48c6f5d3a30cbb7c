// What the OS keychain costs `okr sync`: the 7-day sync of bench/sync.bench.mjs (simulator, 150 ms
// latency on every response) with the tokens in the keychain against the same sync with them in
// the plain-text store, interleaved, median of N pairs. sync.bench.mjs keeps tokens in the file,
// so its figures leave this out; a user's default store is the keychain.
// The keychain is a throwaway gnome-keyring on a private D-Bus session (scripts/with-keyring.sh,
// as the tests use): the user's own keyring and home are never touched. Without dbus-run-session
// and gnome-keyring-daemon, it says so and measures nothing. Figures only: nothing is asserted.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { connectedHome, loadOkr, median, REPO, runNode } from './lib/load.mjs';

const LATENCY_MS = 150;
const RUNS = Number(process.env.OKR_BENCH_RUNS ?? 15);
const BIN = join(REPO, 'bin', 'okr.js');

if (!process.env.OKR_TEST_IN_KEYRING) {
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0) {
    console.log(`skipped: ${missing.join(' and ')} not found (a Secret Service is needed to measure the keychain)`);
    process.exit(0);
  }
  const r = spawnSync('bash', [join(REPO, 'scripts', 'with-keyring.sh'), process.execPath, import.meta.filename], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

async function syncMs(env) {
  const r = await runNode(BIN, ['sync', '--since', '7d', '--json'], env);
  if (r.code !== 0) throw new Error(`okr sync --since 7d exited ${r.code}\n${r.stderr}`);
  return r.ms;
}

const okr = await loadOkr();
const sim = await okr.startSimulator({ seed: 1 });
console.log(
  `okr sync --since 7d, tokens in the OS keychain (a throwaway gnome-keyring) against the plain-text store, ${LATENCY_MS} ms latency, ${RUNS} interleaved runs (median)`,
);
for (const expired of [false, true]) {
  const wall = { file: [], keychain: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const store of ['file', 'keychain']) {
      // A fresh home per run, so that each run does the same work (a refresh when expired).
      const home = await connectedHome(okr, sim, { expired, store });
      sim.faults.latencyMs = LATENCY_MS;
      try {
        wall[store].push(await syncMs(home.env));
      } finally {
        sim.faults.latencyMs = 0;
      }
    }
  }
  const file = median(wall.file);
  const keychain = median(wall.keychain);
  console.log(
    `  ${expired ? 'expired token (a refresh first)' : 'valid token                    '}  file ${file.toFixed(0)} ms, keychain ${keychain.toFixed(0)} ms: ${keychain >= file ? '+' : ''}${(keychain - file).toFixed(0)} ms (${(keychain / file).toFixed(2)}x)`,
  );
}
console.log(
  '  (a process that reads a secret loads @napi-rs/keyring and makes one entry per secret, ~10 ms each on Linux: src/store/secrets.ts)',
);
await sim.close();
