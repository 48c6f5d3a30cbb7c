import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../src/plugins/index.js';
import { PluginRegistry } from '../src/plugins/registry.js';
import type { DataImportPlugin } from '../src/plugins/types.js';
import { makeTestPlugin } from './helpers/test-plugin.js';

describe('plugin registry', () => {
  it('registers, lists and finds fields', () => {
    const r = new PluginRegistry();
    r.register(makeTestPlugin());
    expect(r.list().map((p) => p.id)).toEqual(['testsvc']);
    expect(r.findField('testsvc.sleep')?.field.type).toBe('duration');
    expect(r.findField('testsvc.nope')).toBeUndefined();
    expect(r.findField('nope.sleep')).toBeUndefined();
  });

  it('rejects a duplicate id', () => {
    const r = new PluginRegistry();
    r.register(makeTestPlugin());
    expect(() => r.register(makeTestPlugin())).toThrow('A plugin with id "testsvc" is already registered.');
  });

  it.each([
    ['an upper-case id', { id: 'TestSvc' }, 'id must match'],
    ['an id with a dot', { id: 'test.svc' }, 'id must match'],
    ['an empty name', { name: ' ' }, 'name is empty'],
    ['a missing method', { fetchData: undefined }, 'fetchData() is missing'],
    [
      'a duplicate field id',
      {
        getAvailableFields: () => [1, 2].map(() => ({ id: 'x', name: 'X', description: '', type: 'number' as const })),
      },
      'field id "x" is declared twice',
    ],
    [
      'a bad config key',
      { getAdminConfigFields: () => [{ key: 'Client-ID', label: 'x', type: 'text' as const, required: true }] },
      'config key "Client-ID" is not [a-z0-9_]',
    ],
  ])('rejects %s', (_what, override, message) => {
    const r = new PluginRegistry();
    expect(() => r.register(makeTestPlugin(override as Partial<DataImportPlugin>))).toThrow(message);
    expect(r.list()).toEqual([]);
  });

  it('fails on an unknown id with the list of known ids, and the nearest for a typo', () => {
    expect(() => createDefaultRegistry().get('garmin')).toThrow(
      'Unknown plugin "garmin". Known plugins: fitbit, oura, withings, apple-health.',
    );
    expect(() => createDefaultRegistry().get('fitbi')).toThrow(
      'Unknown plugin "fitbi" (did you mean fitbit?). Known plugins: fitbit, oura, withings, apple-health.',
    );
  });
});
