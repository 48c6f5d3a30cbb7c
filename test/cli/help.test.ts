import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { BIN, REPO_ROOT, runBin, runCli, tempDir, tempHome } from '../helpers/cli.js';

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return [path, ...commandPaths(c, path)];
  });
}

const program = await buildProgram({
  exitCode: 0,
  context: () => {
    throw new Error('help must not build a context');
  },
});
const paths = commandPaths(program);
/** The commands `okr --help` lists (not the hidden ones the completion scripts call). */
const listed = program.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);

describe('help', () => {
  it('lists every top-level command in `okr --help`', async () => {
    const r = await runCli(['--help'], { home: tempHome() });
    expect(r.code).toBe(0);
    for (const c of listed) expect(r.stdout).toContain(`  ${c.name()}`);
    // Names and summaries, without "[options]" (every command has some).
    expect(r.stdout.slice(r.stdout.indexOf('Commands:'))).not.toContain('[options]');
    expect(r.stdout).toMatch(/^ {2}connect +sign in to a plugin through the browser/m);
  });

  it.each(paths.map((p) => [p.join(' '), p]))('`okr %s --help` works', async (_name, path) => {
    const r = await runCli([...(path as string[]), '--help'], { home: tempHome() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: okr ${(path as string[]).join(' ')}`);
    expect(r.stderr).toBe('');
    // Each option once: one the command has itself is not listed again under Global Options.
    const flags = [...r.stdout.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
    expect(flags.filter((f, i) => flags.indexOf(f) !== i)).toEqual([]);
    expect(flags).toContain('--verbose');
  });

  it('prints the package version from the built binary, and help through npx', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const v = await runBin(['--version']);
    expect(v.code).toBe(0);
    // One line, as `gh --version`: okr's version, Node's, the platform.
    expect(v.stdout).toBe(`okr ${pkg.version} (node ${process.version}, ${process.platform}-${process.arch})\n`);
    const h = await runBin(['--help']);
    expect(h.code).toBe(0);
    for (const c of listed) expect(h.stdout).toContain(`  ${c.name()}`);
  });

  it('runs as `npx okr` from the package folder (the package bin, no download)', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('npx', ['--no-install', 'okr', '--help'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    for (const c of listed) expect(out).toContain(`  ${c.name()}`);
  });

  it('loads only the invoked command', async () => {
    const { invokedCommand } = await import('../../src/cli.js');
    expect(invokedCommand(['--verbose', 'sync', '--since', '7d'])).toBe('sync');
    expect(invokedCommand(['help', 'kr'])).toBe('kr');
    expect(invokedCommand(['--help'])).toBeUndefined();
    const r = await runCli(['help', 'kr'], { home: tempHome() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: okr kr');
    // A subcommand's help, not its parent's again.
    const sub = await runCli(['help', 'kr', 'add'], { home: tempHome() });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: okr kr add \[options\] <title>/);
    const deep = await runCli(['help', 'metrics', 'template', 'create'], { home: tempHome() });
    expect(deep.stdout).toMatch(/^Usage: okr metrics template create/);
  });

  it('exits 2 on an unknown command or option, with a hint', async () => {
    const r = await runCli(['frobnicate'], { home: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    // `okr help <unknown>` too: one error line (with the nearest command), not the whole help.
    const h = await runCli(['help', 'conect'], { home: tempHome() });
    expect([h.code, h.stdout]).toEqual([2, '']);
    expect(h.stderr).toBe("error: unknown command 'conect'\n(Did you mean connect?)\n(run with --help for usage)\n");
    const o = await runCli(['plugins', '--frob'], { home: tempHome() });
    expect(o.code).toBe(2);
    expect(o.stderr).toContain("unknown option '--frob'");
  });
});

describe('pipes', () => {
  it('stops quietly when the reader closes the pipe early (`okr … | head -2`), and still removes the demo home', async () => {
    const { spawnSync } = await import('node:child_process');
    const tmp = tempDir('okr-pipe-tmp-');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" demo --days 5 | head -2`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, OKR_HOME: tempHome(), TMPDIR: tmp },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('\n1. A fresh home\n');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    // The demo's temporary home (made under TMPDIR) is gone although the demo never reached its end.
    expect(readdirSync(tmp)).toEqual([]);
  });
});
