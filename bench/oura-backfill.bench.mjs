// A 2-year `okr sync oura --since 2y` against the Oura simulator (pages of 100 documents, as the
// simulator serves them; Oura documents no page size). Prints:
// - the API calls okr made, per collection, next to the minimum the API allows: one request per
//   page when the whole range is asked for at once (Oura takes any range);
// - resumability: a backfill SIGKILLed half-way through its pages (okr commits the days every
//   collection has passed as pages arrive): what was kept, what the second run asked for and
//   called, and whether the database then holds exactly the simulator's values.
// Figures only: nothing is asserted.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectedHome, loadOkr, REPO } from './lib/load.mjs';

const BIN = join(REPO, 'bin', 'okr.js');
const ZONE = 'America/New_York';
const okr = await loadOkr();
const sim = await okr.startOuraSimulator({ seed: 1, timeZone: ZONE, days: 800 });
const homes = [];

function run(args, env, { killAfterCalls } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, TZ: ZONE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // The simulator runs in this process: watch its count of API calls.
    const watch =
      killAfterCalls === undefined
        ? undefined
        : setInterval(() => {
            if ((sim.stats.api ?? 0) >= killAfterCalls) child.kill('SIGKILL');
          }, 2);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function home() {
  const h = await connectedHome(okr, sim, { pluginId: 'oura', accountId: sim.user.id });
  homes.push(h.home);
  return h;
}

function stored(dbFile) {
  const db = new Database(dbFile, { readonly: true });
  try {
    const out = new Map();
    for (const r of db
      .prepare("SELECT date, metric_name m, value FROM daily_metric_values WHERE source = 'oura'")
      .all()) {
      out.set(r.date, { ...out.get(r.date), [r.m.slice(5)]: r.value });
    }
    return out;
  } finally {
    db.close();
  }
}

function truth(from, to) {
  const out = new Map();
  for (const d of sim.data.days(from, to)) if (Object.keys(d.expected).length) out.set(d.date, d.expected);
  return out;
}

const same = (a, b) =>
  a.size === b.size &&
  [...a].every(
    ([k, v]) => JSON.stringify(Object.entries(v).sort()) === JSON.stringify(Object.entries(b.get(k) ?? {}).sort()),
  );

try {
  // A full backfill.
  const full = await home();
  sim.resetStats();
  const r = await run(['sync', 'oura', '--since', '2y', '--json'], full.env);
  if (r.code !== 0) throw new Error(`okr sync exited ${r.code}\n${r.stderr}`);
  const report = JSON.parse(r.stdout).plugins[0];
  const { from, to } = report;
  const perCollection = okr.OURA_COLLECTIONS.map((c) => ({
    c,
    made: sim.stats[c] ?? 0,
    min: sim.minimumCalls(c, from, to),
    docs: sim.data.documents(c, from, to).length,
  }));
  const minimum = perCollection.reduce((n, x) => n + x.min, 0);
  console.log(`2-year backfill ${from} .. ${to} (${okr.eachDate(from, to).length} days, ${report.chunks} chunks):`);
  for (const x of perCollection) {
    console.log(`  ${x.c.padEnd(16)} ${String(x.docs).padStart(5)} documents  calls ${x.made}  minimum ${x.min}`);
  }
  console.log(`  calls made: ${report.calls} (API ${sim.stats.api ?? 0}), minimum the API allows: ${minimum}`);
  console.log(`  values equal to the simulator's truth: ${same(stored(full.dbFile), truth(from, to)) ? 'yes' : 'NO'}`);

  // Killed half-way through the pages, then resumed. Each answer takes 30 ms, so the kill lands
  // while pages are in flight.
  const killed = await home();
  sim.resetStats();
  sim.faults.latencyMs = 30;
  const k = await run(['sync', 'oura', '--since', '2y'], killed.env, { killAfterCalls: Math.ceil(minimum / 2) });
  sim.faults.latencyMs = 0;
  const firstCalls = sim.stats.api ?? 0;
  const keptDays = [...stored(killed.dbFile).keys()].sort();
  sim.resetStats();
  const again = await run(['sync', 'oura', '--since', '2y', '--json'], killed.env);
  const resumed = JSON.parse(again.stdout).plugins[0];
  console.log(
    `resumability: killed (${k.signal ?? `exit ${k.code}`}) after ${firstCalls} calls with ${keptDays.length} days stored` +
      (keptDays.length ? ` (${keptDays[0]} .. ${keptDays.at(-1)});` : ';'),
  );
  console.log(
    `  the next run fetched ${resumed.days} of the ${okr.eachDate(from, to).length} days with ${resumed.calls} calls;`,
  );
  console.log(
    `  total ${firstCalls + resumed.calls} calls against ${minimum} uninterrupted; values equal to the simulator's truth: ${same(stored(killed.dbFile), truth(from, to)) ? 'yes' : 'NO'}`,
  );
} finally {
  await sim.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
}
