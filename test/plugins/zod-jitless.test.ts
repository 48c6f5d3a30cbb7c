/**
 * Every plugin schema parses without generating code: zod v4 would otherwise build a parser for
 * each object schema with `new Function` on its first parse (src/plugins/zod.ts says why okr does
 * not want that). Real published samples go through the real schemas while the Function
 * constructor is watched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listPage, rollupPage, sleepPoint, stepsRollupPoint } from '../../src/plugins/fitbit/schemas.js';
import { page, sleepDoc } from '../../src/plugins/oura/schemas.js';
import { getmeasBody } from '../../src/plugins/withings/schemas.js';
import { providerFixtures } from '../fixtures-helpers.js';
import { REPO_ROOT } from '../helpers/home.js';

const RealFunction = globalThis.Function;
afterEach(() => {
  globalThis.Function = RealFunction;
});

/** Runs `parse` with the Function constructor counted; returns how many functions were made from strings. */
function functionsMadeWhile(parse: () => void): number {
  let made = 0;
  globalThis.Function = new Proxy(RealFunction, {
    construct(target, args) {
      made++;
      return Reflect.construct(target, args);
    },
    apply(target, self, args) {
      made++;
      return Reflect.apply(target, self, args);
    },
  });
  try {
    parse();
  } finally {
    globalThis.Function = RealFunction;
  }
  return made;
}

describe('plugin schemas are jitless', () => {
  it('fitbit (Google Health) pages parse without new Function', () => {
    const gh = providerFixtures('google-health');
    const made = functionsMadeWhile(() => {
      const sleep = listPage(sleepPoint).safeParse(gh.json('sleep_list.google-doc-abridged.json'));
      expect(sleep.success, JSON.stringify(sleep.error?.issues)).toBe(true);
      expect(sleep.data?.dataPoints?.length).toBeGreaterThan(0);
      const steps = rollupPage(stepsRollupPoint).safeParse(gh.json('steps_dailyRollUp.ansanloms-measured.json'));
      expect(steps.success, JSON.stringify(steps.error?.issues)).toBe(true);
    });
    expect(made).toBe(0);
  });

  it('oura and withings bodies parse without new Function', () => {
    const made = functionsMadeWhile(() => {
      const sleep = page(sleepDoc).safeParse(providerFixtures('oura').json('sleep.go_oura.json'));
      expect(sleep.success, JSON.stringify(sleep.error?.issues)).toBe(true);
      const meas = providerFixtures('withings').json<{ body: unknown }>('measure_getmeas.python_withings.json');
      const body = getmeasBody.safeParse(meas.body);
      expect(body.success, JSON.stringify(body.error?.issues)).toBe(true);
    });
    expect(made).toBe(0);
  });
});

it("no module but src/plugins/zod.ts takes z from 'zod' itself (types aside)", () => {
  const src = join(REPO_ROOT, 'src');
  const direct = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /^import (?!type )[^;]*from 'zod'/m.test(readFileSync(join(src, f), 'utf8')))
    .map((f) => f.split('\\').join('/'));
  expect(direct).toEqual(['plugins/zod.ts']);
});
