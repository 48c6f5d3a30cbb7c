/**
 * `okr import` on bad input (a wrong file, a truncated zip, a truncated export.xml, one damaged
 * file in a Takeout, bad flags), the rules between sources (yours kept, the newer of sync and
 * export wins, a dry run writes nothing), Ctrl-C between batches, and the plugin without OAuth.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeImported } from '../../src/import/write.js';
import { openDatabase } from '../../src/store/db.js';
import { putValue } from '../../src/store/values.js';
import { tempHome as newTempHome, runBin, runCli } from '../helpers/cli.js';
import { generateAppleExport } from './apple-generator.js';
import { storedRow, storedSources } from './stored.js';
import { generateTakeout } from './takeout-generator.js';
import { zipBuffer } from './zip.js';

const homes: string[] = [];
function tempHome(): string {
  const h = newTempHome('okr-import-edge-');
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});
const NOW = () => new Date('2026-12-01T10:00:00Z');

const valueCount = (home: string) => Object.values(storedSources(home)).reduce((a, b) => a + b, 0);
const row = storedRow;

const smallXml = generateAppleExport('2024-01-01', '2024-01-10');

describe('okr import: bad input says what is wrong and writes nothing', () => {
  it('a file that is not an export', async () => {
    const home = tempHome();
    const file = join(home, 'notes.txt');
    writeFileSync(file, 'hello');
    const r = await runCli(['import', 'apple-health', file], { home, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not the Health app's export.zip");
    expect(r.stderr).toContain('hint: On the iPhone: Health');
    const z = join(home, 'other.zip');
    writeFileSync(z, zipBuffer([{ name: 'photos/1.jpg', data: 'x' }]));
    const f = await runCli(['import', 'fitbit', z], { home, now: NOW });
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('is not a Google Takeout of Fitbit data');
    expect(valueCount(home)).toBe(0);
  });

  it('a truncated zip', async () => {
    const home = tempHome();
    const whole = zipBuffer([{ name: 'apple_health_export/export.xml', data: smallXml }]);
    const z = join(home, 'export.zip');
    writeFileSync(z, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = await runCli(['import', 'apple-health', z], { home, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*export\.zip is not a complete zip file/);
    expect(r.stderr).toContain('download the export again');
    expect(valueCount(home)).toBe(0);
  });

  it('a truncated export.xml, and a file that is XML but not an export', async () => {
    const home = tempHome();
    const file = join(home, 'export.xml');
    writeFileSync(file, generateAppleExport('2024-01-01', '2024-03-31', { truncate: true }));
    const r = await runCli(['import', 'apple-health', file], { home, now: NOW });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the file ends before </HealthData>: it is truncated; nothing was imported');
    writeFileSync(file, '<?xml version="1.0"?><kml><Placemark/></kml>');
    const k = await runCli(['import', 'apple-health', file], { home, now: NOW });
    expect(k.code).toBe(1);
    expect(k.stderr).toContain('not an Apple Health export');
    expect(valueCount(home)).toBe(0);
  });

  it('one damaged file in a Takeout: named, the rest imported, exit 4', async () => {
    const home = tempHome();
    const files = generateTakeout({ from: '2024-01-01', to: '2024-02-29', newerFrom: '2024-02-01' }).map((f) =>
      f.name.endsWith('sleep-2024-01-01.json') ? { ...f, data: f.data.slice(0, 100) } : f,
    );
    const z = join(home, 'takeout.zip');
    writeFileSync(z, zipBuffer(files));
    const r = await runCli(['import', 'fitbit', z], { home, now: NOW });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'could not read Takeout/Fitbit/Global Export Data/sleep-2024-01-01.json: not valid JSON',
    );
    expect(row(home, '2024-01-15', 'fitbit.sleepLength')).toBeUndefined();
    expect(row(home, '2024-01-15', 'fitbit.steps')?.value).toBeGreaterThan(0);
    expect(row(home, '2024-02-15', 'fitbit.sleepLength')?.value).toBeGreaterThan(0);
  });

  it('bad flags and sources are usage errors (exit 2)', async () => {
    const home = tempHome();
    const file = join(home, 'export.xml');
    writeFileSync(file, smallXml);
    const unknown = await runCli(['import', 'garmin', file], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown import source "garmin"');
    expect(unknown.stderr).toContain('Sources: fitbit, apple-health');
    expect((await runCli(['import', 'apple-health', file, '--from', '2024-13-01'], { home })).code).toBe(2);
    expect(
      (await runCli(['import', 'apple-health', file, '--from', '2024-02-01', '--to', '2024-01-01'], { home })).code,
    ).toBe(2);
    const tz = await runCli(['import', 'apple-health', file, '--time-zone', 'Mars/Olympus'], { home });
    expect(tz.code).toBe(2);
    expect(tz.stderr).toContain('Unknown time zone "Mars/Olympus"');
    const missing = await runCli(['import', 'apple-health', join(home, 'nope.zip')], { home });
    expect(missing.code).toBe(2);
    expect(valueCount(home)).toBe(0);
  });
});

describe('okr import: the rules between sources', () => {
  it('keeps what you logged; the newer of a synced value and the export wins; dry run writes nothing', async () => {
    const home = tempHome();
    const file = join(home, 'export.xml');
    writeFileSync(file, smallXml); // made 2026-11-30T08:00Z
    const db = openDatabase(join(home, 'data', 'okr.db'));
    const put = (date: string, source: string, updatedAt: string) =>
      putValue(db, { date, metricName: 'apple-health.steps', value: 1, source, updatedAt });
    put('2024-01-02', 'manual', '2020-01-01T00:00:00.000Z');
    // Values written by a sync (source = the plugin id; apple-health has none, but the rule is the
    // same for every plugin's source): one before the export was made, one after.
    put('2024-01-03', 'apple-health', '2026-01-01T00:00:00.000Z');
    put('2024-01-04', 'apple-health', '2026-12-01T09:00:00.000Z');
    db.close();

    const dry = await runCli(['import', 'apple-health', file, '--dry-run', '--json'], { home, now: NOW });
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.dryRun).toBe(true);
    expect(plan.written).toBeGreaterThan(0);
    expect(valueCount(home)).toBe(3);

    const r = await runCli(['import', 'apple-health', file], { home, now: NOW });
    expect(r.code).toBe(0);
    expect(row(home, '2024-01-02', 'apple-health.steps')).toEqual({ value: 1, source: 'manual' });
    expect(row(home, '2024-01-03', 'apple-health.steps')?.source).toBe('apple-health-export');
    expect(row(home, '2024-01-04', 'apple-health.steps')).toEqual({ value: 1, source: 'apple-health' });
    expect(r.stdout).toMatch(/2024-01-02 apple-health\.steps: kept 1 \(import had \d+\): you logged it/);
    expect(r.stdout).toMatch(
      /2024-01-03 apple-health\.steps: replaced \d+ \(was 1 from apple-health\): the export .* is newer/,
    );
    expect(r.stdout).toMatch(
      /2024-01-04 apple-health\.steps: kept 1 .*: the value \(2026-12-01T09:00:00.000Z\) is newer than the export/,
    );
    expect(r.stdout).toContain(
      'apple-health.steps: 7 added, 0 updated, 0 unchanged, 1 kept yours, 1 kept synced, 1 replaced synced',
    );
  });

  it('Ctrl-C between batches keeps the committed ones; running again writes the rest', async () => {
    const home = tempHome();
    const db = openDatabase(join(home, 'data', 'okr.db'));
    const records = Array.from({ length: 450 }, (_, k) => ({
      date: new Date(Date.UTC(2020, 0, 1 + k)).toISOString().slice(0, 10),
      fields: { steps: 1000 + k },
    }));
    const controller = new AbortController();
    const opts = {
      pluginId: 'fitbit',
      source: 'fitbit-takeout',
      now: NOW(),
      dryRun: false,
      exportedAt: NOW().getTime(),
    };
    const first = await writeImported(db, records, {
      ...opts,
      signal: controller.signal,
      onBatch: () => controller.abort(),
    });
    expect(first.interrupted).toBe(true);
    expect(first.written).toBe(200);
    const second = await writeImported(db, records, { ...opts, signal: new AbortController().signal });
    expect(second.interrupted).toBe(false);
    expect(second.metrics['fitbit.steps']).toMatchObject({ added: 250, unchanged: 200 });
    expect((db.prepare('SELECT count(*) AS n FROM daily_metric_values').get() as { n: number }).n).toBe(450);
    db.close();
  });
});

describe('a plugin without OAuth', () => {
  it('connect, sync, config setup and status say to run okr import', async () => {
    const home = tempHome();
    const expected = 'apple-health imports files; run `okr import apple-health <file>`';
    for (const args of [
      ['connect', 'apple-health'],
      ['sync', 'apple-health'],
      ['config', 'setup', 'apple-health'],
    ]) {
      const r = await runCli(args, { home });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(expected);
    }
    const s = await runCli(['status', '--json'], { home });
    const apple = JSON.parse(s.stdout).plugins.find((p: { id: string }) => p.id === 'apple-health');
    expect(apple.importsFiles).toContain(expected);
    expect(apple.problems).toEqual([]);
    const text = await runCli(['status'], { home });
    expect(text.stdout).toMatch(/apple-health {2}Apple Health\n {2}imports files +apple-health imports files/);
  });

  it('the built binary reads a zip in place (yauzl loaded from the bundle)', async () => {
    const home = tempHome();
    const zip = join(home, 'export.zip');
    writeFileSync(zip, zipBuffer([{ name: 'apple_health_export/export.xml', data: smallXml }]));
    const r = await runBin(['import', 'apple-health', zip, '--json'], { home, env: { TZ: 'Europe/Berlin' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.range).toEqual({ from: '2024-01-01', to: '2024-01-10' });
    expect(valueCount(home)).toBe(report.written);
    expect(report.written).toBeGreaterThan(0);
  });

  it('okr import --help (the built binary) names both sources and what each reads', async () => {
    const r = await runBin(['import', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('okr import [options] <source> <path>');
    expect(r.stdout).toContain('Takeout/Fitbit/Global Export Data');
    expect(r.stdout).toContain('Export All Health Data');
    const top = await runBin(['--help']);
    expect(top.stdout).toMatch(/ {2}import +history from a Google Takeout or an Apple Health export\n/);
  });
});
