/**
 * The interactive side of `okr metrics template create|edit` (@inquirer/prompts, loaded only
 * here). Every answer goes through the same parsing and validation as `--metric`, so both ways
 * of making a template agree.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { parseCondition } from '../okr/target.js';
import type { FieldType } from '../plugins/types.js';
import { loadPrompts } from '../prompt.js';
import type { TemplateMetric } from '../store/templates.js';
import { sentences } from '../text.js';
import { MAX_LABEL_LENGTH, metricSlug, parseMetricSpec, resolveMetric } from './templates.js';

type Prompts = Awaited<ReturnType<typeof loadPrompts>>;

const TYPE_CHOICES: Array<{ value: FieldType; name: string; description: string }> = [
  { value: 'number', name: 'number', description: 'a count or a measurement: 7, 72.5, 10,482' },
  { value: 'duration', name: 'duration', description: 'hours and minutes: 7:30' },
  { value: 'time', name: 'time', description: 'a clock time: 23:15' },
  { value: 'boolean', name: 'yes/no', description: 'did it happen: yes or no' },
  { value: 'text', name: 'text', description: 'a short note' },
];

/** The registry's fields as checkbox choices; fields the provider does not offer are disabled. */
function sourceChoices(ctx: Context, taken: Set<string>) {
  return ctx.registry.list().flatMap((p) =>
    p.getAvailableFields().map((f) => {
      const source = `${p.id}.${f.id}`;
      const unit = f.unit ? `, ${f.unit}` : '';
      return {
        value: source,
        name: `${f.name} (${source})`,
        description: `${f.description} [${f.type}${unit}]`,
        disabled: f.availability
          ? `n/a: not offered by the provider`
          : taken.has(source)
            ? 'already in the template'
            : false,
      };
    }),
  );
}

async function pickSources(ctx: Context, p: Prompts, taken: Set<string>): Promise<TemplateMetric[]> {
  const choices = sourceChoices(ctx, taken);
  if (choices.length === 0) return [];
  const picked = await p.checkbox<string>({
    message: 'Values from plugins (space to pick, enter when done)',
    choices,
    pageSize: Math.min(12, choices.length),
  });
  return picked.map((source) => parseMetricSpec(source, ctx.registry));
}

function targetValidator(type: FieldType) {
  return (s: string) => {
    if (s.trim() === '') return true;
    try {
      parseCondition(s, type);
      return true;
    } catch (err) {
      const e = err as UsageError;
      return sentences(e.message, e.hint);
    }
  };
}

async function askManualMetric(p: Prompts, labels: Set<string>): Promise<TemplateMetric | undefined> {
  const label = (
    await p.input({
      message: 'A metric you log by hand: its label (Enter to finish)',
      validate: (s: string) => {
        const t = s.trim();
        if (t === '') return true;
        if (labels.has(t.toLowerCase())) return `"${t}" is already in the template`;
        if (t.length > MAX_LABEL_LENGTH) return `At most ${MAX_LABEL_LENGTH} characters`;
        if (/[=@[\]]/.test(t)) return 'A label cannot contain = @ [ ]';
        if (metricSlug(t) === '') return 'Use at least one letter or digit';
        return true;
      },
    })
  ).trim();
  if (label === '') return undefined;
  const type = await p.select<FieldType>({ message: `Type of ${label}`, choices: TYPE_CHOICES });
  let unit = '';
  if (type === 'number') unit = (await p.input({ message: 'Unit (optional, e.g. kg, min, pages)' })).trim();
  let target = '';
  if (type !== 'text') {
    const example = { number: '>=8', duration: '>=7:30', time: '<=23:00', boolean: 'yes' }[type];
    target = (await p.input({ message: `Target (optional, e.g. ${example})`, validate: targetValidator(type) })).trim();
  }
  return parseMetricSpec(`${label}:${type}${unit ? `[${unit}]` : ''}${target ? `@${target}` : ''}`);
}

async function askTargets(ctx: Context, p: Prompts, metrics: TemplateMetric[]): Promise<void> {
  const external = metrics.filter((m) => m.type === 'external' && m.target === undefined);
  if (external.length === 0) return;
  if (!(await p.confirm({ message: 'Set targets for the plugin values?', default: false }))) return;
  for (const m of external) {
    const r = resolveMetric(m, ctx.registry);
    if (r.type === 'text') continue;
    const t = (
      await p.input({ message: `Target for ${m.label} (Enter for none)`, validate: targetValidator(r.type) })
    ).trim();
    if (t) m.target = t;
  }
}

/** Asks for a new template's metrics. */
export async function promptNewTemplate(ctx: Context, name: string): Promise<TemplateMetric[]> {
  const p = await loadPrompts(ctx.io);
  ctx.io.out(`New template "${name}": pick values from plugins, then add metrics you log by hand.`);
  const metrics = await pickSources(ctx, p, new Set());
  const labels = new Set(metrics.map((m) => m.label.toLowerCase()));
  for (;;) {
    const m = await askManualMetric(p, labels);
    if (!m) break;
    metrics.push(m);
    labels.add(m.label.toLowerCase());
  }
  if (metrics.length === 0) throw new UsageError('No metrics chosen; nothing was saved.');
  await askTargets(ctx, p, metrics);
  return metrics;
}

export async function confirmDefault(ctx: Context, name: string): Promise<boolean> {
  const p = await loadPrompts(ctx.io);
  return p.confirm({
    message: `Make "${name}" the default template (what \`okr metrics show\` shows)?`,
    default: false,
  });
}

type EditAction = 'add-plugin' | 'add-manual' | 'remove' | 'rename' | 'target' | 'move' | 'save' | 'cancel';

/** Edits a template's metrics in a loop; returns undefined when the user cancels. */
export async function promptEditTemplate(
  ctx: Context,
  name: string,
  current: TemplateMetric[],
): Promise<TemplateMetric[] | undefined> {
  const p = await loadPrompts(ctx.io);
  const metrics = current.map((m) => ({ ...m }));
  for (;;) {
    ctx.io.out(`Template "${name}": ${metrics.map((m) => m.label).join(', ') || '(empty)'}`);
    const action = await p.select<EditAction>({
      message: 'What next?',
      choices: [
        { value: 'add-plugin', name: 'Add values from plugins' },
        { value: 'add-manual', name: 'Add a metric you log by hand' },
        { value: 'remove', name: 'Remove metrics', disabled: metrics.length === 0 },
        { value: 'rename', name: 'Rename a metric (its values stay)', disabled: metrics.length === 0 },
        { value: 'target', name: 'Set or clear a target', disabled: metrics.length === 0 },
        { value: 'move', name: 'Move a metric up', disabled: metrics.length < 2 },
        { value: 'save', name: 'Save and quit' },
        { value: 'cancel', name: 'Quit without saving' },
      ],
    });
    const pick = (message: string) =>
      p.select<number>({ message, choices: metrics.map((m, i) => ({ value: i, name: m.label })) });
    switch (action) {
      case 'add-plugin':
        metrics.push(...(await pickSources(ctx, p, new Set(metrics.map((m) => m.metricName)))));
        break;
      case 'add-manual': {
        const m = await askManualMetric(p, new Set(metrics.map((x) => x.label.toLowerCase())));
        if (m) metrics.push(m);
        break;
      }
      case 'remove': {
        const drop = await p.checkbox<number>({
          message: 'Remove which? (their stored values stay)',
          choices: metrics.map((m, i) => ({ value: i, name: m.label })),
        });
        for (const i of [...drop].sort((a, b) => b - a)) metrics.splice(i, 1);
        break;
      }
      case 'rename': {
        const i = await pick('Rename which?');
        const m = metrics[i]!;
        const label = (
          await p.input({
            message: `New label for ${m.label}`,
            default: m.label,
            validate: (s: string) =>
              s.trim() !== '' && !/[=@[\]]/.test(s) && s.trim().length <= MAX_LABEL_LENGTH
                ? true
                : `1 to ${MAX_LABEL_LENGTH} characters, without = @ [ ]`,
          })
        ).trim();
        // The metric name stays: values logged under "Mood" are still there after a rename.
        m.label = label;
        break;
      }
      case 'target': {
        const i = await pick('Target for which?');
        const m = metrics[i]!;
        const r = resolveMetric(m, ctx.registry);
        if (r.type === 'text' || r.status === 'unknown') {
          ctx.io.out(`${m.label} cannot have a target.`);
          break;
        }
        const t = (
          await p.input({
            message: `Target for ${m.label} (Enter for none)`,
            default: m.target,
            validate: targetValidator(r.type),
          })
        ).trim();
        m.target = t || undefined;
        break;
      }
      case 'move': {
        const i = await pick('Move which up?');
        if (i > 0) metrics.splice(i - 1, 0, ...metrics.splice(i, 1));
        break;
      }
      case 'save':
        return metrics;
      case 'cancel':
        return undefined;
    }
  }
}
