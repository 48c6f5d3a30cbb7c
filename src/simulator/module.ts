/**
 * The embedded provider simulator hosts one module per provider on one node:http server on
 * 127.0.0.1 (server.ts). Each module is mounted under `/<name>` (`/google`, `/oura`) and answers
 * only the requests below it, with its provider's real shapes (see test/fixtures/<provider>/).
 *
 * A module is a factory: given where it is mounted, it returns the request handler the server
 * calls and the handle tests, benchmarks and `okr demo` use (its URLs, the `env` that points okr
 * at it, stats, faults, test helpers). The server owns only what is common: listening, reading
 * bodies (at most 1 MiB), routing by mount point, latency, and the connection faults a
 * `SimResponse` asks for (`hang`, `endless`). Each module counts its own `stats`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimResponse } from './responses.js';

export interface ModuleRequest {
  method: string;
  /** The path below the mount point, starting with `/` (`/oauth/token` for `/oura/oauth/token`). */
  path: string;
  /** The full request URL (with the mount point and the query). */
  url: URL;
  headers: IncomingHttpHeaders;
  /** The request body as text ('' for GET); bodies over 1 MiB are refused before this. */
  body: string;
}

export interface ModuleAnswer {
  /** The endpoint name counted in the module's `stats` (`token:refresh_token`, `list:daily_sleep`). */
  endpoint: string;
  response: SimResponse;
}

export interface ModuleMount {
  /** `http://127.0.0.1:<port>/<name>`: the base of every URL the module hands out. */
  baseUrl: string;
  /** The mount path, `/<name>`. */
  mountPath: string;
}

export interface SimulatorModule {
  /** Answers one request below the mount point. A request it does not know gets its provider's 404. */
  handle(req: ModuleRequest): Promise<ModuleAnswer> | ModuleAnswer;
  /** Milliseconds from a request's arrival to its answer (a latency fault); 0 by default. */
  latencyMs?(): number;
  /** Milliseconds from a connection's accept to when its first request can arrive (its handshakes); 0 by default. */
  handshakeMs?(): number;
  /** Bytes of an `endless` answer written so far (the server streams it; the module counts it). */
  endlessBytes?(n: number): void;
  /** Called once when the server closes. */
  close?(): void;
}

/** What a provider module exports: `(mount) => ({ module, handle })`. `H` is its test-facing handle. */
export type ModuleFactory<H> = (mount: ModuleMount) => { module: SimulatorModule; handle: H };

/** Every module handle has at least these. */
export interface ModuleHandleBase {
  /** The module's base URL (`ModuleMount.baseUrl`). */
  url: string;
  /** Environment variables that point okr's plugin at this module (`OURA_CLIENT_ID`, …). */
  env: Record<string, string>;
  /** Requests per endpoint name, plus the totals `api` (data endpoints) and `all`. */
  stats: Record<string, number>;
  resetStats(): void;
}

/** A module's request counters: `stats` as its handle shows them, `count` to add one, `reset`. */
export function moduleStats(): { stats: Record<string, number>; count(key: string): void; reset(): void } {
  const stats: Record<string, number> = {};
  return {
    stats,
    count: (key) => {
      stats[key] = (stats[key] ?? 0) + 1;
    },
    reset: () => {
      for (const k of Object.keys(stats)) delete stats[k];
    },
  };
}
