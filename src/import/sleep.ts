/**
 * Which sleep is the night's. A sleep belongs to the local date it ended (the wake-up date); a
 * date with several sleeps keeps its main sleep: the one the provider flags as main when it flags
 * any, else the longest that is not a nap. Naps never count: a date with only naps gets no sleep
 * values. The fitbit sync picks by it too (src/plugins/fitbit/mapping.ts, mapSleep).
 */
export interface SleepCandidate {
  /** Local date of the end of the sleep. */
  wakeDate: string;
  /** Local clock times, minutes after midnight. */
  bedTime: number;
  wakeUpTime: number;
  /** Minutes asleep (time awake in bed excluded), when known. */
  minutesAsleep?: number;
  /** Length of the sleep (in bed), for "the longest". */
  lengthMinutes: number;
  /** The provider's main-sleep flag, when it has one. */
  main?: boolean;
  /** The provider's nap flag, when it has one. */
  nap?: boolean;
}

export interface NightValues {
  sleepLength?: number;
  bedTime: number;
  wakeUpTime: number;
}

export function pickMainSleeps(sleeps: Iterable<SleepCandidate>): Map<string, NightValues> {
  const byDate = new Map<string, SleepCandidate[]>();
  for (const s of sleeps) {
    const list = byDate.get(s.wakeDate);
    if (list) list.push(s);
    else byDate.set(s.wakeDate, [s]);
  }
  const out = new Map<string, NightValues>();
  for (const [date, list] of byDate) {
    const flagged = list.filter((s) => s.main === true);
    const candidates = flagged.length > 0 ? flagged : list.filter((s) => s.nap !== true && s.main !== false);
    let best: SleepCandidate | undefined;
    for (const s of candidates) if (!best || s.lengthMinutes > best.lengthMinutes) best = s;
    if (!best) continue;
    const night: NightValues = { bedTime: best.bedTime, wakeUpTime: best.wakeUpTime };
    if (best.minutesAsleep !== undefined && best.minutesAsleep >= 0) night.sleepLength = Math.round(best.minutesAsleep);
    out.set(date, night);
  }
  return out;
}
