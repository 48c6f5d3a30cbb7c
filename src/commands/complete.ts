/**
 * `okr __complete -- <words…>` (hidden): what the completion scripts ask on each Tab. Prints the
 * candidates for the last word, one `value<TAB>description` a line; nothing lets the shell
 * complete file names. Never fails loudly: a broken completion must not spill errors into the
 * command line being typed.
 */
import type { Command } from 'commander';
import { fileOnlyMessage } from '../plugins/import-types.js';
import { type App, action } from './app.js';

export function register(program: Command, app: App): void {
  program
    .command('__complete', { hidden: true })
    .description('the candidates for the last of the words (used by `okr completion` scripts)')
    .argument('[words...]', 'the words after `okr`, the last one being completed; after --')
    .action(
      action(app, async (ctx, words: string[]) => {
        const [{ complete, formatCandidates }, { buildProgram }] = await Promise.all([
          import('../completion.js'),
          import('../cli.js'),
        ]);
        // The whole program, every command module loaded: the tree the words walk.
        const full = await buildProgram(app);
        const plugins = ctx.registry.list().map((p) => ({
          id: p.id,
          name: p.name,
          signsIn: fileOnlyMessage(p) === undefined,
          imports: (p.fileImport?.importers.length ?? 0) > 0,
        }));
        ctx.io.stdout.write(formatCandidates(complete(full, words.length ? words : [''], { plugins })));
        return 0;
      }),
    );
}
