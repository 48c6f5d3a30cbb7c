/**
 * The sanitiser of outside text (src/safe-text.ts) and the CSV formula guard, for any string:
 * - nothing a terminal acts on survives (checked against a list written out here, not the
 *   module's own pattern): C0, DEL, C1, bidi controls, line/paragraph separators, lone surrogates;
 * - text that was already safe comes out unchanged, and applying it twice changes nothing (so a
 *   guard on output may run over text that was made safe when stored);
 * - it stays readable: every escape stands for exactly one character, so a backslash-free text
 *   reads back exactly (injective there), and it grows at most six-fold;
 * - `max` cuts on a character boundary and keeps a prefix;
 * - CSV: `formulaSafe` never leaves a cell a spreadsheet runs, and `fromFormulaSafe` undoes it.
 * Each property prints how many cases it tried.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formulaSafe, fromFormulaSafe } from '../../src/metrics/csv.js';
import { hasUnsafeChar, safeText } from '../../src/safe-text.js';

const RUNS = Number(process.env.OKR_FUZZ_RUNS ?? 2000) * 2;
const tally: string[] = [];
afterAll(() => console.log(`fuzz (safe text):\n${tally.join('\n')}`));

/** True for a code unit a terminal or a reader could be fooled by, at index i of s. */
function unsafeAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  if ([0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e].includes(c)) return true;
  if (c >= 0x2066 && c <= 0x2069) return true;
  const high = (n: number) => n >= 0xd800 && n <= 0xdbff;
  const low = (n: number) => n >= 0xdc00 && n <= 0xdfff;
  if (high(c)) return !low(s.charCodeAt(i + 1));
  if (low(c)) return !high(s.charCodeAt(i - 1));
  return false;
}
const anyUnsafe = (s: string) => [...Array(s.length).keys()].some((i) => unsafeAt(s, i));

/** Reads escapes back (what a person reading the message does). */
const decode = (s: string) =>
  s.replace(/\\x([0-9a-f]{2})|\\u([0-9a-f]{4})/g, (_m, x, u) => String.fromCharCode(Number.parseInt(x ?? u, 16)));

/** Any text, weighted towards what attackers send: escape sequences, C1, bidi, halves of pairs. */
const HOSTILE = [
  '\u001b]0;pwned\u0007',
  '\u001b[2J',
  '\u001b[1;31m',
  '\nConnected',
  '\r',
  '\t',
  '\u0000',
  '\u007f',
  '\u009b31m',
  '\u0085',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u061c',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'x1b',
  'u202e',
  '=',
  '+',
  '-',
  '@',
  "'",
  '"',
];
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 })), { maxLength: 12 })
    .map((a) => a.join('')),
);

function run<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => void): void {
  fc.assert(fc.property(arb, check), { numRuns: RUNS });
  tally.push(`  ${name}: ${RUNS} cases`);
}

describe('safeText', () => {
  it('leaves no character a terminal acts on, and hasUnsafeChar agrees with the list', () => {
    run('no control character survives', text, (s) => {
      const out = safeText(s);
      expect(anyUnsafe(out)).toBe(false);
      expect(hasUnsafeChar(s)).toBe(anyUnsafe(s));
    });
  });

  it('changes nothing in safe text, and nothing the second time', () => {
    run('safe text unchanged, idempotent', text, (s) => {
      const out = safeText(s);
      if (!anyUnsafe(s)) expect(out).toBe(s);
      expect(safeText(out)).toBe(out);
    });
  });

  it('stays readable: backslash-free text reads back exactly, and grows at most six-fold', () => {
    run('readable and injective without backslashes', text, (s) => {
      const out = safeText(s);
      expect(out.length).toBeLessThanOrEqual(6 * s.length);
      if (!s.includes('\\')) expect(decode(out)).toBe(s);
    });
    // Distinct backslash-free inputs never meet (a consequence of the above, checked directly).
    run('distinct inputs stay distinct', fc.tuple(text, text), ([a, b]) => {
      if (a !== b && !a.includes('\\') && !b.includes('\\')) expect(safeText(a)).not.toBe(safeText(b));
    });
  });

  it('with max, keeps a prefix cut on a character boundary', () => {
    run('max cuts cleanly', fc.tuple(text, fc.integer({ min: 1, max: 30 })), ([s, max]) => {
      const out = safeText(s, max);
      if (s.length <= max) expect(out).toBe(safeText(s));
      else {
        expect(out.endsWith('…')).toBe(true);
        // Decoding is exact only for text without backslashes: a literal "\\u202e" in the
        // input reads back as one character (seed -651464692 drew one).
        if (!s.includes('\\')) {
          const kept = decode(out.slice(0, -1));
          expect(s.startsWith(kept)).toBe(true);
          expect(kept.length).toBeGreaterThanOrEqual(max - 1);
          expect(kept.length).toBeLessThanOrEqual(max);
        }
      }
    });
  });
});

describe('CSV formula guard', () => {
  it('no cell starts a formula, and import gets the text back', () => {
    run('formulaSafe / fromFormulaSafe', text, (s) => {
      const cell = formulaSafe(s);
      expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(fromFormulaSafe(cell)).toBe(s);
      if (!/^'*[=+\-@\t\r]/.test(s)) expect(cell).toBe(s);
    });
  });
});
