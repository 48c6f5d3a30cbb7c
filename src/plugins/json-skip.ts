/**
 * Empties the arrays under one key of a JSON text before it is parsed, for bulk a plugin never
 * reads. A Google Health sleep point carries its stages (a few dozen `{startTime, endTime, type}`
 * objects a night, ~90% of a sleep page's bytes) and okr reads only the interval and the summary:
 * parsed whole, a year of sleep pages built ~1 MB of objects per page that outlived the young
 * generation and swelled a backfill's heap (bench/sync.bench.mjs, peak RSS).
 *
 * Only `"<key>": [ … ]` in key position is touched: a `"` that opens a key follows `{` or `,`, and
 * inside a JSON string every `"` is escaped, so text inside strings is never taken for a key. The
 * array's end is found by bracket depth with strings skipped whole, so a `]` inside a string does
 * not end it early. What is skipped is never read; whatever else the body holds is parsed and
 * validated as before (a text this cannot follow is left as it is, for JSON.parse to judge).
 */

const TOKEN = /"(?:[^"\\]|\\.)*"|[[\]]/g;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index just past the `]` that closes the array opening at `open`, or -1. */
function arrayEnd(text: string, open: number): number {
  let depth = 0;
  TOKEN.lastIndex = open;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    if (m[0] === '[') depth++;
    else if (m[0] === ']' && --depth === 0) return TOKEN.lastIndex;
  }
  return -1;
}

/** `text` with every array under `key` replaced by `[]`. */
export function emptyArraysUnder(text: string, key: string): string {
  const needle = JSON.stringify(key);
  const parts: string[] = [];
  let kept = 0;
  for (let at = text.indexOf(needle); at !== -1; ) {
    let before = at - 1;
    while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
    let after = at + needle.length;
    while (isSpace(text.charCodeAt(after))) after++;
    const isKey = (text[before] === '{' || text[before] === ',') && text[after] === ':';
    if (isKey) {
      after++;
      while (isSpace(text.charCodeAt(after))) after++;
      const end = text[after] === '[' ? arrayEnd(text, after) : -1;
      if (end !== -1) {
        parts.push(text.slice(kept, after), '[]');
        kept = end;
        at = text.indexOf(needle, end);
        continue;
      }
    }
    at = text.indexOf(needle, at + needle.length);
  }
  if (kept === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}
