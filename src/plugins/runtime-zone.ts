/** The time-zone part of a `PluginRuntime`: the user's zone and the local clock helper over it. */
import { localClock } from '../dates.js';
import type { PluginRuntime } from './types.js';

/**
 * `zone` may be a function: it is then called on the first read of `timeZone` (or the first
 * `localClock` without an offset), not before. Resolving the system zone goes through Intl, which
 * loads ICU's locale and zone data (~8 MB resident, ~10 ms); fitbit reads its offsets from the
 * data and never needs it. Spreading the result reads the getter: copy it with `withRuntime`.
 */
export function runtimeZone(zone: string | (() => string)): Pick<PluginRuntime, 'timeZone' | 'localClock'> {
  const get = typeof zone === 'string' ? () => zone : zone;
  return {
    get timeZone() {
      return get();
    },
    localClock: (instantMs, offsetSeconds) =>
      localClock(instantMs, offsetSeconds === undefined ? { timeZone: get() } : { offsetSeconds }),
  };
}

/** `{ ...rt, ...extra }` without reading the lazy `timeZone`: the descriptors are copied, not the values. */
export function withRuntime(rt: PluginRuntime, extra: Partial<PluginRuntime>): PluginRuntime {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(rt)) as PluginRuntime;
  return Object.assign(copy, extra);
}
