/** The runtime's time zone and local clock (src/dates.ts `localClock`, src/plugins/runtime-zone.ts). */
import { describe, expect, it } from 'vitest';
import { isTimeZone, localClock } from '../../src/dates.js';
import { runtimeZone } from '../../src/plugins/runtime-zone.js';

describe('localClock', () => {
  it('with an offset, shifts by it, across date boundaries both ways', () => {
    const at = (iso: string, offsetSeconds: number) => localClock(Date.parse(iso), { offsetSeconds });
    expect(at('2026-09-26T04:09:00Z', 32_400)).toEqual({ date: '2026-09-26', minutes: 789 });
    expect(at('2026-09-26T20:30:59Z', 32_400)).toEqual({ date: '2026-09-27', minutes: 5 * 60 + 30 });
    expect(at('2026-01-01T03:00:00Z', -18_000)).toEqual({ date: '2025-12-31', minutes: 22 * 60 });
    expect(at('2026-01-01T00:00:00Z', 0)).toEqual({ date: '2026-01-01', minutes: 0 });
  });

  it('without one, reads the wall clock in the time zone, DST included', () => {
    const ny = (iso: string) => localClock(Date.parse(iso), { timeZone: 'America/New_York' });
    expect(ny('2026-01-10T04:30:00Z')).toEqual({ date: '2026-01-09', minutes: 23 * 60 + 30 }); // EST, -5
    expect(ny('2026-07-10T03:30:00Z')).toEqual({ date: '2026-07-09', minutes: 23 * 60 + 30 }); // EDT, -4
    expect(ny('2026-07-10T04:00:00Z')).toEqual({ date: '2026-07-10', minutes: 0 }); // midnight is 00:00, not 24:00
  });

  it('an offset the provider gave wins over the zone', () => {
    const rt = runtimeZone('America/New_York');
    expect(rt.timeZone).toBe('America/New_York');
    expect(rt.localClock(Date.parse('2026-07-10T03:30:00Z'))).toEqual({ date: '2026-07-09', minutes: 23 * 60 + 30 });
    // A traveller in Tokyo that night: the record's own +09:00.
    expect(rt.localClock(Date.parse('2026-07-10T03:30:00Z'), 32_400)).toEqual({ date: '2026-07-10', minutes: 750 });
  });

  it('isTimeZone knows IANA names and refuses the rest', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone(':/etc/localtime')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(undefined)).toBe(false);
  });
});
