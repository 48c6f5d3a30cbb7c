/** The time-zone part of a `PluginRuntime`: the user's zone and the local clock helper over it. */
import { localClock } from '../dates.js';
import type { PluginRuntime } from './types.js';

export function runtimeZone(timeZone: string): Pick<PluginRuntime, 'timeZone' | 'localClock'> {
  return {
    timeZone,
    localClock: (instantMs, offsetSeconds) => localClock(instantMs, { offsetSeconds, timeZone }),
  };
}
