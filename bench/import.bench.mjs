// `okr import apple-health` on a generated 1 GB export.xml (in a temp folder, removed after):
// peak RSS and throughput, against two baselines measured in the same run on the same machine:
// the peak RSS of `okr --version` (what any okr process costs) and the raw read throughput of
// the same file (a stream that only counts bytes). Figures only: nothing is asserted.
// The export has what a Watch wearer's has: mostly heart-rate records okr does not read (they
// are counted), steps and energy from iPhone and Watch, sleep stages, daily RHR and HRV.
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const RSS = join(REPO, 'bench', 'lib', 'rss.mjs');
const TARGET_BYTES = Number(process.env.OKR_BENCH_IMPORT_BYTES ?? 1e9);
const dir = mkdtempSync(join(tmpdir(), 'okr-bench-import-'));

const DEVICE =
  ' device="&lt;&lt;HKDevice: 0x283e7c2d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.1&gt;"';
const pad = (n) => String(n).padStart(2, '0');

function generate(file) {
  const fd = openSync(file, 'wx', 0o600);
  let size = 0;
  const parts = [];
  const flush = () => {
    const buf = Buffer.from(parts.join(''));
    writeSync(fd, buf);
    size += buf.length;
    parts.length = 0;
  };
  parts.push(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!-- HealthKit Export Version: 12 -->\n<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>\n<!ATTLIST VisionPrescription\n  type CDATA #REQUIRED\n]>\n<HealthData locale="en_US">\n <ExportDate value="2026-11-30 09:00:00 +0100"/>\n',
  );
  let day = Date.UTC(2012, 0, 1);
  let records = 0;
  while (size < TARGET_BYTES) {
    const d = new Date(day).toISOString().slice(0, 10);
    const t = (min) => `${d} ${pad(Math.floor(min / 60) % 24)}:${pad(min % 60)}:00 +0100`;
    const rec = (type, source, unit, start, end, value, device = '') =>
      ` <Record type="${type}" sourceName="${source}" sourceVersion="17.1"${device} unit="${unit}" creationDate="${t(end)}" startDate="${t(start)}" endDate="${t(end)}" value="${value}"/>\n`;
    for (let m = 0; m < 1440; m += 4)
      parts.push(rec('HKQuantityTypeIdentifierHeartRate', 'Apple Watch', 'count/min', m, m, 60 + (m % 40), DEVICE));
    for (let m = 420; m < 1320; m += 6) {
      parts.push(rec('HKQuantityTypeIdentifierStepCount', 'iPhone', 'count', m, m + 5, 40 + (m % 30)));
      parts.push(rec('HKQuantityTypeIdentifierStepCount', 'Apple Watch', 'count', m, m + 5, 45 + (m % 30), DEVICE));
      parts.push(rec('HKQuantityTypeIdentifierActiveEnergyBurned', 'Apple Watch', 'kcal', m, m + 5, 3.2, DEVICE));
    }
    for (let k = 0; k < 8; k++) {
      const v = ['AsleepCore', 'AsleepDeep', 'AsleepREM', 'Awake'][k % 4];
      parts.push(
        ` <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Apple Watch"${DEVICE} creationDate="${t(420)}" startDate="${t(k * 50)}" endDate="${t(k * 50 + 50)}" value="HKCategoryValueSleepAnalysis${v}"/>\n`,
      );
    }
    parts.push(rec('HKQuantityTypeIdentifierRestingHeartRate', 'Apple Watch', 'count/min', 600, 600, 55, DEVICE));
    parts.push(rec('HKQuantityTypeIdentifierHeartRateVariabilitySDNN', 'Apple Watch', 'ms', 180, 181, 42.5, DEVICE));
    records += 360 + 150 * 3 + 8 + 2;
    flush();
    day += 86_400_000;
  }
  parts.push('</HealthData>\n');
  flush();
  closeSync(fd);
  return { size, records, days: Math.round((day - Date.UTC(2012, 0, 1)) / 86_400_000) };
}

function runNode(args, env) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, out, err, ms: performance.now() - t0 }));
  });
}

async function okrWithRss(args, env) {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}.json`);
  const r = await runNode([RSS, ...args], { ...env, OKR_BENCH_RSS_FILE: rssFile });
  return { ...r, rss: JSON.parse(readFileSync(rssFile, 'utf8')) };
}

async function rawRead(file) {
  const t0 = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(file)) bytes += chunk.length;
  return { bytes, ms: performance.now() - t0 };
}

const mb = (bytes) => bytes / 1e6;
try {
  const file = join(dir, 'export.xml');
  const t0 = performance.now();
  const gen = generate(file);
  console.log(
    `generated export.xml: ${mb(gen.size).toFixed(0)} MB, ${gen.records.toLocaleString('en')} records over ${gen.days} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const home = join(dir, 'home');
  const base = await okrWithRss(['--version'], { OKR_HOME: home });
  const raw = await rawRead(file);
  const imp = await okrWithRss(['import', 'apple-health', file, '--json'], {
    OKR_HOME: home,
    TZ: 'Europe/Berlin',
    NODE_OPTIONS: process.env.OKR_BENCH_NODE_OPTIONS ?? '',
  });
  if (imp.code !== 0) throw new Error(`okr import failed (${imp.code}): ${imp.err}`);
  const report = JSON.parse(imp.out);
  const size = statSync(file).size;
  console.log(`baseline okr --version: peak RSS ${(base.rss.maxRss / 1024).toFixed(1)} MB`);
  console.log(
    `baseline raw read of the file: ${(mb(raw.bytes) / (raw.ms / 1000)).toFixed(0)} MB/s (${(raw.ms / 1000).toFixed(1)} s)`,
  );
  console.log(
    `okr import apple-health: ${(imp.ms / 1000).toFixed(1)} s, ${(mb(size) / (imp.ms / 1000)).toFixed(0)} MB/s (${(mb(size) / (imp.ms / 1000) / (mb(raw.bytes) / (raw.ms / 1000))).toFixed(2)}x raw read), peak RSS ${(imp.rss.maxRss / 1024).toFixed(1)} MB (${(imp.rss.maxRss / base.rss.maxRss).toFixed(2)}x okr --version), ${report.days} days, ${report.written} values written`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
