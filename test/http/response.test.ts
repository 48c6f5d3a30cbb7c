// okr's own Headers and Response (src/http/response.ts): they stand in for the globals, so they
// must answer as the globals do for what okr and its tests use.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { OkrHeaders, OkrResponse, toStandardResponse } from '../../src/http/response.js';

describe('OkrHeaders', () => {
  it('matches Headers: case-insensitive, repeated names joined, iterated sorted and lowercased', () => {
    const pairs: Array<[string, string]> = [
      ['X-B', '1'],
      ['content-type', 'application/json'],
      ['x-b', '2'],
      ['A', 'z'],
    ];
    const ours = new OkrHeaders(pairs);
    const theirs = new Headers(pairs);
    expect([...ours]).toEqual([...theirs]);
    expect(ours.get('X-b')).toBe(theirs.get('X-b'));
    expect(ours.get('missing')).toBeNull();
    expect(ours.has('CONTENT-TYPE')).toBe(true);
    ours.set('x-b', '3');
    ours.delete('a');
    expect([...ours]).toEqual([
      ['content-type', 'application/json'],
      ['x-b', '3'],
    ]);
    // From another Headers and from a record.
    expect([...new OkrHeaders(theirs)]).toEqual([...theirs]);
    expect(new OkrHeaders({ Accept: '*/*' }).get('accept')).toBe('*/*');
  });
});

describe('OkrResponse', () => {
  it('reads a body once, as text, JSON or bytes, with the Fetch decoding (BOM dropped, bad bytes replaced)', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const ours = new OkrResponse(bytes, { status: 201, headers: { 'Content-Type': 'application/json' } });
    const theirs = new Response(bytes, { status: 201 });
    expect([ours.status, ours.ok, ours.bodyUsed]).toEqual([201, true, false]);
    expect(await ours.text()).toBe(await theirs.text());
    expect(ours.bodyUsed).toBe(true);
    await expect(ours.text()).rejects.toThrow(TypeError);
    expect(await new OkrResponse('{"n":1}').json()).toEqual({ n: 1 });
    expect(new OkrResponse(null, { status: 404 }).ok).toBe(false);
    expect(await new OkrResponse(null, { status: 204 }).text()).toBe('');
  });

  it('streams: a body given as a web stream is read whole; one in memory is offered as a stream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('ab'));
        c.enqueue(new TextEncoder().encode('cd'));
        c.close();
      },
    });
    expect(await new OkrResponse(stream).text()).toBe('abcd');
    const reader = new OkrResponse('xyz').body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('xyz');
    expect((await reader.read()).done).toBe(true);
  });

  it('clones before a read, and converts to a real Response for oauth4webapi', async () => {
    const res = new OkrResponse('{"ok":true}', {
      status: 400,
      statusText: 'Bad',
      headers: { 'x-a': '1' },
      url: 'http://127.0.0.1/t',
    });
    const copy = res.clone();
    expect(await copy.text()).toBe('{"ok":true}');
    const real = await toStandardResponse(res as unknown as Response);
    expect(real).toBeInstanceOf(Response);
    expect([real.status, real.statusText, real.headers.get('x-a'), real.url]).toEqual([
      400,
      'Bad',
      '1',
      'http://127.0.0.1/t',
    ]);
    expect(await real.json()).toEqual({ ok: true });
  });

  it('does not load undici (~9 MB resident in Node 20), nor web streams unless `body` is read', () => {
    // A fresh node: the module (compiled to JavaScript) in use, then Node's list of the internal
    // modules it loaded.
    const dir = mkdtempSync(join(tmpdir(), 'okr-response-'));
    try {
      const source = readFileSync(new URL('../../src/http/response.ts', import.meta.url), 'utf8');
      const file = join(dir, 'response.mjs');
      writeFileSync(file, transformSync(source, { loader: 'ts', format: 'esm' }).code, { flag: 'wx' });
      const script = `
        const { OkrResponse, OkrHeaders } = await import(${JSON.stringify(pathToFileURL(file).href)});
        const loaded = (name) => process.moduleLoadList.some((m) => m.includes(name));
        const r = new OkrResponse('{"a":1}', { headers: new OkrHeaders([['a', 'b']]) });
        await r.json(); r.headers.get('a');
        let n = 0;
        const source = { read: async () => (n++ < 2 ? new Uint8Array([0x61]) : null), cancel() {} };
        const text = await new OkrResponse(source).text();
        const before = loaded('webstreams/readablestream');
        new OkrResponse('x').body;
        process.stdout.write(JSON.stringify({ text, undici: loaded('undici'), before, after: loaded('webstreams/readablestream') }));`;
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(out.stderr).toBe('');
      // No web streams either until `body` is asked for (~3.5 ms and ~0.6 MB at their first use).
      expect(JSON.parse(out.stdout)).toEqual({ text: 'aa', undici: false, before: false, after: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
