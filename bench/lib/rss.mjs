// Runs bin/okr.js in this process and, on exit, writes its peak RSS and (on Linux) how much of the
// RSS at exit is anonymous memory vs file-backed pages (mostly the node binary's own code) to
// OKR_BENCH_RSS_FILE as JSON, in KiB.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'okr.js');
process.on('exit', () => {
  if (!process.env.OKR_BENCH_RSS_FILE) return;
  const out = { maxRss: process.resourceUsage().maxRSS };
  if (existsSync('/proc/self/status')) {
    for (const line of readFileSync('/proc/self/status', 'utf8').split('\n')) {
      const m = /^(RssAnon|RssFile):\s+(\d+)/.exec(line);
      if (m) out[m[1] === 'RssAnon' ? 'anonAtExit' : 'fileAtExit'] = Number(m[2]);
    }
  }
  writeFileSync(process.env.OKR_BENCH_RSS_FILE, JSON.stringify(out));
});
process.argv = [process.argv[0], bin, ...process.argv.slice(2)];
await import(pathToFileURL(bin).href);
