// `npm run bench`: runs every bench/*.bench.mjs in turn, each as its own child process (so one
// benchmark's memory and module cache never colour the next), and prints what each prints.
// Benchmarks measure the built CLI: dist/ must exist (`npm run bench` builds it first).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist', 'cli.js');
if (!existsSync(dist)) {
  console.error('error: dist/cli.js is missing: the benchmarks measure the built CLI.');
  console.error('hint: run `npm run build` (or `npm run bench`, which builds first).');
  process.exit(1);
}
const newestSource = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith('.ts'))
    .reduce((t, f) => Math.max(t, statSync(f).mtimeMs), 0);
if (newestSource(join(root, 'src')) > statSync(dist).mtimeMs) {
  console.error('warning: src/ changed after the last build; figures are for the old dist/ (run `npm run build`).');
}

const only = process.argv.slice(2);
const benches = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(import.meta.dirname, file)], { stdio: 'inherit', cwd: root });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed++;
    console.log(`=== ${file} failed (exit ${r.status ?? r.signal}) after ${secs} s ===`);
  } else {
    console.log(`=== ${file} done in ${secs} s ===`);
  }
}
process.exit(failed ? 1 : 0);
