/**
 * What people read, through the built binary: long lines wrapped to the terminal (80 columns
 * when standard output is not one), counted nouns in the singular when there is one.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, tempHome } from '../helpers/cli.js';

const width = (line: string) => [...line].length;

describe('text output', () => {
  it('okr plugins show and okr plugins fit 80 columns when piped, and keep every word', async () => {
    const home = tempHome();
    for (const args of [['plugins', 'show', 'fitbit'], ['plugins']]) {
      const r = await runBin(args, { home });
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.filter((l) => width(l) > 80).length).toBeLessThan(3);
      // Only a word longer than a line (a scope URL) may stick out, alone on its line.
      for (const l of lines) if (width(l) > 80) expect(l.trim(), l).not.toContain(' ');
      // Nothing lost in the wrapping: the words come out in order, only the line breaks moved.
      const words = r.stdout.split(/\s+/).join(' ');
      expect(words).toContain('Steps, sleep, resting heart rate, HRV and Active Zone Minutes from Fitbit');
    }
    const show = (await runBin(['plugins', 'show', 'fitbit'], { home })).stdout;
    const flat = show.split(/\s+/).join(' ');
    expect(flat).toContain('n/a: The Google Health API v4 has no Cardio Load data type');
    expect(flat).toContain('Nearest: activeZoneMinutes, restingHeartRate.');
    expect(show).toMatch(/^ {2}1\. Create a project/m);
  });

  it('a template of one metric says "1 metric"', async () => {
    const home = tempHome();
    expect((await runBin(['metrics', 'template', 'create', 'daily', '-m', 'Mood:number'], { home })).code).toBe(0);
    const show = await runBin(['metrics', 'template', 'show', 'daily'], { home });
    expect(show.stdout).toContain('daily (default), 1 metric');
    const list = await runBin(['metrics', 'template', 'list'], { home });
    expect(list.stdout).toMatch(/daily\s+1 metric: Mood/);
  });

  it('okr doctor and okr status end with where the config, data and state files are', async () => {
    const home = tempHome();
    for (const cmd of ['doctor', 'status']) {
      const r = await runBin([cmd], { home, env: { OKR_SECRETS: 'file' } });
      expect(r.stdout, cmd).toContain(
        [
          'Files:',
          `  config    ${join(home, 'config', 'config.json')}`,
          `  secrets   ${join(home, 'config', 'secrets.json')}`,
          `  database  ${join(home, 'data', 'okr.db')}`,
          `  log       ${join(home, 'state', 'sync.log')}`,
          `  locks     ${join(home, 'state', 'locks')}`,
          '',
        ].join('\n'),
      );
    }
  });
});
