import { withingsPlugin } from '../../src/plugins/withings/plugin.js';
import { startWithingsSimulator } from '../../src/simulator/withings/index.js';
import { testPluginContract } from '../plugin-contract.js';
import { simulatorRuntime } from './withings/helpers.js';

testPluginContract({
  plugin: withingsPlugin,
  setup: async () => {
    const sim = await startWithingsSimulator({ seed: 3, now: new Date('2026-11-20T15:30:00Z') });
    return {
      rt: simulatorRuntime(sim, { signal: new AbortController().signal }),
      credentials: sim.issueTokens(),
      allowedBaseUrls: [sim.url],
      range: { from: '2026-09-01', to: '2026-11-20' },
      teardown: () => sim.close(),
    };
  },
});
