/** `npm run simulator` (dist/simulator-main.js, built by `npm test`): its help and its bad flags. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/home.js';

const MAIN = join(REPO_ROOT, 'dist', 'simulator-main.js');
const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 10_000 });

describe('npm run simulator', () => {
  it('--help lists the options and starts nothing', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run simulator -- \[options\]/);
    for (const flag of ['--port', '--seed', '--now', '--time-zone', '--auto-approve', '--testing-mode']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).not.toContain('listening');
  });

  it('an unknown flag: exit 2, the error, then the usage', () => {
    const r = run(['--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--bogus'/);
    expect(r.stderr).toContain('Usage: npm run simulator');
    expect(r.stdout).toBe('');
  });
});
