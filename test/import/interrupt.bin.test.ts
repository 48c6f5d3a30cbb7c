/**
 * Ctrl-C (SIGINT) to the built `okr import` while it writes: the batches committed stay, the
 * import stops before the next one and exits 130 (README, "Importing history"), and running it
 * again writes the rest. The batches used to run back to back without giving the event loop a
 * turn, so the SIGINT handler never ran before the last one: exit 0, every batch written. Needs
 * `npm run build` (npm test runs it first).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { BATCH_DATES } from '../../src/import/write.js';
import { tempHome } from '../helpers/cli.js';
import { spawnOkr } from '../helpers/faults.js';
import { storedSources } from './stored.js';

const DEADLINE_MS = 60_000;
const Q = 'HKQuantityTypeIdentifier';
const FIELDS = 5;

/** An export.xml of 55 years (20,089 days, a hundred batches), five fields a day. */
function longExport(): { xml: string; days: number } {
  const rec = (type: string, unit: string, d: string, v: number) =>
    ` <Record type="${Q}${type}" sourceName="iPhone" unit="${unit}" startDate="${d} 08:00:00 +0000" endDate="${d} 08:10:00 +0000" value="${v}"/>\n`;
  const parts = [
    '<?xml version="1.0"?>\n<HealthData locale="en_US">\n <ExportDate value="2026-06-01 10:00:00 +0000"/>\n',
  ];
  let days = 0;
  for (let t = Date.UTC(1971, 0, 1); t <= Date.UTC(2025, 11, 31); t += 86_400_000, days++) {
    const d = new Date(t).toISOString().slice(0, 10);
    parts.push(
      rec('StepCount', 'count', d, 1000) +
        rec('ActiveEnergyBurned', 'kcal', d, 300) +
        rec('RestingHeartRate', 'count/min', d, 55) +
        rec('HeartRateVariabilitySDNN', 'ms', d, 40) +
        rec('BodyMass', 'kg', d, 70),
    );
  }
  parts.push('</HealthData>\n');
  return { xml: parts.join(''), days };
}

function countValues(home: string): number {
  try {
    const db = new Database(join(home, 'data', 'okr.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM daily_metric_values').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet, or its schema not yet
  }
}

test('Ctrl-C while an import writes keeps the batches written, exit 130; running again writes the rest', async () => {
  const home = tempHome('okr-import-sigint-');
  const file = join(home, 'export.xml');
  const { xml, days } = longExport();
  writeFileSync(file, xml);
  const env = { TZ: 'UTC', OKR_SECRETS: 'file', HOME: home };

  const p = spawnOkr(['import', 'apple-health', file, '--quiet'], { home, env });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), DEADLINE_MS);
  // Until the first batch is committed: the import is writing.
  let seen = 0;
  for (const t0 = performance.now(); seen === 0 && performance.now() - t0 < DEADLINE_MS; ) {
    seen = countValues(home);
    if (seen === 0) await new Promise((r) => setTimeout(r, 2));
  }
  p.child.kill('SIGINT');
  const r = await p.done;
  clearTimeout(timer);
  expect(r.signal, `killed at the deadline:\n${r.stdout}\n${r.stderr}`).toBeNull();
  expect(seen, 'the import was still writing when interrupted').toBeLessThan(days * FIELDS);
  expect(r.stderr).toContain('Interrupted; finishing the current step');
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(130);
  const written = countValues(home);
  expect(written).toBeGreaterThanOrEqual(seen);
  expect(written).toBeLessThan(days * FIELDS);
  expect(written % (BATCH_DATES * FIELDS)).toBe(0); // whole batches only

  const again = spawnOkr(['import', 'apple-health', file, '--quiet'], { home, env });
  const second = await again.done;
  expect(second.code, second.stderr).toBe(0);
  expect(storedSources(home)).toEqual({ 'apple-health-export': days * FIELDS });
}, 120_000);
