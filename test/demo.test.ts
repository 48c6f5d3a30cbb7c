import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
      '2. The provider simulator',
      '3. Configure the fitbit and oura plugins',
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
    // It says what really opens: its own browser, which approves by itself.
    expect(r.stderr).toContain("Opening the demo's browser, which approves by itself, to sign in");
    expect(r.stderr).not.toContain('Opening the browser');
    expect(out).toMatch(/✓ Connected Fitbit \(Google Health\) as \d+\./);
    expect(out).toContain('Created the metric template "default"');
    expect(out).toMatch(/fitbit: ok, 30 days, \d+ values written, \d+ calls/);
    // Both providers: oura connected through its exact registered redirect, synced, in one template.
    expect(out).toMatch(/✓ Connected Oura as \S+@\S+ \(/);
    expect(out).toContain('Added oura\'s fields to the metric template "default"');
    expect(out).toMatch(/oura: ok, 30 days, \d+ values written, \d+ calls/);
    expect(out).toMatch(/Readiness\s+Sleep\s+Activity/);
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

  it('draws the sleep chart of a long sync over its last 70 days, within 80 columns', async () => {
    const r = await runBin(['demo', '--days', '120'], { home: tempHome(), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Sleep length, the last 70 days, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(blank: no data\)$/m,
    );
    const chart = r.stdout.split('\n').filter((l) => /^\s*(\d+:\d\d)? [┤└]/.test(l));
    expect(chart).toHaveLength(9); // 8 rows of bars and the axis
    expect(chart.map((l) => l.replace(/^.*[┤└]/, '').length)).toEqual(Array(9).fill(70));
    expect(chart.filter((l) => l.length > 80)).toEqual([]);
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

  it('a kept demo home says it is one once the demo is over, and okr demo --home runs there again', async () => {
    const keep = join(tempHome(), 'demo');
    const first = await runBin(['demo', '--home', keep, '--days', '5'], { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`run \`okr demo --home ${keep}\` again`);
    // The simulator is gone: sync says so at once, with the command, instead of retrying a dead port.
    const sync = await runBin(['sync', '--json'], { home: keep });
    expect(sync.code).toBe(1);
    const plugins = JSON.parse(sync.stdout).plugins;
    expect(plugins.map((p: { plugin: string }) => p.plugin)).toEqual(['fitbit', 'oura']);
    for (const plugin of plugins) {
      expect(plugin).toMatchObject({ status: 'error', calls: 0, retries: 0 });
      expect(plugin.error).toContain('This is a demo home');
      expect(plugin.hint).toContain(`okr demo --home ${keep}`);
    }
    // connect says so too, at once, instead of serving a sign-in page for a dead port.
    const connect = await runBin(['connect', 'fitbit', '--no-browser'], { home: keep, timeoutMs: 20_000 });
    expect([connect.code, connect.stdout]).toEqual([1, '']);
    expect(connect.stderr).toContain('error: This is a demo home');
    expect(connect.stderr).toContain(`hint: okr demo --home ${keep}`);
    const status = await runBin(['status'], { home: keep });
    expect(status.stdout).toContain('This is a demo home');
    expect(status.stdout).toContain(`re-run the demo there: okr demo --home ${keep}`);
    // Copied (or moved) elsewhere, it is still a demo home, and every hint names the copy: the
    // home in use, not the folder the demo was made in.
    const copy = join(tempHome(), 'copied');
    cpSync(keep, copy, { recursive: true });
    const copySync = await runBin(['sync', '--json'], { home: copy });
    expect(copySync.code).toBe(1);
    for (const plugin of JSON.parse(copySync.stdout).plugins) {
      expect(plugin.error).toContain('This is a demo home');
      expect(plugin.hint).toContain(`okr demo --home ${copy}\``);
      expect(plugin.hint).not.toContain(keep);
    }
    const copyStatus = await runBin(['status'], { home: copy });
    expect(copyStatus.stdout).toContain(`re-run the demo there: okr demo --home ${copy}\n`);
    expect(JSON.parse((await runBin(['status', '--json'], { home: copy })).stdout).demo.home).toBe(copy);
    const copyDoctor = await runBin(['doctor'], { home: copy });
    expect(copyDoctor.stdout).toContain(`fix: okr demo --home ${copy} `);
    expect(copyDoctor.stdout).not.toContain(`okr demo --home ${keep}`);
    // Re-running the demo on its own home works, and syncs again.
    const again = await runBin(['demo', '--home', keep, '--days', '5'], { timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/fitbit: ok, 5 days, \d+ values written/);
  });

  it('okr demo --home refuses a folder with other files in it, and leaves them as they were', async () => {
    const dir = tempHome();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await runBin(['demo', '--home', dir], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir} is not empty and is not a demo home`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a bad --days', async () => {
    const r = await runBin(['demo', '--days', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --days must be a whole number from 1 to 730, got "many"\nhint: For example --days 90\n',
    );
  });
});
