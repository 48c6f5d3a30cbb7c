/**
 * The terminal form of `okr sync`'s output, with a stream that looks like a real terminal.
 */
import { expect, test } from 'vitest';
import type { Context } from '../../src/context.js';
import { createIO } from '../../src/io.js';
import type { PluginSyncResult, SyncReport } from '../../src/sync/engine.js';
import { createRenderer } from '../../src/sync/render.js';

function terminal(columns: number) {
  let out = '';
  const stream = {
    isTTY: true,
    columns,
    rows: 24,
    write: (s: string) => {
      out += s;
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    on: () => stream,
    once: () => stream,
    removeListener: () => stream,
  };
  const io = createIO({ stdout: stream, stderr: { write: () => true }, stdin: process.stdin, env: { NO_COLOR: '1' } });
  const ctx = { io, now: () => new Date('2026-11-10T15:00:00Z') } as unknown as Context;
  return { ctx, output: () => out };
}

const result: PluginSyncResult = {
  plugin: 'fitbit',
  status: 'ok',
  from: '2026-11-03',
  to: '2026-11-10',
  days: 8,
  chunks: 1,
  chunksFetched: 1,
  chunksSkipped: 0,
  valuesWritten: 47,
  keptManual: 0,
  refused: [],
  calls: 5,
  retries: 0,
  refreshed: false,
  ms: 412,
  error: null,
  errorKind: null,
  hint: null,
  notGranted: [],
};
const report: SyncReport = {
  from: '2026-11-03',
  to: '2026-11-10',
  trigger: 'manual',
  dryRun: false,
  startedAt: '2026-11-10T15:00:00.000Z',
  finishedAt: '2026-11-10T15:00:00.412Z',
  ms: 412,
  exitCode: 0,
  plugins: [result],
};

test.each([80, 0])('a terminal of %i columns: a spinner line, then the summary table', async (columns) => {
  const t = terminal(columns);
  const r = await createRenderer(t.ctx, {});
  r.onProgress({
    type: 'plugin-start',
    plugin: 'fitbit',
    from: '2026-11-03',
    to: '2026-11-10',
    chunks: 1,
    chunksSkipped: 0,
  });
  r.onProgress({ type: 'plugin-done', result });
  r.finish(report);
  const out = t.output();
  // A terminal reporting 0 columns once made ora clear lines forever: the output stays small.
  expect(out.length).toBeLessThan(5000);
  expect(out).toContain('fitbit: ok, 8 days, 47 values written, 5 calls, 412 ms');
  expect(out).toContain('│ plugin │ status │ days │ values written │ calls │   time │');
  expect(out).toContain('│ fitbit │ ok     │    8 │             47 │     5 │ 412 ms │');
});

test('counts are grouped and counted right: "1 day", "4,637 values", in the line and the table', async () => {
  const big = { ...result, days: 1, valuesWritten: 4637, calls: 1 };
  const t = terminal(80);
  const r = await createRenderer(t.ctx, {});
  r.onProgress({ type: 'plugin-done', result: big });
  r.finish({ ...report, plugins: [big] });
  const out = t.output();
  expect(out).toContain('fitbit: ok, 1 day, 4,637 values written, 1 call, 412 ms');
  expect(out).toContain('│ fitbit │ ok     │    1 │          4,637 │     1 │ 412 ms │');
});
