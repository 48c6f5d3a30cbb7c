import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, tempHome } from './helpers/cli.js';

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('okr demo (the built binary, offline, from a clean home)', () => {
  it('configures, connects, syncs 30 days and shows the table and a chart, touching nothing of the user', async () => {
    const userHome = tempHome('okr-user-home-');
    const r = await runBin(['demo'], { home: userHome, env: { DBUS_SESSION_BUS_ADDRESS: '' }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    // Every step, in order.
    const steps = [
      '1. A fresh home',
      '2. The Google Health simulator',
      '3. Configure the fitbit plugin',
      '4. Connect',
      '5. Sync the last 30 days',
      '6. The metrics',
      '7. Done',
    ];
    let at = -1;
    for (const s of steps) {
      const i = out.indexOf(s);
      expect(i, `missing step "${s}"`).toBeGreaterThan(at);
      at = i;
    }
    expect(out).toContain('plain-text 0600 file inside it');
    expect(out).toMatch(/✓ Connected Fitbit \(Google Health\) as \d+\./);
    expect(out).toContain('Created the metric template "default"');
    expect(out).toMatch(/fitbit: ok, 30 days, \d+ values written, \d+ calls/);
    // The table: header, 14 day rows, the summary rows.
    expect(out).toMatch(/date\s+length\s+time\s+time\s+Steps/);
    expect(out).toMatch(/^avg\s+\d:\d\d\s+\d\d:\d\d\s+\d\d:\d\d/m);
    // The chart of sleep: 8 rows of bars and an axis.
    expect(out).toMatch(/Sleep length, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d/);
    expect(out.split('\n').filter((l) => /^\s*(\d+:\d\d)? ┤/.test(l))).toHaveLength(8);
    expect(out).toContain('okr config setup fitbit');
    // The user's own home was not touched, and the temporary one is gone.
    expect(readdirSync(userHome)).toEqual([]);
    const demoHome = /OKR_HOME=(\S+) \(temporary/.exec(out)![1]!;
    expect(existsSync(demoHome)).toBe(false);
    // The simulator is not left listening.
    const port = Number(/at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    expect(await portRefuses(port)).toBe(true);
  });

  it('keeps its data with --home, readable offline afterwards', async () => {
    const keep = join(tempHome(), 'demo');
    const r = await runBin(['demo', '--home', keep, '--days', '10'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`The demo's data stays in ${keep}`);
    const show = await runBin(['metrics', 'show', '--offline', '--since', '10d', '--json'], { home: keep });
    expect(show.code, show.stderr).toBe(0);
    const json = JSON.parse(show.stdout);
    expect(JSON.stringify(json)).toContain('fitbit.sleepLength');
  });

  it('refuses a bad --days', async () => {
    const r = await runBin(['demo', '--days', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--days must be a whole number from 1 to 730');
  });
});
