/**
 * The config service (the seed's `config.ts`). Resolution order for `getConfigValue(key)`:
 *   1. the stored value: the conf file, or the secret store for `password` fields;
 *   2. the environment variable named in ENV_FALLBACKS (e.g. FITBIT_CLIENT_ID);
 *   3. the field's default, if it has one.
 * Keys are `global.*`, `secrets.store`, and `plugin.<pluginId>.<fieldKey>` for every admin
 * config field a registered plugin declares. Unknown keys are refused.
 */
import { OkrError, UsageError } from '../errors.js';
import { endpointUrlProblem } from '../oauth/endpoint-url.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { AdminConfigField } from '../plugins/types.js';
import { redactUrls } from '../redact.js';
import { escapeChar, hasUnsafeChar, safeText } from '../safe-text.js';
import type { ConfFile } from './conf-file.js';
import type { SecretStore, SecretStoreKind } from './secrets.js';

export interface ConfigKey {
  key: string;
  label: string;
  description: string;
  type: 'text' | 'password' | 'url' | 'enum';
  choices?: string[];
  env?: string;
  required: boolean;
  advanced: boolean;
  pluginId?: string;
  defaultValue?: string;
}

export type ValueSource = 'file' | 'keychain' | 'secrets-file' | 'env' | 'default' | 'unset';

export interface ResolvedValue {
  key: ConfigKey;
  value: string | undefined;
  source: ValueSource;
}

export const GLOBAL_KEYS: ConfigKey[] = [
  {
    key: 'global.base_url',
    label: 'Base URL',
    description:
      'The base of the redirect URI registered at providers that need an exact one (`okr config setup <plugin>` prints it; fitbit needs none). An https one that okr cannot serve means a paste-the-URL sign-in.',
    type: 'url',
    env: 'OKR_BASE_URL',
    required: false,
    advanced: true,
    defaultValue: 'http://localhost:8765',
  },
  {
    key: 'secrets.store',
    label: 'Secret store',
    description:
      'Where new secrets go: `keychain` (the OS keychain, default) or `file` (a plain-text 0600 file, for headless servers).',
    type: 'enum',
    choices: ['keychain', 'file'],
    env: 'OKR_SECRETS',
    required: false,
    advanced: false,
    defaultValue: 'keychain',
  },
];

const MAX_VALUE_LENGTH = 4096;

function pluginKey(pluginId: string, f: AdminConfigField): ConfigKey {
  return {
    key: `plugin.${pluginId}.${f.key}`,
    label: f.label,
    description: f.description ?? '',
    type: f.type,
    env: f.env,
    required: f.required,
    advanced: f.advanced ?? false,
    pluginId,
    defaultValue: f.defaultValue,
  };
}

export class ConfigService {
  constructor(
    private readonly conf: ConfFile,
    private readonly secrets: SecretStore,
    private readonly registry: PluginRegistry,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Every known key: global ones, then each plugin's admin fields. */
  keys(): ConfigKey[] {
    const out = [...GLOBAL_KEYS];
    for (const p of this.registry.list()) for (const f of p.getAdminConfigFields()) out.push(pluginKey(p.id, f));
    return out;
  }

  pluginKeys(pluginId: string): ConfigKey[] {
    return this.registry
      .get(pluginId)
      .getAdminConfigFields()
      .map((f) => pluginKey(pluginId, f));
  }

  describe(key: string): ConfigKey {
    const found = this.keys().find((k) => k.key === key);
    if (found) return found;
    const close = this.keys()
      .map((k) => k.key)
      .filter((k) => k.split('.').pop() === key.split('.').pop() || k.startsWith(key));
    throw new UsageError(
      `Unknown config key "${key}".`,
      close.length > 0
        ? `Did you mean ${close.join(' or ')}? \`okr config list\` shows every key.`
        : 'Run `okr config list` to see every key.',
    );
  }

  isSecret(key: ConfigKey): boolean {
    return key.type === 'password';
  }

  /** The seed's getConfigValue: stored value, then env var, then default. */
  async getConfigValue(key: string): Promise<string | undefined> {
    return (await this.resolve(key)).value;
  }

  async resolve(keyName: string): Promise<ResolvedValue> {
    const key = this.describe(keyName);
    if (this.isSecret(key)) {
      const stored = await this.secrets.get(key.key);
      if (stored !== undefined) {
        return { key, value: stored, source: this.secrets.storeOf(key.key) === 'file' ? 'secrets-file' : 'keychain' };
      }
    } else {
      const stored = this.conf.data.values[key.key];
      if (stored !== undefined) return { key, value: stored, source: 'file' };
    }
    const fromEnv = key.env ? this.env[key.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') return { key, value: fromEnv, source: 'env' };
    if (key.defaultValue !== undefined) return { key, value: key.defaultValue, source: 'default' };
    return { key, value: undefined, source: 'unset' };
  }

  /** Validates and stores a value. Secrets go to the secret store; returns where it went. */
  async set(keyName: string, rawValue: string, opts: { store?: SecretStoreKind } = {}): Promise<ValueSource> {
    const key = this.describe(keyName);
    const value = validateValue(key, rawValue);
    if (this.isSecret(key)) {
      const kind = await this.secrets.set(key.key, value, opts.store);
      return kind === 'file' ? 'secrets-file' : 'keychain';
    }
    this.conf.update((d) => {
      d.values[key.key] = value;
    });
    return 'file';
  }

  async unset(keyName: string): Promise<boolean> {
    const key = this.describe(keyName);
    if (this.isSecret(key)) {
      const had = this.secrets.storeOf(key.key) !== undefined;
      await this.secrets.delete(key.key);
      return had;
    }
    const had = key.key in this.conf.data.values;
    if (had) this.conf.update((d) => void delete d.values[key.key]);
    return had;
  }

  /** Required keys of a plugin that resolve to nothing. */
  async missingRequired(pluginId: string): Promise<ConfigKey[]> {
    const missing: ConfigKey[] = [];
    for (const k of this.pluginKeys(pluginId)) {
      if (k.required && (await this.getConfigValue(k.key)) === undefined) missing.push(k);
    }
    return missing;
  }

  /** The store new secrets go to: OKR_SECRETS, then `secrets.store`, then the keychain. */
  defaultSecretStore(): SecretStoreKind {
    const fromEnv = this.env.OKR_SECRETS;
    if (fromEnv === 'file' || fromEnv === 'keychain') return fromEnv;
    if (fromEnv) {
      throw new OkrError(`OKR_SECRETS is "${fromEnv}", which is not a secret store.`, {
        hint: 'Set OKR_SECRETS to `keychain` or `file`, or unset it.',
      });
    }
    return this.conf.data.values['secrets.store'] === 'file' ? 'file' : 'keychain';
  }
}

export function validateValue(key: ConfigKey, rawValue: string): string {
  const value = key.type === 'password' ? rawValue.replace(/[\r\n]+$/, '') : rawValue.trim();
  if (value === '') {
    throw new UsageError(`${key.key} cannot be empty.`, `To remove it, run \`okr config unset ${key.key}\`.`);
  }
  if (value.length > MAX_VALUE_LENGTH)
    throw new UsageError(`${key.key} is longer than ${MAX_VALUE_LENGTH} characters.`);
  // What safeText would escape (controls, C1, bidi overrides, line separators, lone surrogates)
  // has no place in a setting: printed, it could forge or reorder what the terminal shows.
  const unsafe = hasUnsafeChar(value) ? [...value].find((c) => hasUnsafeChar(c)) : undefined;
  if (unsafe !== undefined) {
    throw new UsageError(
      key.type === 'password'
        ? `${key.key} contains a control or bidi character, which okr does not accept in a setting.`
        : `${key.key} contains the character ${escapeChar(unsafe)}, which okr does not accept in a setting.`,
      'Type or paste the value again without it.',
    );
  }
  if (key.type === 'url') {
    // The same rule okr applies where it uses an endpoint (oauth/endpoint-url.ts).
    const problem = endpointUrlProblem(value);
    if (problem) {
      throw new UsageError(
        `${key.key} ${problem}.`,
        problem.startsWith('must be a URL') ? 'Example: https://example.com/path' : undefined,
      );
    }
  }
  if (key.type === 'enum' && !key.choices?.includes(value)) {
    throw new UsageError(`${key.key} must be one of: ${key.choices?.join(', ')}; got "${value}".`);
  }
  return value;
}

/** Masks a secret for display. No part of it is shown: even a suffix helps an attacker. */
export function maskSecret(value: string | undefined): string {
  return value ? '********' : '';
}

/**
 * A setting's value as okr prints it anywhere: secrets masked, passwords in URLs masked, control
 * and bidi characters shown as escapes (a hand-edited config.json or the environment may hold
 * them; `config set` refuses them). Escaped first, so a control character inside a URL's
 * userinfo cannot end the masking early.
 */
export function displayValue(key: ConfigKey, value: string): string {
  return key.type === 'password' ? maskSecret(value) : redactUrls(safeText(value));
}
