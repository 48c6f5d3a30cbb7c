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

describe('npm run simulator: one server, both providers', () => {
  it('prints the exports for fitbit and oura on one port; both modules answer; SIGTERM stops it', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [MAIN, '--auto-approve', '--now', '2026-11-30T12:00:00Z'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner in 10 s: ${out}`)), 10_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('Press Ctrl-C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const env = Object.fromEntries([...out.matchAll(/export (\w+)='([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
      const google = new URL(env.FITBIT_API_BASE_URL!);
      const oura = new URL(env.OURA_API_BASE_URL!);
      expect(google.host).toBe(oura.host);
      expect(google.pathname).toBe('/google/v4');
      expect(oura.pathname).toBe('/oura');
      // Without a token each module answers in its own provider's way.
      const g = await fetch(`${env.FITBIT_API_BASE_URL}/users/me/identity`, { signal: AbortSignal.timeout(5000) });
      expect(g.status).toBe(401);
      expect(((await g.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
      const o = await fetch(`${env.OURA_API_BASE_URL}/v2/usercollection/daily_sleep`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(o.status).toBe(401);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
