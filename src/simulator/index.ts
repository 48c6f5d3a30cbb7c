/** The embedded Google OAuth + Google Health API simulator (see server.ts). */
export type { SimDay, SimSleep } from './data.js';
export type { SimulatorFaults } from './faults.js';
export { type Simulator, type SimulatorOptions, startSimulator } from './server.js';
export { minutesAsleep } from './shapes.js';
