// The home the read-path benchmarks share (metrics.bench.mjs, report.bench.mjs): a template of
// 30 metrics (7 fitbit fields, 23 manual ones of every type) made through the real command, and
// ten years of values written in one transaction, fitbit connected with every date covered, so
// the read path checks coverage and finds nothing to fetch (the state of a long-time user).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchTempDir, REPO } from './load.mjs';

export const BIN = join(REPO, 'bin', 'okr.js');
export const YEARS = 10;
const FITBIT = ['sleepLength', 'wakeUpTime', 'bedTime', 'steps', 'restingHeartRate', 'hrv', 'activeZoneMinutes'];
const MANUAL_TYPES = ['number', 'duration', 'time', 'boolean', 'number', 'text'];

/** A new home (`OKR_HOME` under the temp folder) and a runner of the built CLI in it. */
export function benchHome(prefix) {
  const home = benchTempDir(prefix);
  const env = { ...process.env, OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1' };
  const okrRun = (args) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`okr ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
    return { ...r, ms: performance.now() - t };
  };
  return { home, env, okrRun };
}

/** Creates the 30-metric template `bench` and fills ten years of it; returns the dates written. */
export function fillTenYears(okr, { home, env, okrRun }) {
  const manual = Array.from({ length: 23 }, (_, i) => ({
    name: `m${i + 1}`,
    type: MANUAL_TYPES[i % MANUAL_TYPES.length],
  }));
  const specs = [...FITBIT.map((f) => `fitbit.${f}`), ...manual.map((m) => `M${m.name.slice(1)}:${m.type}`)];
  okrRun(['metrics', 'template', 'create', 'bench', ...specs.flatMap((s) => ['--metric', s])]);

  const ctx = okr.createContext({ env, homedir: home });
  const db = ctx.db();
  const today = okr.localDate(new Date());
  const dates = okr.eachDate(okr.addDays(today, -(365 * YEARS + 2)), today);
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
    });
    okr.markCoverage(db, 'fitbit', dates, new Set(), new Date().toISOString());
  })();
  ctx.close();
  return { dates, values: dates.length * (FITBIT.length + manual.length) };
}
