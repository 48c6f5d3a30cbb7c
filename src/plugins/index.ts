/**
 * Registers the built-in plugins. Adding a plugin is one folder plus one line here.
 */
import { appleHealthPlugin } from './apple-health/plugin.js';
import { fitbitPlugin } from './fitbit/plugin.js';
import { ouraPlugin } from './oura/plugin.js';
import { PluginRegistry } from './registry.js';
import { withingsPlugin } from './withings/plugin.js';

export function createDefaultRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.register(fitbitPlugin);
  registry.register(ouraPlugin);
  registry.register(withingsPlugin);
  registry.register(appleHealthPlugin);
  return registry;
}

export { PluginRegistry } from './registry.js';
export type * from './types.js';
