/**
 * `--json` on every command that has it, through the built binary: standard output is one JSON
 * document of the documented shape, nothing else (notes go to stderr). The home is connected to
 * the simulator, the schedulers are fakes on PATH (no real crontab or systemd is asked), and the
 * list of commands comes from the program, so a new `--json` command without a case fails here.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runBin, tempDir } from '../helpers/cli.js';
import { type Home, simulatorHome } from '../helpers/faults.js';
import { generateAppleExport } from '../import/apple-generator.js';
import { fakeMachine } from '../schedule/fakes.js';

type Json = Record<string, unknown> & unknown[];

interface Case {
  /** The command path, as in `okr <path> --help`. */
  command: string;
  args: string[];
  /** Exit codes that are right for this home (doctor fails a check when no schedule ran, etc.). */
  codes?: number[];
  check: (json: Json) => void;
}

const keys =
  (...names: string[]) =>
  (o: unknown) =>
    expect(Object.keys(o as object)).toEqual(expect.arrayContaining(names));

/** In order: the writes first, so the reads after them have something to show. */
function cases(csv: string): Case[] {
  return [
    {
      command: 'objective add',
      args: ['objective', 'add', 'Sleep better', '--period', '2026-Q4'],
      check: (j) => {
        expect(j).toMatchObject({ id: 1, title: 'Sleep better', period: { label: '2026-Q4' } });
      },
    },
    {
      command: 'kr add',
      args: [
        'kr',
        'add',
        'Steps',
        '--objective',
        '1',
        '--metric',
        'fitbit.steps',
        '--agg',
        'avg',
        '--target',
        '>= 8000',
      ],
      check: (j) => expect(j).toMatchObject({ id: 1, objectiveId: 1, metric: 'fitbit.steps', agg: 'avg' }),
    },
    {
      command: 'objective edit',
      args: ['objective', 'edit', '1', '--title', 'Sleep well'],
      check: (j) => expect(j).toMatchObject({ id: 1, title: 'Sleep well' }),
    },
    {
      command: 'kr edit',
      args: ['kr', 'edit', '1', '--target', '>= 9000'],
      check: (j) => expect(j).toMatchObject({ id: 1, target: { op: '>=', value: 9000 } }),
    },
    {
      command: 'import',
      args: ['import', 'apple-health', join(dirname(csv), 'export.xml')],
      check: (j) => {
        expect(j).toMatchObject({
          plugin: 'apple-health',
          dryRun: false,
          interrupted: false,
          filesRead: 1,
          problems: [],
        });
        expect(j.metrics).toMatchObject({ 'apple-health.steps': { added: 3 } });
      },
    },
    {
      command: 'metrics log',
      args: ['metrics', 'log', 'fitbit.steps', '1234', '--date', '2026-01-02', '--force'],
      check: (j) => expect(j).toMatchObject({ metric: 'fitbit.steps', date: '2026-01-02', value: 1234 }),
    },
    {
      command: 'sync',
      args: ['sync', '--since', '3d'],
      check: (j) => {
        keys('from', 'to', 'plugins')(j);
        expect(j.plugins).toEqual([expect.objectContaining({ plugin: 'fitbit', status: 'ok' })]);
      },
    },
    {
      command: 'sync',
      args: ['sync', '--dry-run', '--since', '10d'],
      check: (j) => {
        keys('from', 'to', 'plugins')(j);
        expect(j.plugins).toEqual([expect.objectContaining({ plugin: 'fitbit', plan: expect.any(Array) })]);
      },
    },
    {
      command: 'metrics import',
      args: ['metrics', 'import', csv, '--dry-run'],
      check: (j) => expect(j).toMatchObject({ imported: 1 }),
    },
    {
      command: 'plugins',
      args: ['plugins'],
      check: (j) => {
        expect(Array.isArray(j)).toBe(true);
        expect(j[0]).toMatchObject({ id: 'fitbit', configured: true, connected: true });
      },
    },
    {
      command: 'plugins show',
      args: ['plugins', 'show', 'fitbit'],
      check: (j) => {
        expect(j).toMatchObject({ id: 'fitbit', connected: true });
        expect(j.fields).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'fitbit.steps' })]));
        expect(Array.isArray(j.setup)).toBe(true);
      },
    },
    {
      command: 'status',
      args: ['status'],
      check: (j) => {
        expect(j.plugins).toEqual([
          expect.objectContaining({ id: 'fitbit', connected: true, tokens: 'present' }),
          expect.objectContaining({ id: 'oura', connected: false, configured: false, importsFiles: null }),
          expect.objectContaining({ id: 'withings', connected: false, configured: false, importsFiles: null }),
          expect.objectContaining({ id: 'apple-health', connected: false, importsFiles: expect.any(String) }),
        ]);
        expect(j.files).toEqual(files(home.home));
      },
    },
    {
      command: 'doctor',
      args: ['doctor'],
      codes: [0, 1],
      check: (j) => {
        expect(typeof j.ok).toBe('boolean');
        expect(j.checks).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'database', status: 'pass' })]));
        expect(j.files).toEqual(files(home.home));
      },
    },
    {
      command: 'metrics show',
      args: ['metrics', 'show', '--offline', '--since', '7d'],
      check: (j) => {
        keys('template', 'from', 'to', 'metrics')(j);
        expect(j.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ metric: 'fitbit.steps' })]));
      },
    },
    {
      command: 'metrics export',
      args: ['metrics', 'export', '--from', '2026-01-02', '--to', '2026-01-02'],
      check: (j) =>
        expect(j).toMatchObject({
          format: 'okr-metrics-export',
          from: '2026-01-02',
          to: '2026-01-02',
          values: expect.arrayContaining([
            expect.objectContaining({ date: '2026-01-02', metric: 'fitbit.steps', value: 1234, source: 'manual' }),
          ]),
        }),
    },
    {
      command: 'metrics fields',
      args: ['metrics', 'fields'],
      check: (j) => expect(j).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'fitbit.steps' })])),
    },
    {
      command: 'metrics template list',
      args: ['metrics', 'template', 'list'],
      check: (j) => expect(j).toEqual([expect.objectContaining({ name: 'default', default: true })]),
    },
    {
      command: 'metrics template show',
      args: ['metrics', 'template', 'show', 'default'],
      check: (j) => {
        expect(j).toMatchObject({ name: 'default' });
        expect((j.metrics as unknown[]).length).toBeGreaterThan(0);
      },
    },
    {
      command: 'config list',
      args: ['config', 'list'],
      check: (j) => {
        const id = (j as unknown as Array<{ key: string }>).find((r) => r.key === 'plugin.fitbit.client_id');
        expect(id).toMatchObject({ source: 'file', secret: false });
        const secret = (j as unknown as Array<{ key: string; value: string }>).find(
          (r) => r.key === 'plugin.fitbit.client_secret',
        );
        expect(secret).toMatchObject({ secret: true });
      },
    },
    {
      command: 'config get',
      args: ['config', 'get', 'plugin.fitbit.client_id'],
      check: (j) => expect(j).toMatchObject({ key: 'plugin.fitbit.client_id', source: 'file', secret: false }),
    },
    {
      command: 'objective list',
      args: ['objective', 'list'],
      check: (j) => expect(j).toEqual([expect.objectContaining({ id: 1, title: 'Sleep well', keyResultCount: 1 })]),
    },
    {
      command: 'objective show',
      args: ['objective', 'show', '1'],
      check: (j) => expect(j).toMatchObject({ id: 1, keyResults: [expect.objectContaining({ id: 1 })] }),
    },
    {
      command: 'kr list',
      args: ['kr', 'list'],
      check: (j) => expect(j).toEqual([expect.objectContaining({ id: 1, metric: 'fitbit.steps' })]),
    },
    {
      command: 'progress',
      args: ['progress', '--all'],
      check: (j) => {
        keys('date', 'objectives')(j);
        expect(j.objectives).toEqual([expect.objectContaining({ id: 1, keyResults: expect.any(Array) })]);
      },
    },
    {
      command: 'report',
      args: ['report', '--since', '30d'],
      check: (j) => {
        expect(j).toMatchObject({ report: 'okr', template: 'default', resolution: 'day', range: { days: 30 } });
        expect(j.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ metric: 'fitbit.steps' })]));
        expect(Array.isArray(j.objectives)).toBe(true);
        keys('days', 'sources')(j.coverage);
      },
    },
    {
      command: 'schedule status',
      args: ['schedule', 'status'],
      check: (j) => expect(j).toMatchObject({ installed: false, backend: null, problems: [] }),
    },
    {
      command: 'schedule check',
      args: ['schedule', 'check'],
      codes: [0, 1],
      check: (j) => keys('ok')(j),
    },
  ];
}

/** Where okr keeps its files under OKR_HOME, as doctor and status report them. */
function files(okrHome: string) {
  return {
    config: join(okrHome, 'config', 'config.json'),
    secrets: join(okrHome, 'config', 'secrets.json'),
    database: join(okrHome, 'data', 'okr.db'),
    log: join(okrHome, 'state', 'sync.log'),
    locks: join(okrHome, 'state', 'locks'),
  };
}

/** Every command path that has a --json option. */
function jsonCommands(cmd: Command, path: string[] = []): string[] {
  return cmd.commands.flatMap((c) => {
    const here = [...path, c.name()];
    const self = c.options.some((o) => o.long === '--json') ? [here.join(' ')] : [];
    return [...self, ...jsonCommands(c, here)];
  });
}

let sim: Simulator;
let home: Home;
let env: Record<string, string | undefined>;
let csv: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
  home = await simulatorHome(sim);
  env = { ...fakeMachine().env, ...home.env };
  csv = join(tempDir('okr-json-'), 'in.csv');
  writeFileSync(csv, 'date,metric,value,type\n2026-01-03,mood,7,number\n');
  writeFileSync(join(dirname(csv), 'export.xml'), generateAppleExport('2026-01-01', '2026-01-03'));
});
afterAll(() => sim?.close());

describe('--json, through the built binary', () => {
  it('has a case for every command with --json', async () => {
    const program = await buildProgram({ exitCode: 0, context: () => Promise.reject(new Error('not needed')) });
    const covered = new Set(cases('').map((c) => c.command));
    expect([...new Set(jsonCommands(program))].sort()).toEqual([...covered].sort());
  });

  it('prints one JSON document of the expected shape on standard output, for each', async () => {
    for (const c of cases(csv)) {
      const r = await runBin([...c.args, '--json'], { home: home.home, env });
      const label = `okr ${c.args.join(' ')} --json`;
      expect(c.codes ?? [0], `${label}: exit ${r.code}\n${r.stderr}`).toContain(r.code);
      let json: Json;
      try {
        json = JSON.parse(r.stdout);
      } catch {
        throw new Error(`${label} printed no JSON:\n${r.stdout.slice(0, 400)}`);
      }
      c.check(json);
    }
  }, 120_000);
});
