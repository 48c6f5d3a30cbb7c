// emptyArraysUnder (src/plugins/json-skip.ts): the text it gives parses to exactly what the
// original parses to, with every array under the key emptied, whatever the strings hold.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyArraysUnder } from '../../src/plugins/json-skip.js';

/** The reference: parse, then empty the arrays under `key` at every depth. */
function reference(text: string, key: string): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === key && Array.isArray(x) ? [] : walk(x)]));
    }
    return v;
  };
  return walk(JSON.parse(text));
}

const expectSame = (text: string, key = 'stages') =>
  expect(JSON.parse(emptyArraysUnder(text, key))).toEqual(reference(text, key));

describe('emptyArraysUnder', () => {
  it('empties the stages of a real Google Health sleep page and keeps everything okr reads', () => {
    const text = readFileSync(
      new URL('../fixtures/google-health/sleep_list.ansanloms-measured.json', import.meta.url),
      'utf8',
    );
    expect(text).toContain('"stages"');
    const out = emptyArraysUnder(text, 'stages');
    expect(out.length).toBeLessThan(text.length);
    expectSame(text);
  });

  it('is not fooled by strings: brackets, quotes, escapes and the key itself inside values', () => {
    const hostile = [
      '{"stages":["]", "[", "\\"]\\"", "\\\\"], "after": 1}',
      '{"note":"\\"stages\\": [1, 2]", "stages":[{"type":"]]]"}], "x":"stages"}',
      '{"a":{"stages" : [ [1,[2]], {"b":[3]} ] },"stages":null,"c":{"stages":{"d":[4]}}}',
      '{"list":["stages", {"stages":[1]}], "k":"a,\\"stages\\":[9]"}',
      '{"stagesSummary":[1,2],"mainSleep":true,"summary":{"stages":[]}}',
      '[]',
      '{}',
    ];
    for (const text of hostile) expectSame(text);
    // A key spelled with an escape is the same key to JSON.parse, but not to this: its array is
    // simply parsed in full, as if nothing had been skipped.
    const escaped = '{"\\u0073tages":[1]}';
    expect(emptyArraysUnder(escaped, 'stages')).toBe(escaped);
  });

  it('leaves a text it cannot follow as it is, for JSON.parse to refuse', () => {
    for (const bad of ['{"stages":[1,2', '{"stages":["]', '{"stages":[{"a":"b"}']) {
      expect(() => JSON.parse(emptyArraysUnder(bad, 'stages'))).toThrow(SyntaxError);
    }
  });

  it('agrees with the reference on generated JSON full of tricky strings', () => {
    // A small deterministic generator: nested objects and arrays, keys that are or contain the
    // key, strings with brackets, quotes, backslashes and unicode escapes.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['stages', '[', ']', '"', '\\', '{', '}', ',', ':', 'x', ' ', '\u00e9', '\u2028'];
    const str = () => Array.from({ length: rnd(6) }, () => pieces[rnd(pieces.length)]).join('');
    const keys = ['stages', 'stagesX', 'a', 'Stages', 'b'];
    const value = (depth: number): unknown => {
      const k = depth > 3 ? rnd(3) : rnd(6);
      if (k === 0) return str();
      if (k === 1) return rnd(100);
      if (k === 2) return rnd(2) === 0 ? null : true;
      if (k === 3) return Array.from({ length: rnd(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rnd(4) }, () => [keys[rnd(keys.length)], value(depth + 1)]));
    };
    for (let i = 0; i < 400; i++) {
      const text = JSON.stringify(value(0), null, rnd(2) === 0 ? 0 : 2);
      expectSame(text);
    }
  });
});
