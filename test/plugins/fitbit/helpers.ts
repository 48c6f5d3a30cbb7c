/** Runtimes for the fitbit plugin's tests: one backed by the simulator, one by canned responses. */
import { refreshCredentials } from '../../../src/oauth/tokens.js';
import { fitbitPlugin } from '../../../src/plugins/fitbit/plugin.js';
import { runtimeZone } from '../../../src/plugins/runtime-zone.js';
import type { OAuthCredentials, PluginRuntime } from '../../../src/plugins/types.js';
import type { Simulator } from '../../../src/simulator/index.js';
import { fixtureText } from '../../fixtures-helpers.js';

export interface RecordingRuntime extends PluginRuntime {
  /** Every request the plugin made: method and URL. */
  calls: Array<{ method: string; url: string; body?: string; signal?: AbortSignal | null }>;
}

function recording(
  config: Record<string, string>,
  send: (url: string, init?: RequestInit) => Promise<Response>,
  now: () => Date,
  signal?: AbortSignal,
): RecordingRuntime {
  const calls: RecordingRuntime['calls'] = [];
  return {
    calls,
    signal,
    now,
    ...runtimeZone('America/New_York'),
    getConfig: async (key) => config[key],
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      calls.push({
        method: init?.method ?? 'GET',
        url,
        body: typeof init?.body === 'string' ? init.body : undefined,
        signal: init?.signal,
      });
      return send(url, init);
    }) as typeof fetch,
  };
}

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
  return recording(
    { ...simulatorConfig(sim), ...opts.config },
    (url, init) => fetch(url, init),
    opts.now ?? (() => new Date()),
    opts.signal,
  );
}

/** A canned answer: a fixture file (or a literal body) with a status and headers. */
export interface Canned {
  status?: number;
  fixture?: string;
  body?: string;
  headers?: Record<string, string>;
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
  return recording(
    {
      'plugin.fitbit.client_id': 'test-client.apps.googleusercontent.com',
      'plugin.fitbit.client_secret': 'GOCSPX-test',
      'plugin.fitbit.api_base_url': STUB_API,
      'plugin.fitbit.token_url': STUB_TOKEN,
    },
    async (url, init) => {
      const c = route(url, init);
      const body = c.fixture ? fixtureText(c.fixture) : (c.body ?? '{}');
      return new Response(body, {
        status: c.status ?? 200,
        headers: { 'Content-Type': 'application/json; charset=UTF-8', ...c.headers },
      });
    },
    () => now,
  );
}

export const DUMMY_CREDENTIALS: OAuthCredentials = {
  accessToken: 'ya29.test',
  refreshToken: '1//test-refresh',
  expiresAt: Date.parse('2026-10-01T13:00:00Z'),
  obtainedAt: Date.parse('2026-10-01T12:00:00Z'),
};

/** Runs `fn`, expecting a rejection, and returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The platform's refresh with fitbit's declarations (what the sync engine does under its lock). */
export async function refreshFitbit(rt: PluginRuntime, credentials: OAuthCredentials): Promise<OAuthCredentials> {
  return refreshCredentials(rt, fitbitPlugin, await fitbitPlugin.getOAuthConfig(rt), credentials);
}
