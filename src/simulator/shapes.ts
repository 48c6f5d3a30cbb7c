/**
 * Simulated data → the exact JSON shapes Google Health returns (see the measured samples in
 * test/fixtures/google-health/): int64 values as strings, offsets as "NNNs", intervals
 * without civil times for sleep, `{date, time: {}}` civil times for roll-ups, key order as seen.
 */
import { toYmd } from '../dates.js';
import type { Segment, SimDay, SimSleep, StageType } from './data.js';

const DEVICE = { displayName: 'Pixel Watch 3' };

export function googleDate(date: string): { year: number; month: number; day: number } {
  return toYmd(date);
}

/** RFC 3339 without fractional seconds, as in sleep intervals. */
function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function offset(seconds: number): string {
  return `${seconds}s`;
}

/** The offset in force at an instant inside a sleep: only a DST night has two. */
function offsetAt(s: SimSleep, ms: number, dstChangeMs: number | undefined): number {
  return dstChangeMs !== undefined && ms >= dstChangeMs ? s.endOffset : s.startOffset;
}

function intervalOf(seg: Segment, s: SimSleep, dstChangeMs: number | undefined) {
  return {
    startTime: time(seg.startMs),
    startUtcOffset: offset(offsetAt(s, seg.startMs, dstChangeMs)),
    endTime: time(seg.endMs),
    endUtcOffset: offset(offsetAt(s, seg.endMs, dstChangeMs)),
  };
}

/**
 * The instant the offset changes within a DST night. US/EU changes happen at 2:00 or 3:00 local,
 * which is whole hours in UTC; the exact minute only matters for which stages get which offset.
 */
function dstChange(s: SimSleep, offsetFn: (ms: number) => number): number | undefined {
  if (s.startOffset === s.endOffset) return undefined;
  let lo = s.startMs;
  let hi = s.endMs;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetFn(mid) === s.startOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

function minutes(seg: Segment): number {
  return Math.round((seg.endMs - seg.startMs) / 60_000);
}

export function sleepPointJson(s: SimSleep, healthUserId: string, offsetFn: (ms: number) => number) {
  const change = dstChange(s, offsetFn);
  const byType = new Map<StageType, { minutes: number; count: number }>();
  for (const seg of s.stages) {
    const t = byType.get(seg.type) ?? { minutes: 0, count: 0 };
    t.minutes += minutes(seg);
    t.count += 1;
    byType.set(seg.type, t);
  }
  const total = Math.round((s.endMs - s.startMs) / 60_000);
  // STAGES: asleep = LIGHT + DEEP + REM; CLASSIC: asleep = ASLEEP (AWAKE and RESTLESS excluded).
  const asleep = (['LIGHT', 'DEEP', 'REM', 'ASLEEP'] as StageType[]).reduce(
    (n, t) => n + (byType.get(t)?.minutes ?? 0),
    0,
  );
  const order: StageType[] = s.type === 'STAGES' ? ['AWAKE', 'LIGHT', 'DEEP', 'REM'] : ['AWAKE', 'RESTLESS', 'ASLEEP'];
  const metadata: Record<string, unknown> = { stagesStatus: s.stagesStatus, processed: s.processed };
  // proto3 JSON leaves false out: only the main sleep carries the flag, only naps carry `nap`.
  if (s.main) metadata.mainSleep = true;
  if (s.nap) metadata.nap = true;
  const point: Record<string, unknown> = {
    name: `users/${healthUserId}/dataTypes/sleep/dataPoints/${s.id}`,
    dataSource: { recordingMethod: 'DERIVED', device: DEVICE, platform: 'FITBIT' },
    sleep: {
      interval: {
        startTime: time(s.startMs),
        startUtcOffset: offset(s.startOffset),
        endTime: time(s.endMs),
        endUtcOffset: offset(s.endOffset),
      },
      type: s.type,
      stages: s.stages.map((seg) => ({
        ...intervalOf(seg, s, change),
        type: seg.type,
        createTime: s.createTime,
        updateTime: s.createTime,
      })),
      metadata,
      summary: {
        minutesInSleepPeriod: String(total),
        minutesAfterWakeUp: '0',
        minutesToFallAsleep: '0',
        minutesAsleep: String(asleep),
        minutesAwake: String(total - asleep),
        stagesSummary: order.map((type) => ({
          type,
          minutes: String(byType.get(type)?.minutes ?? 0),
          count: String(byType.get(type)?.count ?? 0),
        })),
      },
      createTime: s.createTime,
      updateTime: s.updateTime,
      shortAwakenings: s.shortAwakenings.map((seg) => ({ ...intervalOf(seg, s, change), type: seg.type })),
    },
  };
  return point;
}

/** The `asleep` minutes the summary reports, for tests that compare the plugin with the data. */
export function minutesAsleep(s: SimSleep): number {
  return s.stages
    .filter((seg) => seg.type === 'LIGHT' || seg.type === 'DEEP' || seg.type === 'REM' || seg.type === 'ASLEEP')
    .reduce((n, seg) => n + minutes(seg), 0);
}

const DAILY_SOURCE = { platform: 'FITBIT', recordingMethod: 'DERIVED' };

export function restingHeartRateJson(day: SimDay) {
  return {
    dataSource: DAILY_SOURCE,
    dailyRestingHeartRate: { date: googleDate(day.date), beatsPerMinute: String(day.restingHeartRate) },
  };
}

export function hrvJson(day: SimDay) {
  const h = day.hrv!;
  const value: Record<string, unknown> = { date: googleDate(day.date) };
  if (h.average !== undefined) value.averageHeartRateVariabilityMilliseconds = h.average;
  value.nonRemHeartRateBeatsPerMinute = String(h.nonRemBpm);
  value.entropy = h.entropy;
  value.deepSleepRootMeanSquareOfSuccessiveDifferencesMilliseconds = h.deepRmssd;
  return { dataSource: DAILY_SOURCE, dailyHeartRateVariability: value };
}

/** One roll-up window; `startDate` inclusive, `endDate` exclusive (the next window's start). */
export function rollupJson(startDate: string, endDate: string, member: string, value: Record<string, string>) {
  return {
    civilStartTime: { date: googleDate(startDate), time: {} },
    civilEndTime: { date: googleDate(endDate), time: {} },
    [member]: value,
  };
}

/**
 * Every field a sleep list answer can carry, as Google's measured answer has them
 * (test/fixtures/google-health/sleep_list.ansanloms-measured.json, plus `nap`, which the
 * simulator sends for naps): what a `fields` mask on `list:sleep` is checked against (field-mask.ts).
 */
const SEGMENT = { startTime: 0, startUtcOffset: 0, endTime: 0, endUtcOffset: 0, type: 0, createTime: 0, updateTime: 0 };
export const SLEEP_LIST_SHAPE = {
  dataPoints: [
    {
      name: 0,
      dataSource: { recordingMethod: 0, device: { displayName: 0 }, platform: 0, application: 0 },
      sleep: {
        interval: { startTime: 0, startUtcOffset: 0, endTime: 0, endUtcOffset: 0 },
        type: 0,
        stages: [SEGMENT],
        metadata: { stagesStatus: 0, processed: 0, mainSleep: 0, nap: 0 },
        summary: {
          minutesInSleepPeriod: 0,
          minutesAfterWakeUp: 0,
          minutesToFallAsleep: 0,
          minutesAsleep: 0,
          minutesAwake: 0,
          stagesSummary: [{ type: 0, minutes: 0, count: 0 }],
        },
        createTime: 0,
        updateTime: 0,
        shortAwakenings: [SEGMENT],
      },
    },
  ],
  nextPageToken: 0,
};
