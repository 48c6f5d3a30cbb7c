/**
 * `okr progress` end to end in-process, on values put into daily_metric_values by hand. Every
 * expected figure below is worked out in the comments from the values, not read from the code.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { expectFits, type Home, newHome } from './commands-helpers.js';

const t = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** `left` and `right` on one 80-column line, `right` ending at column 80. */
const row = (left: string, right: string): string => `${left}${' '.repeat(80 - left.length - right.length)}${right}`;

/**
 * Objective 1 "Sleep better" for November 2026 (30 days; Nov 1 is a Sunday) with four key
 * results, and objective 2 "Read more" for 2026-Q1 without any.
 */
async function november(): Promise<Home> {
  const h = newHome();
  await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-11']);
  await h.ok(['objective', 'add', 'Read more', '--period', '2026-Q1']);
  const kr = (...args: string[]) => h.ok(['kr', 'add', ...args]);
  await kr(
    'Sleep 7h on average',
    '--objective',
    '1',
    '--metric',
    'fitbit.sleepLength',
    '--agg',
    'avg',
    '--target',
    '>= 7:00',
  );
  await kr(
    'Read 12 books',
    '--objective',
    '1',
    '--metric',
    'books',
    '--type',
    'number',
    '--agg',
    'sum',
    '--target',
    '12',
  );
  await kr(
    'In bed by 23:00',
    '--objective',
    '1',
    '--metric',
    'fitbit.bedTime',
    '--agg',
    'avg',
    '--target',
    '<= 23:00',
    '--baseline',
    '23:45',
  );
  await kr(
    '10k steps on 5 days a week',
    '--objective',
    '1',
    '--metric',
    'fitbit.steps',
    '--agg',
    'days',
    '--where',
    '>= 10000',
    '--per',
    'week',
    '--target',
    '>= 5',
  );

  // Sleep: Oct 31 and Nov 12 lie outside Nov 1..11 and must not count (on Nov 11).
  h.put('fitbit.sleepLength', {
    '2026-10-31': 100,
    '2026-11-01': t('6:30'),
    '2026-11-02': t('7:30'),
    '2026-11-04': t('8:00'),
    '2026-11-10': t('7:00'),
    '2026-11-12': 100,
  });
  h.put('books', { '2026-11-02': 1, '2026-11-09': 2 });
  // Bedtimes across midnight: 22:30, 23:30, 00:30, 23:30 sit at -30, +30, +90, +30 minutes from
  // 23:00, symmetric around +30: the mean is 23:30 (a mean of the raw minutes would be 17:15).
  h.put('fitbit.bedTime', {
    '2026-11-01': t('22:30'),
    '2026-11-02': t('23:30'),
    '2026-11-03': t('00:30'),
    '2026-11-04': t('23:30'),
  });
  h.put('fitbit.steps', {
    '2026-11-01': 12000, // Sunday: the 1-day edge week of the period
    '2026-11-02': 10000, // Mon..Sun Nov 2-8: qualifying on the 2nd, 3rd, 5th, 8th
    '2026-11-03': 15000,
    '2026-11-04': 9999,
    '2026-11-05': 11000,
    // Nov 6: no data
    '2026-11-07': 3000,
    '2026-11-08': 10500,
    '2026-11-09': 20000, // the running week of Nov 11
    '2026-11-10': 20000,
  });
  return h;
}

interface ProgressJson {
  date: string;
  objectives: Array<{
    id: number;
    state: string;
    day: number;
    percent: number | null;
    keyResults: Array<{ id: number; progress: Record<string, unknown> | null; error: string | null }>;
  }>;
}

describe('okr progress', () => {
  it('prints value, target, percent, pace, status, days of data and a bar, on hand-computed data', async () => {
    const h = await november();
    const out = await h.ok(['progress', '--date', '2026-11-11', '--period', '2026-11']);
    // KR 1: (390 + 450 + 480 + 420) / 4 = 435 = 7:15; 435 / 420 = 103.6% → a full bar; data on 4 of 11 days.
    // KR 2: 1 + 2 = 3 books; pace 12 × 10 finished days / 30 = 4; behind by 1 ≤ 10% of 12 → at risk.
    // KR 3: 23:30; from the 23:45 baseline to 23:00: (23:30 - 23:45) / (23:00 - 23:45) = 15/45 = 33%;
    //       30 minutes late > 10% of the 45-minute way → off track.
    // KR 4: the edge week (Nov 1) had 1 qualifying day of 1 → 7 a week, weight 1; Nov 2-8 had 4,
    //       weight 7: (7 + 28) / 8 = 4.375 a week = 87.5% of 5; short by 0.625 > 0.5 → off track.
    //       The running week (Nov 9-10) is not used while weeks have ended.
    // Objective: (100 + 25 + 33.3 + 87.5) / 4 = 61.5%.
    expect(out.split('\n')).toEqual([
      'Progress on 2026-11-11',
      '',
      row('Objective 1: Sleep better', '2026-11 · day 11 of 30 · 61%'),
      row('  KR 1  Sleep 7h on average', 'on track'),
      `        ${'█'.repeat(20)} 104%  7:15 · target >= 7:00 · pace 7:00`,
      '        fitbit.sleepLength avg · from 4 days of data (7 missing)',
      row('  KR 2  Read 12 books', 'at risk'),
      `        ${'█'.repeat(5)}${'░'.repeat(15)}  25%  3 · target >= 12 · pace 4`,
      '        books sum · from 2 days of data',
      row('  KR 3  In bed by 23:00', 'off track'),
      `        ${'█'.repeat(6)}${'░'.repeat(14)}  33%  23:30 · target <= 23:00 · pace 23:00`,
      '        fitbit.bedTime avg · from 4 days of data (7 missing) · baseline 23:45',
      row('  KR 4  10k steps on 5 days a week', 'off track'),
      `        ${'█'.repeat(17)}${'░'.repeat(3)}  88%  4.4 a week · target >= 5 · pace 5`,
      '        fitbit.steps days >= 10,000 per week · from 9 days of data (2 missing)',
      '        1 of 2 weeks met',
      '',
    ]);
    expectFits(out);
  });

  it('has a stable JSON shape with the same figures', async () => {
    const h = await november();
    const j = await h.json<ProgressJson>(['progress', '--date', '2026-11-11']);
    expect(j.date).toBe('2026-11-11');
    expect(j.objectives.map((o) => [o.id, o.state, o.day, o.percent])).toEqual([
      [2, 'ended', 90, null], // Q1 ended long ago and has no key results
      [1, 'running', 11, 61.5],
    ]);
    const [sleep, books, bed, steps] = j.objectives[1]!.keyResults;
    expect(sleep!.progress).toEqual({
      value: 435,
      valueText: '7:15',
      percent: 103.6,
      percentText: '104%',
      expected: 420,
      expectedText: '7:00',
      met: true,
      status: 'on_track',
      statusText: 'on track',
      daysWithData: 4,
      daysElapsed: 11,
      daysInPeriod: 30,
      buckets: null,
      note: '4 of 11 days have data',
    });
    expect(books!.progress).toMatchObject({ value: 3, percent: 25, expected: 4, status: 'at_risk', daysWithData: 2 });
    expect(bed!.progress).toMatchObject({
      valueText: '23:30',
      percent: 33.3,
      expected: t('23:00'),
      status: 'off_track',
    });
    expect(bed!.progress!.value as number).toBeCloseTo(t('23:30'), 6);
    expect(steps).toEqual({
      id: 4,
      objectiveId: 1,
      position: 4,
      title: '10k steps on 5 days a week',
      metric: 'fitbit.steps',
      metricType: 'number',
      agg: 'days',
      where: { op: '>=', value: 10000, text: '>= 10,000' },
      per: 'week',
      target: { op: '>=', value: 5, text: '>= 5' },
      baseline: null,
      kind: 'count',
      cumulative: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      error: null,
      progress: {
        value: 4.375,
        valueText: '4.4',
        percent: 87.5,
        percentText: '88%',
        expected: 5,
        expectedText: '5',
        met: false,
        status: 'off_track',
        statusText: 'off track',
        daysWithData: 9,
        daysElapsed: 11,
        daysInPeriod: 30,
        buckets: [
          {
            from: '2026-11-01',
            to: '2026-11-01',
            days: 1,
            value: 7,
            valueText: '7',
            met: true,
            partial: true,
            running: false,
            used: true,
          },
          {
            from: '2026-11-02',
            to: '2026-11-08',
            days: 7,
            value: 4,
            valueText: '4',
            met: false,
            partial: false,
            running: false,
            used: true,
          },
          // Nov 9 and 10 both qualify: 2 of 2 finished days → 7 a week, shown but not used.
          {
            from: '2026-11-09',
            to: '2026-11-10',
            days: 2,
            value: 7,
            valueText: '7',
            met: true,
            partial: false,
            running: true,
            used: false,
          },
        ],
        note: '1 of 2 weeks met; 9 of 11 days have data',
      },
    });
  });

  it('says a weekly or monthly level is an average, and keeps a total per bucket a rate, as in the JSON', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Weigh less', '--period', '2026-11']);
    const kr = (title: string, ...args: string[]) =>
      h.ok(['kr', 'add', title, '--objective', '1', '--metric', 'weight', '--type', 'number', ...args]);
    await kr('Average weight', '--agg', 'avg', '--per', 'week', '--target', '<= 75');
    await kr('Heaviest day', '--agg', 'max', '--per', 'month', '--target', '<= 80');
    await kr('Lightest day', '--agg', 'min', '--per', 'week', '--target', '<= 75');
    await kr('Weighings', '--agg', 'count', '--per', 'week', '--target', '>= 3');
    // Mon Nov 2..Sun Nov 8 has ended: avg (80 + 79) / 2 = 79.5, min 79; the month so far (Nov
    // 1..10) has its max, 80. Weighings: 2 that week, 0 in the 1-day edge week of Nov 1 (weight 1):
    // (0 × 1 + 2 × 7) / 8 = 1.75 a week.
    h.put('weight', { '2026-11-03': 80, '2026-11-05': 79 });
    const out = await h.ok(['progress', '--date', '2026-11-11']);
    const figures = out.split('\n').filter((l) => l.includes('█') || l.includes('░'));
    expect(figures.map((l) => l.replace(/^.*% {2}/, ''))).toEqual([
      'a weekly average of 79.5 · target <= 75',
      'a monthly max of 80 on average · target <= 80',
      'a weekly min of 79 on average · target <= 75',
      '1.8 a week · target >= 3 · pace 3',
    ]);
    expect(out).not.toMatch(/79\.5 a week/);
    expectFits(out);
    // The JSON has the same figure, with agg and per saying what it is.
    const json = await h.json<ProgressJson>(['progress', '--date', '2026-11-11']);
    const krs = json.objectives[0]!.keyResults as unknown as Array<{
      agg: string;
      per: string;
      progress: { valueText: string };
    }>;
    expect(krs.map((k) => [k.agg, k.per, k.progress.valueText])).toEqual([
      ['avg', 'week', '79.5'],
      ['max', 'month', '80'],
      ['min', 'week', '79'],
      ['count', 'week', '1.8'],
    ]);
    for (const [i, k] of krs.entries()) expect(figures[i]).toContain(` ${k.progress.valueText} `);
  });

  it('uses today from the clock when --date is not given', async () => {
    const h = await november();
    // The helpers' clock says 2026-11-11 (local noon).
    expect(await h.json(['progress'])).toEqual(await h.json(['progress', '--date', '2026-11-11']));
  });

  it('follows pace and status through the period', async () => {
    const h = await november();
    const at = async (date: string) =>
      (await h.json<ProgressJson>(['progress', '--date', date, '--objective', '1'])).objectives[0]!;

    // Before the period: nothing is computed.
    const before = await at('2026-10-20');
    expect([before.state, before.day]).toEqual(['not_started', 0]);
    expect(before.keyResults.map((k) => [k.progress!.status, k.progress!.value, k.progress!.daysWithData])).toEqual([
      ['not_started', null, 0],
      ['not_started', null, 0],
      ['not_started', null, 0],
      ['not_started', null, 0],
    ]);
    const text = await h.ok(['progress', '--date', '2026-10-20', '--objective', '1']);
    expect(text).toContain(row('Objective 1: Sleep better', '2026-11 · starts 2026-11-01'));
    expect(text).toContain('starts 2026-11-01');

    // Day 1: no finished day yet, so the pace of the books is 0; one book logged by the 2nd.
    const day1 = await at('2026-11-01');
    expect(day1.keyResults[1]!.progress).toMatchObject({ value: 0, expected: 0, status: 'on_track' });
    // Nov 3: 1 book; pace 12 × 2 / 30 = 0.8 → on track.
    expect((await at('2026-11-03')).keyResults[1]!.progress).toMatchObject({
      value: 1,
      expected: 0.8,
      status: 'on_track',
    });
    // Nov 6: pace 12 × 5 / 30 = 2; 1 book is short by 1 ≤ 1.2 → at risk.
    expect((await at('2026-11-06')).keyResults[1]!.progress).toMatchObject({
      value: 1,
      expected: 2,
      status: 'at_risk',
    });
    // Nov 20: pace 12 × 19 / 30 = 7.6; 3 books → off track.
    expect((await at('2026-11-20')).keyResults[1]!.progress).toMatchObject({
      value: 3,
      expected: 7.6,
      status: 'off_track',
    });

    // Sleep on Nov 2: (6:30 + 7:30) / 2 = 7:00 → met; on Nov 1 alone 6:30 is 30 min short of 7:00,
    // more than 10% of the 7 hours (42 min)? No: 30 ≤ 42 → at risk.
    expect((await at('2026-11-01')).keyResults[0]!.progress).toMatchObject({ value: 390, status: 'at_risk' });
    expect((await at('2026-11-02')).keyResults[0]!.progress).toMatchObject({ value: 420, status: 'on_track' });

    // After the period: Nov 12's 100 minutes now count: (1740 + 100) / 5 = 368 → missed.
    const after = await at('2026-12-05');
    expect([after.state, after.day]).toEqual(['ended', 30]);
    expect(after.keyResults.map((k) => [k.progress!.status, k.progress!.value])).toEqual([
      ['ended_missed', 368],
      ['ended_missed', 3],
      ['ended_missed', expect.closeTo(t('23:30'), 6)],
      // Weeks: Nov 1 → 7 (weight 1), Nov 2-8 → 4, Nov 9-15 → 2, 16-22 → 0, 23-29 → 0 (weight 7
      // each), Nov 30 → 0 (weight 1): (7 + 28 + 14) / 30.
      ['ended_missed', expect.closeTo(49 / 30, 9)],
    ]);
    // Objective: (368/420 = 87.6 + 25 + 33.3 + (49/30)/5 = 32.7) / 4 = 44.7%.
    expect(await h.ok(['progress', '--date', '2026-12-05', '--objective', '1'])).toContain(
      row('Objective 1: Sleep better', '2026-11 · ended 2026-11-30 · 45%'),
    );
  });

  it('counts a budget in its objective as 100 while kept and 0 once blown, not by the share used', async () => {
    // Two objectives for November, today Nov 11 (day 11 of 30), each with a drinks budget and
    // books read, sum >= 10, 5 read: 50%. Kept: 5 of 20 drinks (25% of the allowance used) counts
    // 100, so (100 + 50) / 2 = 75. Blown: 30 of 20 (150% used) counts 0, so (0 + 50) / 2 = 25.
    const h = newHome();
    for (const [n, drinks] of [
      ['1', 'beer'],
      ['2', 'wine'],
    ] as const) {
      await h.ok(['objective', 'add', `Objective ${n}`, '--period', '2026-11']);
      await h.ok([
        'kr',
        'add',
        'Budget',
        '--objective',
        n,
        '--metric',
        drinks,
        '--type',
        'number',
        '--agg',
        'sum',
        '--target',
        '<= 20',
      ]);
      await h.ok([
        'kr',
        'add',
        'Books',
        '--objective',
        n,
        '--metric',
        'books',
        '--type',
        'number',
        '--agg',
        'sum',
        '--target',
        '10',
      ]);
    }
    h.put('beer', { '2026-11-03': 5 });
    h.put('wine', { '2026-11-03': 30 });
    h.put('books', { '2026-11-04': 5 });
    const j = await h.json<ProgressJson>(['progress', '--date', '2026-11-11']);
    expect(j.objectives.map((o) => [o.id, o.percent, o.keyResults[0]!.progress!.percent])).toEqual([
      [1, 75, 25],
      [2, 25, 150],
    ]);
    expect(await h.ok(['progress', '--date', '2026-11-11'])).toContain(
      row('Objective 2: Objective 2', '2026-11 · day 11 of 30 · 25%'),
    );
  });

  it('says when a value rests on few days', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Calm', '--period', '2026-11']);
    await h.ok([
      'kr',
      'add',
      'Resting HR under 60',
      '--objective',
      '1',
      '--metric',
      'fitbit.restingHeartRate',
      '--agg',
      'avg',
      '--target',
      '<= 60',
    ]);
    h.put('fitbit.restingHeartRate', { '2026-11-03': 58, '2026-11-05': 61, '2026-11-06': 64 });
    const out = await h.ok(['progress', '--date', '2026-11-11']);
    // (58 + 61 + 64) / 3 = 61; for "<= 60" without a baseline the percent is 60 / 61 = 98%.
    expect(out).toContain('61 · target <= 60 · pace 60');
    expect(out).toContain(' 98%  ');
    expect(out).toContain('fitbit.restingHeartRate avg · from 3 days of data (8 missing)');
  });

  it('filters by period and objective, and includes archived objectives with --all', async () => {
    const h = await november();
    const ids = async (...args: string[]) =>
      (await h.json<ProgressJson>(['progress', '--date', '2026-11-11', ...args])).objectives.map((o) => o.id);
    expect(await ids()).toEqual([2, 1]);
    expect(await ids('--period', '2026-11')).toEqual([1]);
    expect(await ids('--period', '2026-03-31..2026-11-01')).toEqual([2, 1]);
    expect(await ids('--period', '2026-Q2')).toEqual([]);
    expect(await ids('--objective', '2')).toEqual([2]);
    await h.ok(['objective', 'archive', '1']);
    expect(await ids()).toEqual([2]);
    expect(await ids('--all')).toEqual([2, 1]);
    // One objective by id shows even when archived.
    expect(await ids('--objective', '1')).toEqual([1]);
    const none = await h.ok(['progress', '--period', '2026-Q2']);
    expect(none).toContain('No objectives for 2026-Q2.');
  });

  it('prints an empty state, and objectives without key results', async () => {
    const h = newHome();
    expect(await h.ok(['progress'])).toContain('No objectives yet.');
    // Nothing archived either: no mention of --all.
    expect(await h.ok(['objective', 'list'])).toMatch(/^No objectives yet\.\n/);
    expect(await h.json(['progress', '--date', '2026-11-11'])).toEqual({ date: '2026-11-11', objectives: [] });
    await h.ok(['objective', 'add', 'Someday', '--period', '2026-11']);
    const out = await h.ok(['progress', '--date', '2026-11-11']);
    expect(out).toContain(row('Objective 1: Someday', '2026-11 · day 11 of 30'));
    expect(out).toContain(
      '  no key results yet; add one with\n    okr kr add "…" --objective 1 --metric … --agg … --target …\n',
    );
  });

  it('says that archived objectives (and their key results) exist when they are all there is', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Old', '--period', '2026-11']);
    await h.ok([
      'kr',
      'add',
      'Books',
      '--objective',
      '1',
      '--metric',
      'books',
      '--type',
      'number',
      '--agg',
      'sum',
      '--target',
      '3',
    ]);
    await h.ok(['objective', 'archive', '1']);
    expect(await h.ok(['progress'])).toBe(
      'No active objectives; 1 archived one shows with --all.\nAdd one: okr objective add "Sleep better" --period 2026-Q4\n',
    );
    expect(await h.ok(['progress', '--period', '2026-11'])).toMatch(
      /^No active objectives for 2026-11; 1 archived one shows with --all\.\n/,
    );
    expect(await h.ok(['progress', '--period', '2026-12'])).toMatch(/^No objectives for 2026-12\.\n/);
    expect(await h.json(['progress'])).toEqual({ date: '2026-11-11', objectives: [] });
    expect(await h.ok(['progress', '--all'])).toContain('Objective 1: Old (archived)');
    expect(await h.ok(['kr', 'list'])).toMatch(
      /^No key results of active objectives; 1 key result of archived ones shows with --all\.\n/,
    );
    expect(await h.ok(['kr', 'list', '--all'])).toContain('KR 1  Books');
    expect(await h.ok(['objective', 'list'])).toMatch(/^No active objectives; 1 archived one shows with --all\.\n/);
  });

  it('reports a stored definition that no longer parses, without failing the rest', async () => {
    const h = await november();
    const db = new Database(join(h.home, 'data', 'okr.db'));
    db.prepare("UPDATE key_results SET target = '>= 7' WHERE id = 1").run(); // a duration needs 7:00
    db.close();
    const r = await h.run(['progress', '--date', '2026-11-11', '--objective', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cannot compute: Ambiguous duration: "7"');
    expect(r.stdout).toContain(row('  KR 2  Read 12 books', 'at risk'));
    const j = await h.json<ProgressJson>(['progress', '--date', '2026-11-11', '--objective', '1']);
    expect(j.objectives[0]!.keyResults[0]).toMatchObject({
      error: expect.stringContaining('Ambiguous duration'),
      progress: null,
    });
  });

  it('refuses a bad --date, --period or --objective', async () => {
    const h = await november();
    for (const [args, msg] of [
      [['--date', '2026-11-31'], /--date needs a date as YYYY-MM-DD, got "2026-11-31"/],
      [['--period', 'next'], /Not a period: "next"/],
      [['--objective', '42'], /No objective 42/],
    ] as const) {
      const r = await h.run(['progress', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).toMatch(/\nhint: ./);
    }
  });

  it('colours only on a terminal without NO_COLOR, within 80 visible columns', async () => {
    const h = await november();
    const args = ['progress', '--date', '2026-11-11'];
    const tty = await h.ok(args, { tty: true, env: { OKR_SECRETS: 'file', NO_COLOR: undefined, TERM: 'xterm' } });
    expect(tty).toContain('\u001b[32mon track\u001b[39m');
    expect(tty).toContain('\u001b[33mat risk\u001b[39m');
    expect(tty).toContain('\u001b[31moff track\u001b[39m');
    expectFits(tty);
    const noColor = await h.ok(args, { tty: true, env: { OKR_SECRETS: 'file', NO_COLOR: '1', TERM: 'xterm' } });
    const piped = await h.ok(args, { tty: false, env: { OKR_SECRETS: 'file', NO_COLOR: undefined, TERM: 'xterm' } });
    for (const out of [noColor, piped]) expect(out).not.toContain('\u001b[');
    expect(tty.replace(/\u001b\[[0-9;]*m/g, '')).toBe(piped);
  });

  it('fits 80 columns with long titles, long names, big numbers and long notes', async () => {
    const h = newHome();
    const long = 'An objective whose title is far too long to fit on one line of any reasonable terminal at all';
    await h.ok(['objective', 'add', long, '--period', '2026-10-29..2026-12-02']);
    const name = 'minutes_of_reading_before_sleep_every_single_night';
    const kr = (...args: string[]) => h.ok(['kr', 'add', `${long}, as a key result`, '--objective', '1', ...args]);
    await kr(
      '--metric',
      name,
      '--type',
      'duration',
      '--agg',
      'days',
      '--where',
      '>= 0:30',
      '--per',
      'month',
      '--target',
      '>= 20',
      '--baseline',
      '12',
    );
    await kr('--metric', 'fitbit.steps', '--agg', 'sum', '--target', '>= 123456789012');
    await kr('--metric', 'fitbit.sleepLength', '--agg', 'sum', '--target', '>= 9999:00');
    await kr('--metric', 'diary', '--type', 'text', '--agg', 'count', '--target', '400');
    await kr('--metric', 'fitbit.bedTime', '--agg', 'max', '--target', '<= 23:00');
    await kr('--metric', 'fitbit.steps', '--agg', 'days', '--where', '>= 10000', '--per', 'week', '--target', '5');
    await kr('--metric', 'mood', '--type', 'number', '--agg', 'sum', '--target', '>= 1');
    h.put('mood', { '2026-11-01': 1749 });
    h.put(name, { '2026-11-01': 45, '2026-11-02': 10 });
    h.put('fitbit.steps', { '2026-11-01': 98765432101, '2026-11-02': 12000 });
    h.put('fitbit.sleepLength', { '2026-11-01': 480, '2026-11-02': 500 });
    h.put('diary', { '2026-11-01': 'a good day' });
    h.put('fitbit.bedTime', { '2026-11-01': t('00:40'), '2026-11-02': t('23:10') });
    for (const date of ['2026-10-28', '2026-10-30', '2026-11-03', '2026-12-10']) {
      const out = await h.ok(['progress', '--date', date]);
      expectFits(out);
      const tty = await h.ok(['progress', '--date', date], {
        tty: true,
        env: { OKR_SECRETS: 'file', NO_COLOR: undefined },
      });
      expectFits(tty);
    }
    const out = await h.ok(['progress', '--date', '2026-11-03']);
    expect(out).toContain('…');
    // The latest of 00:40 and 23:10 against "<= 23:00" is 00:40 (after midnight, not before 23:10).
    expect(out).toContain('00:40 · target <= 23:00');
    expect(out).toContain('the target is more than the 35 days in the period');
    // A percent of many digits keeps a space before it: it never runs into the bar.
    const bars = out.split('\n').filter((l) => /[█░]/.test(l));
    expect(bars.length).toBeGreaterThan(0);
    for (const l of bars) expect(l).toMatch(/[█░] +(\d+%|–)/);
    expect(out).toMatch(/[█░] \d{4,}%/);
  });
});
