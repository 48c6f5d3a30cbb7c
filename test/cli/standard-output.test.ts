/**
 * The built CLI writes a file, a pipe or /dev/null with fs.writeSync and a terminal through
 * Node's stream (src/io.ts, standardOutput). Large output must arrive whole and in order every
 * way, including through a non-blocking pipe that fills up (EAGAIN hands over to Node's stream).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir, tempHome } from '../helpers/cli.js';

const DAYS = 1500; // x 4 metrics: an export of about 150 KB, more than a pipe holds (64 KB)
let home: string;
let dir: string;
let expected: string;

function okrEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1' };
}

beforeAll(() => {
  home = tempHome();
  dir = tempDir('okr-stdout-');
  const rows = ['date,metric,value,type'];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < DAYS; i++) {
    const date = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    rows.push(`${date},mood,${i % 10},number`, `${date},sleep,7:${String(i % 60).padStart(2, '0')},duration`);
    rows.push(`${date},bedtime,23:${String(i % 60).padStart(2, '0')},time`, `${date},note,day ${i} was fine,text`);
  }
  writeFileSync(join(dir, 'in.csv'), `${rows.join('\n')}\n`);
  const imported = spawnSync(process.execPath, [BIN, 'metrics', 'import', join(dir, 'in.csv')], {
    env: okrEnv(),
    encoding: 'utf8',
  });
  expect(imported.status, imported.stderr).toBe(0);
  // The reference: okr writing to its own output file (-o), not standard output.
  const out = join(dir, 'reference.csv');
  const ref = spawnSync(process.execPath, [BIN, 'metrics', 'export', '-o', out], { env: okrEnv(), encoding: 'utf8' });
  expect(ref.status, ref.stderr).toBe(0);
  expected = readFileSync(out, 'utf8');
  expect(expected.length).toBeGreaterThan(100_000);
  expect(expected.split('\n').filter(Boolean)).toHaveLength(DAYS * 4 + 1);
});

describe('standard output of the built CLI', () => {
  it('writes a redirected file whole', () => {
    const file = join(dir, 'redirected.csv');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" metrics export > "${file}"`], {
      env: okrEnv(),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('writes a pipe whole, however slowly it is read', async () => {
    const child = spawn(process.execPath, [BIN, 'metrics', 'export'], { env: okrEnv() });
    await new Promise((r) => setTimeout(r, 300)); // let the pipe fill before reading
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(out).toBe(expected);
  });

  it('hands over to Node when a full non-blocking pipe refuses a write, and keeps the order', () => {
    // A parent that makes okr's standard output a non-blocking pipe and reads it only after a
    // pause, so okr's writes fail with EAGAIN once the pipe is full. Python, because Node (libuv)
    // makes a child's standard streams blocking.
    const parent = `
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
child = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
time.sleep(0.5)
with os.fdopen(r, 'rb') as pipe:
    data = pipe.read()
sys.stdout.buffer.write(data)
sys.exit(child.wait())
`;
    const r = spawnSync('python3', ['-c', parent, process.execPath, BIN, 'metrics', 'export'], {
      env: okrEnv(),
      encoding: 'utf8',
      maxBuffer: 10_000_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expected);
  });

  it('writes to /dev/null without complaint', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" metrics export > /dev/null`], {
      env: okrEnv(),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
