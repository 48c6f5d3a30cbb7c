/**
 * The parts under okr import: time zones (Windows names, the cached offsets around DST), the
 * export.xml scanner fed in awkward chunks, and zip entry names that would leave the archive.
 */
import { describe, expect, it } from 'vitest';
import { isSafeEntryPath } from '../../src/import/files.js';
import { byteSize } from '../../src/import/render.js';
import { toIanaZone, WINDOWS_ZONE_NAMES, ZoneClock } from '../../src/import/zones.js';
import { scanHealthXml, unescapeXml, type XmlTag } from '../../src/plugins/apple-health/export-xml.js';
import { generateAppleExport } from './apple-generator.js';

describe('time zones', () => {
  it('maps every Windows zone name it knows to a zone Intl accepts', () => {
    expect(WINDOWS_ZONE_NAMES.length).toBeGreaterThan(130);
    for (const name of WINDOWS_ZONE_NAMES) {
      const iana = toIanaZone(name);
      expect(iana, name).toBeDefined();
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: iana })).not.toThrow();
    }
    expect(toIanaZone('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(toIanaZone('America/Chicago')).toBe('America/Chicago');
    expect(toIanaZone('Nowhere/Special')).toBeUndefined();
  });

  it('gives the local date and clock of instants around DST switches, as Intl does', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const clock = new ZoneClock(zone);
      const fmt = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
      // Every 7 minutes through two days around each 2020 switch, and a plain day.
      for (const startIso of [
        '2020-03-07T00:00Z',
        '2020-03-28T00:00Z',
        '2020-04-04T00:00Z',
        '2020-10-03T00:00Z',
        '2020-10-24T00:00Z',
        '2020-11-01T00:00Z',
      ]) {
        const start = Date.parse(startIso);
        for (let t = start; t < start + 2 * 86_400_000; t += 7 * 60_000) {
          const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
          const got = clock.local(t);
          expect(got.date, `${zone} ${new Date(t).toISOString()}`).toBe(`${parts.year}-${parts.month}-${parts.day}`);
          expect(got.minutes).toBe(Number(parts.hour) * 60 + Number(parts.minute));
        }
      }
    }
  });
});

describe('the export.xml scanner', () => {
  const collect = async (chunks: string[]) => {
    const tags: XmlTag[] = [];
    const r = await scanHealthXml(
      (async function* () {
        yield* chunks;
      })(),
      (t) => tags.push(t),
    );
    return { tags: tags.map((t) => ({ name: t.name, attrs: t.attrs() })), other: Object.fromEntries(r.otherElements) };
  };

  it('finds the same tags whatever the chunk boundaries', async () => {
    const xml = generateAppleExport('2024-01-01', '2024-01-03');
    const whole = await collect([xml]);
    expect(whole.tags.filter((t) => t.name === 'Record').length).toBeGreaterThan(40);
    for (const size of [1, 7, 64, 1000]) {
      const chunks: string[] = [];
      for (let k = 0; k < xml.length; k += size) chunks.push(xml.slice(k, k + size));
      expect(await collect(chunks)).toEqual(whole);
    }
    const watch = whole.tags.find((t) => t.attrs.sourceName === 'Apple Watch')!;
    expect(watch.attrs.device).toMatch(/^<<HKDevice: 0x283e7c2d0>, name:Apple Watch/);
  });

  it('reads each attribute on demand exactly as the full parse does', async () => {
    const tags: XmlTag[] = [];
    await scanHealthXml(
      (async function* () {
        yield generateAppleExport('2024-01-01', '2024-01-02');
      })(),
      (t) => tags.push(t),
    );
    for (const t of tags) {
      const all = t.attrs();
      for (const [k, v] of Object.entries(all)) expect(t.attr(k)).toBe(v);
      expect(t.attr('noSuchAttribute')).toBeUndefined();
    }
  });

  it('unescapes entities and keeps a > inside quotes', async () => {
    expect(unescapeXml('J&#xF6;rg&apos;s &amp; &#8217; &lt;b&gt;')).toBe("Jörg's & ’ <b>");
    const { tags } = await collect(['<HealthData><Record type="t" sourceName="a>b" value="1"/></HealthData>']);
    expect(tags.at(-1)!.attrs).toEqual({ type: 't', sourceName: 'a>b', value: '1' });
  });
});

describe('zip entry names', () => {
  it('refuses names that leave the archive', () => {
    for (const bad of ['../x.json', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\..\\b', '', 'a\0b'])
      expect(isSafeEntryPath(bad), bad).toBe(false);
    for (const good of [
      'Takeout/Fitbit/Global Export Data/steps-2020-01-01.json',
      'apple_health_export/export.xml',
      'a..b/c',
    ]) {
      expect(isSafeEntryPath(good), good).toBe(true);
    }
  });
});

describe('progress sizes', () => {
  it('bytes below a KB, then KB, MB and GB', () => {
    expect([0, 300, 1023, 1024, 5 * 1024 ** 2, 3 * 1024 ** 3].map(byteSize)).toEqual([
      '0 B',
      '300 B',
      '1023 B',
      '1 KB',
      '5 MB',
      '3.00 GB',
    ]);
  });
});
