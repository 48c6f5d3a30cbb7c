/**
 * node-fetch.ts's keep-alive agents, which can open connections before the requests that will use
 * them (`preconnect`). The sync asks for that while a token refresh is on the wire: the data
 * API is another host (Google: oauth2.googleapis.com for tokens, health.googleapis.com for data),
 * so without it every data request would wait for a TCP and a TLS handshake, two round trips,
 * after the refresh. With it, those handshakes happen during the refresh.
 *
 * A warm connection is handed only to a request for the same agent key (host, port and TLS
 * options, Node's own `agent.getName`), so nothing is ever sent to another origin than the one it
 * was opened for. Waiting warm connections are unref'd (they never keep the process alive), close
 * after WARM_IDLE_MS, and `release` closes the ones nobody used.
 */
import type { AgentOptions, Agent as HttpAgent } from 'node:http';
import type { isIP as IsIP, Socket } from 'node:net';

/** A warm connection that no request has taken by then is closed. */
export const WARM_IDLE_MS = 30_000;
/** At most this many warm connections per host, whatever a caller asks for. */
export const MAX_WARM_PER_HOST = 8;

/** The options Node's global agent has (Node 20), so requests behave the same through ours. */
const AGENT_OPTIONS: AgentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 5000, noDelay: true };

export interface WarmAgent extends HttpAgent {
  /**
   * Opens up to `count` connections to `url`'s host that the next requests there will use.
   * Returns a function that closes those no request has taken.
   */
  preconnect(url: URL, count: number): () => void;
  /** How many warm connections to `url`'s host wait for a request. */
  waiting(url: URL): number;
}

type AgentClass = new (options?: AgentOptions) => HttpAgent;
type Options = Record<string, unknown>;
/** The two agent methods used here, as Node documents them (agent.createConnection, agent.getName). */
interface AgentInternals {
  createConnection(options: Options, callback?: (err: Error | null, socket: Socket) => void): Socket;
  getName(options: Options): string;
}

/**
 * A keep-alive agent of `Base` (http.Agent or https.Agent) that can hold warm connections.
 * `isIP` is node:net's, passed in by the caller that loads node:http: importing node:net here
 * would load it into every command that creates a context. `idleMs`: tests.
 */
export function warmAgent(Base: AgentClass, defaultPort: number, isIP: typeof IsIP, idleMs = WARM_IDLE_MS): WarmAgent {
  const agent = new Base(AGENT_OPTIONS);
  const own = agent as unknown as AgentInternals;
  const connect = own.createConnection.bind(agent);
  const keyOf = (options: Options) => own.getName(options);
  /** By agent key: each waiting connection, with what hands it over (stops its idle timer). */
  const warm = new Map<string, Map<Socket, () => void>>();

  own.createConnection = (options, callback) => {
    for (const [socket, take] of warm.get(keyOf(options)) ?? []) {
      take();
      if (socket.destroyed) continue;
      socket.ref();
      return socket;
    }
    return connect(options, callback);
  };

  /** What a request to `url` hands the agent, so that the key is the one that request computes. */
  const optionsFor = (url: URL): Options => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return {
      host,
      port: Number(url.port) || defaultPort,
      servername: isIP(host) ? '' : host,
      keepAlive: true,
      keepAliveInitialDelay: 1000,
      noDelay: true,
      encoding: null,
    };
  };

  return Object.assign(agent, {
    waiting: (url: URL) => warm.get(keyOf(optionsFor(url)))?.size ?? 0,
    preconnect(url: URL, count: number) {
      const options = optionsFor(url);
      const key = keyOf(options);
      options._agentKey = key;
      const pool = warm.get(key) ?? new Map<Socket, () => void>();
      warm.set(key, pool);
      const opened: Socket[] = [];
      for (let n = Math.min(count, MAX_WARM_PER_HOST) - pool.size; n > 0; n--) {
        const socket = connect(options);
        const take = () => {
          pool.delete(socket);
          socket.removeListener('timeout', onIdle);
          socket.setTimeout(0);
        };
        const onIdle = () => {
          take();
          socket.destroy();
        };
        // The request that takes it listens for errors itself; until then, a refused or reset
        // connection only drops out of the pool.
        socket.on('error', () => {});
        socket.once('close', take);
        socket.setTimeout(idleMs, onIdle);
        socket.unref();
        pool.set(socket, take);
        opened.push(socket);
      }
      return () => {
        for (const socket of opened) if (pool.has(socket)) socket.destroy();
      };
    },
  });
}
