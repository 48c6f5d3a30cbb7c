/**
 * The embedded provider simulator: one node:http server on 127.0.0.1 hosting one module per
 * provider (module.ts), each mounted at `/<name>`: `/google` (google-health.ts), `/oura`
 * (oura/index.ts). Used by the tests, the benchmarks and `okr demo`; `npm run simulator` runs it
 * by hand (main.ts).
 *
 * The server owns only what every module shares: listening, reading bodies (at most 1 MiB),
 * routing by mount point, latency and handshake time, and the two faults that are about the
 * connection rather than the provider (an answer that never comes, a body that never ends).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type GoogleHealthHandle, type GoogleHealthOptions, googleHealthModule } from './google-health.js';
import type { ModuleAnswer, ModuleFactory, ModuleRequest, SimulatorModule } from './module.js';

const MAX_BODY = 1 << 20;

/** The request body, or undefined when it is over MAX_BODY (the request is destroyed then). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        resolve(undefined);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The endless-body fault: `[{"n":0},{"n":0},…` in 64 KiB writes, as fast as the client reads, until
 * it hangs up (`onBytes` counts what was written). The 256 MiB stop only keeps a client that
 * reads forever from running forever: for okr, whose cap is 4 MiB, the body has no end.
 */
async function streamEndless(res: ServerResponse, onBytes: (n: number) => void): Promise<void> {
  const chunk = Buffer.from('{"n":0},'.repeat(8192));
  let sent = 0;
  res.write('[');
  while (!res.destroyed && sent < 256 * 2 ** 20) {
    sent += chunk.length;
    onBytes(chunk.length);
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
  res.destroy();
}

/** The handles of the mounted modules, by mount name. */
export type Handles<M extends Record<string, ModuleFactory<unknown>>> = {
  [K in keyof M]: M[K] extends ModuleFactory<infer H> ? H : never;
};

export interface SimulatorServer<M extends Record<string, ModuleFactory<unknown>>> {
  /** http://127.0.0.1:<port> (each module's own base is `<url>/<name>`). */
  url: string;
  modules: Handles<M>;
  close(): Promise<void>;
}

/** Starts one server with `modules` mounted by name (`{ google: googleHealthModule(), oura: ouraModule() }`). */
export async function startSimulatorServer<M extends Record<string, ModuleFactory<unknown>>>(
  modules: M,
  opts: { port?: number } = {},
): Promise<SimulatorServer<M>> {
  for (const name of Object.keys(modules)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`Invalid simulator mount name: ${name}`);
  }
  const mounted = new Map<string, SimulatorModule>();
  const acceptedAt = new WeakMap<Socket, number>();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, name = '', ...rest] = url.pathname.split('/');
    const module = mounted.get(name);
    if (!module) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end(`No simulator module at /${name.replace(/[^a-z0-9-]/g, '')}\n`);
      return;
    }
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    if (body === undefined) return; // over 1 MiB: the request was destroyed
    const moduleReq: ModuleRequest = { method, path: `/${rest.join('/')}`, url, headers: req.headers, body };
    // A request on a connection still "shaking hands" arrives once the handshakes are done.
    const ready = (acceptedAt.get(req.socket) ?? 0) + (module.handshakeMs?.() ?? 0);
    if (ready > arrived) {
      await new Promise((r) => setTimeout(r, ready - arrived));
      arrived = ready;
    }
    // Latency counts from the request's arrival and holds the module's own work, so a round trip
    // at latency L takes L (what the benchmarks divide by), not L plus the simulator's CPU time.
    // The work waits for the next turn of the event loop: requests that arrived together are all
    // stamped first, instead of each waiting behind the work of the one before.
    const latency = module.latencyMs?.() ?? 0;
    if (latency > 0) await new Promise((r) => setImmediate(r));
    const answer: ModuleAnswer = await module.handle(moduleReq);
    const wait = latency - (performance.now() - arrived);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { response } = answer;
    if (response.hang) return; // close() ends the connection (closeAllConnections)
    res.writeHead(response.status, response.headers);
    if (response.endless) return streamEndless(res, (n) => module.endlessBytes?.(n));
    res.end(response.body);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      // A module that throws is a simulator bug; answer so the client does not wait forever.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('Simulator error\n');
    });
  });
  server.on('connection', (socket: Socket) => acceptedAt.set(socket, performance.now()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const handles: Record<string, unknown> = {};
  for (const [name, factory] of Object.entries(modules)) {
    const { module, handle } = factory({ baseUrl: `${url}/${name}`, mountPath: `/${name}` });
    mounted.set(name, module);
    handles[name] = handle;
  }
  return {
    url,
    modules: handles as Handles<M>,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const module of mounted.values()) module.close?.();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type SimulatorOptions = GoogleHealthOptions & {
  /** Port to listen on; default 0 (any free port). */
  port?: number;
};

/** The Google module alone, with a `close()`: what most fitbit tests and benchmarks use. */
export interface Simulator extends GoogleHealthHandle {
  close(): Promise<void>;
}

/** The simulator with only the Google module, mounted at `/google`. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const { port, ...google } = opts;
  const server = await startSimulatorServer({ google: googleHealthModule(google) }, { port });
  return Object.assign(server.modules.google, { close: server.close });
}
