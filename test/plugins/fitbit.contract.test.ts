import { fitbitPlugin } from '../../src/plugins/fitbit/plugin.js';
import { startSimulator } from '../../src/simulator/index.js';
import { testPluginContract } from '../plugin-contract.js';
import { simulatorRuntime } from './fitbit/helpers.js';

testPluginContract({
  plugin: fitbitPlugin,
  setup: async () => {
    const sim = await startSimulator({ seed: 2, now: new Date('2026-11-20T15:30:00Z') });
    return {
      rt: simulatorRuntime(sim, { signal: new AbortController().signal }),
      credentials: sim.issueTokens(),
      allowedBaseUrls: [sim.apiBaseUrl, sim.tokenUrl, sim.revokeUrl],
      range: { from: '2026-09-01', to: '2026-11-20' },
      teardown: () => sim.close(),
    };
  },
});
