/**
 * `okr import` on zips that are damaged or built to mislead: a flipped byte (yauzl checks no
 * CRC-32), two entries with one name, a zip bomb, Fitbit JSON files that would make JSON.parse
 * build millions of objects, and the same legacy file under both Takeout products. Each is the
 * documented outcome: in a Takeout the damaged file is named and the others imported (exit 4);
 * a damaged export.zip or zip is one error and nothing is written (exit 1); copies never add up.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempHome as newTempHome, runCli } from '../helpers/cli.js';
import { storedDay, storedSources } from './stored.js';
import { type ZipInput, zipBuffer } from './zip.js';

const NOW = () => new Date('2026-12-01T10:00:00Z');
const PROFILE = { name: 'Takeout/Fitbit/Your Profile/Profile.csv', data: 'id,timezone\nABC,Europe/Berlin\n' };
const G = 'Takeout/Fitbit/Global Export Data';
const GH = 'Takeout/Google Health/Global Export Data';
const stepsJson = (days: Array<[string, number]>) =>
  JSON.stringify(
    days.map(([d, v]) => ({
      dateTime: `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(2, 4)} 08:00:00`,
      value: String(v),
    })),
  );

async function importZip(plugin: string, zip: Buffer) {
  const home = newTempHome('okr-zip-hostile-');
  const file = join(home, 'takeout.zip');
  writeFileSync(file, zip);
  const r = await runCli(['import', plugin, file], { home, now: NOW });
  return { ...r, home, steps: (date: string) => storedDay(home, plugin, date).steps };
}

/** The zip with one byte of `name`'s packed data changed by `edit`. */
function corrupt(files: ZipInput[], name: string, edit: (body: Buffer) => void): Buffer {
  const zip = zipBuffer(files);
  const header = zip.indexOf(Buffer.from(name)); // the local header's name, first in the zip
  const body = zip.subarray(header + Buffer.byteLength(name));
  edit(body);
  return zip;
}

describe('a damaged zip entry is a damaged file (yauzl checks no CRC-32)', () => {
  const good = stepsJson([
    ['2024-01-01', 1000],
    ['2024-01-02', 1200],
  ]);
  const files = (store: boolean): ZipInput[] => [
    PROFILE,
    { name: `${G}/steps-2024-01-01.json`, data: good, store },
    { name: `${G}/steps-2024-02-01.json`, data: stepsJson([['2024-02-01', 3000]]) },
  ];

  it('a stored entry with a flipped digit: named, not imported with the wrong value, exit 4', async () => {
    const zip = corrupt(files(true), `${G}/steps-2024-01-01.json`, (body) => {
      const at = body.indexOf('"1000"');
      body[at + 1] = '9'.charCodeAt(0); // 9000 steps
    });
    const r = await importZip('fitbit', zip);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `could not read ${G}/steps-2024-01-01.json: damaged: its CRC-32 checksum does not match its contents`,
    );
    expect(r.steps('2024-01-01')).toBeUndefined();
    expect(r.steps('2024-02-01')).toBe(3000);
  });

  it('a deflated entry with a flipped byte that still inflates: named, exit 4', async () => {
    const name = `${G}/steps-2024-01-01.json`;
    const packed = zipBuffer([{ name, data: good }]);
    const start = packed.indexOf(Buffer.from(name)) + Buffer.byteLength(name);
    const length = packed.readUInt32LE(18);
    // The first byte whose change inflates to as many bytes of valid JSON, but other ones (a bad disk).
    let flip = -1;
    for (let k = 2; k < length && flip < 0; k++) {
      const body = Buffer.from(packed.subarray(start, start + length));
      body[k]! ^= 0x04;
      try {
        const out = inflateRawSync(body);
        if (out.length === Buffer.byteLength(good) && out.toString() !== good) {
          JSON.parse(out.toString()); // still JSON: without the check, its garbage was imported
          flip = k;
        }
      } catch {}
    }
    expect(flip).toBeGreaterThan(0);
    const zip = corrupt(files(false), name, (body) => {
      body[flip]! ^= 0x04;
    });
    const r = await importZip('fitbit', zip);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`could not read ${name}: damaged: its CRC-32 checksum does not match`);
    expect(r.stdout).not.toContain('entries without a usable value');
    expect(r.steps('2024-01-01')).toBeUndefined();
  });

  it('an export.zip whose export.xml is damaged: one error, nothing written, exit 1', async () => {
    const xml =
      '<?xml version="1.0"?>\n<HealthData>\n <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" unit="count" startDate="2024-01-01 08:00:00 +0000" endDate="2024-01-01 08:10:00 +0000" value="1000"/>\n</HealthData>\n';
    const name = 'apple_health_export/export.xml';
    const zip = corrupt([{ name, data: xml, store: true }], name, (body) => {
      body[body.indexOf('"1000"') + 1] = '9'.charCodeAt(0);
    });
    const r = await importZip('apple-health', zip);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `takeout.zip: ${name} is damaged: its CRC-32 checksum does not match its contents (the zip is corrupt); nothing was imported.`,
    );
    expect(r.stderr).toContain('download the export again');
    expect(storedSources(r.home)).toEqual({});
  });
});

describe('zips that mislead', () => {
  it('two entries with one name: the zip is damaged, nothing is imported', async () => {
    const name = `${G}/steps-2024-01-01.json`;
    const r = await importZip(
      'fitbit',
      zipBuffer([
        PROFILE,
        { name, data: stepsJson([['2024-01-01', 1000]]) },
        { name, data: stepsJson([['2024-01-02', 500]]) },
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`takeout.zip is damaged: it holds two files named ${name}.`);
    expect(storedSources(r.home)).toEqual({});
  });

  it('a zip bomb (whitespace packed 1000:1) is refused before it is read', async () => {
    const xml = `<?xml version="1.0"?>\n<HealthData>${' '.repeat(4 << 20)}</HealthData>\n`;
    const r = await importZip('apple-health', zipBuffer([{ name: 'apple_health_export/export.xml', data: xml }]));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/export\.xml is damaged or a zip bomb: 4194\d+ bytes packed into \d+ \(\d+:1, no export/);
    const csv = `timestamp,steps,data source\n${'2024-01-01T08:00:00Z,0,phone\n'.repeat(60_000)}`;
    const f = await importZip(
      'fitbit',
      zipBuffer([
        PROFILE,
        { name: 'Takeout/Google Health/Physical Activity_GoogleData/steps_2024-01-01.csv', data: csv },
        { name: `${G}/steps-2024-02-01.json`, data: stepsJson([['2024-02-01', 3000]]) },
      ]),
    );
    expect(f.code).toBe(4);
    expect(f.stderr).toMatch(/could not read .*steps_2024-01-01\.csv: damaged or a zip bomb/);
    expect(f.steps('2024-02-01')).toBe(3000);
  });

  it('the same legacy file under Takeout/Fitbit and Takeout/Google Health is not added up', async () => {
    const steps = stepsJson([
      ['2024-01-01', 1000],
      ['2024-01-02', 1200],
    ]);
    const azm = 'date_time,heart_zone_id,total_minutes\n2024-01-01T10:00,FAT_BURN,20\n';
    const r = await importZip(
      'fitbit',
      zipBuffer([
        PROFILE,
        { name: `${G}/steps-2024-01-01.json`, data: steps },
        { name: `${GH}/steps-2024-01-01.json`, data: steps },
        { name: 'Takeout/Fitbit/Active Zone Minutes (AZM)/Active Zone Minutes - 2024-01-01.csv', data: azm },
        { name: 'Takeout/Google Health/Active Zone Minutes (AZM)/Active Zone Minutes - 2024-01-01.csv', data: azm },
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(storedDay(r.home, 'fitbit', '2024-01-01')).toEqual({ steps: 1000, activeZoneMinutes: 20 });
    expect(r.steps('2024-01-02')).toBe(1200);
  });
});

describe('a Fitbit JSON file is bounded by what JSON.parse would build of it', () => {
  it('a file of a million empty lists is damaged, not 1.6 GB of arrays; the others are imported', async () => {
    const lists = `[${'[],'.repeat(1_000_000)}[]]`;
    const r = await importZip(
      'fitbit',
      zipBuffer([
        PROFILE,
        { name: `${G}/steps-2024-01-01.json`, data: lists, store: true }, // stored: no bomb
        { name: `${G}/steps-2024-02-01.json`, data: stepsJson([['2024-02-01', 3000]]) },
      ]),
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `could not read ${G}/steps-2024-01-01.json: more than 500000 JSON values, more than any export file holds`,
    );
    expect(r.steps('2024-02-01')).toBe(3000);
  });

  it('a file over 16 MB is not read; commas and brackets inside strings do not count', async () => {
    const big = `[${' '.repeat(17 << 20)}]`;
    const quoted = JSON.stringify([{ dateTime: '02/01/24 08:00:00', value: '5', note: ',[{'.repeat(600_000) }]);
    const r = await importZip(
      'fitbit',
      zipBuffer([
        PROFILE,
        { name: `${G}/steps-2024-01-01.json`, data: big, store: true },
        { name: `${G}/steps-2024-02-01.json`, data: quoted, store: true },
      ]),
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`could not read ${G}/steps-2024-01-01.json: ${(17 << 20) + 2} bytes is too large`);
    expect(r.steps('2024-02-01')).toBe(5);
  });

  it('a month of per-minute steps (the largest real file) is read whole', async () => {
    const entries: Array<{ dateTime: string; value: string }> = [];
    for (let d = 1; d <= 31; d++) {
      for (let m = 0; m < 1440; m++) {
        const hh = String(Math.floor(m / 60)).padStart(2, '0');
        const mm = String(m % 60).padStart(2, '0');
        entries.push({
          dateTime: `01/${String(d).padStart(2, '0')}/24 ${hh}:${mm}:00`,
          value: m % 10 === 0 ? '7' : '0',
        });
      }
    }
    const r = await importZip(
      'fitbit',
      zipBuffer([
        { ...PROFILE, data: 'id,timezone\nABC,UTC\n' },
        { name: `${G}/steps-2024-01-01.json`, data: JSON.stringify(entries) },
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.steps('2024-01-15')).toBe(144 * 7);
  });
});
