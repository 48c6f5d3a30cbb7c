/**
 * The README's "Objectives and key results" commands, exactly as printed there, run one after the
 * other with the built binary on a fresh home: every one succeeds, and `okr metrics log books 1`
 * logs the manual metric that only a key result names. Needs `npm run build` (npm test does it).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { addDays, localDate } from '../../src/dates.js';
import { REPO_ROOT, runBin, tempHome } from '../helpers/cli.js';

const home = tempHome('okr-readme-');
const env = { OKR_SECRETS: 'file', NO_COLOR: '1' };
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The indented command block under a README heading, continuation lines joined, comments cut. */
function readmeCommands(heading: string): string[] {
  const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf(`## ${heading}`));
  const block = /\n\n((?: {4}.*\n)+)/.exec(section)![1]!;
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim().replace(/\s+#\s.*$/, ''))
    .filter((l) => l.startsWith('okr '));
}

/** Splits a command line as a shell does for these lines: words, and "double-quoted" words. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe("the README's objectives walkthrough", () => {
  it('runs as printed, and the manual metric of "Read 12 books" can be logged', async () => {
    const lines = readmeCommands('Objectives and key results');
    expect(lines).toContain('okr metrics log books 1');
    for (const line of lines) {
      // `okr progress [--period …]` shows the optional flags; run it as it is without them.
      const argv = words(line.replace(/\s*\[[^\]]*\]/g, '')).slice(1);
      const r = await runBin(argv, { home, env });
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    const ctx = createContext({ env: { OKR_HOME: home, OKR_SECRETS: 'file' }, homedir: home });
    try {
      const rows = ctx.db().prepare('SELECT metric_name, value, source FROM daily_metric_values').all();
      expect(rows).toEqual([{ metric_name: 'books', value: 1, source: 'manual' }]);
    } finally {
      ctx.close();
    }
  });

  it('the key result knows the type: a wrong value is refused, a second key result needs no --type', async () => {
    const bad = await runBin(['metrics', 'log', 'books', 'lots'], { home, env });
    expect(bad.code).toBe(2);
    const again = await runBin(
      [
        'kr',
        'add',
        'Two books a month',
        '--objective',
        '2',
        '--metric',
        'books',
        '--agg',
        'sum',
        '--per',
        'month',
        '--target',
        '2',
      ],
      { home, env },
    );
    expect(again.code, again.stderr).toBe(0);
    const wrong = await runBin(
      [
        'kr',
        'add',
        'x',
        '--objective',
        '2',
        '--metric',
        'books',
        '--agg',
        'sum',
        '--target',
        '2',
        '--type',
        'duration',
      ],
      { home, env },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('books is a number metric');
  });

  it("metrics import takes the key result's metric too", async () => {
    const file = join(home, 'books.csv');
    writeFileSync(file, `date,metric,value\n${addDays(localDate(new Date()), -3)},books,1\n`);
    const r = await runBin(['metrics', 'import', file], { home, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Imported 1 value');
  });
});
