/**
 * `okr connect <plugin>`: sign in through the browser (OAuth2 authorization code + PKCE over a
 * one-shot loopback server). The flow lives in src/oauth/connect.ts, loaded only when run.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type App, action } from './app.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1h`, or a bare number of seconds. */
export function parseTimeout(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smh]?)$/i.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()]! : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 24 * UNITS.h!) {
    throw new UsageError(`--timeout must be between 1s and 24h, like 90s, 10m or 1h; got "${text}".`);
  }
  return ms;
}

export function register(program: Command, app: App): void {
  program
    .command('connect')
    .description('sign in to a plugin through the browser and store its tokens')
    .argument('<plugin>', 'plugin id, e.g. fitbit (see `okr plugins`)')
    .option('--no-browser', 'do not open a browser: print the URL, and accept the redirect URL pasted here')
    .option('--timeout <duration>', 'how long to wait for the browser, e.g. 90s, 10m, 1h', '10m')
    .option('--insecure-storage', 'store the tokens in a plain-text 0600 file instead of the OS keychain')
    .addHelpText(
      'after',
      `
How it works: okr listens on http://127.0.0.1 on a free port (never on other addresses), opens
the provider's sign-in page, and receives the answer there. The URL is always printed too.

Over SSH or without a display, okr does not open a browser: it prints the URL and
takes the redirect URL pasted here. On a terminal it takes a paste in the default
mode too. By hand, either:
  okr connect fitbit --no-browser
      open the printed URL in a browser on any machine; after you approve, that browser goes
      to http://127.0.0.1:<port>/... which does not load there: copy that full URL from the
      address bar and paste it into this terminal.
  or forward the port: when okr prints the port, run on your own machine
      ssh -L <port>:127.0.0.1:<port> <server>
      and open the printed URL in your local browser.

Headless machines without a keychain: --insecure-storage, or OKR_SECRETS=file.
Exit codes: 0 connected, 1 failed (nothing stored), 2 usage, 130 interrupted.`,
    )
    .action(
      action(
        app,
        async (ctx, pluginId: string, opts: { browser: boolean; timeout: string; insecureStorage?: boolean }) => {
          const timeoutMs = parseTimeout(opts.timeout);
          const { runConnect } = await import('../oauth/connect.js');
          await runConnect(ctx, pluginId, {
            noBrowser: !opts.browser,
            timeoutMs,
            insecureStorage: opts.insecureStorage,
          });
          return 0;
        },
      ),
    );
}
