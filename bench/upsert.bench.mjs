// Writing synced values: 10 years x 30 metrics (109,500 values) through the store code
// (upsertSyncedRecords), as a ratio to raw better-sqlite3 prepared INSERTs in one transaction,
// measured in the same run on the same schema and pragmas (fresh database files each time,
// median of 5, runs interleaved). Also the sync's real write path: one transaction per 90-day
// chunk holding the values and the coverage rows; and a re-sync where every value already exists.
// Target: the store code at most 1.5x the raw inserts. Figures only: nothing is asserted.
import { join } from 'node:path';
import { benchTempDir, loadOkr, median } from './lib/load.mjs';

const okr = await loadOkr();
const YEARS = 10;
const METRICS = 30;
const PLUGIN = 'bench';
const AT = '2026-11-26T00:00:00.000Z';

const to = '2026-11-25';
const dates = okr.eachDate(okr.addDays(to, -(YEARS * 365 - 1)), to);
const records = dates.map((date, i) => {
  const fields = {};
  for (let m = 0; m < METRICS; m++) fields[`metric${m}`] = (i * 31 + m * 7) % 1000;
  return { date, fields };
});
const total = records.length * METRICS;

function freshDb() {
  return okr.openDatabase(join(benchTempDir('okr-bench-upsert-'), 'okr.db'));
}

function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function raw(db) {
  const stmt = db.prepare(
    'INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
  return time(() =>
    db.transaction(() => {
      for (const r of records) for (const k in r.fields) stmt.run(r.date, `${PLUGIN}.${k}`, r.fields[k], PLUGIN, AT);
    })(),
  );
}

function store(db) {
  return time(() => okr.upsertSyncedRecords(db, PLUGIN, records, AT));
}

function chunked(db) {
  return time(() => {
    for (let i = 0; i < records.length; i += 90) {
      const part = records.slice(i, i + 90);
      db.transaction(() => {
        okr.upsertSyncedRecords(db, PLUGIN, part, AT);
        okr.markCoverage(
          db,
          PLUGIN,
          part.map((r) => r.date),
          new Set(),
          AT,
        );
      }).immediate();
    }
  });
}

const results = { raw: [], store: [], chunked: [], storeResync: [], rawResync: [] };
for (let i = 0; i < 5; i++) {
  for (const [name, fn] of [
    ['raw', raw],
    ['store', store],
    ['chunked', chunked],
  ]) {
    const db = freshDb();
    results[name].push(fn(db));
    if (name === 'store') results.storeResync.push(store(db)); // every value exists: all updates
    if (name === 'raw') {
      // The raw baseline for a re-sync: the same statement the store uses, without the store code.
      const up = db.prepare(
        `INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (date, metric_name) DO UPDATE SET value = excluded.value, source = excluded.source,
           updated_at = excluded.updated_at WHERE daily_metric_values.source <> 'manual'`,
      );
      results.rawResync.push(
        time(() =>
          db.transaction(() => {
            for (const r of records)
              for (const k in r.fields) up.run(r.date, `${PLUGIN}.${k}`, r.fields[k], PLUGIN, AT);
          })(),
        ),
      );
    }
    db.close();
  }
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const rate = (ms) => `${Math.round(total / (ms / 1000)).toLocaleString('en-US')} values/s`;
console.log(`Upserting ${total.toLocaleString('en-US')} values (${YEARS} years x ${METRICS} metrics), median of 5`);
console.log(`  raw prepared INSERTs, one transaction   ${m.raw.toFixed(0)} ms  (${rate(m.raw)})  baseline`);
console.log(
  `  upsertSyncedRecords, one call          ${m.store.toFixed(0)} ms  (${rate(m.store)})  ${(m.store / m.raw).toFixed(2)}x raw; target <= 1.5x -> ${m.store / m.raw <= 1.5 ? 'met' : 'NOT met'}`,
);
console.log(
  `  sync write path (90-day transactions with coverage rows)  ${m.chunked.toFixed(0)} ms  ${(m.chunked / m.raw).toFixed(2)}x raw`,
);
console.log(
  `  re-sync, every value present: store ${m.storeResync.toFixed(0)} ms vs raw upsert ${m.rawResync.toFixed(0)} ms  ${(m.storeResync / m.rawResync).toFixed(2)}x`,
);
