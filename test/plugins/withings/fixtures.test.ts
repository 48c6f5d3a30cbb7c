/**
 * The withings plugin on every published sample in test/fixtures/withings/ (SOURCES.md), through
 * its real request, envelope, schema and mapping code, with expected values written by hand from
 * the samples (times converted to the record's zone by hand: Europe/Paris is +02:00 in April,
 * Europe/Amsterdam +02:00 in September). The `ha_core` samples hold only a body or an array; they
 * are wrapped in the envelope Withings sends around them.
 */
import { describe, expect, it } from 'vitest';
import { refreshCredentials } from '../../../src/oauth/tokens.js';
import { measureValue } from '../../../src/plugins/withings/mapping.js';
import { withingsPlugin } from '../../../src/plugins/withings/plugin.js';
import { cannedRuntime, DUMMY_CREDENTIALS, envelope, form, STUB_BASE, withingsFixtures } from './helpers.js';

const fetch = (rt: ReturnType<typeof cannedRuntime>, from: string, to: string, fields: string[]) =>
  withingsPlugin.fetchData(rt, DUMMY_CREDENTIALS, from, to, fields);

describe('every copied sample is covered', () => {
  it('this file names each one', () => {
    expect(withingsFixtures.list()).toEqual([
      'measure_getmeas.python_withings.json',
      'measure_getmeas_body.ha_core.json',
      'measure_v2_getactivity.python_withings.json',
      'measure_v2_getactivity_activities.ha_core.json',
      'oauth2_requesttoken.python_withings_api.json',
      'sleep_v2_getsummary.python_withings.json',
      'sleep_v2_getsummary_series.ha_core.json',
      'user_v2_getgoals.python_withings.json',
    ]);
  });
});

describe('measures (getmeas)', () => {
  it('measure_getmeas.python_withings: one weighing listed twice (attrib 0 and 8) is one weight, 118003 × 10^-3 kg', async () => {
    const rt = cannedRuntime(() => ({ fixture: 'measure_getmeas.python_withings.json' }));
    const r = await fetch(rt, '2023-09-01', '2023-09-03', ['weight', 'fatRatio', 'muscleMass']);
    // 1693651151 = 2023-09-02 12:39 in Europe/Amsterdam, the zone of the answer.
    expect(r.records).toEqual([{ date: '2023-09-02', fields: { weight: 118.003 } }]);
    // One request (no `more`), a form POST to /measure with the types okr reads and real measures only.
    expect(rt.calls).toHaveLength(1);
    expect(rt.calls[0]!.method).toBe('POST');
    expect(rt.calls[0]!.url).toBe(`${STUB_BASE}/measure`);
    expect(form(rt.calls[0]!)).toMatchObject({ action: 'getmeas', meastypes: '1,6,76', category: '1' });
  });

  it('measure_getmeas_body.ha_core: the day’s last weighing counts; an ambiguous one (attrib 1) and other types do not', async () => {
    const body = withingsFixtures.json('measure_getmeas_body.ha_core.json');
    const rt = cannedRuntime(() => ({ body: envelope(body) }));
    const r = await fetch(rt, '2019-08-01', '2019-08-01', ['weight', 'fatRatio', 'muscleMass']);
    // Groups at 11:00 (71 kg), 12:00 (70 kg) and 13:00 UTC (71 kg, attrib 1: a shared scale's
    // guess); fat ratio 70 × 10^-3 %, muscle mass (type 76) 50 kg; fat mass (8) and fat-free mass (5) unused.
    expect(r.records).toEqual([{ date: '2019-08-01', fields: { weight: 70, fatRatio: 0.07, muscleMass: 50 } }]);
  });

  it('the day comes from the answer’s zone, not the machine’s: 00:30 in Amsterdam is the previous evening in Los Angeles', async () => {
    const sample = withingsFixtures.json<{ body: { measuregrps: Array<{ date: number }> } }>(
      'measure_getmeas.python_withings.json',
    );
    // The sample's weighing moved to 2023-09-02 00:30 CEST (2023-09-01 22:30 UTC).
    for (const g of sample.body.measuregrps) g.date = Date.parse('2023-09-01T22:30:00Z') / 1000;
    const rt = cannedRuntime(() => ({ body: JSON.stringify(sample) }), { timeZone: 'America/Los_Angeles' });
    const r = await fetch(rt, '2023-09-01', '2023-09-02', ['weight']);
    expect(r.records).toEqual([{ date: '2023-09-02', fields: { weight: 118.003 } }]);
  });

  it('user_v2_getgoals.python_withings: the goal weight uses the same encoding (70500 × 10^-3 = 70.5 kg)', () => {
    const goals = withingsFixtures.json<{ body: { goals: { weight: { value: number; unit: number } } } }>(
      'user_v2_getgoals.python_withings.json',
    );
    const w = goals.body.goals.weight;
    expect(measureValue(w.value, w.unit)).toBe(70.5);
    expect(measureValue(118003, -3)).toBe(118.003);
    expect(measureValue(95, -2)).toBe(0.95);
    expect(measureValue(7, 2)).toBe(700);
  });
});

describe('sleep (getsummary)', () => {
  it('sleep_v2_getsummary_series.ha_core: five unsorted nights, each on its own date, times in Europe/Paris', async () => {
    const series = withingsFixtures.json('sleep_v2_getsummary_series.ha_core.json');
    const rt = cannedRuntime(() => ({ body: envelope({ series, more: false, offset: 0 }) }));
    const r = await fetch(rt, '2021-04-14', '2021-04-18', [
      'sleepLength',
      'sleepScore',
      'bedTime',
      'wakeUpTime',
      'restingHeartRate',
    ]);
    const at = (h: number, m: number) => h * 60 + m;
    expect(r.records).toEqual([
      {
        date: '2021-04-14',
        fields: { sleepLength: 378, sleepScore: 62, bedTime: at(22, 30), wakeUpTime: at(6, 11), restingHeartRate: 70 },
      },
      {
        date: '2021-04-15',
        fields: { sleepLength: 281, sleepScore: 20, bedTime: at(22, 30), wakeUpTime: at(4, 19), restingHeartRate: 50 },
      },
      {
        date: '2021-04-16',
        fields: { sleepLength: 281, sleepScore: 20, bedTime: at(22, 30), wakeUpTime: at(6, 40), restingHeartRate: 50 },
      },
      {
        date: '2021-04-17',
        fields: { sleepLength: 448, sleepScore: 90, bedTime: at(22, 30), wakeUpTime: at(7, 22), restingHeartRate: 50 },
      },
      {
        date: '2021-04-18',
        fields: { sleepLength: 311, sleepScore: 37, bedTime: at(22, 30), wakeUpTime: at(4, 32), restingHeartRate: 70 },
      },
    ]);
    // The summary fields okr reads are asked for (without data_fields Withings sends no score).
    const sent = form(rt.calls[0]!);
    expect(rt.calls[0]!.url).toBe(`${STUB_BASE}/v2/sleep`);
    expect(sent).toMatchObject({ action: 'getsummary', startdateymd: '2021-04-13', enddateymd: '2021-04-19' });
    expect(sent.data_fields!.split(',')).toEqual(expect.arrayContaining(['total_sleep_time', 'sleep_score', 'hr_min']));
  });

  it('sleep_v2_getsummary.python_withings: 300 nights with more=true, offset=300, so a second page is asked for', async () => {
    const rt = cannedRuntime((_url, init) => {
      const offset = new URLSearchParams(String(init?.body)).get('offset');
      return offset === null
        ? { fixture: 'sleep_v2_getsummary.python_withings.json' }
        : { body: envelope({ series: [], more: false, offset: 0 }) };
    });
    const r = await fetch(rt, '2021-03-01', '2022-01-31', ['sleepLength', 'sleepScore', 'bedTime', 'wakeUpTime']);
    expect(rt.calls.map((c) => form(c).offset)).toEqual([undefined, '300']);
    expect(r.records).toHaveLength(300);
    const byDate = new Map(r.records.map((x) => [x.date, x.fields]));
    // The first and the last night, and both DST nights (they start at +01:00/+02:00 and end at the other).
    expect(byDate.get('2021-03-08')).toEqual({
      sleepLength: 428,
      sleepScore: 81,
      bedTime: 22 * 60 + 30,
      wakeUpTime: 6 * 60 + 45,
    });
    expect(byDate.get('2022-01-10')).toEqual({
      sleepLength: 320,
      sleepScore: 46,
      bedTime: 22 * 60 + 30,
      wakeUpTime: 5 * 60,
    });
    expect(byDate.get('2021-03-28')).toMatchObject({
      sleepLength: 416,
      bedTime: 22 * 60 + 30,
      wakeUpTime: 7 * 60 + 21,
    });
    expect(byDate.get('2021-10-31')).toMatchObject({ sleepLength: 481, bedTime: 22 * 60 + 30, wakeUpTime: 7 * 60 });
    // The sample's first record (27420 s asleep on 2021-04-17) and one from the middle.
    expect(byDate.get('2021-04-17')).toEqual({
      sleepLength: 457,
      sleepScore: 74,
      bedTime: 22 * 60 + 30,
      wakeUpTime: 7 * 60 + 22,
    });
    expect(byDate.get('2021-08-10')).toEqual({
      sleepLength: 405,
      sleepScore: 79,
      bedTime: 22 * 60 + 30,
      wakeUpTime: 5 * 60 + 59,
    });
    // Its date is the wake-up day: nothing lands on 2021-03-07, the evening the first night began.
    expect(byDate.has('2021-03-07')).toBe(false);
  });
});

describe('activity (getactivity)', () => {
  it('measure_v2_getactivity.python_withings: steps of two days from a third-party tracker', async () => {
    const rt = cannedRuntime(() => ({ fixture: 'measure_v2_getactivity.python_withings.json' }));
    const r = await fetch(rt, '2023-10-20', '2023-10-21', ['steps']);
    expect(r.records).toEqual([
      { date: '2023-10-20', fields: { steps: 1209 } },
      { date: '2023-10-21', fields: { steps: 1155 } },
    ]);
    expect(rt.calls[0]!.url).toBe(`${STUB_BASE}/v2/measure`);
    expect(form(rt.calls[0]!)).toMatchObject({
      action: 'getactivity',
      startdateymd: '2023-10-20',
      enddateymd: '2023-10-22',
    });
  });

  it('measure_v2_getactivity_activities.ha_core: fourteen days; outside the asked range is dropped', async () => {
    const activities = withingsFixtures.json('measure_v2_getactivity_activities.ha_core.json');
    const rt = cannedRuntime(() => ({ body: envelope({ activities, more: false, offset: 0 }) }));
    const all = await fetch(rt, '2023-10-08', '2023-10-21', ['steps']);
    expect(all.records.map((x) => [x.date, x.fields.steps])).toEqual([
      ['2023-10-08', 1892],
      ['2023-10-09', 2576],
      ['2023-10-10', 1827],
      ['2023-10-11', 3801],
      ['2023-10-12', 2501],
      ['2023-10-13', 6787],
      ['2023-10-14', 1232],
      ['2023-10-15', 851],
      ['2023-10-16', 654],
      ['2023-10-17', 566],
      ['2023-10-18', 2204],
      ['2023-10-19', 95],
      ['2023-10-20', 1209],
      ['2023-10-21', 1155],
    ]);
    const part = await fetch(rt, '2023-10-12', '2023-10-13', ['steps']);
    expect(part.records).toEqual([
      { date: '2023-10-12', fields: { steps: 2501 } },
      { date: '2023-10-13', fields: { steps: 6787 } },
    ]);
  });
});

describe('token (requesttoken)', () => {
  it('oauth2_requesttoken.python_withings_api: the envelope becomes credentials; scopes space-separated, userid kept', async () => {
    const now = new Date('2024-02-01T12:00:00Z');
    const rt = cannedRuntime(() => ({ fixture: 'oauth2_requesttoken.python_withings_api.json' }), { now });
    const cfg = await withingsPlugin.getOAuthConfig(rt);
    const creds = await refreshCredentials(rt, withingsPlugin, cfg, DUMMY_CREDENTIALS);
    expect(creds).toEqual({
      accessToken: 'my_access_token',
      refreshToken: 'my_refresh_token',
      tokenType: 'Bearer',
      expiresAt: now.getTime() + 11_000,
      scope: 'user.metrics user.activity',
      userId: '12345',
      obtainedAt: now.getTime(),
    });
    // The form Withings wants: action=requesttoken, the client in the body, the refresh grant.
    expect(rt.calls[0]!.url).toBe(`${STUB_BASE}/v2/oauth2`);
    expect(form(rt.calls[0]!)).toEqual({
      action: 'requesttoken',
      grant_type: 'refresh_token',
      refresh_token: 'withings-test-refresh',
      client_id: 'withings-test-client',
      client_secret: 'withings-test-secret',
    });
  });
});
