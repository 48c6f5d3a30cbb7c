/**
 * `okr connect <plugin>`: the seed's `auth` + `callback` routes and its in-memory pending state,
 * as one process. State, PKCE verifier and deadline live only in this function's scope.
 *
 * Order of events, and why:
 * 1. Refuse an unconfigured plugin, and check the secret store works, before the user spends a
 *    minute in the browser.
 * 2. Start the loopback server first, so the redirect URI carries the real port.
 * 3. Print the URL always; opening the browser is best effort.
 * 4. Exchange the code, then ask the plugin who signed in. Nothing is stored until both worked,
 *    and a different account than the one on record is never taken silently.
 * 5. Store the tokens, then record the connection. Ctrl-C before step 5 leaves nothing behind;
 *    step 5 is not interrupted half-way.
 */
import { createInterface } from 'node:readline';
import type { Context } from '../context.js';
import { demoHomeIntro, staleDemoHome } from '../demo/record.js';
import { ExitCode, OkrError } from '../errors.js';
import { demoFix, fixText } from '../fixes.js';
import { paint } from '../io.js';
import { pidAlive } from '../lock.js';
import { ensureDefaultTemplate } from '../metrics/templates.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import type { DataImportPlugin, OAuthConfig, OAuthCredentials, ValidatedAccount } from '../plugins/types.js';
import { loadPrompts } from '../prompt.js';
import { safeText } from '../safe-text.js';
import { getConnection, recordConnected } from '../store/connections.js';
import type { SecretStoreKind } from '../store/secrets.js';
import { deleteCredentials, isoOrNull, saveCredentials, tokenKey } from '../store/tokens.js';
import { countValuesBySource } from '../store/values.js';
import { plural, sentences } from '../text.js';
import { buildAuthorizationRequest, exchangeCode, newState } from './flow.js';
import { CallbackError, type CallbackHandle, type LoopbackServer, startLoopbackServer } from './loopback-server.js';
import { deniedPage, failurePage, type Page, successPage } from './pages.js';
import { lookupRedirect, redirectSettingKey } from './redirect.js';
import { revokeForPlugin } from './revoke.js';

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export interface ConnectOptions {
  /** Do not open a browser; accept the redirect URL pasted on stdin as well. */
  noBrowser?: boolean;
  timeoutMs?: number;
  /** Keep the tokens in the plain-text 0600 secrets file instead of the keychain. */
  insecureStorage?: boolean;
}

export interface ConnectResult {
  pluginId: string;
  accountId: string;
  accountLabel?: string;
  tokenStore: SecretStoreKind;
  accessExpiresAt: string | null;
  refreshExpiresAt: string | null;
  /** Set when this connection created the default metric template. */
  createdTemplate?: string;
  /** Set when this connection added its fields to the existing default template. */
  extendedTemplate?: string;
}

function accountText(a: { accountId: string; label?: string }): string {
  return a.label && a.label !== a.accountId ? `${a.label} (${a.accountId})` : a.accountId;
}

/** `10 minutes`, `90 seconds`, `1 second`. */
export function duration(ms: number): string {
  const [n, unit] = ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.round(ms / 1000), 'second'];
  return plural(n, unit);
}

/** Where the tokens go: asked for with the flag or a setting, else where they already are. */
async function chooseStore(ctx: Context, pluginId: string, insecure: boolean | undefined): Promise<SecretStoreKind> {
  if (insecure) return 'file';
  const setting = await ctx.config.resolve('secrets.store');
  if (setting.source === 'env' || setting.source === 'file') return ctx.config.defaultSecretStore();
  return ctx.secrets.storeOf(tokenKey(pluginId)) ?? 'keychain';
}

async function ensureConfigured(ctx: Context, plugin: DataImportPlugin): Promise<OAuthConfig> {
  const rt = ctx.pluginRuntime();
  const missing = await ctx.config.missingRequired(plugin.id);
  if (missing.length > 0 || !(await plugin.isConfigured(rt))) {
    const what = missing.length > 0 ? `: ${missing.map((k) => k.label.toLowerCase()).join(' and ')} missing` : '';
    throw new OkrError(`The ${plugin.id} plugin is not configured${what}.`, {
      hint: `Run \`okr config setup ${plugin.id}\` first.`,
    });
  }
  return plugin.getOAuthConfig(rt);
}

function interruptedError(ctx: Context): OkrError {
  const r = ctx.signal.reason;
  return r instanceof OkrError ? r : new OkrError('Interrupted.', { exitCode: ExitCode.INTERRUPTED });
}

function callbackFailure(err: CallbackError, ctx: Context, plugin: DataImportPlugin, timeoutMs: number): OkrError {
  const again = `okr connect ${plugin.id}`;
  switch (err.code) {
    case 'timeout':
      return new OkrError(`No sign-in arrived from the browser within ${duration(timeoutMs)}.`, {
        hint: `Run \`${again}\` again (\`--timeout 20m\` waits longer; \`--no-browser\` lets you paste the redirect URL).`,
      });
    case 'denied':
      return err.oauthError === 'access_denied'
        ? new OkrError(`Access to ${plugin.name} was not granted in the browser; nothing was stored.`, {
            hint: `Run \`${again}\` again and choose Allow (tick every checkbox).`,
          })
        : new OkrError(
            `${plugin.name} refused the sign-in: ${err.oauthError}${err.oauthErrorDescription ? ` (${err.oauthErrorDescription.slice(0, 200)})` : ''}.`,
            {
              hint:
                err.oauthError === 'invalid_scope' ||
                err.oauthError === 'unauthorized_client' ||
                err.oauthError === 'invalid_request'
                  ? `Check the client settings at the provider and \`okr config setup ${plugin.id}\`, then \`${again}\`.`
                  : `Run \`${again}\` again.`,
            },
          );
    default:
      return interruptedError(ctx);
  }
}

/** Reads pasted redirect URLs from stdin until the flow ends (`--no-browser`, no browser, a terminal). */
function readPastedUrls(ctx: Context, server: LoopbackServer): () => void {
  const rl = createInterface({ input: ctx.io.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  rl.on('line', (line) => {
    const r = server.submitPastedUrl(line);
    if (r.message && !r.accepted) ctx.io.err(paint(ctx.io, 'yellow', r.message));
  });
  // stdin may be closed or empty (cron, CI): the browser callback can still arrive.
  rl.on('error', () => {});
  return () => rl.close();
}

export async function runConnect(ctx: Context, pluginId: string, opts: ConnectOptions = {}): Promise<ConnectResult> {
  const plugin = ctx.registry.get(pluginId);
  // A demo home's settings point at the demo's simulators, gone once `okr demo` ended: say so,
  // instead of opening a sign-in page on a dead port and waiting the whole timeout.
  const demo = fileOnlyMessage(plugin) ? undefined : staleDemoHome(ctx.conf, pidAlive);
  if (demo) {
    throw new OkrError(`${demoHomeIntro(demo)}; its simulators are not running, so there is nothing to sign in to.`, {
      hint: fixText(demoFix(demo.home)),
    });
  }
  const cfg = await ensureConfigured(ctx, plugin);
  const store = await chooseStore(ctx, plugin.id, opts.insecureStorage);
  if (store === 'keychain') {
    const probe = await ctx.secrets.probeKeychain();
    if (!probe.ok) {
      throw new OkrError(sentences(probe.error.message, `okr keeps the ${plugin.id} tokens there.`), {
        hint: `Start a keyring (Secret Service), or keep the tokens in a plain-text 0600 file: \`okr connect ${plugin.id} --insecure-storage\`.`,
      });
    }
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (ctx.signal.aborted) throw interruptedError(ctx);

  let server: LoopbackServer;
  const state = newState();
  const redirect = await lookupRedirect(plugin, (key) => ctx.config.getConfigValue(key));
  try {
    server = await startLoopbackServer({
      state,
      ...(redirect.kind === 'loopback'
        ? { path: redirect.path, port: 0 }
        : { redirectUri: redirect.uri, listen: redirect.serve }),
      timeoutMs,
      signal: ctx.signal,
      deniedPage: (error, description) => deniedPage(plugin.name, error, description, `okr connect ${plugin.id}`),
      onIgnored: (e) => ctx.io.err(paint(ctx.io, 'yellow', e.message)),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'EADDRINUSE' || code === 'EACCES') && redirect.kind === 'registered') {
      const port = new URL(redirect.uri).port || '80';
      throw new OkrError(
        `Port ${port} on 127.0.0.1, which ${plugin.id} needs for its registered redirect ${redirect.uri}, ${code === 'EACCES' ? 'needs privileges to open' : 'is in use'}.`,
        {
          hint:
            code === 'EACCES'
              ? `Register a redirect on a port above 1023 and set ${redirectSettingKey(plugin)} to match (\`okr config setup ${plugin.id}\` shows it).`
              : `Close the program using it (another \`okr connect\`?) and run \`okr connect ${plugin.id}\` again.`,
        },
      );
    }
    throw err;
  }

  let stopPaste: (() => void) | undefined;
  let handle: CallbackHandle | undefined;
  try {
    const req = await buildAuthorizationRequest(cfg, server.redirectUri, state, plugin.id);
    const io = ctx.io;
    const pasteOnly = redirect.kind === 'registered' && !redirect.serve;
    // Over SSH or without a display, a browser would open where nobody sees it: ask for the URL.
    const headless = opts.noBrowser ? undefined : ctx.whyNoBrowser();
    if (opts.noBrowser || pasteOnly || headless) {
      if (headless) io.err(`No browser can open here: ${headless}. okr takes the redirect URL instead.`);
      io.err(`Open this URL in a browser to sign in to ${plugin.name}:`);
      io.err();
      io.err(`  ${req.url}`);
      io.err();
      io.err(`After you approve, the browser goes to ${server.redirectUri}.`);
      if (pasteOnly) {
        io.err('okr cannot receive that page itself: copy the full URL from the address bar once it loads');
        io.err('(quickly: some providers expire the code within a minute), paste it here, then press Enter.');
      } else {
        io.err('If that browser runs on another machine, the page will not load there: copy the full URL from');
        io.err('its address bar and paste it here, then press Enter.');
        io.err(
          `(Or forward the port first: \`ssh -L ${server.port}:127.0.0.1:${server.port} <this-host>\`, then open the URL.)`,
        );
      }
      if (pasteOnly && !opts.noBrowser && !headless) {
        try {
          await ctx.openBrowser(req.url);
        } catch {
          // The URL is printed above.
        }
      }
      stopPaste = readPastedUrls(ctx, server);
    } else {
      io.err(`Opening ${ctx.browserName} to sign in to ${plugin.name}. If it does not open, visit:`);
      io.err();
      io.err(`  ${req.url}`);
      io.err();
      try {
        await ctx.openBrowser(req.url);
      } catch (err) {
        io.err(
          paint(
            io,
            'yellow',
            `Could not open a browser (${(err as Error).message?.split('\n')[0] ?? err}); open the URL above yourself.`,
          ),
        );
      }
      // As gh and rclone do: on a terminal, the URL the browser lands on may also be pasted (the
      // browser may be on another machine). The loopback callback and a paste race; the first wins.
      if (io.stdin.isTTY) {
        io.err(`Or, if that browser is on another machine, paste the URL it lands on (${server.redirectUri}…) here.`);
        stopPaste = readPastedUrls(ctx, server);
      }
    }
    io.err(paint(io, 'dim', `Waiting up to ${duration(timeoutMs)} for the sign-in (Ctrl-C to cancel)…`));

    try {
      handle = await server.wait();
    } catch (err) {
      if (err instanceof CallbackError) throw callbackFailure(err, ctx, plugin, timeoutMs);
      throw err;
    } finally {
      stopPaste?.();
      stopPaste = undefined;
    }

    // ctx's provider fetch bounds each request (the exchange, the account check) in time and size.
    const creds = await exchangeCode(ctx.pluginRuntime(), plugin, cfg, req, handle.params);
    const account = await validate(ctx, plugin, creds);
    await confirmAccount(
      ctx,
      plugin,
      account,
      handle,
      async () => void (await revokeForPlugin(ctx.pluginRuntime(), plugin, cfg, creds)),
    );
    if (ctx.signal.aborted) throw interruptedError(ctx);

    const result = await saveConnection(ctx, plugin, creds, account, store);
    handle.respond(successPage(plugin.name, accountText(account)));
    // The first connection gives the user something to look at: a template of its fields.
    const template = ensureDefaultTemplate(ctx, plugin.id);
    if (template?.created) result.createdTemplate = template.template.name;
    else if (template) result.extendedTemplate = template.template.name;
    report(ctx, plugin, cfg, creds, result);
    return result;
  } catch (err) {
    handle?.respond(pageFor(err, plugin));
    throw err;
  } finally {
    stopPaste?.();
    await server.close(failurePage('Sign-in stopped', 'okr stopped before finishing the sign-in; see the terminal.'));
  }
}

function pageFor(err: unknown, plugin: DataImportPlugin): Page {
  const message = err instanceof Error ? err.message : String(err);
  const hint = err instanceof OkrError && err.hint ? [err.hint] : [];
  return failurePage(`Could not connect to ${plugin.name}`, message, [...hint, 'Nothing was stored.']);
}

async function validate(ctx: Context, plugin: DataImportPlugin, creds: OAuthCredentials): Promise<ValidatedAccount> {
  try {
    const account = await plugin.validateCredentials(ctx.pluginRuntime(), creds);
    if (!account || typeof account.accountId !== 'string' || account.accountId === '') {
      throw new OkrError(`The ${plugin.id} plugin did not say which account signed in.`);
    }
    // The provider names the account: printed ("Connected … as …") and stored, so made safe here.
    return {
      ...account,
      accountId: safeText(account.accountId, 200),
      label: typeof account.label === 'string' ? safeText(account.label, 200) : account.label,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw interruptedError(ctx);
    // No revoke here: at providers such as Google, revoking ends the whole grant for this client
    // and user, which would also kill the tokens of an existing connection to the same account.
    const message = safeText(err instanceof Error ? err.message : String(err), 1000);
    // Plugin hints are written for sync; here nothing was stored, so the retry is a new connect.
    const again = `\`okr connect ${plugin.id}\``;
    const hint = err instanceof OkrError && err.hint ? err.hint.replaceAll('`okr sync`', again) : `Run ${again} again.`;
    throw new OkrError(`Signed in, but ${plugin.name} did not accept the new tokens: ${message}`, {
      hint,
      exitCode: err instanceof OkrError ? err.exitCode : ExitCode.ERROR,
    });
  }
}

/**
 * Home Assistant's `wrong_account` rule: reconnecting must not silently switch to another
 * account while the old one's connection or values are still here.
 */
async function confirmAccount(
  ctx: Context,
  plugin: DataImportPlugin,
  account: ValidatedAccount,
  handle: CallbackHandle,
  discard: () => Promise<void>,
): Promise<void> {
  const db = ctx.db();
  const prev = getConnection(db, plugin.id);
  if (!prev?.accountId || prev.accountId === account.accountId) return;
  const kept = countValuesBySource(db, plugin.id);
  if (!prev.enabled && kept === 0) return;
  const old = accountText({ accountId: prev.accountId, label: prev.accountLabel ?? undefined });
  const now = accountText(account);
  const refuse = async (message: string) => {
    await discard().catch(() => undefined);
    return new OkrError(message, {
      hint: `Sign in as ${old} instead, or, to start over with the new account, run \`okr disconnect ${plugin.id} --purge\` first (it deletes the ${plural(kept, 'synced value')}).`,
    });
  };
  if (!ctx.io.isInteractive) {
    throw await refuse(
      `You signed in as ${now}, but ${plugin.id} is connected as ${old}; okr does not switch accounts without asking (run it in a terminal to confirm).`,
    );
  }
  handle.respond({
    status: 200,
    tone: 'info',
    title: 'Confirm in the terminal',
    message: `You signed in as ${now}, but okr was connected as ${old}. Answer the question in the terminal.`,
  });
  const p = await loadPrompts(ctx.io);
  const ok = await p.confirm({
    message: `Switch ${plugin.id} from ${old} to ${now}? The ${plural(kept, 'value')} synced from ${old} stay under the same metric names.`,
    default: false,
  });
  if (!ok) throw await refuse(`Kept ${plugin.id} connected as ${old}; the sign-in as ${now} was discarded.`);
}

async function saveConnection(
  ctx: Context,
  plugin: DataImportPlugin,
  creds: OAuthCredentials,
  account: ValidatedAccount,
  store: SecretStoreKind,
): Promise<ConnectResult> {
  const tokenStore = await saveCredentials(ctx.secrets, plugin.id, creds, store);
  const result: ConnectResult = {
    pluginId: plugin.id,
    accountId: account.accountId,
    accountLabel: account.label,
    tokenStore,
    accessExpiresAt: isoOrNull(creds.expiresAt),
    refreshExpiresAt: isoOrNull(creds.refreshTokenExpiresAt),
  };
  try {
    recordConnected(ctx.db(), {
      pluginId: plugin.id,
      accountId: account.accountId,
      accountLabel: account.label,
      connectedAt: ctx.now().toISOString(),
      tokenStore,
      accessExpiresAt: result.accessExpiresAt ?? undefined,
      refreshExpiresAt: result.refreshExpiresAt ?? undefined,
    });
  } catch (err) {
    // Tokens without a connection row would be invisible to `status`: undo the save.
    await deleteCredentials(ctx.secrets, plugin.id).catch(() => undefined);
    throw err;
  }
  return result;
}

function report(
  ctx: Context,
  plugin: DataImportPlugin,
  cfg: OAuthConfig,
  creds: OAuthCredentials,
  r: ConnectResult,
): void {
  const io = ctx.io;
  io.out(
    paint(
      io,
      'green',
      `✓ Connected ${plugin.name} as ${accountText({ accountId: r.accountId, label: r.accountLabel })}.`,
    ),
  );
  io.out(
    r.tokenStore === 'file'
      ? paint(io, 'yellow', `Tokens are stored in plain text in ${ctx.paths.secretsFile} (mode 0600).`)
      : 'Tokens are stored in the OS keychain.',
  );
  if (creds.scope) {
    const granted = new Set(creds.scope.split(/\s+/));
    const missing = cfg.scopes.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      const fields = plugin.getAvailableFields();
      // Per scope, the fields it leaves without data, when the plugin says which scope each needs.
      const what = missing.map((s) => {
        const ids = fields.filter((f) => f.scope === s).map((f) => `${plugin.id}.${f.id}`);
        return ids.length > 0 ? `${s} (no data for ${ids.join(', ')})` : s;
      });
      io.out(
        paint(
          io,
          'yellow',
          `Not granted: ${what.join('; ')}. Fields that need them will fail; run \`okr connect ${plugin.id}\` again and tick every checkbox.`,
        ),
      );
    }
  }
  if (!creds.refreshToken) {
    io.out(
      paint(
        io,
        'yellow',
        `${plugin.name} sent no refresh token: when the access token expires, run \`okr connect ${plugin.id}\` again.`,
      ),
    );
  } else if (creds.refreshTokenExpiresAt !== undefined && plugin.shortRefreshTokenLifetimeMs !== undefined) {
    const life = creds.refreshTokenExpiresAt - creds.obtainedAt;
    if (life <= plugin.shortRefreshTokenLifetimeMs + 60_000) {
      io.out(
        paint(
          io,
          'yellow',
          `This sign-in expires on ${new Date(creds.refreshTokenExpiresAt).toISOString().slice(0, 10)} (the provider's test mode). Publish the app to production to stop reconnecting every week (\`okr plugins show ${plugin.id}\`).`,
        ),
      );
    }
  }
  if (r.extendedTemplate) {
    io.out(
      `Added ${plugin.id}'s fields to the metric template "${r.extendedTemplate}" (okr metrics template show ${r.extendedTemplate}).`,
    );
  }
  if (r.createdTemplate) {
    io.out(
      `Created the metric template "${r.createdTemplate}" with ${plugin.id}'s fields (okr metrics template show ${r.createdTemplate}).`,
    );
  }
  io.out(`Next: okr sync`);
}
