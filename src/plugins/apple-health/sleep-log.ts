/**
 * The export's sleep records, kept until the whole file was read (a source's records are not
 * always in time order, and a night can only be described once all of its stages are known).
 *
 * A Watch writes a record per sleep stage, 20 to 60 a night, so ten years are a few hundred
 * thousand records: they are stored in columns of typed arrays (27 bytes a record) rather than
 * as objects with two parsed dates each (~200 bytes a record), so that what the import holds
 * stays a small part of its memory however long the history.
 */
import type { SleepCandidate } from '../../import/sleep.js';

const MINUTE = 60_000;
/** Records of one source further apart than this belong to different sessions. */
const SESSION_GAP_MS = 2 * 60 * MINUTE;
/** More sources than any export has; further names share the last index (a hostile file). */
const MAX_SOURCES = 0xffff;

/** An instant, and the UTC offset its wall clock was written in. */
export interface SleepInstant {
  ms: number;
  offsetMinutes: number;
}

function wallClock(ms: number, offsetMinutes: number): { date: string; minutes: number } {
  const wall = new Date(ms + offsetMinutes * MINUTE);
  return { date: wall.toISOString().slice(0, 10), minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes() };
}

export class SleepLog {
  #n = 0;
  #start = new Float64Array(1024);
  #end = new Float64Array(1024);
  #startOffset = new Int16Array(1024);
  #endOffset = new Int16Array(1024);
  #source = new Uint16Array(1024);
  #asleep = new Uint8Array(1024);
  readonly #sources = new Map<string, number>();

  get size(): number {
    return this.#n;
  }

  add(source: string, start: SleepInstant, end: SleepInstant, asleep: boolean): void {
    if (this.#n === this.#start.length) this.#grow();
    let s = this.#sources.get(source);
    if (s === undefined) {
      s = Math.min(this.#sources.size, MAX_SOURCES);
      if (this.#sources.size < MAX_SOURCES) this.#sources.set(source, s);
    }
    const i = this.#n++;
    this.#start[i] = start.ms;
    this.#end[i] = end.ms;
    this.#startOffset[i] = start.offsetMinutes;
    this.#endOffset[i] = end.offsetMinutes;
    this.#source[i] = s;
    this.#asleep[i] = asleep ? 1 : 0;
  }

  #grow(): void {
    const twice = <T extends Float64Array | Int16Array | Uint16Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.#start = twice(this.#start);
    this.#end = twice(this.#end);
    this.#startOffset = twice(this.#startOffset);
    this.#endOffset = twice(this.#endOffset);
    this.#source = twice(this.#source);
    this.#asleep = twice(this.#asleep);
  }

  /**
   * Each source's records joined into sessions (gaps under two hours), each described as a
   * SleepCandidate: minutes asleep are the union of its asleep records (sources repeat a stage),
   * bed time its first record's start, wake-up time the latest end. A session that starts after
   * 10:00 and ends before 20:00 the same day is a nap.
   */
  sessions(): SleepCandidate[] {
    const order = Array.from({ length: this.#n }, (_, i) => i);
    order.sort(
      (a, b) =>
        this.#source[a]! - this.#source[b]! || this.#start[a]! - this.#start[b]! || this.#end[a]! - this.#end[b]!,
    );
    const out: SleepCandidate[] = [];
    let first = -1; // the session's first record
    let last = -1; // its record that ends last
    let asleepMs = 0;
    let coveredTo = Number.NEGATIVE_INFINITY;
    const flush = () => {
      if (first >= 0) out.push(this.#describe(first, last, asleepMs));
      first = -1;
      asleepMs = 0;
      coveredTo = Number.NEGATIVE_INFINITY;
    };
    for (const i of order) {
      const newSource = first >= 0 && this.#source[i] !== this.#source[first];
      if (first >= 0 && (newSource || this.#start[i]! - this.#end[last]! > SESSION_GAP_MS)) flush();
      if (first < 0) first = last = i;
      else if (this.#end[i]! > this.#end[last]!) last = i;
      if (this.#asleep[i]) {
        const from = Math.max(this.#start[i]!, coveredTo);
        if (this.#end[i]! > from) asleepMs += this.#end[i]! - from;
        coveredTo = Math.max(coveredTo, this.#end[i]!);
      }
    }
    flush();
    return out;
  }

  #describe(first: number, last: number, asleepMs: number): SleepCandidate {
    const bed = wallClock(this.#start[first]!, this.#startOffset[first]!);
    const wake = wallClock(this.#end[last]!, this.#endOffset[last]!);
    const asleepMinutes = asleepMs / MINUTE;
    const spanMinutes = (this.#end[last]! - this.#start[first]!) / MINUTE;
    return {
      wakeDate: wake.date,
      bedTime: bed.minutes,
      wakeUpTime: wake.minutes,
      minutesAsleep: asleepMinutes > 0 ? asleepMinutes : undefined,
      // "The longest" here is the most asleep; a session with no asleep stage ranks below any with one.
      lengthMinutes: asleepMinutes > 0 ? 1e7 + asleepMinutes : spanMinutes,
      nap: bed.minutes >= 10 * 60 && wake.minutes <= 20 * 60 && bed.date === wake.date,
    };
  }
}
