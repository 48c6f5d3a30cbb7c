/**
 * `okr demo`: see everything work on the embedded simulator, with no account and no network.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type App, action } from './app.js';

export function register(program: Command, app: App): void {
  program
    .command('demo')
    .description('the whole job on a built-in Google Health simulator: configure, connect, sync, show')
    .option('--home <dir>', 'keep the demo home in this folder instead of a temporary one')
    .option('--browser', 'open your browser on the consent page and click Allow yourself')
    .option('--days <n>', 'days to sync', '30')
    .addHelpText(
      'after',
      '\nIt never touches your real data or keychain: it works in its own OKR_HOME with plain-file secrets.',
    )
    .action(
      action(app, async (ctx, opts: { home?: string; browser?: boolean; days: string }) => {
        const days = Number(opts.days);
        if (!Number.isInteger(days) || days < 1 || days > 730) {
          throw new UsageError(
            `--days must be a whole number from 1 to 730, got ${JSON.stringify(opts.days)}`,
            'For example --days 90',
          );
        }
        const [{ runDemo }, { main }] = await Promise.all([import('../demo/run.js'), import('../cli.js')]);
        return runDemo(ctx, { home: opts.home, browser: opts.browser, days }, main);
      }),
    );
}
