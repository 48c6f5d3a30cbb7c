/**
 * `okr config set|get|unset|list|setup`: the seed's admin configuration page, for a terminal.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { OkrError, UsageError } from '../errors.js';
import { paint } from '../io.js';
import { BASE_URL_KEY, lookupRedirect, type ResolvedRedirect } from '../oauth/redirect.js';
import { fileOnlyMessage } from '../plugins/import-types.js';
import type { DataImportPlugin, SetupInfoItem } from '../plugins/types.js';
import { loadPrompts, readStdin, requireTTY } from '../prompt.js';
import { type ConfigKey, displayValue, type ResolvedValue, type ValueSource } from '../store/config.js';
import { OkrFileError } from '../store/private-files.js';
import { wrap } from '../text.js';
import { type App, action } from './app.js';

/** The redirect URI to register, for a plugin whose provider wants an exact one. */
export function redirectSetupInfo(plugin: DataImportPlugin, r: ResolvedRedirect): SetupInfoItem[] {
  if (r.kind === 'loopback') return [];
  return [
    {
      kind: 'info',
      label: 'Redirect URI to register (exactly)',
      value: r.serve
        ? r.uri
        : `${r.uri} (okr cannot serve this page: after consent, paste the URL the browser shows into \`okr connect ${plugin.id}\`)`,
      copyable: true,
    },
  ];
}

const SOURCE_LABEL: Record<ValueSource, string> = {
  file: 'conf file',
  keychain: 'keychain',
  'secrets-file': 'plain-text secrets file',
  env: 'environment',
  default: 'default',
  unset: 'not set',
};

export function register(program: Command, app: App): void {
  const config = program
    .command('config')
    .description('read and change settings (plugin client ids, secrets, endpoints)');

  config
    .command('set')
    .description('store a setting; secrets go to the OS keychain')
    .argument('<key>', 'setting key, e.g. plugin.fitbit.client_id (see `okr config list`)')
    .argument('[value]', 'the value (secrets: use --stdin or the prompt instead)')
    .option('--stdin', 'read the value from standard input (for secrets and scripts)')
    .option('--insecure-storage', 'store a secret in a plain-text 0600 file instead of the keychain')
    .addHelpText(
      'after',
      '\nExamples:\n  okr config set plugin.fitbit.client_id 1234.apps.googleusercontent.com\n  printf %s "$SECRET" | okr config set plugin.fitbit.client_secret --stdin\n  okr config set secrets.store file        # headless server without a keychain',
    )
    .action(
      action(
        app,
        async (ctx, key: string, value: string | undefined, opts: { stdin?: boolean; insecureStorage?: boolean }) => {
          const desc = ctx.config.describe(key);
          const secret = ctx.config.isSecret(desc);
          if (value !== undefined && opts.stdin)
            throw new UsageError('Give the value either as an argument or with --stdin, not both.');
          if (value !== undefined && secret) {
            throw new UsageError(
              `${key} is a secret: a value on the command line shows up in \`ps\` and in your shell history.`,
              `Run \`okr config set ${key}\` to type it at a masked prompt, or pipe it: \`okr config set ${key} --stdin\`.`,
            );
          }
          if (opts.insecureStorage && !secret) throw new UsageError('--insecure-storage applies only to secrets.');
          let raw = value;
          if (raw === undefined && opts.stdin) raw = (await readStdin(ctx.io.stdin)).replace(/\r?\n$/, '');
          if (raw === undefined) {
            requireTTY(
              ctx.io,
              `Asking for ${key}`,
              `Pass the value: \`okr config set ${key} <value>\` or \`--stdin\`.`,
            );
            raw = await askValue(ctx, desc);
            if (raw === undefined) throw new UsageError(`Nothing entered; ${key} is unchanged.`);
          }
          const where = await ctx.config.set(key, raw, { store: opts.insecureStorage ? 'file' : undefined });
          ctx.io.out(`Saved ${key} (${SOURCE_LABEL[where]}).`);
          if (where === 'secrets-file')
            ctx.io.out(paint(ctx.io, 'yellow', `Note: stored in plain text in ${ctx.paths.secretsFile} (mode 0600).`));
          return 0;
        },
      ),
    );

  config
    .command('get')
    .description('print a setting (secrets are masked)')
    .argument('<key>', 'setting key')
    .option('--json', 'print {key, value, source} as JSON')
    .action(
      action(app, async (ctx, key: string, opts: { json?: boolean }) => {
        const r = await ctx.config.resolve(key);
        const shown = display(r);
        if (opts.json) {
          ctx.io.json({ key: r.key.key, value: shown ?? null, source: r.source, secret: ctx.config.isSecret(r.key) });
        } else if (r.value === undefined) {
          ctx.io.err(`${key} is not set.`);
          return 1;
        } else {
          ctx.io.out(shown);
        }
        return r.value === undefined ? 1 : 0;
      }),
    );

  config
    .command('unset')
    .description('remove a stored setting (environment variables are untouched)')
    .argument('<key>', 'setting key')
    .action(
      action(app, async (ctx, key: string) => {
        const had = await ctx.config.unset(key);
        ctx.io.out(had ? `Removed ${key}.` : `${key} was not stored; nothing to remove.`);
        const after = await ctx.config.resolve(key);
        if (after.source === 'env') ctx.io.out(`It still resolves from ${after.key.env} in the environment.`);
        return 0;
      }),
    );

  config
    .command('list')
    .description('every setting, its value (secrets masked) and where it comes from')
    .option('--json', 'machine-readable output')
    .option('--all', 'include advanced settings (endpoint overrides) even when unset')
    .action(
      action(app, async (ctx, opts: { json?: boolean; all?: boolean }) => {
        const rows: Array<ResolvedValue & { shown?: string }> = [];
        for (const k of ctx.config.keys()) {
          const r = await resolveForListing(ctx, k);
          if (!opts.all && k.advanced && r.source === 'unset') continue;
          rows.push({ ...r, shown: display(r) });
        }
        if (opts.json) {
          ctx.io.json(
            rows.map((r) => ({
              key: r.key.key,
              value: r.shown ?? null,
              source: r.source,
              secret: ctx.config.isSecret(r.key),
              env: r.key.env ?? null,
              required: r.key.required,
              error: (r as { error?: string }).error ?? null,
            })),
          );
          return 0;
        }
        const width = Math.max(...rows.map((r) => r.key.key.length));
        for (const r of rows) {
          const value = (r as { error?: string }).error
            ? paint(ctx.io, 'red', `(${(r as { error?: string }).error})`)
            : (r.shown ?? paint(ctx.io, 'dim', '-'));
          const from = r.source === 'env' ? `env ${r.key.env}` : SOURCE_LABEL[r.source];
          ctx.io.out(`${r.key.key.padEnd(width)}  ${value}  ${paint(ctx.io, 'dim', `(${from})`)}`);
        }
        return 0;
      }),
    );

  config
    .command('setup')
    .description("a guided setup of a plugin's settings, with the provider's console steps")
    .argument('<plugin>', 'plugin id, e.g. fitbit')
    .option(
      '--from-file <file>',
      "import the client id and secret from the provider's downloaded file (Google: client_secret_*.json)",
    )
    .option('--insecure-storage', 'store secrets in a plain-text 0600 file instead of the keychain')
    .action(
      action(app, async (ctx, pluginId: string, opts: { fromFile?: string; insecureStorage?: boolean }) => {
        const plugin = ctx.registry.get(pluginId);
        const fileOnly = fileOnlyMessage(plugin);
        if (fileOnly) throw new UsageError(`${fileOnly} It has no settings.`, 'okr import --help');
        const store = opts.insecureStorage ? ('file' as const) : undefined;
        if (opts.fromFile) {
          if (!plugin.parseClientFile) throw new UsageError(`The ${pluginId} plugin cannot import a client file.`);
          let text: string;
          try {
            text = readFileSync(opts.fromFile, 'utf8');
          } catch (err) {
            throw new UsageError(`Cannot read ${opts.fromFile}: ${(err as Error).message}`);
          }
          const values = plugin.parseClientFile(text);
          for (const [k, v] of Object.entries(values)) await ctx.config.set(`plugin.${pluginId}.${k}`, v, { store });
          ctx.io.out(
            `Imported ${Object.keys(values)
              .map((k) => `plugin.${pluginId}.${k}`)
              .join(' and ')} from ${opts.fromFile}.`,
          );
          return reportConfigured(ctx, pluginId);
        }
        requireTTY(
          ctx.io,
          `okr config setup ${pluginId}`,
          `Set each value instead: \`okr config set plugin.${pluginId}.<key> <value>\` (secrets with --stdin), or \`okr config setup ${pluginId} --from-file <file>\`.`,
        );
        const current: Record<string, string> = {};
        for (const k of ctx.config.pluginKeys(pluginId)) {
          const v = await ctx.config.getConfigValue(k.key);
          if (v !== undefined && !ctx.config.isSecret(k)) current[k.key] = v;
        }
        const baseUrl = await ctx.config.getConfigValue(BASE_URL_KEY);
        if (baseUrl !== undefined) current[BASE_URL_KEY] = baseUrl;
        const redirect = await lookupRedirect(plugin, (key) => ctx.config.getConfigValue(key));
        printSetupInfo(ctx, plugin.name, [...plugin.getSetupInfo(current), ...redirectSetupInfo(plugin, redirect)]);
        for (const k of ctx.config.pluginKeys(pluginId)) {
          if (k.advanced) continue;
          const r = await ctx.config.resolve(k.key);
          const value = await askValue(ctx, k, r);
          if (value === undefined) continue;
          const where = await ctx.config.set(k.key, value, { store });
          ctx.io.out(paint(ctx.io, 'green', `  saved ${k.key} (${SOURCE_LABEL[where]})`));
        }
        return reportConfigured(ctx, pluginId);
      }),
    );
}

/** A value for listing; a keychain failure on one secret must not hide the other settings. */
async function resolveForListing(ctx: Context, k: ConfigKey): Promise<ResolvedValue & { error?: string }> {
  try {
    return await ctx.config.resolve(k.key);
  } catch (err) {
    if (err instanceof OkrFileError) throw err; // a damaged config or secrets file: stop and name it
    if (err instanceof OkrError) return { key: k, value: undefined, source: 'unset', error: err.message };
    throw err;
  }
}

function display(r: ResolvedValue): string | undefined {
  return r.value === undefined ? undefined : displayValue(r.key, r.value);
}

/** Prompts for one value. Returns undefined to keep the current value. */
async function askValue(ctx: Context, k: ConfigKey, current?: ResolvedValue): Promise<string | undefined> {
  const p = await loadPrompts(ctx.io);
  const label = `${k.label}${k.required ? '' : ' (optional)'}`;
  if (k.description)
    for (const l of wrap(k.description, ctx.io.columns, 2)) ctx.io.out(paint(ctx.io, 'dim', `  ${l.trimStart()}`));
  if (ctx.config.isSecret(k)) {
    const has = current && current.value !== undefined;
    const v = await p.password({
      message: has ? `${label} [stored in ${SOURCE_LABEL[current.source]}; Enter keeps it]` : label,
      mask: '*',
      validate: (s: string) => (s === '' && (has || !k.required) ? true : s.trim() !== '' || `${k.label} is required`),
    });
    return v === '' ? undefined : v;
  }
  const def = current?.source === 'file' || current?.source === 'env' ? current.value : undefined;
  const v = await p.input({
    message: label,
    default: def,
    validate: (s: string) => (s.trim() === '' && k.required ? `${k.label} is required` : true),
  });
  return v.trim() === '' || v === def ? undefined : v;
}

/**
 * The setup steps, each paragraph wrapped to the terminal at spaces (a URL stays whole). A value
 * to copy (the scopes, a redirect URI) stays on one line: wrapped, it would be copied broken.
 */
function printSetupInfo(ctx: Context, pluginName: string, items: SetupInfoItem[]): void {
  const width = ctx.io.columns;
  const para = (text: string, indent: number, first = indent) => wrap(text, width, indent, first).join('\n');
  ctx.io.out(paint(ctx.io, 'bold', `Setting up ${pluginName}`));
  for (const it of items.filter((i) => i.kind === 'warning'))
    for (const l of wrap(`! ${it.label}: ${it.value}`, width, 2)) ctx.io.out(paint(ctx.io, 'yellow', l));
  let n = 0;
  for (const it of items.filter((i) => i.kind === 'step')) {
    const head = `${++n}. `;
    ctx.io.out(`${head}${para(it.label, head.length, head.length)}${it.value ? `\n   ${para(it.value, 3)}` : ''}`);
  }
  for (const it of items.filter((i) => i.kind !== 'step' && i.kind !== 'warning')) {
    ctx.io.out(it.copyable ? `${it.label}: ${it.value}` : para(`${it.label}: ${it.value}`, 2, 0));
  }
  ctx.io.out();
}

async function reportConfigured(ctx: Context, pluginId: string): Promise<number> {
  const missing = await ctx.config.missingRequired(pluginId);
  if (missing.length > 0) {
    ctx.io.err(`Still missing: ${missing.map((k) => k.key).join(', ')}.`);
    return 1;
  }
  ctx.io.out(`${pluginId} is configured. Next: okr connect ${pluginId}`);
  return 0;
}
