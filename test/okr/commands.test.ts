/**
 * `okr objective …` and `okr kr …` end to end in-process: what they store and print, their JSON,
 * and every refusal (a UsageError with a hint, exit code 2, nothing written).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { expectFits, type Home, NOW, newHome } from './commands-helpers.js';

const T = NOW.toISOString();

async function sleepObjective(h: Home): Promise<void> {
  await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-Q4']);
  await h.ok([
    'kr',
    'add',
    'Sleep 7h on average',
    '--objective',
    '1',
    '--metric',
    'fitbit.sleepLength',
    '--agg',
    'avg',
    '--target',
    '>= 7:00',
  ]);
}

/** Runs a command that must be refused: exit 2, an error line and a hint line, nothing written. */
async function refused(h: Home, args: string[], message: RegExp): Promise<string> {
  const before = {
    objectives: await h.json(['objective', 'list', '--all']),
    krs: await h.json(['kr', 'list', '--all']),
  };
  const r = await h.run(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^hint: ./);
  expect({
    objectives: await h.json(['objective', 'list', '--all']),
    krs: await h.json(['kr', 'list', '--all']),
  }).toEqual(before);
  return r.stderr;
}

describe('okr objective', () => {
  it('adds objectives for a quarter, a month, a year and dates, and lists them in period order', async () => {
    const h = newHome();
    expect(await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-Q4'])).toContain(
      'Added objective 1: Sleep better (2026-Q4, 2026-10-01 to 2026-12-31, 92 days).',
    );
    await h.ok(['objective', 'add', 'Run a half marathon', '--period', '2026-11']);
    await h.ok(['objective', 'add', 'Read more', '--period', '2026']);
    await h.ok(['objective', 'add', 'Winter break', '--period', '2026-12-20..2027-01-05']);
    // No --period: the quarter containing today (2026-11-11).
    await h.ok(['objective', 'add', '  Drink less coffee  ']);

    const list = await h.ok(['objective', 'list']);
    expect(list.split('\n')).toEqual([
      'ID  PERIOD                  FROM        TO          KRS  TITLE',
      ' 3  2026                    2026-01-01  2026-12-31    0  Read more',
      ' 1  2026-Q4                 2026-10-01  2026-12-31    0  Sleep better',
      ' 5  2026-Q4                 2026-10-01  2026-12-31    0  Drink less coffee',
      ' 2  2026-11                 2026-11-01  2026-11-30    0  Run a half marathon',
      ' 4  2026-12-20..2027-01-05  2026-12-20  2027-01-05    0  Winter break',
      '',
    ]);
    expect(await h.json(['objective', 'list'])).toEqual([
      {
        id: 3,
        title: 'Read more',
        period: { label: '2026', from: '2026-01-01', to: '2026-12-31', days: 365 },
        archived: false,
        createdAt: T,
        updatedAt: T,
        keyResultCount: 0,
      },
      expect.objectContaining({ id: 1, period: { label: '2026-Q4', from: '2026-10-01', to: '2026-12-31', days: 92 } }),
      expect.objectContaining({ id: 5, title: 'Drink less coffee' }),
      expect.objectContaining({ id: 2, period: { label: '2026-11', from: '2026-11-01', to: '2026-11-30', days: 30 } }),
      expect.objectContaining({
        id: 4,
        period: { label: '2026-12-20..2027-01-05', from: '2026-12-20', to: '2027-01-05', days: 17 },
      }),
    ]);
  });

  it('says how to start when there are none', async () => {
    const h = newHome();
    expect(await h.ok(['objective', 'list'])).toContain('okr objective add');
    expect(await h.json(['objective', 'list'])).toEqual([]);
  });

  it('shows an objective with its key results, as text and JSON', async () => {
    const h = newHome();
    await sleepObjective(h);
    await h.ok([
      'kr',
      'add',
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
    ]);
    const text = await h.ok(['objective', 'show', '1']);
    expect(text.split('\n')).toEqual([
      'Objective 1: Sleep better',
      'Period: 2026-Q4, 2026-10-01 to 2026-12-31, 92 days',
      'Key results:',
      '  KR 1  Sleep 7h on average',
      '        fitbit.sleepLength avg · target >= 7:00',
      '  KR 2  In bed by 23:00',
      '        fitbit.bedTime avg · target <= 23:00 · baseline 23:45',
      'Progress: okr progress --objective 1',
      '',
    ]);
    expect(await h.json(['objective', 'show', '1'])).toEqual({
      id: 1,
      title: 'Sleep better',
      period: { label: '2026-Q4', from: '2026-10-01', to: '2026-12-31', days: 92 },
      archived: false,
      createdAt: T,
      updatedAt: T,
      keyResults: [
        {
          id: 1,
          objectiveId: 1,
          position: 1,
          title: 'Sleep 7h on average',
          metric: 'fitbit.sleepLength',
          metricType: 'duration',
          agg: 'avg',
          where: null,
          per: null,
          target: { op: '>=', value: 420, text: '>= 7:00' },
          baseline: null,
          kind: 'duration',
          cumulative: false,
          createdAt: T,
          updatedAt: T,
          error: null,
        },
        expect.objectContaining({
          id: 2,
          position: 2,
          metric: 'fitbit.bedTime',
          metricType: 'time',
          target: { op: '<=', value: 1380, text: '<= 23:00' },
          baseline: { value: 1425, text: '23:45' },
          kind: 'time',
        }),
      ],
    });
  });

  it('edits the title and period', async () => {
    const h = newHome();
    await sleepObjective(h);
    expect(await h.ok(['objective', 'edit', '1', '--title', 'Sleep much better', '--period', '2027-H1'])).toContain(
      'Updated objective 1: Sleep much better (2027-H1, 2027-01-01 to 2027-06-30, 181 days).',
    );
    expect(await h.json(['objective', 'show', '1'])).toMatchObject({
      title: 'Sleep much better',
      period: { label: '2027-H1', from: '2027-01-01', to: '2027-06-30', days: 181 },
      keyResults: [expect.objectContaining({ id: 1 })],
    });
  });

  it('archives (hidden from list, kr list and progress; refused for new key results) and unarchives', async () => {
    const h = newHome();
    await sleepObjective(h);
    await h.ok(['objective', 'add', 'Read more', '--period', '2026']);
    expect(await h.ok(['objective', 'archive', '1'])).toContain('Archived objective 1: Sleep better.');
    expect(await h.ok(['objective', 'archive', '1'])).toContain('already archived');
    expect((await h.json<Array<{ id: number }>>(['objective', 'list'])).map((o) => o.id)).toEqual([2]);
    expect(await h.json(['objective', 'list', '--all'])).toEqual([
      expect.objectContaining({ id: 2, archived: false }),
      expect.objectContaining({ id: 1, archived: true }),
    ]);
    expect(await h.ok(['objective', 'list', '--all'])).toContain('Sleep better (archived)');
    expect(await h.json(['kr', 'list'])).toEqual([]);
    expect(await h.json(['kr', 'list', '--all'])).toHaveLength(1);
    const progress = await h.json<{ objectives: Array<{ id: number }> }>(['progress']);
    expect(progress.objectives.map((o) => o.id)).toEqual([2]);
    await refused(
      h,
      ['kr', 'add', 'x', '--objective', '1', '--metric', 'fitbit.steps', '--agg', 'avg', '--target', '8000'],
      /Objective 1 \(Sleep better\) is archived/,
    );
    expect(await h.ok(['objective', 'archive', '1', '--undo'])).toContain('active again');
    expect((await h.json<Array<{ id: number }>>(['objective', 'list'])).map((o) => o.id)).toEqual([2, 1]);
  });

  it('removes an objective; with key results only with --force, and they go with it', async () => {
    const h = newHome();
    await sleepObjective(h);
    await h.ok(['objective', 'add', 'Empty one']);
    expect(await h.ok(['objective', 'remove', '2'])).toContain('Removed objective 2: Empty one.');
    const err = await refused(h, ['objective', 'remove', '1'], /Objective 1 has 1 key result; nothing was deleted/);
    expect(err).toContain('okr objective archive 1');
    expect(await h.ok(['objective', 'remove', '1', '--force'])).toContain('and its 1 key result');
    expect(await h.json(['objective', 'list', '--all'])).toEqual([]);
    expect(await h.json(['kr', 'list', '--all'])).toEqual([]);
  });

  it('a title an older okr stored with a bidi override is printed escaped', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-Q4']);
    const db = new Database(join(h.home, 'data', 'okr.db'));
    db.prepare('UPDATE objectives SET title = ?').run('Sleep \u202eretteb\u001b[2J');
    db.close();
    const list = await h.ok(['objective', 'list']);
    expect(list).toContain('Sleep \\u202eretteb\\x1b[2J');
    expect(list).not.toMatch(/[\u202e\u001b]/);
    expect(((await h.json(['objective', 'list'])) as Array<{ title: string }>)[0]!.title).toBe(
      'Sleep \\u202eretteb\\x1b[2J',
    );
  });

  it.each<[string, string[], RegExp]>([
    ['a bad period', ['objective', 'add', 'x', '--period', '2026-Q5'], /Not a period: "2026-Q5"/],
    ['dates the wrong way round', ['objective', 'add', 'x', '--period', '2026-12-01..2026-11-01'], /ends before/],
    ['an empty title', ['objective', 'add', '  '], /title is empty/],
    ['a title on two lines', ['objective', 'add', 'a\nb'], /must be one line of printable text; it holds \\x0a/],
    ['a title with a bidi override', ['objective', 'add', 'Sleep \u202eretteb'], /it holds \\u202e/],
    ['an unknown id', ['objective', 'show', '7'], /No objective 7/],
    ['an id that is not a number', ['objective', 'show', 'abc'], /Not an objective id: "abc"/],
    ['nothing to edit', ['objective', 'edit', '1'], /Nothing to change/],
    ['a bad period in edit', ['objective', 'edit', '1', '--period', 'soon'], /Not a period/],
    ['archiving an unknown id', ['objective', 'archive', '9'], /No objective 9/],
  ])('refuses %s', async (_name, args, message) => {
    const h = newHome();
    await sleepObjective(h);
    await refused(h, args, message);
  });
});

describe('okr kr', () => {
  it('adds the key results of the issue, with their definitions stored as written', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-Q4']);
    await h.ok(['objective', 'add', 'Read more', '--period', '2026']);
    const sleep = await h.run([
      'kr',
      'add',
      'Sleep 7h on average',
      '--objective',
      '1',
      '--metric',
      'fitbit.sleepLength',
      '--agg',
      'avg',
      '--target',
      '>= 7:00',
    ]);
    expect(sleep.code).toBe(0);
    expect(sleep.stdout).toBe(
      'Added KR 1 to objective 1 (Sleep better): Sleep 7h on average\n  fitbit.sleepLength avg · target >= 7:00\n',
    );
    // No values yet: stderr says how they will come.
    expect(sleep.stderr).toContain('no fitbit.sleepLength values yet; okr sync');
    await h.ok([
      'kr',
      'add',
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
    ]);
    // A manual metric that no template holds needs --type.
    await refused(
      h,
      ['kr', 'add', 'Read 12 books', '--objective', '2', '--metric', 'books', '--agg', 'sum', '--target', '12'],
      /"books" is not a plugin field or in any metric template, so its type is unknown/,
    );
    await h.ok([
      'kr',
      'add',
      'Read 12 books',
      '--objective',
      '2',
      '--metric',
      'books',
      '--agg',
      'sum',
      '--target',
      '12',
      '--type',
      'number',
    ]);

    const krs = await h.json<Array<Record<string, unknown>>>(['kr', 'list']);
    // In the order `okr kr list` prints them: by objective period (2026 starts before 2026-Q4).
    expect(krs).toEqual([
      expect.objectContaining({
        id: 3,
        objectiveId: 2,
        position: 1,
        metric: 'books',
        metricType: 'number',
        agg: 'sum',
        target: { op: '>=', value: 12, text: '>= 12' },
        kind: 'number',
        cumulative: true,
      }),
      expect.objectContaining({ id: 1, objectiveId: 1, position: 1, metric: 'fitbit.sleepLength', agg: 'avg' }),
      {
        id: 2,
        objectiveId: 1,
        position: 2,
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
        createdAt: T,
        updatedAt: T,
        error: null,
      },
    ]);
    const text = await h.ok(['kr', 'list']);
    expect(text.split('\n')).toEqual([
      'Objective 2: Read more                                                      2026',
      '  KR 3  Read 12 books',
      '        books sum · target >= 12',
      '',
      'Objective 1: Sleep better                                                2026-Q4',
      '  KR 1  Sleep 7h on average',
      '        fitbit.sleepLength avg · target >= 7:00',
      '  KR 2  10k steps on 5 days a week',
      '        fitbit.steps days >= 10,000 per week · target >= 5',
      '',
    ]);
    expect((await h.json<unknown[]>(['kr', 'list', '--objective', '2'])).length).toBe(1);
  });

  it('finds a manual metric in a template by name or label, with its type', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Read more', '--period', '2026']);
    // A template made the way `okr metrics template create` stores one.
    const { createContext } = await import('../../src/context.js');
    const { saveTemplate } = await import('../../src/store/templates.js');
    const ctx = createContext({ env: { OKR_HOME: h.home, OKR_SECRETS: 'file' }, homedir: h.home });
    saveTemplate(
      ctx.db(),
      {
        name: 'daily',
        metrics: [
          { label: 'Pages read', type: 'number', metricName: 'pages_read' },
          { label: 'Meditated', type: 'boolean', metricName: 'meditated' },
          { label: 'Sleep', type: 'external', source: 'fitbit.sleepLength', metricName: 'fitbit.sleepLength' },
        ],
      },
      T,
    );
    ctx.close();
    await h.ok([
      'kr',
      'add',
      'Pages',
      '--objective',
      '1',
      '--metric',
      'Pages read',
      '--agg',
      'sum',
      '--target',
      '3000',
    ]);
    await h.ok(['kr', 'add', 'Calm', '--objective', '1', '--metric', 'meditated', '--agg', 'avg', '--target', '80%']);
    await h.ok(['kr', 'add', 'Rest', '--objective', '1', '--metric', 'Sleep', '--agg', 'min', '--target', '6:00']);
    expect(await h.json(['kr', 'list'])).toEqual([
      expect.objectContaining({
        metric: 'pages_read',
        metricType: 'number',
        target: expect.objectContaining({ value: 3000 }),
      }),
      expect.objectContaining({
        metric: 'meditated',
        metricType: 'boolean',
        kind: 'fraction',
        target: { op: '>=', value: 0.8, text: '>= 80%' },
      }),
      expect.objectContaining({ metric: 'fitbit.sleepLength', metricType: 'duration', agg: 'min' }),
    ]);
    // --type must agree with the template.
    await refused(
      h,
      [
        'kr',
        'add',
        'x',
        '--objective',
        '1',
        '--metric',
        'meditated',
        '--agg',
        'avg',
        '--target',
        '1',
        '--type',
        'number',
      ],
      /meditated is a boolean metric, not number/,
    );
  });

  it('edits any part and re-validates the whole definition', async () => {
    const h = newHome();
    await h.ok(['objective', 'add', 'Sleep better', '--period', '2026-Q4']);
    await h.ok(['objective', 'add', 'Move more', '--period', '2026-Q4']);
    await h.ok([
      'kr',
      'add',
      'Steps',
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
      '5',
      '--baseline',
      '3',
    ]);
    // Leaving --agg days without dropping the condition is refused, and nothing changes; the hint
    // is the same command with the --no-… flag that drops what the new aggregation refuses.
    expect(
      await refused(h, ['kr', 'edit', '1', '--agg', 'avg', '--target', '8000'], /only works with --agg days/),
    ).toBe(
      [
        'error: KR 1 keeps its condition --where ">= 10000", which only works with --agg days',
        'hint: Drop it too: okr kr edit 1 --agg avg --target 8000 --no-where',
        '',
      ].join('\n'),
    );
    expect(
      await refused(h, ['kr', 'edit', '1', '--agg', 'last', '--no-where', '--target', '8000'], /--agg last/),
    ).toContain('hint: Drop it too: okr kr edit 1 --agg last --no-where --target 8000 --no-per\n');
    expect(await refused(h, ['kr', 'edit', '1', '--no-per', '--target', '20'], /baseline 3/)).toContain(
      'hint: Drop it too: okr kr edit 1 --no-per --target 20 --no-baseline\n',
    );
    const out = await h.ok([
      'kr',
      'edit',
      '1',
      '--agg',
      'avg',
      '--no-where',
      '--no-per',
      '--no-baseline',
      '--target',
      '>= 8,000',
      '--title',
      'Walk 8k a day',
      '--objective',
      '2',
    ]);
    expect(out).toBe(
      'Updated KR 1: Walk 8k a day\n  fitbit.steps avg · target >= 8,000\n  now under objective 2 (Move more)\n',
    );
    expect(await h.json(['kr', 'list'])).toEqual([
      expect.objectContaining({
        id: 1,
        objectiveId: 2,
        title: 'Walk 8k a day',
        agg: 'avg',
        where: null,
        per: null,
        baseline: null,
        target: { op: '>=', value: 8000, text: '>= 8,000' },
      }),
    ]);
    // A new metric re-parses the target by its type.
    await refused(h, ['kr', 'edit', '1', '--metric', 'fitbit.sleepLength'], /Ambiguous duration: "8,000"|duration/i);
    await h.ok(['kr', 'edit', '1', '--metric', 'fitbit.sleepLength', '--target', '7:30']);
    expect(await h.json(['kr', 'list'])).toEqual([
      expect.objectContaining({
        metric: 'fitbit.sleepLength',
        metricType: 'duration',
        target: expect.objectContaining({ value: 450 }),
      }),
    ]);
    await refused(h, ['kr', 'edit', '1'], /Nothing to change/);
  });

  it('prints what add creates as JSON, with notes kept out of stdout', async () => {
    const h = newHome();
    expect(await h.json(['objective', 'add', 'Read more', '--period', '2026'])).toEqual({
      id: 1,
      title: 'Read more',
      period: { label: '2026', from: '2026-01-01', to: '2026-12-31', days: 365 },
      archived: false,
      createdAt: T,
      updatedAt: T,
    });
    // A manual name is stored as its slug, the name `okr metrics log` and templates use.
    const r = await h.run([
      'kr',
      'add',
      'Books',
      '--objective',
      '1',
      '--metric',
      'Books Read',
      '--type',
      'number',
      '--agg',
      'sum',
      '--target',
      '12',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 1, metric: 'books_read', metricType: 'number', agg: 'sum' });
    expect(r.stderr).toContain('note: no books_read values yet');
  });

  it('removes a key result', async () => {
    const h = newHome();
    await sleepObjective(h);
    expect(await h.ok(['kr', 'remove', '1'])).toBe('Removed KR 1 (Sleep 7h on average) from objective 1.\n');
    expect(await h.json(['kr', 'list'])).toEqual([]);
    await refused(h, ['kr', 'remove', '1'], /No key result 1/);
  });

  it("refuses a level's target outside the metric's daily range (add and edit), keeping totals free", async () => {
    const h = newHome();
    await sleepObjective(h);
    const kr = (...rest: string[]) => ['kr', 'add', 'Impossible', '--objective', '1', ...rest];
    // An average of nights of at most 24 hours is never 25 hours.
    expect(
      await refused(
        h,
        kr('--metric', 'fitbit.sleepLength', '--agg', 'avg', '--target', '>= 25:00'),
        /outside the range of fitbit.sleepLength/,
      ),
    ).toBe(
      [
        'error: Target >= 25:00 is outside the range of fitbit.sleepLength (0:00–24:00): --agg avg of its daily values never gets there',
        'hint: Use a target within 0:00–24:00, e.g. ">= 24:00", or --agg sum for a total',
        '',
      ].join('\n'),
    );
    // min, max and last too, and a weekly average: each stays within one day's range.
    for (const [agg, per] of [
      ['min', undefined],
      ['max', undefined],
      ['last', undefined],
      ['AVG', 'week'],
      ['max', 'month'],
    ] as const) {
      const err = await refused(
        h,
        kr('--metric', 'fitbit.steps', '--agg', agg, ...(per ? ['--per', per] : []), '--target', '>= 250000'),
        /Target >= 250,000 is outside the range of fitbit.steps \(0–200,000 steps\)/,
      );
      expect(err).toContain(`--agg ${agg.toLowerCase()} of its daily values`);
    }
    // A baseline no day can have is refused the same way.
    await refused(
      h,
      kr('--metric', 'fitbit.restingHeartRate', '--agg', 'avg', '--target', '<= 60', '--baseline', '400'),
      /Baseline 400 is outside the range of fitbit.restingHeartRate \(20–250 bpm\)/,
    );
    // kr edit: a new target, or a new aggregation that makes the kept target a level.
    await refused(h, ['kr', 'edit', '1', '--target', '>= 25:00'], /Target >= 25:00 is outside the range/);
    await h.ok([
      'kr',
      'add',
      'Sleep 30 hours',
      '--objective',
      '1',
      '--metric',
      'fitbit.sleepLength',
      '--agg',
      'sum',
      '--target',
      '>= 30:00',
    ]);
    await refused(h, ['kr', 'edit', '2', '--agg', 'avg'], /Target >= 30:00 is outside the range/);
    await refused(h, ['kr', 'edit', '1', '--metric', 'fitbit.steps', '--target', '300000'], /fitbit.steps/);
    // Totals may exceed a day's range; the range's own ends are fine for a level.
    await h.ok(kr('--metric', 'fitbit.steps', '--agg', 'sum', '--per', 'week', '--target', '>= 300000'));
    await h.ok(kr('--metric', 'fitbit.steps', '--agg', 'days', '--where', '>= 10000', '--target', '>= 30'));
    await h.ok(kr('--metric', 'fitbit.sleepLength', '--agg', 'max', '--target', '<= 24:00'));
    // A manual metric has only its type's range: a week-long duration stays possible.
    await h.ok(kr('--metric', 'fasting', '--type', 'duration', '--agg', 'max', '--target', '>= 36:00'));
    // One an older okr stored: a rename or a move leaves it alone; a change of its definition does not.
    const ctx = createContext({ env: { OKR_HOME: h.home, OKR_SECRETS: 'file' }, homedir: h.home });
    ctx.db().prepare("UPDATE key_results SET agg = 'avg', target = '>= 25:00' WHERE id = 2").run();
    ctx.close();
    await h.ok(['kr', 'edit', '2', '--title', 'Sleep a lot']);
    await refused(h, ['kr', 'edit', '2', '--per', 'week'], /Target >= 25:00 is outside the range/);
  });

  const add = (...rest: string[]) => ['kr', 'add', 'A key result', '--objective', '1', ...rest];
  it.each<[string, string[], RegExp, RegExp?]>([
    [
      'an unknown objective',
      add('--objective', '9', '--metric', 'fitbit.steps', '--agg', 'avg', '--target', '8000'),
      /No objective 9/,
      /okr objective list/,
    ],
    [
      'a misspelt field',
      add('--metric', 'fitbit.sleeplength', '--agg', 'avg', '--target', '7:00'),
      /Unknown metric fitbit.sleeplength: .*did you mean fitbit.sleepLength/,
    ],
    [
      'an unknown plugin',
      add('--metric', 'garmin.steps', '--agg', 'avg', '--target', '8000'),
      /no installed plugin is called "garmin"/,
    ],
    [
      'a field the provider does not offer',
      add('--metric', 'fitbit.cardioLoad', '--agg', 'avg', '--target', '50'),
      /fitbit.cardioLoad is not offered by the provider/,
    ],
    [
      '--type that contradicts the field',
      add('--metric', 'fitbit.steps', '--type', 'duration', '--agg', 'avg', '--target', '8000'),
      /fitbit.steps is a number metric, not duration/,
    ],
    [
      'an unknown type',
      add('--metric', 'books', '--type', 'integer', '--agg', 'sum', '--target', '12'),
      /Unknown type: "integer"/,
    ],
    [
      'an unknown aggregation',
      add('--metric', 'fitbit.steps', '--agg', 'median', '--target', '8000'),
      /Unknown aggregation: "median"/,
    ],
    [
      'summing clock times',
      add('--metric', 'fitbit.bedTime', '--agg', 'sum', '--target', '23:00'),
      /clock times do not add up/,
    ],
    [
      'days without a condition',
      add('--metric', 'fitbit.steps', '--agg', 'days', '--target', '5'),
      /--agg days needs a condition/,
    ],
    [
      'a condition without days',
      add('--metric', 'fitbit.steps', '--agg', 'avg', '--where', '>= 1', '--target', '5'),
      /--where only works with --agg days/,
    ],
    [
      'a bad bucket',
      add('--metric', 'fitbit.steps', '--agg', 'avg', '--per', 'day', '--target', '5'),
      /Unknown bucket: "day"/,
    ],
    [
      'more days than a week has',
      add('--metric', 'fitbit.steps', '--agg', 'days', '--where', '10000', '--per', 'week', '--target', '8'),
      /A week has at most 7 days/,
    ],
    [
      'a duration target without a unit',
      add('--metric', 'fitbit.sleepLength', '--agg', 'avg', '--target', '>= 7'),
      /Ambiguous duration: "7"/,
      /7:30/,
    ],
    ['an exact target', add('--metric', 'fitbit.steps', '--agg', 'avg', '--target', '= 8000'), /cannot be "exactly"/],
    [
      'a bad clock time',
      add('--metric', 'fitbit.bedTime', '--agg', 'avg', '--target', '<= 25:00'),
      /Not a clock time: "25:00"/,
    ],
    [
      'a baseline for a sum',
      add('--metric', 'fitbit.steps', '--agg', 'sum', '--target', '1000000', '--baseline', '5'),
      /A baseline does not apply to --agg sum/,
    ],
    [
      'a bad condition',
      add('--metric', 'fitbit.steps', '--agg', 'days', '--where', 'lots', '--target', '5'),
      /Not a number: "lots"/,
    ],
    [
      'an empty title',
      ['kr', 'add', ' ', '--objective', '1', '--metric', 'fitbit.steps', '--agg', 'avg', '--target', '1'],
      /title is empty/,
    ],
  ])('refuses %s, with a hint, writing nothing', async (_name, args, message, hint) => {
    const h = newHome();
    await sleepObjective(h);
    const err = await refused(h, args, message);
    if (hint) expect(err.split('\n')[1]).toMatch(hint);
  });

  it('says which required flag is missing', async () => {
    const h = newHome();
    await sleepObjective(h);
    const r = await h.run(['kr', 'add', 'x', '--objective', '1', '--metric', 'fitbit.steps', '--agg', 'avg']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--target <target>' not specified");
  });

  it('keeps long titles and names within 80 columns', async () => {
    const h = newHome();
    const long = 'A very long objective title that goes on and on about sleeping better than ever before, really';
    await h.ok(['objective', 'add', long, '--period', '2026-10-03..2026-12-28']);
    await h.ok([
      'kr',
      'add',
      `${long} and also a key result`,
      '--objective',
      '1',
      '--metric',
      'minutes_of_reading_before_sleep_every_night',
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
    ]);
    for (const args of [
      ['objective', 'list'],
      ['objective', 'show', '1'],
      ['kr', 'list'],
    ]) {
      const out = await h.ok(args);
      expectFits(out);
      expect(out).toContain('…');
    }
  });
});
