/**
 * File modes after a full demo-like flow: `okr demo --home` (configure, connect through the real
 * OAuth flow, sync, default template), then the commands that write more files (a sync, a logged
 * value, a scheduled run with its sync.log and locks, an export to a file inside the home). Run
 * under `umask 000`, so the modes come from okr itself and not from a careful umask. Every folder
 * of the home must be 0700 and every file 0600.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempHome } from '../helpers/cli.js';

function okrUmask000(args: string[], home: string): { code: number | null; stderr: string } {
  const r = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, BIN, ...args], {
    env: { ...process.env, OKR_HOME: home, OKR_SECRETS: 'file', DBUS_SESSION_BUS_ADDRESS: '' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: r.status, stderr: r.stderr };
}

function walk(dir: string): string[] {
  return [
    dir,
    ...readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    ),
  ];
}

describe('file modes', () => {
  it('folders 0700 and files 0600 after a demo-like flow, even under umask 000', () => {
    const home = join(tempHome('okr-modes-'), 'home');
    const steps: string[][] = [
      ['demo', '--home', home, '--days', '10'],
      ['sync', '--since', '3d'],
      ['metrics', 'log', 'fitbit.steps', '1234', '--date', '2020-01-01'],
      ['schedule', 'run'],
      ['metrics', 'export', '--output', join(home, 'export.csv')],
      ['doctor', '--redacted'],
    ];
    for (const args of steps) {
      const r = okrUmask000(args, home);
      expect([0, 1, 4], `okr ${args.join(' ')}: ${r.stderr}`).toContain(r.code);
    }
    const paths = walk(home);
    const bad = paths
      .map((p) => ({ p, st: statSync(p) }))
      .filter(({ st }) => (st.mode & 0o777) !== (st.isDirectory() ? 0o700 : 0o600))
      .map(({ p, st }) => `${p.slice(home.length) || '/'} ${(st.mode & 0o777).toString(8)}`);
    const names = paths.map((p) => p.slice(home.length));
    for (const must of [
      '/config/config.json',
      '/config/secrets.json',
      '/data/okr.db',
      '/state/sync.log',
      '/export.csv',
    ]) {
      expect(names).toContain(must);
    }
    console.log(
      `file modes: ${paths.length} paths after demo, sync, log, schedule run, export (umask 000): ${bad.length} not 0700/0600`,
    );
    expect(bad).toEqual([]);
  }, 180_000);
});
