/** Runtimes for the oura plugin's tests: canned answers from test/fixtures/oura/, or the simulator. */
import type { OAuthCredentials } from '../../../src/plugins/types.js';
import type { OuraSimulator } from '../../../src/simulator/oura/index.js';
import { providerFixtures } from '../../fixtures-helpers.js';
import {
  type Canned,
  cannedSend,
  httpRuntime,
  type RecordingRuntime,
  recordingRuntime,
} from '../../helpers/recording-runtime.js';

export const ouraFixtures = providerFixtures('oura');

export const STUB_BASE = 'http://127.0.0.1:9';

export const DUMMY_CREDENTIALS: OAuthCredentials = {
  accessToken: 'oura-test-access',
  refreshToken: 'oura-test-refresh',
  expiresAt: Date.parse('2024-02-01T13:00:00Z'),
  obtainedAt: Date.parse('2024-02-01T12:00:00Z'),
};

/** A runtime that answers every request from `route(url)`, never touching the network. */
export function cannedRuntime(
  route: (url: string, init?: RequestInit) => Canned,
  now = new Date('2024-02-01T12:00:00Z'),
) {
  return recordingRuntime(
    {
      'plugin.oura.client_id': 'oura-test-client',
      'plugin.oura.client_secret': 'oura-test-secret',
      'plugin.oura.api_base_url': STUB_BASE,
      'plugin.oura.token_url': `${STUB_BASE}/oauth/token`,
    },
    cannedSend(route, ouraFixtures.text),
    () => now,
  );
}

type Json = Record<string, unknown>;

/** The sleep sample's one document, to build trap cases from. */
export function sampleSleep(): Json {
  return ouraFixtures.json<{ data: Json[] }>('sleep.go_oura.json').data[0] as Json;
}

/** A list page body. */
export function pageBody(data: unknown[], nextToken: string | null = null): string {
  return JSON.stringify({ data, next_token: nextToken });
}

/** Plugin config that points every oura URL at the simulator. */
export function simulatorConfig(sim: OuraSimulator): Record<string, string> {
  return {
    'plugin.oura.client_id': sim.clientId,
    'plugin.oura.client_secret': sim.clientSecret,
    'plugin.oura.redirect_uri': sim.redirectUris[0]!,
    'plugin.oura.auth_url': sim.authUrl,
    'plugin.oura.token_url': sim.tokenUrl,
    'plugin.oura.revoke_url': sim.revokeUrl,
    'plugin.oura.api_base_url': sim.apiBaseUrl,
  };
}

/** A runtime whose requests go to the simulator over real HTTP on 127.0.0.1. */
export function simulatorRuntime(
  sim: OuraSimulator,
  opts: { signal?: AbortSignal; now?: () => Date; config?: Record<string, string> } = {},
): RecordingRuntime {
  return httpRuntime({ ...simulatorConfig(sim), ...opts.config }, opts);
}
