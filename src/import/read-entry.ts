/**
 * Reading one export file: as lines (CSV, streamed in bounded memory) or as one JSON document
 * (Fitbit's per-month JSON files, bounded in size and in the values they hold). Both report
 * progress and stop on Ctrl-C.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ImportEntry, ImportRun } from '../plugins/import-types.js';

/**
 * Fitbit's largest JSON files okr reads are a month of per-minute steps: 44,640 entries of ~46
 * bytes, about 2 MB (a month of sleep logs with their stages is a few hundred KB). 16 MB is eight
 * times that and not an export file.
 */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;
/**
 * What JSON.parse may build from one file, counted before it runs as the `[`, `{` and `,` outside
 * strings (an upper bound of the values and members it holds). The month of per-minute steps has
 * ~134,000; 500,000 is under 40 MB of parsed objects, where a 63 MB `[[],[],…]` (21 million
 * arrays) took 1.6 GB. So the memory of an import follows its days, not its largest file.
 */
export const MAX_JSON_ITEMS = 500_000;
/** A CSV line longer than this is not a line of an export. */
const MAX_LINE = 1024 * 1024;

export class EntryError extends Error {}
/** A file whose bytes are not what its zip says (checksum, inflate, size): download it again. */
export class DamagedEntryError extends EntryError {}

/** Streams an entry's text in decoded chunks, counting bytes for the progress bar. */
export async function* entryChunks(run: ImportRun, entry: ImportEntry): AsyncGenerator<string> {
  const stream = await run.files.open(entry);
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (run.signal.aborted) throw run.signal.reason;
      bytes += chunk.length;
      run.progress(entry, bytes);
      let text = decoder.write(chunk);
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
        first = false;
      }
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

/** The entry's lines, without line ends. */
export async function* entryLines(run: ImportRun, entry: ImportEntry): AsyncGenerator<string> {
  let carry = '';
  for await (const text of entryChunks(run, entry)) {
    carry += text;
    let start = 0;
    for (let nl = carry.indexOf('\n', start); nl >= 0; nl = carry.indexOf('\n', start)) {
      const end = nl > start && carry.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield carry.slice(start, end);
      start = nl + 1;
    }
    carry = carry.slice(start);
    if (carry.length > MAX_LINE) throw new EntryError(`a line longer than ${MAX_LINE} characters`);
  }
  if (carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/** The entry parsed as JSON, refusing files over MAX_JSON_BYTES or MAX_JSON_ITEMS before parsing them. */
export async function entryJson(run: ImportRun, entry: ImportEntry): Promise<unknown> {
  if (entry.size > MAX_JSON_BYTES) throw new EntryError(`${entry.size} bytes is too large for this kind of file`);
  const parts: string[] = [];
  let length = 0;
  let items = 0;
  let inString = false;
  let escaped = false;
  for await (const text of entryChunks(run, entry)) {
    length += text.length;
    if (length > MAX_JSON_BYTES) throw new EntryError('larger than its zip entry says');
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c /* \ */) escaped = true;
        else if (c === 0x22 /* " */) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x2c /* , */ || c === 0x5b /* [ */ || c === 0x7b /* { */) items++;
    }
    if (items > MAX_JSON_ITEMS) {
      throw new EntryError(`more than ${MAX_JSON_ITEMS} JSON values, more than any export file holds`);
    }
    parts.push(text);
  }
  try {
    return JSON.parse(parts.join(''));
  } catch (err) {
    throw new EntryError(`not valid JSON (${(err as Error).message})`);
  }
}

/** Splits one CSV line (RFC 4180 quoting, no quoted line breaks: export files have none). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** A CSV file's rows as objects keyed by its header (lower-cased, trimmed). */
export async function* csvRows(run: ImportRun, entry: ImportEntry): AsyncGenerator<Record<string, string>> {
  let header: string[] | undefined;
  for await (const line of entryLines(run, entry)) {
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    if (!header) {
      header = cells.map((h) => h.trim().toLowerCase());
      continue;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]!] = (cells[i] ?? '').trim();
    yield row;
  }
}

/** The header line of a CSV entry, lower-cased, or undefined for an empty file. */
export function csvHeaderHas(row: Record<string, string>, ...columns: string[]): boolean {
  return columns.every((c) => c in row);
}
