/**
 * Shell completion: what `okr __complete` answers (in-process, every kind of word), and the
 * scripts of `okr completion bash|zsh|fish` in the real shells, through the built binary on PATH
 * as `okr` (a two-line shim). zsh runs interactively in tmux, since its completion needs a line
 * editor; bash and fish complete from a script.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { complete } from '../../src/completion.js';
import { BIN, REPO_ROOT, runBin, tempDir, tempHome } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

const program = await buildProgram({ exitCode: 0, context: () => Promise.reject(new Error('not needed')) });
const plugins = [
  { id: 'fitbit', name: 'Fitbit (Google Health)', signsIn: true, imports: true },
  { id: 'oura', name: 'Oura', signsIn: true, imports: false },
  { id: 'apple-health', name: 'Apple Health', signsIn: false, imports: true },
];
const values = (...words: string[]) => complete(program, words, { plugins }).map((c) => c.value);

describe('what may come next (okr __complete)', () => {
  it('commands and subcommands, by prefix; hidden ones never', () => {
    expect(values('con')).toEqual(['config', 'connect']);
    expect(values('')).toContain('metrics');
    expect(values('')).not.toContain('__complete');
    expect(values('metrics', 'template', '')).toEqual(['create', 'list', 'show', 'edit', 'delete', 'default']);
    expect(values('schedule', '')).not.toContain('run'); // hidden: what the scheduler starts
  });

  it('plugin ids where a command takes a plugin, without the ones already given', () => {
    expect(values('connect', 'fi')).toEqual(['fitbit']);
    expect(values('plugins', 'show', '')).toEqual(['fitbit', 'oura', 'apple-health']);
    expect(values('config', 'setup', '')).toEqual(['fitbit', 'oura']);
    expect(values('sync', '--since', '7d', '')).toEqual(['fitbit', 'oura']);
    expect(values('sync', 'fitbit', '')).toEqual(['oura']);
    expect(values('connect', 'fitbit', '')).toEqual([]); // one plugin only
  });

  it('only the plugins a command takes: no file-only plugin to sign in or sync, importers for okr import', () => {
    // apple-health imports files: connect, sync, disconnect and config setup refuse it.
    for (const cmd of [['connect'], ['sync'], ['disconnect'], ['config', 'setup']]) {
      expect(values(...cmd, '')).toEqual(['fitbit', 'oura']);
    }
    expect(values('import', '')).toEqual(['fitbit', 'apple-health']);
    expect(values('import', 'a')).toEqual(['apple-health']);
    expect(values('import', 'fitbit', '')).toEqual([]); // the path: file names
    // okr status shows any plugin, one that only imports files too; each once.
    expect(values('status', '')).toEqual(['fitbit', 'oura', 'apple-health']);
    expect(values('status', 'fitbit', '')).toEqual(['oura', 'apple-health']);
  });

  it("options of the command and the global ones, and an option's choices", () => {
    expect(values('sync', '--s')).toEqual(['--since']);
    expect(values('metrics', 'show', '--')).toEqual(
      expect.arrayContaining(['--template', '--offline', '--json', '--verbose', '--no-pager', '--help']),
    );
    expect(values('metrics', 'show', '--')).not.toContain('--version');
    expect(values('--ver')).toEqual(['--version', '--verbose']);
    expect(values('schedule', 'install', '--backend', '')).toEqual(['cron', 'systemd', 'launchd']);
    // --option=value: one word in zsh and fish, three in bash (it breaks words at `=`).
    expect(values('schedule', 'install', '--backend=')).toEqual([
      '--backend=cron',
      '--backend=systemd',
      '--backend=launchd',
    ]);
    expect(values('schedule', 'install', '--backend=s')).toEqual(['--backend=systemd']);
    expect(values('schedule', 'install', '--backend', '=', 'l')).toEqual(['launchd']);
    expect(values('schedule', 'install', '--backend', '=', 'cron', '--')).toContain('--every');
    expect(values('sync', '--since=')).toEqual([]); // free text: file names
    expect(values('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it("the values of okr kr's --agg, --per and --type, which take any case and so declare no choices", () => {
    for (const sub of ['add', 'edit']) {
      expect(values('kr', sub, '--agg', '')).toEqual(['avg', 'sum', 'min', 'max', 'last', 'count', 'days']);
      expect(values('kr', sub, '--agg', 'm')).toEqual(['min', 'max']);
      expect(values('kr', sub, '--per', '')).toEqual(['week', 'month']);
      expect(values('kr', sub, '--type', '')).toEqual(['number', 'duration', 'time', 'boolean', 'text']);
      expect(values('kr', sub, '--per=')).toEqual(['--per=week', '--per=month']);
      expect(values('kr', sub, '--agg', '=', 'd')).toEqual(['days']);
    }
    expect(values('kr', 'add', '--agg', 'avg', '--')).toContain('--target');
  });

  it('in bash, right after `--backend=`: the word is the `=` and every choice may follow it', () => {
    expect(values('schedule', 'install', '--backend', '=')).toEqual(['cron', 'systemd', 'launchd']);
    expect(values('kr', 'add', '--agg', '=')).toContain('avg');
    expect(values('sync', '--since', '=')).toEqual([]); // free text: file names
  });

  it("help on a command: its subcommands, not the top level's again", () => {
    expect(values('help', '')).toContain('kr');
    expect(values('help', 'kr', '')).toEqual(['add', 'list', 'edit', 'remove']);
    expect(values('help', 'kr', 'l')).toEqual(['list']);
    expect(values('help', 'metrics', 'template', '')).toEqual(['create', 'list', 'show', 'edit', 'delete', 'default']);
    expect(values('kr', 'help', '')).toEqual(['add', 'list', 'edit', 'remove']);
    expect(values('help', 'kr', 'add', '')).toEqual([]);
    expect(values('help', 'sync', '')).toEqual([]); // no plugin ids: help takes none
  });

  it('nothing (the shell then completes file names) where a file or free text goes', () => {
    expect(values('metrics', 'import', '')).toEqual([]);
    expect(values('metrics', 'export', '-o', '')).toEqual([]);
    expect(values('objective', 'add', '')).toEqual([]);
  });

  it('through the built binary: value, tab, description', async () => {
    const r = await runBin(['__complete', '--', 'connect', 'fi'], { home: tempHome() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('fitbit\tFitbit (Google Health)\n');
    const words = await runBin(['__complete', '--', 'sync', '--help', '--s'], { home: tempHome() });
    const since = program.commands.find((c) => c.name() === 'sync')!.options.find((o) => o.long === '--since')!;
    expect(words.stdout).toBe(`--since\t${since.description}\n`);
  });
});

/** A folder holding `okr`, the built binary, for the shells' PATH. */
function shimPath(): string {
  const dir = tempDir('okr-shim-');
  const okr = join(dir, 'okr');
  writeFileSync(okr, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(okr, 0o755);
  return `${dir}:${process.env.PATH}`;
}

const shellEnv = () => ({ ...process.env, PATH: shimPath(), OKR_HOME: tempHome() });

describe('the completion scripts, in the real shells', () => {
  it('bash: sourced, _okr completes a command and a plugin id', () => {
    const env = shellEnv();
    const bash = (words: string[]) =>
      execFileSync(
        'bash',
        [
          '--norc',
          '-c',
          `source <(okr completion bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _okr; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env, encoding: 'utf8', timeout: 20_000 },
      ).trim();
    expect(bash(['okr', 'con'])).toBe('config\nconnect');
    expect(bash(['okr', 'connect', 'fi'])).toBe('fitbit');
    expect(bash(['okr', 'sync', '--sin'])).toBe('--since');
    expect(bash(['okr', 'schedule', 'install', '--backend', '=', 'sy'])).toBe('systemd');
    // Tab right after `--backend=`: bash's current word is the `=`.
    expect(bash(['okr', 'schedule', 'install', '--backend', '='])).toBe('cron\nsystemd\nlaunchd');
    expect(bash(['okr', 'kr', 'add', '--per', ''])).toBe('week\nmonth');
    expect(bash(['okr', 'help', 'kr', ''])).toBe('add\nlist\nedit\nremove');
    // The script installs itself for `okr`, falling back to file names when okr has nothing.
    const spec = execFileSync('bash', ['--norc', '-c', 'source <(okr completion bash); complete -p okr'], {
      env,
      encoding: 'utf8',
    });
    expect(spec.trim()).toBe('complete -o default -F _okr okr');
  });

  it('fish: sourced, `complete -C` gives commands with descriptions and plugin ids', () => {
    const env = shellEnv();
    const fish = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `okr completion fish | source; complete -C '${line}'`], {
        env,
        encoding: 'utf8',
        timeout: 20_000,
      });
    expect(fish('okr con')).toBe(
      'config\tsettings: client ids, secrets, endpoints; guided setup\nconnect\tsign in to a plugin through the browser (OAuth2 + PKCE)\n',
    );
    expect(fish('okr connect fi')).toBe('fitbit\tFitbit (Google Health)\n');
    expect(fish('okr schedule install --backend=c')).toBe('--backend=cron\n');
    expect(fish('okr kr add --agg l')).toBe('last\n');
    expect(fish('okr help kr r')).toBe('remove\tdelete a key result (its metric values stay)\n');
  });

  describe('zsh, interactively in tmux', () => {
    const t = privateTmux('okr-zsh');
    afterAll(() => t.close());
    const waitFor = (pattern: RegExp) => t.waitFor('z', pattern);

    it('the script parses, installs with compdef, and Tab completes a plugin id and lists commands', async () => {
      const env = shellEnv();
      execFileSync('zsh', [
        '-n',
        '-c',
        execFileSync(process.execPath, [BIN, 'completion', 'zsh'], { encoding: 'utf8' }),
      ]);
      // Through env(1): tmux keeps its own PATH for the pane whatever `-e` says.
      const shell = `env PATH='${env.PATH}' OKR_HOME='${env.OKR_HOME}' zsh -f`;
      t.start('z', shell, { width: 120, height: 30, cwd: REPO_ROOT });
      t.keys('z', 'PS1="zsh> "; autoload -U compinit && compinit -u && source <(okr completion zsh)', 'Enter');
      await waitFor(/^zsh>\s*$/m);
      t.type('z', 'okr connect fi');
      t.keys('z', 'Tab');
      await waitFor(/^zsh> okr connect fitbit\s*$/m);
      t.keys('z', 'C-u');
      t.type('z', 'okr con');
      t.keys('z', 'Tab');
      const screen = await waitFor(/connect +-- sign in/);
      expect(screen).toMatch(/config +-- settings: client ids/);
    });
  });
});

describe('okr completion', () => {
  it('--help says how to install it in each shell; an unknown shell is a usage error', async () => {
    const help = await runBin(['completion', '--help']);
    expect(help.stdout).toContain("echo 'source <(okr completion bash)' >> ~/.bashrc");
    expect(help.stdout).toContain('okr completion fish > ~/.config/fish/completions/okr.fish');
    expect(help.stdout).toMatch(/zsh +echo 'source <\(okr completion zsh\)' >> ~\/\.zshrc/);
    const bad = await runBin(['completion', 'powershell']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
  });
});
