/** A minimal plugin for tests of the registry, config and commands, independent of fitbit. */

import { PluginRegistry } from '../../src/plugins/registry.js';
import type { DataImportPlugin } from '../../src/plugins/types.js';

export function makeTestPlugin(overrides: Partial<DataImportPlugin> = {}): DataImportPlugin {
  return {
    id: 'testsvc',
    name: 'Test Service',
    description: 'A plugin for tests',
    getAdminConfigFields: () => [
      { key: 'client_id', label: 'Client ID', type: 'text', required: true, env: 'TESTSVC_CLIENT_ID' },
      { key: 'client_secret', label: 'Client secret', type: 'password', required: true, env: 'TESTSVC_CLIENT_SECRET' },
      {
        key: 'api_base_url',
        label: 'API base URL',
        type: 'url',
        required: false,
        advanced: true,
        env: 'TESTSVC_API_BASE_URL',
        defaultValue: 'https://api.example.test/v1',
      },
    ],
    getSetupInfo: () => [{ label: 'Create a client', value: 'in the console', kind: 'step' }],
    isConfigured: async () => true,
    getOAuthConfig: async () => ({
      clientId: 'id',
      authorizationUrl: 'https://auth.example.test/authorize',
      tokenUrl: 'https://auth.example.test/token',
      scopes: ['read'],
      usePKCE: true,
      tokenEndpointAuth: 'client_secret_post',
    }),
    getAvailableFields: () => [
      { id: 'score', name: 'Score', description: 'A daily score', type: 'number' },
      { id: 'sleep', name: 'Sleep', description: 'Sleep length', type: 'duration', unit: 'min' },
    ],
    validateCredentials: async () => ({ accountId: 'acct-1' }),
    fetchData: async () => ({ records: [], provisionalDates: [] }),
    getBaseUrls: async () => ['https://api.example.test/v1'],
    ...overrides,
  };
}

export function testRegistry(...plugins: DataImportPlugin[]): PluginRegistry {
  const r = new PluginRegistry();
  for (const p of plugins.length ? plugins : [makeTestPlugin()]) r.register(p);
  return r;
}
