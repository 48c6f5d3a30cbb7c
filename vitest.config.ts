import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// The main suite. Fault-injection runs (hundreds of SIGKILLed syncs) live under test/faults and
// run with `npm run test:faults` (vitest.faults.config.ts); CI runs both.
export default defineConfig({
  define: { __OKR_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
