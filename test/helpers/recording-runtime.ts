/**
 * Plugin runtimes for tests: every request the plugin makes is recorded, answered by a real
 * server (the simulator) or from canned responses (fixture files), with the plugin's real request
 * building, checks, mapping and error mapping running in between.
 */
import { runtimeZone } from '../../src/plugins/runtime-zone.js';
import type { PluginRuntime } from '../../src/plugins/types.js';

export interface RecordingRuntime extends PluginRuntime {
  /** Every request the plugin made: method and URL. */
  calls: Array<{ method: string; url: string; body?: string; signal?: AbortSignal | null }>;
}

export function recordingRuntime(
  config: Record<string, string>,
  send: (url: string, init?: RequestInit) => Promise<Response>,
  now: () => Date,
  signal?: AbortSignal,
  timeZone = 'America/New_York',
): RecordingRuntime {
  const calls: RecordingRuntime['calls'] = [];
  return {
    calls,
    signal,
    now,
    ...runtimeZone(timeZone),
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

/** A canned answer: a fixture file (or a literal body) with a status and headers. */
export interface Canned {
  status?: number;
  fixture?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A `send` that answers from `route(url)`, reading fixture files with `readFixture`, never the network. */
export function cannedSend(
  route: (url: string, init?: RequestInit) => Canned,
  readFixture: (name: string) => string,
): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const c = route(url, init);
    const body = c.fixture ? readFixture(c.fixture) : (c.body ?? '{}');
    return new Response(body, {
      status: c.status ?? 200,
      headers: { 'Content-Type': 'application/json; charset=UTF-8', ...c.headers },
    });
  };
}

/** Runs `fn`, expecting a rejection, and returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** A recording runtime whose requests go out over real HTTP (to a simulator on 127.0.0.1). */
export function httpRuntime(
  config: Record<string, string>,
  opts: { signal?: AbortSignal; now?: () => Date } = {},
): RecordingRuntime {
  return recordingRuntime(config, (url, init) => fetch(url, init), opts.now ?? (() => new Date()), opts.signal);
}
