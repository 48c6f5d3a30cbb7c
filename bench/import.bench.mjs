// `okr import apple-health` on generated exports of ten years (in a temp folder, removed after):
// a 1 GB export.xml, the same file inside an export.zip (read in place, never unpacked), and a
// 2 GB export.xml of the same ten years with twice as many records a day. Peak RSS and
// throughput of each, against baselines measured in the same run on the same machine: the peak
// RSS of `okr --version` (what any okr process costs) and the raw read throughput of the file (a
// stream that only counts bytes). Figures only: nothing is asserted; the target is printed beside.
//
// The bound: memory follows the number of days of history (a few hundred bytes per day and
// field), never the size of the file, so the 1 GB and 2 GB runs, which hold the same days, must
// peak at the same RSS. OKR_BENCH_IMPORT_BYTES sets the smaller size; OKR_BENCH_IMPORT_2GB=0
// skips the doubled run.
//
// The export has what a Watch wearer's has: mostly heart-rate records okr does not read (they
// are counted), steps and energy from iPhone and Watch, sleep stages, daily RHR and HRV.
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, createDeflateRaw } from 'node:zlib';
import { runNode } from './lib/load.mjs';

const REPO = resolve(import.meta.dirname, '..');
const RSS = join(REPO, 'bench', 'lib', 'rss.mjs');
const BYTES = Number(process.env.OKR_BENCH_IMPORT_BYTES ?? 1e9);
const DOUBLED = process.env.OKR_BENCH_IMPORT_2GB !== '0';
const FROM = Date.UTC(2016, 0, 1);
const DAYS = 3653; // 2016-01-01 to 2025-12-31
/** The target: peak RSS at most this, and the doubled file within TARGET_SPREAD_MB of the first. */
const TARGET_MB = 150;
const TARGET_SPREAD_MB = 10;
const dir = mkdtempSync(join(tmpdir(), 'okr-bench-import-'));

const DEVICE =
  ' device="&lt;&lt;HKDevice: 0x283e7c2d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.1&gt;"';
const pad = (n) => String(n).padStart(2, '0');

/** Writes an export.xml of about `target` bytes over DAYS days: the heart rate's density fills it. */
function generate(file, target) {
  const fd = openSync(file, 'wx', 0o600);
  let size = 0;
  const write = (s) => {
    const buf = Buffer.from(s);
    writeSync(fd, buf);
    size += buf.length;
  };
  write(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!-- HealthKit Export Version: 12 -->\n<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>\n<!ATTLIST VisionPrescription\n  type CDATA #REQUIRED\n]>\n<HealthData locale="en_US">\n <ExportDate value="2026-11-30 09:00:00 +0100"/>\n',
  );
  let records = 0;
  let heartRates = 0;
  for (let day = 0; day < DAYS; day++) {
    const d = new Date(FROM + day * 86_400_000).toISOString().slice(0, 10);
    const t = (sec) =>
      `${d} ${pad(Math.floor(sec / 3600) % 24)}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)} +0100`;
    const rec = (type, source, unit, start, end, value, device = '') =>
      ` <Record type="${type}" sourceName="${source}" sourceVersion="17.1"${device} unit="${unit}" creationDate="${t(end)}" startDate="${t(start)}" endDate="${t(end)}" value="${value}"/>\n`;
    const parts = [];
    for (let m = 420; m < 1320; m += 6) {
      parts.push(rec('HKQuantityTypeIdentifierStepCount', 'iPhone', 'count', m * 60, m * 60 + 300, 40 + (m % 30)));
      parts.push(
        rec('HKQuantityTypeIdentifierStepCount', 'Apple Watch', 'count', m * 60, m * 60 + 300, 45 + (m % 30), DEVICE),
      );
      parts.push(
        rec('HKQuantityTypeIdentifierActiveEnergyBurned', 'Apple Watch', 'kcal', m * 60, m * 60 + 300, 3.2, DEVICE),
      );
    }
    for (let k = 0; k < 8; k++) {
      const v = ['AsleepCore', 'AsleepDeep', 'AsleepREM', 'Awake'][k % 4];
      parts.push(
        ` <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Apple Watch"${DEVICE} creationDate="${t(25200)}" startDate="${t(k * 3000)}" endDate="${t(k * 3000 + 3000)}" value="HKCategoryValueSleepAnalysis${v}"/>\n`,
      );
    }
    parts.push(rec('HKQuantityTypeIdentifierRestingHeartRate', 'Apple Watch', 'count/min', 36000, 36000, 55, DEVICE));
    parts.push(
      rec('HKQuantityTypeIdentifierHeartRateVariabilitySDNN', 'Apple Watch', 'ms', 10800, 10860, 42.5, DEVICE),
    );
    records += parts.length;
    // Heart rate fills what is left of the day's share of the target.
    const fixed = Buffer.byteLength(parts.join(''));
    const hr = (sec) =>
      rec('HKQuantityTypeIdentifierHeartRate', 'Apple Watch', 'count/min', sec, sec, 60 + (sec % 40), DEVICE);
    const perDay = Math.max(0, Math.floor(((target - size) / (DAYS - day) - fixed) / Buffer.byteLength(hr(0))));
    for (let k = 0; k < perDay; k++) parts.push(hr(Math.floor((k * 86_400) / perDay)));
    records += perDay;
    heartRates = Math.max(heartRates, perDay);
    write(parts.join(''));
  }
  write('</HealthData>\n');
  closeSync(fd);
  return { size, records, heartRates };
}

/** export.zip holding `xml` as apple_health_export/export.xml, deflated as a stream (one entry, no zip64). */
async function zipExport(xml, zipFile) {
  const name = Buffer.from('apple_health_export/export.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0808, 6); // sizes and CRC in a data descriptor after the data; UTF-8 name
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(0x6000, 10);
  local.writeUInt16LE(0x5b7e, 12); // 2025-11-30 12:00
  local.writeUInt16LE(name.length, 26);
  const out = createWriteStream(zipFile, { mode: 0o600 });
  out.write(local);
  out.write(name);
  let crc = 0;
  let raw = 0;
  let packed = 0;
  const deflate = createDeflateRaw({ level: 1 });
  deflate.on('data', (chunk) => {
    packed += chunk.length;
    if (!out.write(chunk)) deflate.pause();
  });
  out.on('drain', () => deflate.resume());
  for await (const chunk of createReadStream(xml)) {
    crc = crc32(chunk, crc);
    raw += chunk.length;
    if (!deflate.write(chunk)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  const desc = Buffer.alloc(16);
  desc.writeUInt32LE(0x08074b50, 0);
  desc.writeUInt32LE(crc >>> 0, 4);
  desc.writeUInt32LE(packed, 8);
  desc.writeUInt32LE(raw, 12);
  out.write(desc);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0808, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(0x6000, 12);
  central.writeUInt16LE(0x5b7e, 14);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(packed, 20);
  central.writeUInt32LE(raw, 24);
  central.writeUInt16LE(name.length, 28);
  out.write(central);
  out.write(name);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + packed + desc.length, 16);
  out.end(end);
  await once(out, 'close');
  return statSync(zipFile).size;
}

async function okrWithRss(args, env) {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}.json`);
  const r = await runNode(RSS, args, { ...env, OKR_BENCH_RSS_FILE: rssFile });
  return { ...r, rss: JSON.parse(readFileSync(rssFile, 'utf8')) };
}

async function rawRead(file) {
  const t0 = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(file)) bytes += chunk.length;
  return { bytes, ms: performance.now() - t0 };
}

const mb = (bytes) => bytes / 1e6;
const rssMb = (r) => r.rss.maxRss / 1024;
let homes = 0;
/** One import into a fresh home (every value is written, as in a first import). */
async function importRun(label, file, uncompressed, raw, base) {
  const home = join(dir, `home-${homes++}`);
  mkdirSync(home);
  const imp = await okrWithRss(['import', 'apple-health', file, '--json'], {
    OKR_HOME: home,
    TZ: 'Europe/Berlin',
    NODE_OPTIONS: process.env.OKR_BENCH_NODE_OPTIONS ?? '',
  });
  if (imp.code !== 0) throw new Error(`okr import failed (${imp.code}): ${imp.stderr}`);
  const report = JSON.parse(imp.stdout);
  const rate = mb(uncompressed) / (imp.ms / 1000);
  const rawRate = mb(raw.bytes) / (raw.ms / 1000);
  console.log(
    `okr import apple-health ${label}: ${(imp.ms / 1000).toFixed(1)} s, ${rate.toFixed(0)} MB/s of XML (${(rate / rawRate).toFixed(2)}x raw read), peak RSS ${rssMb(imp).toFixed(1)} MB (${(imp.rss.maxRss / base.rss.maxRss).toFixed(2)}x okr --version), ${report.days} days, ${report.written} values written`,
  );
  return imp;
}

try {
  const base = await okrWithRss(['--version'], { OKR_HOME: join(dir, 'home-version') });
  console.log(`baseline okr --version: peak RSS ${rssMb(base).toFixed(1)} MB`);
  console.log(
    `target: peak RSS <= ${TARGET_MB} MB whatever the file's size (the ${mb(BYTES * 2).toFixed(0)} MB file within ${TARGET_SPREAD_MB} MB of the ${mb(BYTES).toFixed(0)} MB one: same ten years, twice the records a day)`,
  );

  const peaks = [];
  for (const bytes of DOUBLED ? [BYTES, BYTES * 2] : [BYTES]) {
    const file = join(dir, `export-${bytes}.xml`);
    const t0 = performance.now();
    const gen = generate(file, bytes);
    console.log(
      `\ngenerated export.xml: ${mb(gen.size).toFixed(0)} MB, ${gen.records.toLocaleString('en')} records over ${DAYS} days (up to ${gen.heartRates} heart rates a day) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const raw = await rawRead(file);
    console.log(
      `baseline raw read of the file: ${(mb(raw.bytes) / (raw.ms / 1000)).toFixed(0)} MB/s (${(raw.ms / 1000).toFixed(1)} s)`,
    );
    const xml = await importRun(`${mb(gen.size).toFixed(0)} MB export.xml`, file, gen.size, raw, base);
    peaks.push(rssMb(xml));
    if (bytes === BYTES) {
      const zip = join(dir, 'export.zip');
      const t1 = performance.now();
      const zipSize = await zipExport(file, zip);
      console.log(
        `zipped it: export.zip ${mb(zipSize).toFixed(0)} MB (deflate level 1) in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      peaks.push(
        rssMb(await importRun(`${mb(zipSize).toFixed(0)} MB export.zip (read in place)`, zip, gen.size, raw, base)),
      );
      rmSync(zip);
    }
    rmSync(file);
  }
  const spread = Math.max(...peaks) - Math.min(...peaks);
  console.log(
    `\npeak RSS ${peaks.map((p) => p.toFixed(1)).join(' / ')} MB: highest ${Math.max(...peaks).toFixed(1)} MB (target <= ${TARGET_MB}), spread ${spread.toFixed(1)} MB (target <= ${TARGET_SPREAD_MB}): ${Math.max(...peaks) <= TARGET_MB && spread <= TARGET_SPREAD_MB ? 'within target' : 'OUTSIDE TARGET'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
