// Runs bin/okr.js in this process and writes its peak RSS (KiB) to OKR_BENCH_RSS_FILE on exit.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'okr.js');
process.on('exit', () => {
  if (process.env.OKR_BENCH_RSS_FILE)
    writeFileSync(process.env.OKR_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
process.argv = [process.argv[0], bin, ...process.argv.slice(2)];
await import(pathToFileURL(bin).href);
