import { ouraPlugin } from '../../src/plugins/oura/plugin.js';
import { startOuraSimulator } from '../../src/simulator/oura/index.js';
import { testPluginContract } from '../plugin-contract.js';
import { simulatorRuntime } from './oura/helpers.js';

testPluginContract({
  plugin: ouraPlugin,
  setup: async () => {
    const sim = await startOuraSimulator({ seed: 3, now: new Date('2026-11-20T15:30:00Z') });
    return {
      rt: simulatorRuntime(sim, { signal: new AbortController().signal }),
      credentials: sim.issueTokens(),
      allowedBaseUrls: [sim.url],
      range: { from: '2026-09-01', to: '2026-11-20' },
      teardown: () => sim.close(),
    };
  },
});
