/** Runtimes for the fitbit plugin's tests: one backed by the simulator, one by canned responses. */
import { refreshCredentials } from '../../../src/oauth/tokens.js';
import { fitbitPlugin } from '../../../src/plugins/fitbit/plugin.js';
import type { OAuthCredentials, PluginRuntime } from '../../../src/plugins/types.js';
import type { Simulator } from '../../../src/simulator/index.js';
import { fixtureText } from '../../fixtures-helpers.js';
import {
  type Canned,
  cannedSend,
  httpRuntime,
  type RecordingRuntime,
  recordingRuntime,
} from '../../helpers/recording-runtime.js';

export { type Canned, type RecordingRuntime, rejection } from '../../helpers/recording-runtime.js';

/** Plugin config that points every URL at the simulator. */
export function simulatorConfig(sim: Simulator): Record<string, string> {
  return {
    'plugin.fitbit.client_id': sim.clientId,
    'plugin.fitbit.client_secret': sim.clientSecret,
    'plugin.fitbit.auth_url': sim.authUrl,
    'plugin.fitbit.token_url': sim.tokenUrl,
    'plugin.fitbit.revoke_url': sim.revokeUrl,
    'plugin.fitbit.api_base_url': sim.apiBaseUrl,
  };
}

export function simulatorRuntime(
  sim: Simulator,
  opts: { signal?: AbortSignal; now?: () => Date; config?: Record<string, string> } = {},
): RecordingRuntime {
  return httpRuntime({ ...simulatorConfig(sim), ...opts.config }, opts);
}

export const STUB_API = 'http://127.0.0.1:9/v4';
export const STUB_TOKEN = 'http://127.0.0.1:9/token';

/**
 * A runtime whose fetch never touches the network: it answers from `route(url)`. The plugin's real
 * code (request building, content-type and JSON checks, zod, mapping, error mapping) still runs.
 */
export function cannedRuntime(
  route: (url: string, init?: RequestInit) => Canned,
  now = new Date('2026-10-01T12:00:00Z'),
) {
  return recordingRuntime(
    {
      'plugin.fitbit.client_id': 'test-client.apps.googleusercontent.com',
      'plugin.fitbit.client_secret': 'GOCSPX-test',
      'plugin.fitbit.api_base_url': STUB_API,
      'plugin.fitbit.token_url': STUB_TOKEN,
    },
    cannedSend(route, fixtureText),
    () => now,
  );
}

export const DUMMY_CREDENTIALS: OAuthCredentials = {
  accessToken: 'ya29.test',
  refreshToken: '1//test-refresh',
  expiresAt: Date.parse('2026-10-01T13:00:00Z'),
  obtainedAt: Date.parse('2026-10-01T12:00:00Z'),
};

/** The platform's refresh with fitbit's declarations (what the sync engine does under its lock). */
export async function refreshFitbit(rt: PluginRuntime, credentials: OAuthCredentials): Promise<OAuthCredentials> {
  return refreshCredentials(rt, fitbitPlugin, await fitbitPlugin.getOAuthConfig(rt), credentials);
}
