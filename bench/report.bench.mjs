// `okr report` on 10 years x 30 metrics (7 fitbit fields with full sync coverage, 23 manual
// metrics, one objective with three key results over the last year), for the three resolutions:
// - generating the page: wall time of the built CLI, next to `okr --help` (start-up) in the same run;
// - the page: its size, and how long headless Chromium (/usr/bin/chromium) takes from navigation
//   to the load event and to the first contentful paint, from file://, next to an empty page
//   loaded the same way (the browser's own floor). Target (printed, not asserted): load < 1000 ms.
// Median of N, interleaved. Needs `npm run build` (npm run bench does it).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadOkr, median } from './lib/load.mjs';
import { benchHome, fillTenYears } from './lib/ten-years.mjs';

const RUNS = Number(process.env.OKR_BENCH_RUNS ?? 7);
const LOAD_TARGET_MS = 1000;

const okr = await loadOkr();
const bench = benchHome('okr-bench-report-');
const { home, okrRun } = bench;
const { dates } = fillTenYears(okr, bench);
const today = okr.localDate(new Date());
okrRun(['objective', 'add', 'Bench', '--period', `${okr.addDays(today, -364)}..${today}`]);
for (const kr of [
  ['Steps', '--metric', 'fitbit.steps', '--agg', 'sum', '--target', '3000000'],
  ['Sleep', '--metric', 'fitbit.sleepLength', '--agg', 'avg', '--target', '>= 7:00'],
  [
    'Active',
    '--metric',
    'fitbit.activeZoneMinutes',
    '--agg',
    'days',
    '--where',
    '>= 30',
    '--per',
    'week',
    '--target',
    '>= 3',
  ],
]) {
  okrRun(['kr', 'add', kr[0], '--objective', '1', ...kr.slice(1)]);
}

console.log(`database: ${(dates.length * 30).toLocaleString('en-US')} values (${dates.length} days x 30 metrics)`);

// Day, week and month resolution: the most points per chart is the weekly one near its limit.
const cases = {
  '--since 1y (days)': ['--since', '1y'],
  '--since 7y (weeks)': ['--since', '7y'],
  '--since 10y (months)': ['--since', '10y'],
};
const out = mkdtempSync(join(tmpdir(), 'okr-bench-report-out-'));
const empty = join(out, 'empty.html');
writeFileSync(
  empty,
  '<!doctype html><html><head><meta charset="utf-8"><title>empty</title></head><body><p>empty</p></body></html>',
);

const gen = Object.fromEntries([['okr --help', []], ...Object.keys(cases).map((k) => [k, []])]);
const files = {};
for (let i = 0; i < RUNS; i++) {
  gen['okr --help'].push(okrRun(['--help']).ms);
  for (const [k, args] of Object.entries(cases)) {
    const file = join(out, `${k.replace(/\W+/g, '_')}.html`);
    files[k] = file;
    gen[k].push(okrRun(['report', ...args, '-o', file]).ms);
  }
}
const json = JSON.parse(okrRun(['report', '--since', '10y', '--json']).stdout);
const points = json.metrics.reduce((n, m) => n + m.points.length, 0);
if (json.resolution !== 'month' || json.metrics.length !== 30)
  throw new Error(`unexpected report: ${json.resolution}, ${json.metrics.length} metrics`);

console.log(`\ngenerating the page, ${RUNS} interleaved runs (median)`);
const help = median(gen['okr --help']);
for (const [k, xs] of Object.entries(gen)) {
  const m = median(xs);
  const size = files[k] ? `  ${(statSync(files[k]).size / 1024).toFixed(0).padStart(5)} KB` : '';
  console.log(`  ${k.padEnd(24)} ${m.toFixed(0).padStart(6)} ms  ${(m / help).toFixed(2)}x --help${size}`);
}
console.log(`  10y: ${points} points over 30 charts (text metrics have none)`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
async function load(file) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const t = performance.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const wall = performance.now() - t;
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { load: nav.loadEventEnd - nav.startTime, fcp: fcp ? fcp.startTime : Number.NaN };
  });
  await page.close();
  return { wall, ...timing };
}
const loads = Object.fromEntries([['empty page', []], ...Object.keys(cases).map((k) => [k, []])]);
const all = { 'empty page': empty, ...files };
for (let i = 0; i < RUNS; i++) for (const [k, f] of Object.entries(all)) loads[k].push(await load(f));
await browser.close();

// A page with almost nothing to paint may report no first contentful paint.
const ms = (xs) => (xs.length ? `${median(xs).toFixed(0)} ms` : '-').padStart(7);
console.log(`\nloading in headless Chromium at 1280 px, ${RUNS} interleaved runs (median)`);
for (const [k, xs] of Object.entries(loads)) {
  const wall = median(xs.map((x) => x.wall));
  const verdict =
    k === 'empty page' ? '' : `  (target < ${LOAD_TARGET_MS} ms: ${wall < LOAD_TARGET_MS ? 'met' : 'NOT met'})`;
  const load = ms(xs.map((x) => x.load));
  const paint = ms(xs.map((x) => x.fcp).filter(Number.isFinite));
  console.log(
    `  ${k.padEnd(24)} load event ${load}  first paint ${paint}  goto ${ms(xs.map((x) => x.wall))}${verdict}`,
  );
}
rmSync(home, { recursive: true, force: true });
rmSync(out, { recursive: true, force: true });
