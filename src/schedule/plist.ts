/**
 * XML property lists, the LaunchAgent file format: a writer, and a strict reader for the subset
 * launchd uses (dict, array, string, integer, real, true, false, date, data). Node has no plist
 * parser; this one refuses anything malformed (unbalanced tags, stray text, unknown elements,
 * duplicate keys, bad entities), so `status` and the tests can trust what it returns.
 */

export type PlistValue = string | number | boolean | Date | PlistValue[] | { [key: string]: PlistValue };

export class PlistError extends Error {}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function writeValue(v: PlistValue, indent: string, out: string[]): void {
  const inner = `${indent}  `;
  if (typeof v === 'string') {
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v)) throw new PlistError('control character in a plist string');
    out.push(`${indent}<string>${escapeXml(v)}</string>`);
  } else if (typeof v === 'boolean') out.push(`${indent}<${v}/>`);
  else if (typeof v === 'number') {
    out.push(Number.isInteger(v) ? `${indent}<integer>${v}</integer>` : `${indent}<real>${v}</real>`);
  } else if (v instanceof Date) out.push(`${indent}<date>${v.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>`);
  else if (Array.isArray(v)) {
    out.push(`${indent}<array>`);
    for (const item of v) writeValue(item, inner, out);
    out.push(`${indent}</array>`);
  } else {
    out.push(`${indent}<dict>`);
    for (const [k, item] of Object.entries(v)) {
      out.push(`${inner}<key>${escapeXml(k)}</key>`);
      writeValue(item, inner, out);
    }
    out.push(`${indent}</dict>`);
  }
}

export function writePlist(root: PlistValue): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
  ];
  writeValue(root, '', out);
  out.push('</plist>', '');
  return out.join('\n');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(raw: string, at: number): string {
  if (raw.includes('<')) throw new PlistError(`"<" inside text near offset ${at}`);
  return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new PlistError(`unterminated entity near offset ${at}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (!m) throw new PlistError(`unknown entity &${name}; near offset ${at}`);
    return String.fromCodePoint(m[1] ? Number.parseInt(m[1], 16) : Number(m[2]));
  });
}

/** Parses an XML plist; throws PlistError saying what is wrong and where. */
export function parsePlist(xml: string): PlistValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new PlistError(`${what} at offset ${pos}`);
  };
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(pos))![0].length;
      pos += ws;
      if (xml.startsWith('<!--', pos)) {
        const end = xml.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else return;
    }
  };
  /** Reads `<name attrs>`, `<name/>` or `</name>`. */
  const readTag = (): { name: string; closing: boolean; selfClosing: boolean; attrs: string } => {
    if (xml[pos] !== '<') fail('expected a tag');
    const m = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
      xml.slice(pos),
    );
    if (!m) fail('malformed tag');
    pos += m![0].length;
    if (m![1] && (m![3] || m![4])) fail('malformed closing tag');
    return { name: m![2]!, closing: m![1] === '/', selfClosing: m![4] === '/', attrs: m![3] ?? '' };
  };
  const readText = (name: string): string => {
    const start = pos;
    const end = xml.indexOf(`</${name}>`, pos);
    if (end < 0) fail(`<${name}> is never closed`);
    const text = decodeText(xml.slice(start, end), start);
    pos = end + name.length + 3;
    return text;
  };
  const readValue = (): PlistValue => {
    skipMisc();
    const tag = readTag();
    if (tag.closing) fail(`unexpected </${tag.name}>`);
    if (tag.attrs.trim()) fail(`<${tag.name}> takes no attributes`);
    switch (tag.name) {
      case 'true':
      case 'false':
        if (!tag.selfClosing) {
          skipMisc();
          const close = readTag();
          if (!close.closing || close.name !== tag.name) fail(`<${tag.name}> must be empty`);
        }
        return tag.name === 'true';
      case 'string':
        return tag.selfClosing ? '' : readText('string');
      case 'integer': {
        const t = tag.selfClosing ? '' : readText('integer').trim();
        if (!/^[+-]?\d+$/.test(t)) fail(`"${t}" is not an integer`);
        return Number(t);
      }
      case 'real': {
        const t = tag.selfClosing ? '' : readText('real').trim();
        if (t === '' || Number.isNaN(Number(t))) fail(`"${t}" is not a real`);
        return Number(t);
      }
      case 'date': {
        const t = tag.selfClosing ? '' : readText('date').trim();
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t)) fail(`"${t}" is not a plist date`);
        return new Date(t);
      }
      case 'data': {
        const t = tag.selfClosing ? '' : readText('data').replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) fail('<data> is not base64');
        return t;
      }
      case 'array': {
        const items: PlistValue[] = [];
        if (tag.selfClosing) return items;
        for (;;) {
          skipMisc();
          if (xml.startsWith('</array>', pos)) {
            pos += 8;
            return items;
          }
          items.push(readValue());
        }
      }
      case 'dict': {
        const dict: Record<string, PlistValue> = {};
        if (tag.selfClosing) return dict;
        for (;;) {
          skipMisc();
          if (xml.startsWith('</dict>', pos)) {
            pos += 7;
            return dict;
          }
          const key = readTag();
          if (key.closing || key.name !== 'key' || key.selfClosing) fail('expected <key> in <dict>');
          const name = readText('key');
          if (Object.hasOwn(dict, name)) fail(`duplicate key "${name}"`);
          dict[name] = readValue();
        }
      }
      default:
        return fail(`unknown element <${tag.name}>`);
    }
  };

  skipMisc();
  if (xml.startsWith('<?xml', pos)) {
    const end = xml.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
  }
  skipMisc();
  if (xml.startsWith('<!DOCTYPE', pos)) {
    const end = xml.indexOf('>', pos);
    if (end < 0) fail('unterminated DOCTYPE');
    pos = end + 1;
  }
  skipMisc();
  const root = readTag();
  if (root.name !== 'plist' || root.closing || root.selfClosing) fail('the root element must be <plist>');
  const value = readValue();
  skipMisc();
  const close = readTag();
  if (!close.closing || close.name !== 'plist') fail('<plist> must hold exactly one value');
  skipMisc();
  if (pos !== xml.length) fail('text after </plist>');
  return value;
}
