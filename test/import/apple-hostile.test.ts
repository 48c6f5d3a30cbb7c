/**
 * `okr import apple-health` on export.xml files no iPhone writes but a damaged or hand-made file
 * can hold: records spanning centuries, dates that are not dates, values that are not decimals,
 * tags built to make the scanner slow, names without an end, and records or the closing tag
 * inside comments and CDATA. Each is refused or counted as not read, in bounded time and memory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanHealthXml } from '../../src/plugins/apple-health/export-xml.js';
import { parseExportTime } from '../../src/plugins/apple-health/read.js';
import { tempHome as newTempHome, runCli } from '../helpers/cli.js';
import { storedDay, storedSources } from './stored.js';

const NOW = () => new Date('2026-12-01T10:00:00Z');
const S = 'HKQuantityTypeIdentifierStepCount';
const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData ANY>\n]>\n' +
  '<HealthData locale="en_US">\n <ExportDate value="2024-06-01 10:00:00 +0200"/>\n';
const rec = (start: string, end: string, value: string | number, type = S, unit = 'count') =>
  ` <Record type="${type}" sourceName="iPhone" unit="${unit}" creationDate="${end}" startDate="${start}" endDate="${end}" value="${value}"/>\n`;

async function importXml(body: string, tail = '</HealthData>\n') {
  const home = newTempHome('okr-apple-hostile-');
  const file = join(home, 'export.xml');
  writeFileSync(file, HEAD + body + tail);
  const r = await runCli(['import', 'apple-health', file, '--json'], { home, now: NOW });
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  const notRead = Object.fromEntries(
    (report?.notRead ?? []).map((n: { kind: string; count: number }) => [n.kind, n.count]),
  );
  return { ...r, home, report, notRead };
}

describe('records okr cannot place on days are counted as not read', () => {
  it('a cumulative record spanning decades is not spread over them; a day-long total still is', async () => {
    const r = await importXml(
      rec('1971-01-01 00:00:00 +0000', '2025-12-31 00:00:00 +0000', 1_000_000) +
        rec(
          '2024-03-01 00:00:00 +0000',
          '2024-03-04 00:00:00 +0000',
          500,
          'HKQuantityTypeIdentifierActiveEnergyBurned',
          'kcal',
        ) +
        // A daily total written by an app, 25 hours across midnight: split between the two days.
        rec('2024-03-10 00:00:00 +0000', '2024-03-11 01:00:00 +0000', 2500),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.notRead).toEqual({
      [`${S} spanning more than two days`]: 1,
      'HKQuantityTypeIdentifierActiveEnergyBurned spanning more than two days': 1,
    });
    expect(r.report.days).toBe(2);
    expect(storedDay(r.home, 'apple-health', '2024-03-10')).toEqual({ steps: 2400 });
    expect(storedDay(r.home, 'apple-health', '2024-03-11')).toEqual({ steps: 100 });
    expect(storedDay(r.home, 'apple-health', '2000-01-01')).toEqual({});
  });

  it('a sleep record spanning more than two days is not a night', async () => {
    const r = await importXml(
      rec(
        '2024-03-01 23:00:00 +0000',
        '2024-03-09 07:00:00 +0000',
        'HKCategoryValueSleepAnalysisAsleepCore',
        'HKCategoryTypeIdentifierSleepAnalysis',
        '',
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.notRead).toEqual({ 'HKCategoryTypeIdentifierSleepAnalysis spanning more than two days': 1 });
    expect(r.report.days).toBe(0);
  });

  it('dates before 1970 or after tomorrow (1000-01-01..9999-12-31 was 3.3 million days, 2.9 GB)', async () => {
    const r = await importXml(
      rec('1000-01-01 00:00:00 +0000', '9999-12-31 00:00:00 +0000', 1_000_000) +
        rec('1969-12-31 08:00:00 +0000', '1969-12-31 08:10:00 +0000', 10) +
        rec('9999-12-31 08:00:00 +0000', '9999-12-31 08:10:00 +0000', 10) +
        rec('1970-01-01 08:00:00 +0000', '1970-01-01 08:10:00 +0000', 10),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.notRead).toEqual({ [`${S} dated before 1970-01-01 or after tomorrow`]: 3 });
    expect(r.report.range).toEqual({ from: '1970-01-01', to: '1970-01-01' });
  });

  it("'tomorrow' is the context's: a record two days after its clock is not read, whatever the machine's says", async () => {
    // NOW is 2026-12-01: 2026-12-03 is after its tomorrow, and never after the machine's.
    const r = await importXml(rec('2026-12-03 08:00:00 +0000', '2026-12-03 08:10:00 +0000', 10));
    expect(r.notRead).toEqual({ [`${S} dated before 1970-01-01 or after tomorrow`]: 1 });
  });

  it('a date that is not a real one is not read, and never reaches the database as text', async () => {
    const bad = [
      '2024-13-01 08:00:00 +0000',
      '2024-00-05 08:00:00 +0000',
      '2024-04-31 08:00:00 +0000',
      '2023-02-29 08:00:00 +0000',
      '2024-02-10 24:00:00 +0000',
      '2024-02-10 08:60:00 +0000',
      '2024-02-10 08:00:60 +0000',
      '2024-02-16 08:00:00 +9959',
      '2024-02-16 08:00:00 +1430',
      '0050-01-01 08:00:00 +0000',
    ];
    const r = await importXml(
      bad.map((d) => rec(d, d, 100)).join('') + rec('2024-02-29 08:00:00 +1400', '2024-02-29 08:00:00 +1400', 7),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.notRead).toEqual({
      [`${S} with an unreadable date`]: bad.length - 1,
      [`${S} dated before 1970-01-01 or after tomorrow`]: 1, // 0050: a real date, not a plausible one
    });
    expect(r.report.range).toEqual({ from: '2024-02-29', to: '2024-02-29' });
    expect(storedSources(r.home)).toEqual({ 'apple-health-export': 1 });
  });

  it('parses the parts it checked: years below 100 are not 19xx, the date is built from the parts', () => {
    expect(parseExportTime('0050-01-01 08:00:00 +0000')?.ms).toBe(Date.parse('0050-01-01T08:00:00Z'));
    expect(parseExportTime('2024-02-29 23:30:00 -0130')).toEqual({
      ms: Date.parse('2024-03-01T01:00:00Z'),
      date: '2024-02-29',
      minutes: 23 * 60 + 30,
      offsetMinutes: -90,
    });
    for (const s of ['2024-13-01 08:00:00 +0000', '2024-01-01 08:00:61 +0000', '2024-01-01 08:00:00 +0060']) {
      expect(parseExportTime(s), s).toBeUndefined();
    }
  });

  it('a value that is not a plain decimal ("", 0x10, Infinity, 1e400) is not read', async () => {
    const at = (d: number) => `2024-02-${String(d).padStart(2, '0')} 08:00:00 +0000`;
    const values = ['', '0x10', 'Infinity', '1e400', ' 5', '0b1', '1_000'];
    const r = await importXml(
      values.map((v, k) => rec(at(k + 1), at(k + 1), v)).join('') +
        rec(at(20), at(20), '1.5e1') +
        rec(at(21), at(21), '12.50'),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.notRead).toEqual({ [`${S} with a value that is not a number`]: values.length });
    expect(r.report.range).toEqual({ from: '2024-02-20', to: '2024-02-21' });
    expect(storedDay(r.home, 'apple-health', '2024-02-20')).toEqual({ steps: 15 });
    expect(storedDay(r.home, 'apple-health', '2024-02-21')).toEqual({ steps: 13 });
  });
});

/** The scanner over `text` cut into chunks of `size` characters: the records' start dates. */
async function scan(text: string, size = 64 * 1024) {
  const dates: string[] = [];
  const r = await scanHealthXml(
    (async function* () {
      for (let k = 0; k < text.length; k += size) yield text.slice(k, k + size);
    })(),
    (t) => {
      if (t.name === 'Record') dates.push(t.attr('startDate') ?? '');
    },
  );
  return { dates, other: Object.fromEntries(r.otherElements) };
}

describe('the export.xml scanner on hostile text', () => {
  it('a tag full of quoted ">" takes time in proportion to its length (it was quadratic: minutes)', async () => {
    // 20 records of 10,000 `a=">"` each (60 KB, under the longest tag read): 1.2 MB in all. Counting
    // quotes from the tag's start for every `>` took minutes; one pass takes milliseconds.
    const junk = Array.from({ length: 10_000 }, () => 'a=">"').join(' ');
    const body = Array.from(
      { length: 20 },
      () => ` <Record type="${S}" startDate="2024-01-01 08:00:00 +0000" value="1" ${junk}/>\n`,
    ).join('');
    const { dates } = await scan(`${HEAD + body}</HealthData>\n`);
    expect(dates).toHaveLength(20);
    // Single quotes, and a `>` in each kind of quote, split at every chunk size.
    const mixed = `${HEAD} <Record a='x>"y' b="'>'" startDate="d1"/><Record startDate="d2"/></HealthData>`;
    for (const size of [1, 2, 3, 5, 64]) expect((await scan(mixed, size)).dates, String(size)).toEqual(['d1', 'd2']);
  }, 15_000);

  it('a name without an end is a damaged file, not a buffer that grows with it', async () => {
    const text = `${HEAD}<W${'A'.repeat(2_000_000)}>\n</HealthData>\n`;
    await expect(scan(text)).rejects.toThrow(/^damaged: an element name longer than 256 characters at character \d+$/);
    // Any element, read or not; a short one split across chunks is still read whole.
    await expect(scan(`${HEAD}<Workout${'x'.repeat(300)}/></HealthData>`, 7)).rejects.toThrow(/element name longer/);
    expect((await scan(`${HEAD}<ActivitySummary/><Workout a="1"/></HealthData>`, 3)).other).toEqual({
      ActivitySummary: 1,
      Workout: 1,
    });
  });

  it('records inside comments and CDATA are text, not records', async () => {
    const text = `${HEAD}<!-- <Record type="${S}" startDate="c1"/> --><Record startDate="r1"/><![CDATA[<Record startDate="c2"/>]]><?pi <Record startDate="c3"/> ?><Record startDate="r2"/></HealthData>`;
    for (const size of [1, 4, 9, 64 * 1024]) {
      expect((await scan(text, size)).dates, String(size)).toEqual(['r1', 'r2']);
    }
  });

  it('a </HealthData> inside a comment or CDATA does not hide a truncated file', async () => {
    for (const hide of ['<!-- </HealthData> -->', '<![CDATA[</HealthData>]]>', '<!-- </HealthData> and no end']) {
      await expect(scan(`${HEAD}<Record startDate="r1"/>${hide}`, 5), hide).rejects.toThrow(/it is truncated/);
    }
  });

  it('okr import names a damaged file and writes nothing', async () => {
    const r = await importXml(
      rec('2024-01-01 08:00:00 +0000', '2024-01-01 08:10:00 +0000', 5),
      `<W${'A'.repeat(5000)}`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /export\.xml: damaged: an element name longer than 256 characters at character \d+; nothing/,
    );
    expect(storedSources(r.home)).toEqual({});
  });
});
