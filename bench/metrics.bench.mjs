// Start-up cost of `okr metrics show --since 30d` on a database holding 10 years x 30 metrics
// (7 fitbit fields with full sync coverage, 23 manual metrics), and of `okr --help`, each as a
// ratio to bare `node -e ''` measured in the same run, interleaved, median of N.
// Targets (printed, not asserted): --help within 1.15x, metrics show within 1.45x.
// Needs `npm run build` (npm run bench does it).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadOkr, median } from './lib/load.mjs';
import { BIN, benchHome, fillTenYears } from './lib/ten-years.mjs';

const RUNS = Number(process.env.OKR_BENCH_RUNS ?? 21);

const okr = await loadOkr();
const bench = benchHome('okr-bench-metrics-');
const { home, env, okrRun } = bench;
const t0 = performance.now();
const { dates, values } = fillTenYears(okr, bench);
console.log(
  `database: ${values.toLocaleString('en-US')} values (${dates.length} days x 30 metrics), written in ${(performance.now() - t0).toFixed(0)} ms`,
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
