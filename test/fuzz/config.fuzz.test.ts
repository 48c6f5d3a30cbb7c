import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { UsageError } from '../../src/errors.js';
import { type ConfigKey, validateValue } from '../../src/store/config.js';
import { tempHome } from '../helpers/home.js';
import { testRegistry } from '../helpers/test-plugin.js';

const RUNS = 2000;
const KEYS: ConfigKey[] = [
  { key: 'plugin.x.client_id', label: 'id', description: '', type: 'text', required: true, advanced: false },
  {
    key: 'plugin.x.client_secret',
    label: 'secret',
    description: '',
    type: 'password',
    required: true,
    advanced: false,
  },
  { key: 'plugin.x.api_base_url', label: 'url', description: '', type: 'url', required: false, advanced: true },
  {
    key: 'secrets.store',
    label: 'store',
    description: '',
    type: 'enum',
    choices: ['keychain', 'file'],
    required: false,
    advanced: false,
  },
];

const anyText = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.webUrl(),
  fc.constantFrom(
    '',
    ' ',
    'keychain',
    'file',
    'http://127.0.0.1:1/x',
    'https://a',
    'javascript:alert(1)',
    'x'.repeat(5000),
  ),
);

describe('config values (fuzz)', () => {
  for (const key of KEYS) {
    it(`validates ${key.type} values: a clean value or a UsageError, nothing else`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(anyText, (raw) => {
          try {
            const v = validateValue(key, raw);
            accepted++;
            expect(v.length).toBeGreaterThan(0);
            expect(v.length).toBeLessThanOrEqual(4096);
            expect(/[\u0000-\u001f\u007f]/.test(v)).toBe(false);
            if (key.type === 'url') expect(['http:', 'https:']).toContain(new URL(v).protocol);
            if (key.type === 'enum') expect(key.choices).toContain(v);
          } catch (err) {
            expect(err).toBeInstanceOf(UsageError);
            expect((err as UsageError).message).toContain(key.key);
          }
        }),
        { numRuns: RUNS },
      );
      console.log(`config ${key.type}: ${RUNS} cases tried, ${accepted} accepted`);
    });
  }

  it('resolves config keys: a known key or a UsageError naming it', () => {
    const ctx = createContext({ env: { OKR_HOME: tempHome() }, registry: testRegistry() });
    const known = new Set(ctx.config.keys().map((k) => k.key));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom(...known),
          fc.constantFrom('plugin.', 'plugin.testsvc.', '.', ''),
        ),
        (key) => {
          try {
            expect(known.has(ctx.config.describe(key).key)).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(UsageError);
            expect((err as UsageError).message).toBe(`Unknown config key "${key}".`);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.log(`config keys: ${RUNS} cases tried`);
  });
});
