/**
 * Shell completion, as gh and rclone do it: the shell scripts (`okr completion bash|zsh|fish`)
 * are thin, and on each Tab they ask `okr __complete <words…>` what may come next. The answer
 * comes from the program itself (subcommands, options, option choices) and the plugin registry
 * (plugin ids), so it never goes stale. Loaded only by those two commands.
 */
import type { Argument, Command, Option } from 'commander';

export interface Candidate {
  value: string;
  description: string;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Sources {
  /** `signsIn`: the plugin connects and syncs; `imports`: it has file importers (`okr import`). */
  plugins: Array<{ id: string; name: string; signsIn: boolean; imports: boolean }>;
}

/**
 * Values completion offers for an option that does not declare Commander's `.choices()`, set on
 * the option where it is declared (`Object.assign(option, { completionValues })`, with
 * `import type` only: the command modules never load this one). For options whose values are
 * checked by the command itself, case-insensitively: `.choices()` would refuse `--agg AVG`.
 */
export interface CompletionValues {
  completionValues?: readonly string[];
}

const visible = (c: Command) => !(c as unknown as { _hidden?: boolean })._hidden;
const takesValue = (o: Option) => o.required || o.optional;
/** What may follow an option: its choices, or its completion-only values. */
const valuesOf = (o: Option): readonly string[] =>
  o.argChoices ?? (o as Option & CompletionValues).completionValues ?? [];

function findOption(cmd: Command, word: string): Option | undefined {
  const flag = word.split('=')[0];
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

function subcommandsOf(cmd: Command): Candidate[] {
  return cmd.commands
    .filter(visible)
    .map((c) => ({ value: c.name(), description: c.summary() || c.description().split('\n')[0]! }));
}

/** Options offered at `cmd`: its own, then the global ones (hidden copies left out). */
function optionsOf(cmd: Command): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) {
      if (o.hidden || !o.long || seen.has(o.long)) continue;
      // -V/--version belongs to `okr` alone.
      if (c.parent === null && c !== cmd && o.long === '--version') continue;
      seen.add(o.long);
      out.push({ value: o.long, description: o.description });
    }
  }
  out.push({ value: '--help', description: 'display help for command' });
  return out;
}

/**
 * Plugin ids where `cmd` takes one: `okr import` those with file importers, `okr plugins show`
 * and `okr status` every one, and the commands that sign in or sync (connect, sync, disconnect,
 * config setup) those that do (apple-health only imports files: they refuse it).
 */
function pluginValues(cmd: Command, arg: Argument, typed: string[], src: Sources): Candidate[] | undefined {
  let fits: ((p: Sources['plugins'][number]) => boolean) | undefined;
  if (arg.name() === 'source' && cmd.name() === 'import') fits = (p) => p.imports;
  else if ((arg.name() === 'plugin' && cmd.parent?.name() === 'plugins') || cmd.name() === 'status') fits = () => true;
  else if (arg.name() === 'plugin' || arg.name() === 'plugins') fits = (p) => p.signsIn;
  if (!fits) return undefined;
  return src.plugins.filter((p) => fits(p) && !typed.includes(p.id)).map((p) => ({ value: p.id, description: p.name }));
}

function argumentValues(cmd: Command, arg: Argument | undefined, typed: string[], src: Sources): Candidate[] {
  if (!arg) return [];
  const plugins = pluginValues(cmd, arg, typed, src);
  if (plugins) return plugins;
  if (arg.name() === 'shell') return SHELLS.map((s) => ({ value: s, description: `a ${s} completion script` }));
  if (arg.argChoices) return arg.argChoices.map((v) => ({ value: v, description: '' }));
  return [];
}

/**
 * What may replace the last word of `words` (the words after `okr`; the last one is the word
 * being completed, '' after a space). An empty list lets the shell complete file names.
 */
export function complete(program: Command, words: string[], src: Sources): Candidate[] {
  let current = words.at(-1) ?? '';
  let cmd = program;
  const positionals: string[] = [];
  let pending: Option | undefined;
  // `okr help kr …` (and `okr kr help …`): the words after `help` name commands, not arguments.
  let help = false;
  for (const w of words.slice(0, -1)) {
    if (pending) {
      // bash splits `--backend=cron` into `--backend`, `=`, `cron`: the value follows the `=`.
      if (w !== '=') pending = undefined;
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      const o = findOption(cmd, w);
      if (o && takesValue(o) && !w.includes('=')) pending = o;
      continue;
    }
    const sub = positionals.length === 0 ? cmd.commands.find((c) => c.name() === w) : undefined;
    if (sub) cmd = sub;
    else if (w === 'help' && !help && positionals.length === 0 && cmd.commands.length > 0) help = true;
    else positionals.push(w);
  }
  // bash again: right after `--backend=` the word being completed is the `=` itself, and what
  // replaces it goes after the `=` (readline breaks the word there).
  if (pending && current === '=') current = '';
  let found: Candidate[];
  const inline = /^(--[^=]+)=/.exec(current)?.[1];
  if (pending) {
    found = valuesOf(pending).map((v) => ({ value: v, description: '' }));
  } else if (inline !== undefined) {
    // `--backend=cr` as one word (zsh, fish): the option's choices, each after its `=`.
    const o = findOption(cmd, inline);
    found = (o && takesValue(o) ? valuesOf(o) : []).map((v) => ({ value: `${inline}=${v}`, description: '' }));
  } else if (current.startsWith('-')) {
    found = optionsOf(cmd);
  } else if (help) {
    // Help on a command: its subcommands while it has some, never its arguments.
    found = positionals.length > 0 ? [] : subcommandsOf(cmd);
  } else if (cmd.commands.length > 0) {
    found = subcommandsOf(cmd);
  } else {
    const args = cmd.registeredArguments;
    const last = args.at(-1);
    const arg = positionals.length < args.length ? args[positionals.length] : last?.variadic ? last : undefined;
    found = argumentValues(cmd, arg, positionals, src);
  }
  return found.filter((c) => c.value.startsWith(current));
}

/** `value<TAB>description` lines, as the scripts read them. */
export function formatCandidates(list: Candidate[]): string {
  return list.map((c) => `${c.value}\t${c.description.replace(/[\t\n]/g, ' ')}\n`).join('');
}

/** The completion script for a shell. Each calls `okr __complete` with the words so far. */
export function script(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# okr completion for bash. Install: okr completion --help
_okr() {
  local IFS=$'\\n' line
  local -a lines
  COMPREPLY=()
  lines=($(okr __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  for line in "\${lines[@]}"; do
    COMPREPLY+=("\${line%%$'\\t'*}")
  done
}
complete -o default -F _okr okr
`;
    case 'zsh':
      return `#compdef okr
# okr completion for zsh. Install: okr completion --help
_okr() {
  local -a lines specs
  local line value
  lines=("\${(@f)$(okr __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${lines[@]}"; do
    [[ -z $line ]] && continue
    value=\${line%%$'\\t'*}
    specs+=("\${value//:/\\\\:}:\${line#*$'\\t'}")
  done
  if (( \${#specs} )); then
    _describe -t okr okr specs
  else
    _files
  fi
}
if [[ \${funcstack[1]} == _okr ]]; then
  _okr "$@"
elif (( \${+functions[compdef]} )); then
  compdef _okr okr
fi
`;
    case 'fish':
      return `# okr completion for fish. Install: okr completion --help
function __okr_complete
    set -l lines (okr __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)
    if test (count $lines) -gt 0
        printf '%s\\n' $lines
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c okr -f -a '(__okr_complete)'
`;
  }
}
