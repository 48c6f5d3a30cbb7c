/**
 * The one plugin registry every command uses (the seed's manager.ts registry part).
 */
import { OkrError, UsageError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { DataFieldDescriptor, DataImportPlugin } from './types.js';

export const PLUGIN_ID_RE = /^[a-z][a-z0-9-]{0,31}$/;
const FIELD_ID_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const CONFIG_KEY_RE = /^[a-z][a-z0-9_]{0,63}$/;

export class PluginRegistry {
  readonly #plugins = new Map<string, DataImportPlugin>();

  register(plugin: DataImportPlugin): void {
    const problems = validatePlugin(plugin);
    if (problems.length > 0) {
      throw new OkrError(`Plugin ${JSON.stringify(plugin?.id)} is malformed: ${problems.join('; ')}.`);
    }
    if (this.#plugins.has(plugin.id)) {
      throw new OkrError(`A plugin with id "${plugin.id}" is already registered.`);
    }
    this.#plugins.set(plugin.id, plugin);
  }

  get(id: string): DataImportPlugin {
    const plugin = this.#plugins.get(id);
    if (!plugin) throw this.unknown([id]);
    return plugin;
  }

  /**
   * The error for plugin ids the user typed that no plugin has: a usage error (exit 2), in the
   * same words whichever command was given the id.
   */
  unknown(ids: string[]): UsageError {
    const known = [...this.#plugins.keys()].join(', ') || '(none)';
    const named = ids.map((id) => JSON.stringify(id)).join(', ');
    const near = ids.length === 1 ? didYouMean(ids[0]!, this.#plugins.keys()) : '';
    return new UsageError(
      `Unknown ${ids.length === 1 ? 'plugin' : 'plugins'} ${named}${near}. Known plugins: ${known}.`,
      'Run `okr plugins` to list them.',
    );
  }

  has(id: string): boolean {
    return this.#plugins.has(id);
  }

  list(): DataImportPlugin[] {
    return [...this.#plugins.values()];
  }

  /** Resolves `pluginId.fieldId` to its plugin and field, or undefined. */
  findField(source: string): { plugin: DataImportPlugin; field: DataFieldDescriptor } | undefined {
    const dot = source.indexOf('.');
    if (dot < 0) return undefined;
    const plugin = this.#plugins.get(source.slice(0, dot));
    const field = plugin?.getAvailableFields().find((f) => f.id === source.slice(dot + 1));
    return plugin && field ? { plugin, field } : undefined;
  }
}

const METHODS = [
  'getAdminConfigFields',
  'getSetupInfo',
  'isConfigured',
  'getOAuthConfig',
  'getAvailableFields',
  'validateCredentials',
  'fetchData',
  'getBaseUrls',
] as const;

export function validatePlugin(plugin: DataImportPlugin): string[] {
  const problems: string[] = [];
  if (!plugin || typeof plugin !== 'object') return ['not an object'];
  if (typeof plugin.id !== 'string' || !PLUGIN_ID_RE.test(plugin.id)) {
    problems.push('id must match [a-z][a-z0-9-]* (at most 32 characters)');
  }
  if (typeof plugin.name !== 'string' || plugin.name.trim() === '') problems.push('name is empty');
  for (const m of METHODS) {
    if (typeof (plugin as unknown as Record<string, unknown>)[m] !== 'function') problems.push(`${m}() is missing`);
  }
  if (problems.length > 0) return problems;
  const fieldIds = new Set<string>();
  for (const f of plugin.getAvailableFields()) {
    if (!FIELD_ID_RE.test(f.id)) problems.push(`field id "${f.id}" is not an identifier`);
    if (fieldIds.has(f.id)) problems.push(`field id "${f.id}" is declared twice`);
    fieldIds.add(f.id);
  }
  const keys = new Set<string>();
  for (const c of plugin.getAdminConfigFields()) {
    if (!CONFIG_KEY_RE.test(c.key)) problems.push(`config key "${c.key}" is not [a-z0-9_]`);
    if (keys.has(c.key)) problems.push(`config key "${c.key}" is declared twice`);
    keys.add(c.key);
  }
  return problems;
}
