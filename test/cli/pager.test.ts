/**
 * Long output on a terminal goes through the pager; piped output never does. The built binary
 * runs in a tmux pane of 20 rows (a private server socket, killed at the end). A "recording"
 * pager (OKR_PAGER='cat > file') shows that the output went through the pager, and what it got.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { PAGED_COMMANDS } from '../../src/commands/app.js';
import { addDays, localDate } from '../../src/dates.js';
import { BIN, REPO_ROOT, runBin, tempDir, tempHome } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const t = privateTmux('okr-pager');
let home: string;
let dir: string;
let n = 0;

// The screen as the pager shows it: no scroll-back.
const waitFor = (pattern: RegExp) => t.waitFor('p', pattern, { timeoutMs: 20_000 });

/** Runs a shell command line in a fresh 100×20 pane; `okr` is the built binary. */
function start(line: string): void {
  const okr = `'${process.execPath}' '${BIN}'`;
  const command = `env -u PAGER -u OKR_PAGER OKR_HOME='${home}' NO_COLOR=1 sh -c '${line.replaceAll('okr ', `${okr} `).replaceAll("'", "'\\''")}; echo OKR_EXIT=$?'; sleep 60`;
  t.start('p', command, { width: 100, height: 20, cwd: REPO_ROOT });
}

/** A file the recording pager writes; a new name for each run. */
const record = () => join(dir, `paged-${++n}.txt`);

beforeAll(async () => {
  // A session that outlives the test panes: killing the last session ends the server, and the
  // next new-session could then race its shutdown.
  t.tmux('new-session', '-d', '-s', 'keep', 'sleep 600');
  home = tempHome();
  dir = tempDir('okr-pager-');
  expect((await runBin(['metrics', 'template', 'create', 'daily', '-m', 'Mood:number'], { home })).code).toBe(0);
  const today = localDate(new Date());
  const rows = Array.from({ length: 60 }, (_, i) => `${addDays(today, -i)},mood,${i % 10}`);
  writeFileSync(join(dir, 'in.csv'), `date,metric,value\n${rows.join('\n')}\n`);
  expect((await runBin(['metrics', 'import', join(dir, 'in.csv')], { home })).code).toBe(0);
});

afterAll(() => t.close());

describe('the pager', () => {
  it('a table taller than the terminal goes through less -FRX by default; q ends it', async () => {
    start('okr metrics show --since 40d');
    // less waits at its prompt, the rest of the table not yet shown and okr not yet finished.
    const s = await waitFor(/^:\s*$/m);
    expect(s).not.toContain('OKR_EXIT');
    expect(s).toMatch(/^date\s+Mood/m);
    t.keys('p', 'q');
    await waitFor(/OKR_EXIT=0/);
  });

  it('through the pager the user chose (OKR_PAGER over PAGER), which gets the whole table', async () => {
    const file = record();
    start(`OKR_PAGER='cat > ${file}' PAGER=false okr metrics show --since 40d`);
    await waitFor(/OKR_EXIT=0/);
    const paged = readFileSync(file, 'utf8');
    expect(paged).toMatch(/^date\s+Mood/m);
    expect(paged.split('\n').length).toBeGreaterThan(40);
    // PAGER alone works too.
    const second = record();
    start(`PAGER='cat > ${second}' okr metrics fields`);
    await waitFor(/OKR_EXIT=0/);
    expect(readFileSync(second, 'utf8')).toContain('fitbit.sleepLength');
  });

  it('never when piped, with --no-pager (before or after the command), or with an empty OKR_PAGER or PAGER', async () => {
    const cases: Array<[string, string]> = [
      ['piped', `OKR_PAGER='cat > %' okr metrics show --since 40d | cat > ${join(dir, 'piped.txt')}`],
      ['--no-pager after', `OKR_PAGER='cat > %' okr metrics show --since 40d --no-pager`],
      ['--no-pager before', `OKR_PAGER='cat > %' okr --no-pager metrics show --since 40d`],
      ['empty OKR_PAGER', `OKR_PAGER= PAGER='cat > %' okr metrics show --since 40d`],
    ];
    for (const [what, line] of cases) {
      const file = record();
      start(line.replace('%', file));
      await waitFor(/OKR_EXIT=0/);
      expect(existsSync(file), what).toBe(false);
    }
    expect(readFileSync(join(dir, 'piped.txt'), 'utf8')).toMatch(/^date\s+Mood/m);
    // PAGER set but empty, nothing else: not even the default less (okr finished on its own).
    start('PAGER= okr metrics show --since 40d');
    await waitFor(/OKR_EXIT=0/);
  });

  it('output that fits the screen is printed as it is', async () => {
    const file = record();
    start(`OKR_PAGER='cat > ${file}' okr metrics show --since 3d`);
    const s = await waitFor(/OKR_EXIT=0/);
    expect(existsSync(file)).toBe(false);
    expect(s).toMatch(/^date\s+Mood/m);
  });

  it('every paged command exists (the list in commands/app.ts)', async () => {
    const program = await buildProgram({ exitCode: 0, context: () => Promise.reject(new Error('not needed')) });
    const paths = (c: typeof program, prefix: string[] = []): string[] =>
      c.commands.flatMap((s) => [[...prefix, s.name()].join(' '), ...paths(s, [...prefix, s.name()])]);
    const all = new Set(paths(program));
    for (const p of PAGED_COMMANDS) expect(all.has(p), p).toBe(true);
  });
});
