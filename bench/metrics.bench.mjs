// Start-up cost of `okr metrics show --since 30d` on a database holding 10 years x 30 metrics
// (7 fitbit fields with full sync coverage, 23 manual metrics), and of `okr --help`, each as a
// ratio to bare `node -e ''` measured in the same run, interleaved, median of N.
// Targets (printed, not asserted): --help within 1.4x, metrics show within 1.6x.
// Needs `npm run build` (npm run bench does it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOkr, median, REPO } from './lib/load.mjs';

const BIN = join(REPO, 'bin', 'okr.js');
const RUNS = Number(process.env.OKR_BENCH_RUNS ?? 21);
const YEARS = 10;
const FITBIT = ['sleepLength', 'wakeUpTime', 'bedTime', 'steps', 'restingHeartRate', 'hrv', 'activeZoneMinutes'];
const MANUAL_TYPES = ['number', 'duration', 'time', 'boolean', 'number', 'text'];

const okr = await loadOkr();
const home = mkdtempSync(join(tmpdir(), 'okr-bench-metrics-'));
const env = { ...process.env, OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1' };

function okrRun(args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`okr ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return r;
}

// The template, through the real command: 7 synced fields and 23 manual metrics.
const manual = Array.from({ length: 23 }, (_, i) => ({
  name: `m${i + 1}`,
  type: MANUAL_TYPES[i % MANUAL_TYPES.length],
}));
const specs = [...FITBIT.map((f) => `fitbit.${f}`), ...manual.map((m) => `M${m.name.slice(1)}:${m.type}`)];
okrRun(['metrics', 'template', 'create', 'bench', ...specs.flatMap((s) => ['--metric', s])]);

// Ten years of values, one transaction; fitbit connected with every date covered, so the read
// path checks coverage and finds nothing to fetch (the state of a long-time user).
const ctx = okr.createContext({ env, homedir: home });
const db = ctx.db();
const today = okr.localDate(new Date());
const dates = okr.eachDate(okr.addDays(today, -(365 * YEARS + 2)), today);
let rows = 0;
const t0 = performance.now();
db.transaction(() => {
  okr.recordConnected(db, {
    pluginId: 'fitbit',
    accountId: 'bench',
    connectedAt: new Date().toISOString(),
    tokenStore: 'file',
  });
  const put = db.prepare(
    "INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z')",
  );
  dates.forEach((date, i) => {
    const fitbit = [
      420 + (i % 90),
      400 + (i % 120),
      (1380 + i * 7) % 1440,
      6000 + ((i * 37) % 9000),
      50 + (i % 15),
      30 + (i % 40),
      i % 60,
    ];
    for (const [k, f] of FITBIT.entries()) put.run(date, `fitbit.${f}`, fitbit[k], 'fitbit');
    manual.forEach((m, k) => {
      const v = {
        number: (i + k) % 10,
        duration: 30 + ((i + k) % 90),
        time: (1320 + i + k) % 1440,
        boolean: (i + k) % 2,
        text: `note ${i}`,
      }[m.type];
      put.run(date, m.name, v, 'manual');
    });
    rows += FITBIT.length + manual.length;
  });
  okr.markCoverage(db, 'fitbit', dates, new Set(), new Date().toISOString());
})();
ctx.close();
console.log(
  `database: ${rows.toLocaleString('en-US')} values (${dates.length} days x ${FITBIT.length + manual.length} metrics), written in ${(performance.now() - t0).toFixed(0)} ms`,
);

// Sanity: the command under measurement really shows 30 rows (the 30 days ending today) of 30 metrics.
const check = JSON.parse(okrRun(['metrics', 'show', '--since', '30d', '--json']).stdout);
if (check.days.length !== 30 || check.metrics.length !== 30 || check.live.length !== 0) {
  throw new Error(
    `unexpected show output: ${check.days.length} days, ${check.metrics.length} metrics, ${check.live.length} fetches`,
  );
}

function time(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return performance.now() - t;
}

const cases = {
  "node -e ''": ['-e', ''],
  'okr --help': [BIN, '--help'],
  'okr metrics show --since 30d': [BIN, 'metrics', 'show', '--since', '30d'],
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < 3; i++) for (const args of Object.values(cases)) time(args); // warm the file cache
for (let i = 0; i < RUNS; i++) for (const [k, args] of Object.entries(cases)) samples[k].push(time(args));

const base = median(samples["node -e ''"]);
// Issue 19's targets: ratios to bare `node -e ''` in the same run.
const targets = { 'okr --help': 1.15, 'okr metrics show --since 30d': 1.45 };
console.log(`\nstart-up, ${RUNS} interleaved runs (median, and min in brackets)`);
for (const [k, xs] of Object.entries(samples)) {
  const m = median(xs);
  const target = targets[k];
  const verdict = target ? `  (target ${target}x: ${m / base <= target ? 'met' : 'NOT met'})` : '';
  const min = Math.min(...xs);
  console.log(
    `  ${k.padEnd(30)} ${m.toFixed(1).padStart(6)} ms [${min.toFixed(1)}]  ${(m / base).toFixed(2)}x${verdict}`,
  );
}
const own = median(samples['okr metrics show --since 30d']) - median(samples['okr --help']);
console.log(
  `  metrics show minus --help: ${own.toFixed(1)} ms (database, read path, table; the rest is shared start-up)`,
);
rmSync(home, { recursive: true, force: true });
