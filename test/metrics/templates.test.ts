/**
 * Metric templates: the --metric grammar, validation (unknown sources, duplicate labels, bad
 * types, bad targets), templates that still load when a source disappears, the default template
 * created at first connection, and the template commands.
 */
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { UsageError } from '../../src/errors.js';
import {
  ensureDefaultTemplate,
  formatMetricSpec,
  metricSlug,
  parseMetricSpec,
  resolveTemplate,
  validateTemplate,
} from '../../src/metrics/templates.js';
import { createDefaultRegistry } from '../../src/plugins/index.js';
import { getDefaultTemplate, getTemplate, listTemplates, saveTemplate } from '../../src/store/templates.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { makeTestPlugin, testRegistry } from '../helpers/test-plugin.js';

const NOW = () => new Date('2026-11-10T12:00:00Z');

function ctxFor(home: string, registry = createDefaultRegistry()) {
  return createContext({ env: { OKR_HOME: home }, homedir: home, now: NOW, registry });
}

/** The message and its list of problems, as the error prints them. */
const all = (e: UsageError) => [e.message, ...(e.details ?? [])].join('\n');

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('the --metric grammar', () => {
  const registry = createDefaultRegistry();

  it('reads external sources, with a unit and a target', () => {
    expect(parseMetricSpec('Sleep=fitbit.sleepLength', registry)).toEqual({
      label: 'Sleep',
      type: 'external',
      source: 'fitbit.sleepLength',
      metricName: 'fitbit.sleepLength',
    });
    expect(parseMetricSpec('Steps=fitbit.steps@>=10000', registry)).toEqual({
      label: 'Steps',
      type: 'external',
      source: 'fitbit.steps',
      metricName: 'fitbit.steps',
      target: '>=10000',
    });
    // A bare source takes the field's name as its label.
    expect(parseMetricSpec('fitbit.restingHeartRate', registry)).toEqual({
      label: 'Resting heart rate',
      type: 'external',
      source: 'fitbit.restingHeartRate',
      metricName: 'fitbit.restingHeartRate',
    });
  });

  it('reads manual metrics: type, unit, target, and the name they are stored under', () => {
    expect(parseMetricSpec('Mood:number')).toEqual({ label: 'Mood', type: 'number', metricName: 'mood' });
    expect(parseMetricSpec('Weight (kg):number[kg]@<=80')).toEqual({
      label: 'Weight (kg)',
      type: 'number',
      metricName: 'weight_kg',
      unit: 'kg',
      target: '<=80',
    });
    expect(parseMetricSpec('Meditated:bool@yes')).toEqual({
      label: 'Meditated',
      type: 'boolean',
      metricName: 'meditated',
      target: 'yes',
    });
    expect(parseMetricSpec('Humeur=mood:number')).toEqual({ label: 'Humeur', type: 'number', metricName: 'mood' });
    expect(parseMetricSpec('Lights out:time@<=23:00')).toEqual({
      label: 'Lights out',
      type: 'time',
      metricName: 'lights_out',
      target: '<=23:00',
    });
  });

  it('slugs labels into names without dots', () => {
    expect(metricSlug('Mood')).toBe('mood');
    expect(metricSlug('Été réussi?')).toBe('ete_reussi');
    expect(metricSlug('Pages read / day')).toBe('pages_read_day');
    expect(metricSlug('v1.2 score')).toBe('v1_2_score');
  });

  it('prints a metric back as the same grammar', () => {
    for (const spec of [
      'Sleep=fitbit.sleepLength@>=7:30',
      'Mood:number',
      'Weight:number[kg]@<=80',
      'Humeur=mood:number',
      'Note:text',
    ]) {
      expect(formatMetricSpec(parseMetricSpec(spec, registry))).toBe(spec);
    }
  });

  it('refuses bad types, with the list of good ones', () => {
    const e = usageError(() => parseMetricSpec('Mood:numbr'));
    expect(e.message).toBe('Bad type "numbr" in "Mood:numbr".');
    expect(e.hint).toContain('number, duration, time, boolean or text');
    expect(usageError(() => parseMetricSpec('Steps:external')).hint).toContain('Steps=fitbit.steps');
  });

  it('refuses specs without a type or a source, empty labels and odd names', () => {
    expect(usageError(() => parseMetricSpec('Mood')).hint).toContain('"Mood:number"');
    expect(usageError(() => parseMetricSpec(':number')).message).toContain('No label');
    expect(usageError(() => parseMetricSpec('X=my.name:number')).message).toContain('Bad metric name "my.name"');
    expect(usageError(() => parseMetricSpec('Sleep=sleep')).message).toContain('After "="');
    expect(usageError(() => parseMetricSpec('!!!:number')).message).toContain('no letters or digits');
    // Control and bidi characters: a label is printed in every table.
    for (const label of ['Mood\u001b[31m', 'Rtl\u202eeman', 'a\u2066b', 'x\u009by']) {
      expect(usageError(() => parseMetricSpec(`${label}:number`)).message).toContain(
        'contains a control or bidi character',
      );
    }
  });
});

describe('validation', () => {
  it('rejects unknown sources and suggests the nearest field', () => {
    const home = tempHome();
    const ctx = ctxFor(home);
    const e = usageError(() =>
      validateTemplate(ctx, 'daily', [parseMetricSpec('Steps=fitbit.stepz'), parseMetricSpec('X=garmin.steps')]),
    );
    expect(e.message).toBe('Template "daily" is not valid:');
    expect(e.details).toEqual([
      'unknown source fitbit.stepz: the fitbit plugin declares no field "stepz" (did you mean fitbit.steps?)',
      'unknown source garmin.steps: no installed plugin is called "garmin" (installed: fitbit, oura, withings, apple-health)',
    ]);
    ctx.close();
  });

  it('rejects a manual metric labelled like a field of an installed plugin', () => {
    const ctx = ctxFor(tempHome());
    const e = usageError(() =>
      validateTemplate(ctx, 'daily', [
        parseMetricSpec('fitbit.stepz:number'),
        parseMetricSpec('fitbit.steps:number'),
        parseMetricSpec('v1.2:number'),
        parseMetricSpec('garmin.vo2:number'),
      ]),
    );
    expect(e.details).toEqual([
      '"fitbit.stepz" reads like a plugin field: the fitbit plugin declares no field "stepz" (did you mean fitbit.steps?); a manual metric needs a label of its own',
      '"fitbit.steps" reads like a plugin field: that is the synced field fitbit.steps; write --metric "fitbit.steps"; a manual metric needs a label of its own',
    ]);
    ctx.close();
  });

  it('rejects duplicate labels (any case) and the same source twice', () => {
    const ctx = ctxFor(tempHome());
    const e = usageError(() =>
      validateTemplate(ctx, 'daily', [
        parseMetricSpec('Mood:number'),
        parseMetricSpec('Steps=fitbit.steps'),
        parseMetricSpec('mood:number'),
        parseMetricSpec('Walk=fitbit.steps'),
      ]),
    );
    expect(all(e)).toContain('duplicate label "mood" (metrics 1 and 3)');
    expect(all(e)).toContain('"fitbit.steps" appears twice (metrics 2 and 4)');
    ctx.close();
  });

  it('rejects targets that do not fit the type, and targets on text', () => {
    const ctx = ctxFor(tempHome());
    const e = usageError(() =>
      validateTemplate(ctx, 'daily', [
        parseMetricSpec('Sleep=fitbit.sleepLength@>=lots'),
        parseMetricSpec('Note:text@yes'),
        parseMetricSpec('Done:boolean@maybe'),
      ]),
    );
    expect(all(e)).toContain('bad target ">=lots" for "Sleep"');
    expect(all(e)).toContain('"Note" is text: a target needs numbers, durations, times or yes/no');
    expect(all(e)).toContain('bad target "maybe" for "Done"');
    ctx.close();
  });

  it('rejects a manual metric name that another template uses with another type', () => {
    const ctx = ctxFor(tempHome());
    saveTemplate(ctx.db(), { name: 'a', metrics: [parseMetricSpec('Mood:number')] }, NOW().toISOString());
    const e = usageError(() => validateTemplate(ctx, 'b', [parseMetricSpec('Mood:text')]));
    expect(e.message).toContain('"mood" is a number metric in template "a", not text');
    // The same type is fine: both templates then show the same values.
    expect(validateTemplate(ctx, 'b', [parseMetricSpec('Humeur=mood:number')])).toEqual([]);
    ctx.close();
  });

  it('warns, but saves, a field the provider does not offer', () => {
    const ctx = ctxFor(tempHome());
    const warnings = validateTemplate(ctx, 'daily', [parseMetricSpec('fitbit.cardioLoad', ctx.registry)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^fitbit.cardioLoad is not offered by the provider, so its column will show n\/a\./);
    ctx.close();
  });
});

describe('a template whose source disappears still loads', () => {
  it('resolves the metric as unknown, with the reason', () => {
    const home = tempHome();
    const withPlugin = ctxFor(home, testRegistry(makeTestPlugin()));
    const metrics = [parseMetricSpec('Score=testsvc.score'), parseMetricSpec('Mood:number')];
    validateTemplate(withPlugin, 'daily', metrics);
    saveTemplate(withPlugin.db(), { name: 'daily', metrics }, NOW().toISOString());
    withPlugin.close();

    const without = ctxFor(home, testRegistry(makeTestPlugin({ id: 'other' })));
    const t = getTemplate(without.db(), 'daily')!;
    const [score, mood] = resolveTemplate(t, without.registry);
    expect(score).toMatchObject({
      label: 'Score',
      status: 'unknown',
      reason: 'no installed plugin is called "testsvc" (installed: other)',
    });
    expect(mood).toMatchObject({ label: 'Mood', type: 'number', status: 'ok' });
    without.close();
  });

  it('shows the column empty with a footnote saying why', async () => {
    const home = tempHome();
    const withPlugin = testRegistry(makeTestPlugin());
    let r = await runCli(
      ['metrics', 'template', 'create', 'daily', '--metric', 'Score=testsvc.score', '--metric', 'Mood:number'],
      {
        home,
        now: NOW,
        registry: withPlugin,
      },
    );
    expect(r.code).toBe(0);
    r = await runCli(['metrics', 'log', 'mood', '6', '--date', '2026-11-09'], { home, now: NOW, registry: withPlugin });
    expect(r.code).toBe(0);
    r = await runCli(['metrics', 'show', '--since', '2d', '--offline'], {
      home,
      now: NOW,
      registry: testRegistry(makeTestPlugin({ id: 'other' })),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'daily: 2026-11-09 .. 2026-11-10',
        'date        Score¹  Mood',
        '──────────  ──────  ────',
        '2026-11-09     n/a     6',
        '2026-11-10     n/a     ·',
        '──────────  ──────  ────',
        'avg            n/a     6',
        'min            n/a     6',
        'max            n/a     6',
        '',
        // 80 columns: the first line is exactly 80 characters.
        '¹ Score (testsvc.score): unknown source, no installed plugin is called "testsvc"',
        '  (installed: other). Fix it: okr metrics template edit daily',
        '',
      ].join('\n'),
    );
  });
});

describe('ensureDefaultTemplate', () => {
  it("creates a default template with the plugin's available fields only", () => {
    const ctx = ctxFor(tempHome());
    const made = ensureDefaultTemplate(ctx, 'fitbit')!;
    expect(made.created).toBe(true);
    const t = made.template;
    expect(t.name).toBe('default');
    expect(t.isDefault).toBe(true);
    expect(t.metrics.map((m) => m.source)).toEqual([
      'fitbit.sleepLength',
      'fitbit.wakeUpTime',
      'fitbit.bedTime',
      'fitbit.steps',
      'fitbit.restingHeartRate',
      'fitbit.hrv',
      'fitbit.activeZoneMinutes',
    ]);
    expect(t.metrics.map((m) => m.label)).toContain('Sleep length');
    // Connecting again does not add another, nor touch it.
    expect(ensureDefaultTemplate(ctx, 'fitbit')).toBeUndefined();
    expect(listTemplates(ctx.db())).toHaveLength(1);
    ctx.close();
  });

  it("a second plugin's fields join the default template, labels kept unique, once", () => {
    const other = makeTestPlugin({
      id: 'ring',
      getAvailableFields: () => [
        { id: 'sleepLength', name: 'Sleep length', description: '', type: 'duration' },
        { id: 'readiness', name: 'Readiness', description: '', type: 'number' },
        {
          id: 'gone',
          name: 'Gone',
          description: '',
          type: 'number',
          availability: { available: false, reason: 'x', alternatives: ['readiness'] },
        },
      ],
    });
    const registry = createDefaultRegistry();
    registry.register(other);
    const ctx = ctxFor(tempHome(), registry);
    ensureDefaultTemplate(ctx, 'fitbit');
    const added = ensureDefaultTemplate(ctx, 'ring')!;
    expect(added.created).toBe(false);
    expect(added.template.name).toBe('default');
    const tail = added.template.metrics.slice(-2);
    expect(tail).toEqual([
      { label: 'Sleep length (ring)', type: 'external', source: 'ring.sleepLength', metricName: 'ring.sleepLength' },
      { label: 'Readiness', type: 'external', source: 'ring.readiness', metricName: 'ring.readiness' },
    ]);
    expect(added.template.metrics).toHaveLength(9);
    // The merged template is valid (no duplicate labels), and connecting again adds nothing.
    expect(validateTemplate(ctx, 'default', added.template.metrics)).toEqual([]);
    expect(ensureDefaultTemplate(ctx, 'ring')).toBeUndefined();
    expect(getTemplate(ctx.db(), 'default')!.metrics).toHaveLength(9);
    ctx.close();
  });

  it('creates nothing when the user already made a template', () => {
    const ctx = ctxFor(tempHome());
    saveTemplate(ctx.db(), { name: 'mine', metrics: [parseMetricSpec('Mood:number')] }, NOW().toISOString());
    expect(ensureDefaultTemplate(ctx, 'fitbit')).toBeUndefined();
    expect(listTemplates(ctx.db()).map((t) => t.name)).toEqual(['mine']);
    ctx.close();
  });
});

describe('template commands', () => {
  it('create refuses bad specs with exit code 2 and saves nothing', async () => {
    const home = tempHome();
    const r = await runCli(['metrics', 'template', 'create', 'daily', '--metric', 'Mood:numbr'], { home, now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: Bad type "numbr" in "Mood:numbr".');
    // Several problems: one a line under the error; a bad target's hint shows the template form.
    const many = await runCli(
      [
        'metrics',
        'template',
        'create',
        'daily',
        '--metric',
        'Mood:number',
        '--metric',
        'mood:number',
        '--metric',
        'Steps=fitbit.steps@lots',
      ],
      { home, now: NOW },
    );
    expect(many.code).toBe(2);
    expect(many.stderr.split('\n').slice(0, 4)).toEqual([
      'error: Template "daily" is not valid:',
      '  - duplicate label "mood" (metrics 1 and 2)',
      '  - "mood" appears twice (metrics 1 and 2)',
      expect.stringMatching(
        /^ {2}- bad target "lots" for "Steps": Not a number: "lots" \(.*As a target: --metric "Steps=fitbit.steps@>= 10000"\)$/,
      ),
    ]);
    const list = await runCli(['metrics', 'template', 'list', '--json'], { home, now: NOW });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('create without --metric and without a terminal names the non-interactive form', async () => {
    const r = await runCli(['metrics', 'template', 'create', 'daily'], { home: tempHome(), now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: Creating a template interactively needs an interactive terminal.');
    expect(r.stderr).toContain('hint: Give the metrics instead: okr metrics template create daily --metric');
  });

  it('the first template is the default; default moves it; list marks it', async () => {
    const home = tempHome();
    await runCli(['metrics', 'template', 'create', 'daily', '-m', 'Mood:number'], { home, now: NOW });
    await runCli(['metrics', 'template', 'create', 'sleep', '-m', 'fitbit.sleepLength', '-m', 'fitbit.bedTime'], {
      home,
      now: NOW,
    });
    let r = await runCli(['metrics', 'template', 'list'], { home, now: NOW });
    expect(r.stdout).toBe('* daily  1 metric: Mood\n  sleep  2 metrics: Sleep length, Bed time\n');
    r = await runCli(['metrics', 'template', 'default', 'sleep'], { home, now: NOW });
    expect(r.stdout).toBe('"sleep" is the default template.\n');
    r = await runCli(['metrics', 'template', 'list'], { home, now: NOW });
    expect(r.stdout).toBe('* sleep  2 metrics: Sleep length, Bed time\n  daily  1 metric: Mood\n');
  });

  it('edit: add, remove, relabel (values stay), target, rename', async () => {
    const home = tempHome();
    const run = (...args: string[]) => runCli(args, { home, now: NOW });
    await run('metrics', 'template', 'create', 'daily', '-m', 'Mood:number', '-m', 'Steps=fitbit.steps');
    await run('metrics', 'log', 'Mood', '8', '--date', '2026-11-10');
    let r = await run(
      'metrics',
      'template',
      'edit',
      'daily',
      '--add',
      'Weight:number[kg]',
      '--remove',
      'steps',
      '--relabel',
      'Mood=Humeur',
      '--target',
      'Humeur@>=7',
      '--rename',
      'days',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Saved template "days": Humeur, Weight.\n');
    const ctx = ctxFor(home);
    expect(getTemplate(ctx.db(), 'daily')).toBeUndefined();
    expect(getDefaultTemplate(ctx.db())!.metrics).toEqual([
      { label: 'Humeur', type: 'number', metricName: 'mood', target: '>=7', source: undefined, unit: undefined },
      { label: 'Weight', type: 'number', metricName: 'weight', unit: 'kg', source: undefined, target: undefined },
    ]);
    ctx.close();
    // The relabelled metric still reads the values logged under its old label.
    r = await run('metrics', 'show', '--since', '2d', '--json');
    const shown = JSON.parse(r.stdout);
    expect(shown.days[1].values.mood).toEqual({ value: 8, text: '8', source: 'manual' });
    r = await run('metrics', 'template', 'edit', 'days', '--remove', 'Nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: Template "days" has no metric "Nope".');
  });

  it('delete prints a command that recreates the same template', async () => {
    const home = tempHome();
    const specs = [
      'Sleep=fitbit.sleepLength@>=7:30',
      'Weight:number[kg]@<=80',
      'Humeur=mood:number',
      'Lights out:time',
    ];
    await runCli(['metrics', 'template', 'create', 'daily', ...specs.flatMap((s) => ['--metric', s])], {
      home,
      now: NOW,
    });
    const before = JSON.parse(
      (await runCli(['metrics', 'template', 'show', 'daily', '--json'], { home, now: NOW })).stdout,
    );
    const r = await runCli(['metrics', 'template', 'delete', 'daily'], { home, now: NOW });
    expect(r.stdout).toBe(
      'Deleted template "daily"; its values are still stored.\n' +
        "To recreate it: okr metrics template create daily --metric 'Sleep=fitbit.sleepLength@>=7:30' --metric 'Weight:number[kg]@<=80' --metric Humeur=mood:number --metric 'Lights out:time'\n",
    );
    await runCli(['metrics', 'template', 'create', 'daily', ...specs.flatMap((s) => ['--metric', s])], {
      home,
      now: NOW,
    });
    const after = JSON.parse(
      (await runCli(['metrics', 'template', 'show', 'daily', '--json'], { home, now: NOW })).stdout,
    );
    expect(after.metrics).toEqual(before.metrics);
  });

  it('deleting the default template makes the oldest one left the default; a typo of a name gets the nearest', async () => {
    const home = tempHome();
    for (const name of ['daily', 'weekly', 'evening']) {
      await runCli(['metrics', 'template', 'create', name, '--metric', 'Mood:number'], { home, now: NOW });
    }
    const r = await runCli(['metrics', 'template', 'delete', 'daily'], { home, now: NOW });
    expect(r.stdout.split('\n')[2]).toBe(
      '"weekly" is the default template now (okr metrics template default <name> picks another).',
    );
    const list = JSON.parse((await runCli(['metrics', 'template', 'list', '--json'], { home, now: NOW })).stdout);
    expect(list.map((t: { name: string; default: boolean }) => [t.name, t.default])).toEqual([
      ['weekly', true],
      ['evening', false],
    ]);
    // Deleting another template moves nothing.
    expect((await runCli(['metrics', 'template', 'delete', 'evening'], { home, now: NOW })).stdout).not.toContain(
      'default',
    );
    const typo = await runCli(['metrics', 'show', '--template', 'weekyl'], { home, now: NOW });
    expect([typo.code, typo.stderr.split('\n')[0]]).toEqual([
      2,
      'error: No template is called "weekyl" (did you mean weekly?).',
    ]);
  });

  it('fields lists every source with type, unit and availability', async () => {
    const r = await runCli(['metrics', 'fields', '--json'], { home: tempHome(), now: NOW });
    const fields = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(fields.map((f) => f.source)).toEqual([
      'fitbit.sleepLength',
      'fitbit.wakeUpTime',
      'fitbit.bedTime',
      'fitbit.steps',
      'fitbit.cardioLoad',
      'fitbit.restingHeartRate',
      'fitbit.fitbitReadiness',
      'fitbit.hrv',
      'fitbit.activeZoneMinutes',
      'oura.readiness',
      'oura.sleepScore',
      'oura.activityScore',
      'oura.sleepLength',
      'oura.bedTime',
      'oura.wakeUpTime',
      'oura.hrv',
      'oura.lowestHeartRate',
      'oura.steps',
      'oura.activeCalories',
      'oura.temperatureDeviation',
      'withings.weight',
      'withings.fatRatio',
      'withings.muscleMass',
      'withings.sleepLength',
      'withings.sleepScore',
      'withings.bedTime',
      'withings.wakeUpTime',
      'withings.steps',
      'withings.restingHeartRate',
      'apple-health.steps',
      'apple-health.sleepLength',
      'apple-health.bedTime',
      'apple-health.wakeUpTime',
      'apple-health.restingHeartRate',
      'apple-health.hrv',
      'apple-health.weight',
      'apple-health.activeEnergy',
    ]);
    expect(fields.find((f) => f.source === 'oura.temperatureDeviation')).toMatchObject({
      type: 'number',
      unit: '°C',
      available: true,
    });
    expect(fields.find((f) => f.source === 'fitbit.steps')).toMatchObject({
      name: 'Steps',
      type: 'number',
      unit: 'steps',
      range: { min: 0, max: 200_000 },
      available: true,
      reason: null,
    });
    // What a day's value can be: the field's range, else its type's (src/metrics/plausible.ts).
    expect(fields.find((f) => f.source === 'fitbit.sleepLength')?.range).toEqual({ min: 0, max: 1440 });
    expect(fields.find((f) => f.source === 'fitbit.bedTime')?.range).toEqual({ min: 0, max: 1439 });
    expect(fields.find((f) => f.source === 'fitbit.cardioLoad')).toMatchObject({
      available: false,
      alternatives: ['fitbit.activeZoneMinutes', 'fitbit.restingHeartRate'],
    });
    const text = await runCli(['metrics', 'fields'], { home: tempHome(), now: NOW });
    const lines = text.stdout.split('\n');
    const i = lines.indexOf('fitbit.cardioLoad              number            Cardio load (n/a)');
    expect(lines.slice(i, i + 5)).toEqual([
      'fitbit.cardioLoad              number            Cardio load (n/a)',
      '  Fitbit Cardio Load. Not offered by the Google Health API.',
      '  n/a: The Google Health API v4 has no Cardio Load data type (the legacy Fitbit',
      '  Web API that had it answers 410). Nearest: fitbit.activeZoneMinutes,',
      '  fitbit.restingHeartRate.',
    ]);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
  });
});
