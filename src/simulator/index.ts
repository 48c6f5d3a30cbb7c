/** The embedded provider simulator: one server, a module per provider (see server.ts). */
export type { SimDay, SimSleep } from './data.js';
export type { SimulatorFaults } from './faults.js';
export { type GoogleHealthHandle, type GoogleHealthOptions, googleHealthModule } from './google-health.js';
export {
  type Simulator,
  type SimulatorOptions,
  type SimulatorServer,
  startSimulator,
  startSimulatorServer,
} from './server.js';
export { minutesAsleep } from './shapes.js';
