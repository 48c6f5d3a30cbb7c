/** The shared simulator server (src/simulator/server.ts): mounting, routing, bodies, latency. */
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { googleHealthModule } from '../../src/simulator/google-health.js';
import type { ModuleFactory } from '../../src/simulator/module.js';
import { ouraModule } from '../../src/simulator/oura/index.js';
import { json } from '../../src/simulator/responses.js';
import { startSimulatorServer } from '../../src/simulator/server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
const NOW = new Date('2026-11-30T12:00:00Z');
const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(5000) });

/** A module that echoes what the server handed it. */
const echoModule: ModuleFactory<{ seen: Array<{ method: string; path: string; body: string }> }> = () => {
  const seen: Array<{ method: string; path: string; body: string }> = [];
  return {
    module: {
      handle(req) {
        seen.push({ method: req.method, path: req.path, body: req.body });
        return { endpoint: 'echo', response: json(200, { path: req.path, query: req.url.search }) };
      },
    },
    handle: { seen },
  };
};

describe('simulator server', () => {
  it('mounts each module at /<name>, hands it the path below, and keeps their stats apart', async () => {
    const server = await startSimulatorServer({
      google: googleHealthModule({ now: NOW, days: 30 }),
      oura: ouraModule({ now: NOW, days: 30 }),
      echo: echoModule,
    });
    closers.push(server.close);
    const { google, oura, echo } = server.modules;
    expect(google.url).toBe(`${server.url}/google`);
    expect(oura.url).toBe(`${server.url}/oura`);

    const r = await get(`${server.url}/echo/a/b?x=1`, { method: 'POST', body: 'hello' });
    expect(await r.json()).toEqual({ path: '/a/b', query: '?x=1' });
    expect(echo.seen).toEqual([{ method: 'POST', path: '/a/b', body: 'hello' }]);

    const tokens = google.issueTokens();
    const g = await get(`${google.apiBaseUrl}/users/me/identity`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(g.status).toBe(200);
    expect(google.stats.identity).toBe(1);
    expect(oura.stats.all).toBeUndefined();
    const ouraTokens = oura.issueTokens();
    const o = await get(`${oura.apiBaseUrl}/v2/usercollection/personal_info`, {
      headers: { authorization: `Bearer ${ouraTokens.accessToken}` },
    });
    expect(o.status).toBe(200);
    expect(oura.stats.personal_info).toBe(1);
    expect(google.stats.all).toBe(1);
  });

  it('a path under no mount is a 404 that names it without its markup', async () => {
    const server = await startSimulatorServer({ echo: echoModule });
    closers.push(server.close);
    const r = await get(`${server.url}/nope<b>/x`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/^No simulator module at \/nope[a-z0-9-]*\n$/);
    expect(server.modules.echo.seen).toEqual([]);
  });

  it('refuses a body over 1 MiB without handing it to the module', async () => {
    const server = await startSimulatorServer({ echo: echoModule });
    closers.push(server.close);
    await expect(get(`${server.url}/echo/x`, { method: 'POST', body: 'x'.repeat((1 << 20) + 1) })).rejects.toThrow();
    expect(server.modules.echo.seen).toEqual([]);
    const ok = await get(`${server.url}/echo/x`, { method: 'POST', body: 'x'.repeat(1 << 20) });
    expect(ok.status).toBe(200);
  });

  it("waits a module's latency before its answer", async () => {
    const server = await startSimulatorServer({ google: googleHealthModule({ now: NOW, days: 30 }) });
    closers.push(server.close);
    server.modules.google.faults.latencyMs = 300;
    const t0 = performance.now();
    await get(`${server.modules.google.url}/v4/users/me/identity`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("counts a module's own work inside its latency, not on top of it", async () => {
    const busy: ModuleFactory<{ faults: { latencyMs: number } }> = () => {
      const faults = { latencyMs: 1000 };
      return {
        module: {
          latencyMs: () => faults.latencyMs,
          handle() {
            const until = performance.now() + 600; // CPU work, as a big generated answer costs
            while (performance.now() < until);
            return { endpoint: 'busy', response: json(200, {}) };
          },
        },
        handle: { faults },
      };
    };
    const server = await startSimulatorServer({ busy });
    closers.push(server.close);
    const t0 = performance.now();
    expect((await get(`${server.url}/busy/x`)).status).toBe(200);
    const ms = performance.now() - t0;
    // 1000 ms after arrival; work on top of the latency would make it 1600 or more.
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(1450);
  });

  it("holds a new connection's first request for the handshake time, and only that one", async () => {
    const server = await startSimulatorServer({ google: googleHealthModule({ now: NOW, days: 30 }) });
    closers.push(server.close);
    server.modules.google.faults.handshakeMs = 500;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const identity = new URL(`${server.modules.google.url}/v4/users/me/identity`);
    const timed = async () => {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) =>
        request(identity, { agent }, (res) => res.resume().on('end', resolve))
          .on('error', reject)
          .end(),
      );
      return performance.now() - t0;
    };
    try {
      expect(await timed()).toBeGreaterThanOrEqual(490); // a new connection: the handshakes first
      expect(await timed()).toBeLessThan(400); // the same connection, kept alive: none
    } finally {
      agent.destroy();
    }
  });

  it('rejects a mount name that is not a path segment', async () => {
    await expect(startSimulatorServer({ 'a/b': echoModule })).rejects.toThrow('Invalid simulator mount name');
  });
});
