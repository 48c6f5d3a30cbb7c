/**
 * Every option of every command reaches that command. Commander lets a parent's options appear
 * after its subcommand, so a parent with an option of the same name took it (`okr plugins show
 * fitbit --json` printed text: `plugins --json` swallowed the flag). This walks the whole tree.
 */
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';

const STOP = new Error('stop before the action');

async function program(): Promise<Command> {
  const p = await buildProgram({
    exitCode: 0,
    context: () => {
      throw new Error('parsing must not build a context');
    },
  });
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(p)) {
    c.exitOverride();
    c.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  }
  return p;
}

interface Case {
  path: string[];
  args: string[];
  option: Option;
}

function leafCases(cmd: Command, path: string[] = []): Case[] {
  return cmd.commands.flatMap((c) => {
    const here = [...path, c.name()];
    if (c.commands.length > 0) return leafCases(c, here);
    // Required arguments and mandatory options get a placeholder, so parsing reaches the action.
    const args = c.registeredArguments.filter((a) => a.required).map((a) => a.argChoices?.[0] ?? 'x');
    return c.options.map((option) => {
      const mandatory = c.options.filter((o) => o.mandatory && o !== option).flatMap((o) => [o.long!, '1']);
      return { path: here, args: [...args, ...mandatory], option };
    });
  });
}

/** Parses `okr <argv>` up to the action; returns the command that would run. */
async function commandFor(argv: string[]): Promise<Command> {
  const p = await program();
  let ran: Command | undefined;
  p.hook('preAction', (_root, actionCommand) => {
    ran = actionCommand;
    throw STOP;
  });
  await expect(p.parseAsync(['node', 'okr', ...argv])).rejects.toBe(STOP);
  return ran!;
}

const cases = leafCases(await program());

describe('options reach their own command', () => {
  it('covers the commands that have both options and subcommands', () => {
    // `plugins` (its own --json) over `plugins show` (another --json): the case that broke.
    expect(cases.some((c) => c.path.join(' ') === 'plugins show' && c.option.long === '--json')).toBe(true);
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases.map((c) => [`${c.path.join(' ')} ${c.option.flags}`, c]))('okr %s', async (_name, c) => {
    const { path, args, option } = c as Case;
    const value = option.required || option.optional ? [option.argChoices?.[0] ?? '1'] : [];
    const cmd = await commandFor([...path, ...args, option.long ?? option.short!, ...value]);
    expect(cmd.name()).toBe(path.at(-1));
    expect(cmd.getOptionValueSource(option.attributeName())).toBe('cli');
  });

  it('the global --verbose works before the command and after it', async () => {
    const before = await commandFor(['--verbose', 'sync', '--dry-run']);
    expect(before.optsWithGlobals().verbose).toBe(true);
    const after = await commandFor(['sync', 'fitbit', '--verbose']);
    expect(after.optsWithGlobals().verbose).toBe(true);
  });
});
