/**
 * `okr metrics import --dry-run` reports exactly what the real import then does, with the built
 * binary: new values, values already stored, values kept because they differ from a stored one
 * (logged by hand, imported earlier, or synced), and empty cells; with and without --force.
 * Needs `npm run build` first (npm test does it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { addDays, localDate } from '../../src/dates.js';
import { upsertSyncedRecords } from '../../src/store/values.js';
import { runBin, tempHome } from '../helpers/cli.js';

const env = { OKR_SECRETS: 'file', NO_COLOR: '1' };
const day = (n: number) => addDays(localDate(new Date()), -n);

async function home(): Promise<string> {
  const h = tempHome('okr-import-');
  const ok = async (...args: string[]) => {
    const r = await runBin(args, { home: h, env });
    expect(r.code, r.stderr).toBe(0);
  };
  await ok('metrics', 'template', 'create', 'daily', '--metric', 'Mood:number', '--metric', 'fitbit.steps');
  await ok('metrics', 'log', 'mood', '7', '--date', day(1)); // differs from the file: kept
  await ok('metrics', 'log', 'mood', '5', '--date', day(2)); // the same as the file: unchanged
  const ctx = createContext({ env: { ...env, OKR_HOME: h }, homedir: h });
  try {
    upsertSyncedRecords(ctx.db(), 'fitbit', [{ date: day(1), fields: { steps: 9000 } }], new Date().toISOString());
  } finally {
    ctx.close();
  }
  writeFileSync(
    join(h, 'in.csv'),
    [
      'date,metric,value',
      `${day(1)},mood,8`, // kept (manual 7)
      `${day(2)},mood,5`, // unchanged
      `${day(3)},mood,6`, // new
      `${day(4)},mood,`, // empty
      `${day(1)},fitbit.steps,9500`, // kept (synced 9000)
      `${day(2)},fitbit.steps,4000`, // new
    ].join('\n'),
  );
  return h;
}

interface Report {
  imported: number;
  unchanged: number;
  blank: number;
  kept: Array<{ line: number }>;
}

async function importJson(h: string, ...flags: string[]): Promise<Report> {
  const r = await runBin(['metrics', 'import', join(h, 'in.csv'), '--json', ...flags], { home: h, env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const counts = (r: Report) => ({
  imported: r.imported,
  unchanged: r.unchanged,
  blank: r.blank,
  kept: r.kept.map((k) => k.line),
});

describe('okr metrics import --dry-run', () => {
  for (const force of [[], ['--force']]) {
    it(`counts what the real import then does ${force.length ? '(--force)' : '(kept values)'}`, async () => {
      const h = await home();
      const dry = await importJson(h, '--dry-run', ...force);
      const real = await importJson(h, ...force);
      expect(counts(dry)).toEqual(counts(real));
      expect(counts(real)).toEqual(
        force.length
          ? { imported: 4, unchanged: 1, blank: 1, kept: [] }
          : { imported: 2, unchanged: 1, blank: 1, kept: [2, 6] },
      );
      // The human lines say the same numbers.
      const h2 = await home();
      const text = await runBin(['metrics', 'import', join(h2, 'in.csv'), '--dry-run', ...force], { home: h2, env });
      expect(text.stdout).toContain(`Would import ${real.imported} values`);
    });
  }
});
