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
 * Attribute values are unescaped (`&lt;`, `&#x2019;`, …). Comments, CDATA sections and processing
 * instructions are skipped whole (a `<Record` or `</HealthData` inside one is text). A file without
 * `<HealthData` near its start is not an export; one that ends before `</HealthData>` is
 * truncated; a name or read tag longer than any real one is a damaged file.
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
/**
 * No element name is longer (Apple's longest, `HeartRateVariabilityMetadataList`, has 32
 * characters). Bounds what is kept of a name cut by a chunk's end, and a name without an end
 * (`<WAAAA…`) is a damaged file, not a buffer that grows with it.
 */
const MAX_NAME = 256;
const COMMENT = '<!--';
const CDATA = '<![CDATA[';

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

/** Where the scan for a tag's closing `>` stopped: the next index to look at, and the open quote (0: none). */
interface TagCursor {
  at: number;
  quote: number;
}

/**
 * The index of the `>` closing the tag, skipping `>` inside quoted values, scanning `s` from
 * `cur.at` in the quote state `cur.quote`; -1 if not in `s` yet, with `cur` set to resume from the
 * end. Linear: the next `>`, `"` and `'` are each looked up once and reused while still ahead, so
 * a tag full of `a=">"` costs no more than its length (counting the quotes from the tag's start
 * for every `>` was quadratic: a 600 KB file took minutes).
 */
function tagEnd(s: string, cur: TagCursor): number {
  let i = cur.at;
  let q = cur.quote;
  let gt = -2; // the next `>` at or after i; -1: none in s; -2: not looked up
  let dq = -2;
  let sq = -2;
  for (;;) {
    if (q === 0) {
      if (gt !== -1 && gt < i) gt = s.indexOf('>', i);
      if (dq !== -1 && dq < i) dq = s.indexOf('"', i);
      if (sq !== -1 && sq < i) sq = s.indexOf("'", i);
      const open = dq < 0 ? sq : sq < 0 ? dq : Math.min(dq, sq);
      if (gt >= 0 && (open < 0 || gt < open)) return gt;
      if (open < 0) break;
      q = s.charCodeAt(open);
      i = open + 1;
    } else {
      let k: number;
      if (q === 0x22) {
        if (dq !== -1 && dq < i) dq = s.indexOf('"', i);
        k = dq;
      } else {
        if (sq !== -1 && sq < i) sq = s.indexOf("'", i);
        k = sq;
      }
      if (k < 0) break;
      i = k + 1;
      q = 0;
    }
  }
  cur.at = s.length;
  cur.quote = q;
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
  /** Inside a comment, CDATA section or processing instruction: the text that ends it. */
  let skipTo: string | undefined;
  /** A read tag cut by the end of the chunk starts buf; where its scan resumes, relative to it. */
  let resume: TagCursor | undefined;
  const cursor: TagCursor = { at: 0, quote: 0 };
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? chunk : buf + chunk;
    let pos = 0;
    for (;;) {
      if (skipTo !== undefined) {
        // Records inside a comment or CDATA are text, not records, and a `</HealthData` there does
        // not end the file. Only the last characters are kept while looking for the end.
        const k = buf.indexOf(skipTo, pos);
        if (k < 0) {
          pos = Math.max(pos, buf.length - (skipTo.length - 1));
          break;
        }
        pos = k + skipTo.length;
        skipTo = undefined;
        continue;
      }
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
      if (next === 0x21 /* ! */) {
        const head = buf.slice(lt, lt + 9);
        if (head.length < 9 && (COMMENT.startsWith(head) || CDATA.startsWith(head))) {
          pos = lt; // `<!--` or `<![CDATA[` split across chunks
          break;
        }
        if (head.startsWith(COMMENT)) {
          skipTo = '-->';
          pos = lt + COMMENT.length;
        } else if (head === CDATA) {
          skipTo = ']]>';
          pos = lt + CDATA.length;
        } else pos = lt + 2; // a declaration (`<!DOCTYPE`, `<!ATTLIST`…): its text is scanned on
        continue;
      }
      if (next === 0x3f /* ? */) {
        skipTo = '?>';
        pos = lt + 2;
        continue;
      }
      // The element name ends at whitespace, `/`, `>` or `<`; no real name is long.
      let end = lt + 1;
      const limit = Math.min(buf.length, lt + 1 + MAX_NAME);
      while (end < limit) {
        const c = buf.charCodeAt(end);
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2f || c === 0x3e || c === 0x3c) break;
        end++;
      }
      if (end === limit) {
        if (end - lt - 1 >= MAX_NAME)
          throw new HealthXmlError(damaged(`an element name longer than ${MAX_NAME} characters`, seen + lt));
        pos = lt; // a name split across chunks (rescanned: it is short)
        break;
      }
      if (end === lt + 1) {
        pos = end; // `<` and no name: not a tag
        continue;
      }
      const name = buf.slice(lt + 1, end);
      if (name === 'HealthData') inData = true;
      if (READ.has(name)) {
        if (resume && lt === 0) {
          cursor.at = resume.at;
          cursor.quote = resume.quote;
        } else {
          cursor.at = end;
          cursor.quote = 0;
        }
        resume = undefined;
        const close = tagEnd(buf, cursor);
        if (close < 0) {
          if (buf.length - lt > MAX_TAG) {
            throw new HealthXmlError(damaged(`a <${name}> tag longer than ${MAX_TAG} characters`, seen + lt));
          }
          resume = { at: cursor.at - lt, quote: cursor.quote };
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

function damaged(what: string, at: number): string {
  return `damaged: ${what} at character ${at}`;
}
