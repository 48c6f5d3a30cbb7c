/**
 * A purpose-built scanner for the Health app's export.xml, in place of a general XML parser.
 *
 * The file is one flat list of elements under `<HealthData>`: `<Record …/>` (what okr reads),
 * `<Workout>`, `<ActivitySummary/>`, `<Correlation>` and others (counted), with small children
 * (`<MetadataEntry/>`, heart-beat lists) that are skipped. The scanner looks only at tags, so:
 * - the internal DTD is never interpreted. iOS 16 exports (HealthKit Export Version 12) ship a
 *   broken one (an `<!ATTLIST …>` without its closing `>`, around line 156) that makes strict
 *   parsers stop before the first record; here it is just text before `<HealthData>`.
 * - it runs at the speed of `indexOf` over the text (see `npm run bench`), in memory bounded by
 *   the longest tag, whatever the file's size.
 * Attribute values are unescaped (`&lt;`, `&#x2019;`, …). A file without `<HealthData` near its
 * start is not an export; one that ends before `</HealthData>` is truncated.
 */

export interface XmlTag {
  name: string;
  /** An attribute's value, unescaped; read on demand (most records are skipped after `type`). */
  attr(key: string): string | undefined;
  /** Every attribute (slower: for tests and tools). */
  attrs(): Record<string, string>;
}

/** Tags whose attributes the caller needs; every other element is only counted by name. */
const READ = new Set(['Record', 'ExportDate', 'HealthData']);
/** Children of other elements: neither read nor counted. */
const CHILDREN = new Set([
  'MetadataEntry',
  'HeartRateVariabilityMetadataList',
  'InstantaneousBeatsPerMinute',
  'WorkoutEvent',
  'WorkoutRoute',
  'WorkoutStatistics',
  'WorkoutActivity',
  'FileReference',
  'SensitivityPoint',
  'Me',
]);
/** `<HealthData` must appear within this many characters (the DTD is ~10 KB). */
const HEADER_LIMIT = 1 << 20;
/** No real tag is longer (a Record with its `device` description is < 1 KB). */
const MAX_TAG = 1 << 16;

export class HealthXmlError extends Error {}

const ATTR_RE = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY_RE = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY_RE, (m, hex: string, dec: string, name: string) => {
    if (name) return NAMED[name]!;
    const cp = hex ? Number.parseInt(hex, 16) : Number(dec);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** The attributes of one start tag, read on demand by name with indexOf (most records are skipped after `type`). */
function lazyTag(name: string, tag: string): XmlTag {
  return {
    name,
    attr(key) {
      for (const q of ['"', "'"]) {
        for (const sep of [' ', '\n', '\t', '\r']) {
          // `<sep>key="` cannot match inside another value: values hold no raw quote.
          const needle = `${sep}${key}=${q}`;
          const at = tag.indexOf(needle);
          if (at < 0) continue;
          const start = at + needle.length;
          const end = tag.indexOf(q, start);
          return end < 0 ? undefined : unescapeXml(tag.slice(start, end));
        }
      }
      return undefined;
    },
    attrs: () => parseAttrs(tag),
  };
}

function parseAttrs(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  ATTR_RE.lastIndex = 0;
  for (let m = ATTR_RE.exec(tag); m; m = ATTR_RE.exec(tag)) attrs[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  return attrs;
}

/** The index of the `>` closing the tag that starts at `from`, skipping `>` inside quotes; -1 if not in `s` yet. */
function tagEnd(s: string, from: number): number {
  let k = s.indexOf('>', from);
  while (k >= 0) {
    let quotes = 0;
    for (let q = s.indexOf('"', from); q >= 0 && q < k; q = s.indexOf('"', q + 1)) quotes++;
    if (quotes % 2 === 0) return k;
    k = s.indexOf('>', k + 1);
  }
  return -1;
}

export interface ScanResult {
  /** Elements okr does not read, by name (Workout, ActivitySummary, …). */
  otherElements: Map<string, number>;
}

/**
 * Scans the text chunks, calling `onTag` for each `Record`, `ExportDate` and `HealthData` start
 * tag. Throws HealthXmlError for a file that is not an export or is cut short.
 */
export async function scanHealthXml(chunks: AsyncIterable<string>, onTag: (tag: XmlTag) => void): Promise<ScanResult> {
  const otherElements = new Map<string, number>();
  let buf = '';
  let seen = 0; // characters consumed before buf
  let inData = false;
  let ended = false;
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? chunk : buf + chunk;
    let pos = 0;
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt < 0) {
        pos = buf.length;
        break;
      }
      const next = buf.charCodeAt(lt + 1);
      if (Number.isNaN(next)) {
        pos = lt;
        break;
      }
      if (next === 0x2f /* / */) {
        if (lt + 12 > buf.length) {
          pos = lt; // a closing tag split across chunks
          break;
        }
        if (buf.startsWith('</HealthData', lt)) ended = true;
        pos = lt + 2;
        continue;
      }
      if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
        pos = lt + 2;
        continue;
      }
      // The element name ends at whitespace, `/` or `>`.
      let end = lt + 1;
      while (end < buf.length) {
        const c = buf.charCodeAt(end);
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2f || c === 0x3e) break;
        end++;
      }
      if (end >= buf.length) {
        pos = lt;
        break;
      }
      const name = buf.slice(lt + 1, end);
      if (name === 'HealthData') inData = true;
      if (READ.has(name)) {
        const close = tagEnd(buf, end);
        if (close < 0) {
          if (buf.length - lt > MAX_TAG) throw new HealthXmlError(`a <${name}> tag longer than ${MAX_TAG} characters`);
          pos = lt;
          break;
        }
        onTag(lazyTag(name, buf.slice(end, close)));
        pos = close + 1;
      } else {
        if (inData && !CHILDREN.has(name)) otherElements.set(name, (otherElements.get(name) ?? 0) + 1);
        pos = end;
      }
    }
    seen += pos;
    buf = buf.slice(pos);
    if (!inData && seen + buf.length > HEADER_LIMIT) {
      throw new HealthXmlError('not an Apple Health export (no <HealthData> element near the start)');
    }
  }
  if (!inData) throw new HealthXmlError('not an Apple Health export (no <HealthData> element)');
  if (!ended) throw new HealthXmlError('the file ends before </HealthData>: it is truncated');
  return { otherElements };
}
