/** Partial responses in the simulator (src/simulator/field-mask.ts): the mask grammar, and the Google module's answers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFieldMask, parseFieldMask, unknownPath } from '../../src/simulator/field-mask.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';

const NOW = new Date('2026-11-20T15:30:00Z');

describe('field masks', () => {
  it('parse paths with dots, slashes, sub-selections and *', () => {
    const tree = parseFieldMask('a.b,c(d,e/f),g,a.h')!;
    expect(
      applyFieldMask({ a: { b: 1, h: 2, x: 3 }, c: { d: 4, e: { f: 5, y: 6 }, z: 7 }, g: [8], w: 9 }, tree),
    ).toEqual({ a: { b: 1, h: 2 }, c: { d: 4, e: { f: 5 } }, g: [8] });
    expect(applyFieldMask({ a: { b: 1, x: 2 } }, parseFieldMask('a(*)')!)).toEqual({ a: { b: 1, x: 2 } });
  });

  it('apply to each element of a list, and skip fields an element does not have', () => {
    const tree = parseFieldMask('items(id,kind)')!;
    expect(applyFieldMask({ items: [{ id: 1, kind: 'x', big: 'y' }, { id: 2 }], next: 't' }, tree)).toEqual({
      items: [{ id: 1, kind: 'x' }, { id: 2 }],
    });
  });

  it('refuse what does not parse', () => {
    for (const bad of ['', 'a(', 'a)', 'a,,b', 'a.', '(a)', 'a b', 'a(b))'])
      expect(parseFieldMask(bad), bad).toBeUndefined();
  });

  it('name the first path no field matches', () => {
    const shape = { items: [{ id: 0, inner: { x: 0 } }], next: 0 };
    expect(unknownPath(parseFieldMask('next,items(id,inner.x)')!, shape)).toBeUndefined();
    expect(unknownPath(parseFieldMask('items(id,inner.y)')!, shape)).toBe('items.inner.y');
    expect(unknownPath(parseFieldMask('nope')!, shape)).toBe('nope');
  });
});

describe("the Google module's partial responses", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, now: NOW });
  });
  afterAll(() => sim.close());

  const sleepList = async (extra: Record<string, string>, headers: Record<string, string> = {}) => {
    const q = new URLSearchParams({
      filter: 'sleep.interval.civil_end_time >= "2026-11-01" AND sleep.interval.civil_end_time < "2026-11-08"',
      pageSize: '25',
      ...extra,
    });
    const res = await fetch(`${sim.apiBaseUrl}/users/me/dataTypes/sleep/dataPoints?${q}`, {
      headers: { Authorization: `Bearer ${sim.issueTokens().accessToken}`, ...headers },
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('keep only the masked fields, from the query or the X-Goog-FieldMask header', async () => {
    const whole = await sleepList({});
    const points = whole.body.dataPoints as Array<{ sleep: Record<string, unknown> }>;
    expect(points.length).toBeGreaterThan(3);
    expect(points[0]!.sleep.stages).toBeDefined();
    for (const masked of [
      await sleepList({ fields: 'dataPoints(sleep(interval,type))' }),
      await sleepList({}, { 'X-Goog-FieldMask': 'dataPoints.sleep.interval,dataPoints.sleep.type' }),
    ]) {
      expect(masked.status).toBe(200);
      expect(masked.body).toEqual({
        dataPoints: points.map((p) => ({ sleep: { interval: p.sleep.interval, type: p.sleep.type } })),
      });
    }
  });

  it('answer 400 INVALID_ARGUMENT for a field Google does not have, a mask that does not parse, or when refusing masks', async () => {
    const unknown = await sleepList({ fields: 'dataPoints(sleep(interval,stagez))' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain("path 'dataPoints.sleep.stagez'");
    expect((await sleepList({ fields: 'dataPoints(' })).status).toBe(400);
    sim.faults.refuseFieldMask = true;
    try {
      expect((await sleepList({ fields: 'dataPoints(sleep(interval))' })).status).toBe(400);
      expect((await sleepList({})).status).toBe(200);
    } finally {
      sim.faults.refuseFieldMask = false;
    }
  });
});
