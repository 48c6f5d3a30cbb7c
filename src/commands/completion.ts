/**
 * `okr completion bash|zsh|fish`: prints the shell's completion script (src/completion.ts).
 */
import type { Command } from 'commander';
import { type App, action } from './app.js';

const INSTALL = `
Install it once; new shells then complete commands, options and plugin ids with Tab:
  bash  echo 'source <(okr completion bash)' >> ~/.bashrc
  zsh   echo 'source <(okr completion zsh)' >> ~/.zshrc     (after compinit)
        or: okr completion zsh > "\${fpath[1]}/_okr"
  fish  okr completion fish > ~/.config/fish/completions/okr.fish
The script asks \`okr __complete\` on each Tab, so it stays right as okr changes.`;

export function register(program: Command, app: App): void {
  program
    .command('completion')
    .description('print a completion script for your shell (bash, zsh or fish)')
    .addArgument(program.createArgument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', INSTALL)
    .action(
      action(app, async (ctx, shell: 'bash' | 'zsh' | 'fish') => {
        const { script } = await import('../completion.js');
        ctx.io.stdout.write(script(shell));
        return 0;
      }),
    );
}
