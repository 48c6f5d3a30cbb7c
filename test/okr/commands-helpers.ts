/** Helpers for the OKR command tests: a temp home, a fixed clock, values put straight into the store. */
import { expect } from 'vitest';
import { createContext } from '../../src/context.js';
import { visibleLength } from '../../src/io.js';
import { putValue } from '../../src/store/values.js';
import { type RunResult, runCli, tempHome } from '../helpers/cli.js';

/** Local noon, so the local date is 2026-11-11 whatever the machine's zone. */
export const NOW = new Date(2026, 10, 11, 12, 0, 0);
export const now = () => NOW;

export interface Home {
  home: string;
  run(args: string[], extra?: Partial<Parameters<typeof runCli>[1]>): Promise<RunResult>;
  /** Runs a command that must succeed; returns stdout. */
  ok(args: string[], extra?: Partial<Parameters<typeof runCli>[1]>): Promise<string>;
  json<T = unknown>(args: string[]): Promise<T>;
  /** Stores daily values of one metric (synced ones for `plugin.field`, manual ones otherwise). */
  put(metric: string, values: Record<string, number | string>): void;
}

/** Commands run in-process on a home (a new temp one unless given), at a clock (`NOW` unless given). */
export function newHome(opts: { home?: string; now?: () => Date } = {}): Home {
  const home = opts.home ?? tempHome('okr-okr-');
  const env = { OKR_SECRETS: 'file' };
  const clock = opts.now ?? now;
  const run: Home['run'] = (args, extra = {}) => runCli(args, { home, env, now: clock, ...extra });
  const ok: Home['ok'] = async (args, extra) => {
    const r = await run(args, extra);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
    expect(r.code).toBe(0);
    return r.stdout;
  };
  return {
    home,
    run,
    ok,
    async json(args) {
      return JSON.parse(await ok([...args, '--json']));
    },
    put(metric, values) {
      const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home });
      try {
        const source = metric.includes('.') ? metric.split('.')[0]! : 'manual';
        for (const [date, value] of Object.entries(values)) {
          putValue(ctx.db(), { date, metricName: metric, value, source, updatedAt: NOW.toISOString() });
        }
      } finally {
        ctx.close();
      }
    },
  };
}

/** Every line of `text` fits `width` visible columns (ANSI colour codes take none). */
export function expectFits(text: string, width = 80): void {
  const long = text.split('\n').filter((l) => visibleLength(l) > width);
  expect(long).toEqual([]);
}
