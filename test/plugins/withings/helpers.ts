/** Runtimes for the withings plugin's tests: canned answers from test/fixtures/withings/, or the simulator. */
import type { OAuthCredentials } from '../../../src/plugins/types.js';
import type { WithingsSimulator } from '../../../src/simulator/withings/index.js';
import { providerFixtures } from '../../fixtures-helpers.js';
import {
  type Canned,
  cannedSend,
  httpRuntime,
  type RecordingRuntime,
  recordingRuntime,
} from '../../helpers/recording-runtime.js';

export const withingsFixtures = providerFixtures('withings');

export const STUB_BASE = 'http://127.0.0.1:9';

export const DUMMY_CREDENTIALS: OAuthCredentials = {
  accessToken: 'withings-test-access',
  refreshToken: 'withings-test-refresh',
  expiresAt: Date.parse('2024-02-01T15:00:00Z'),
  obtainedAt: Date.parse('2024-02-01T12:00:00Z'),
  userId: '12345',
};

/** A runtime that answers every request from `route(url, init)`, never touching the network. */
export function cannedRuntime(
  route: (url: string, init?: RequestInit) => Canned,
  opts: { now?: Date; timeZone?: string } = {},
): RecordingRuntime {
  const now = opts.now ?? new Date('2024-02-01T12:00:00Z');
  return recordingRuntime(
    {
      'plugin.withings.client_id': 'withings-test-client',
      'plugin.withings.client_secret': 'withings-test-secret',
      'plugin.withings.api_base_url': STUB_BASE,
      'plugin.withings.token_url': `${STUB_BASE}/v2/oauth2`,
    },
    cannedSend(route, withingsFixtures.text),
    () => now,
    undefined,
    opts.timeZone,
  );
}

/** The form fields of a recorded request. */
export function form(call: { body?: string }): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(call.body ?? ''));
}

/** An envelope around a body, as Withings answers. */
export function envelope(body: unknown, status = 0): string {
  return JSON.stringify({ status, body });
}

/** Plugin config that points every withings URL at the simulator. */
export function simulatorConfig(sim: WithingsSimulator): Record<string, string> {
  return {
    'plugin.withings.client_id': sim.clientId,
    'plugin.withings.client_secret': sim.clientSecret,
    'plugin.withings.redirect_uri': sim.redirectUris[0]!,
    'plugin.withings.auth_url': sim.authUrl,
    'plugin.withings.token_url': sim.tokenUrl,
    'plugin.withings.api_base_url': sim.apiBaseUrl,
  };
}

/** A runtime whose requests go to the simulator over real HTTP on 127.0.0.1. */
export function simulatorRuntime(
  sim: WithingsSimulator,
  opts: { signal?: AbortSignal; now?: () => Date; config?: Record<string, string> } = {},
): RecordingRuntime {
  return httpRuntime({ ...simulatorConfig(sim), ...opts.config }, opts);
}
