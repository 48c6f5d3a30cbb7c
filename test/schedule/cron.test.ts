import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { writeDemoRecord } from '../../src/demo/record.js';
import { CRON_BEGIN, CRON_END, splitCrontab, withEntry } from '../../src/schedule/backends/cron.js';
import { parseCron } from '../../src/schedule/cron-expr.js';
import { resolveOkrScript } from '../../src/schedule/job.js';
import { runCli } from '../helpers/cli.js';
import { fakeMachine } from './fakes.js';

// 14:23:41 local time: hourly jobs run at minute 23.
const NOW = new Date(2026, 2, 10, 14, 23, 41);
const now = () => NOW;
const NODE = process.execPath;
const OKR = resolveOkrScript();

const USER_CRONTAB =
  'MAILTO=me@example.com\n# nightly backup\n0 5 * * *   /usr/bin/backup --all  \n\n*/10 * * * * echo "50%" > /dev/null\n';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function statusJson(fm: ReturnType<typeof fakeMachine>) {
  const r = await runCli(['schedule', 'status', '--json'], { home: fm.okrHome, env: fm.env, now });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('okr schedule with cron (fake crontab on PATH)', () => {
  it('install → status → remove → status, keeping the user’s other lines byte-for-byte', async () => {
    const fm = fakeMachine({ systemctl: false });
    fm.setCrontab(USER_CRONTAB);

    const inst = await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], {
      home: fm.okrHome,
      env: fm.env,
      now,
    });
    expect(inst.stderr).toBe('');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain(
      'Installed: okr sync every 1h, at minute 23 of every hour, with cron; next run 2026-03-10 15:23.',
    );

    const entry = `23 * * * * OKR_HOME=${fm.okrHome} XDG_CONFIG_HOME=${fm.xdgConfig} ${NODE} ${OKR} schedule run`;
    expect(fm.crontab()).toBe(`${USER_CRONTAB}${CRON_BEGIN}\n${entry}\n${CRON_END}\n`);
    // The entry's five time fields are valid cron.
    const fields = entry.split(' ').slice(0, 5).join(' ');
    expect([...parseCron(fields).minute]).toEqual([23]);
    expect(parseCron(fields).hour.size).toBe(24);

    const st = await statusJson(fm);
    expect(st).toMatchObject({
      installed: true,
      backend: 'cron',
      every: '1h',
      schedule: '23 * * * *',
      present: true,
      nextRun: new Date(2026, 2, 10, 15, 23).toISOString(),
      nextRunSource: 'computed',
      command: [NODE, OKR, 'schedule', 'run'],
      env: { OKR_HOME: fm.okrHome, XDG_CONFIG_HOME: fm.xdgConfig },
      lastRun: null,
      problems: [],
    });

    const human = await runCli(['schedule', 'status'], { home: fm.okrHome, env: fm.env, now });
    expect(human.stdout).toContain('next run:  2026-03-10 15:23 (from "23 * * * *")');

    const rm = await runCli(['schedule', 'remove'], { home: fm.okrHome, env: fm.env, now });
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('the okr-sync entry from your crontab');
    expect(fm.crontab()).toBe(USER_CRONTAB);

    const after = await statusJson(fm);
    expect(after).toMatchObject({ installed: false, backend: null, present: false, problems: [] });
    // Nothing but reads and writes through `crontab`: never a spool file.
    expect(fm.calls('crontab').every((c) => c === '-l' || c === '-')).toBe(true);
  });

  it('a demo home is not scheduled: its simulators run only during the demo', async () => {
    const fm = fakeMachine({ systemctl: false });
    fm.setCrontab(USER_CRONTAB);
    const ctx = createContext({ env: { ...fm.env, OKR_HOME: fm.okrHome }, homedir: fm.okrHome });
    writeDemoRecord(ctx.conf, { home: fm.okrHome, createdAt: '2026-03-01T10:00:00.000Z' });
    ctx.close();
    const r = await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], {
      home: fm.okrHome,
      env: fm.env,
      now,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: This is a demo home (made by okr demo on 2026-03-01); its simulators run only during the demo',
    );
    expect(fm.crontab()).toBe(USER_CRONTAB);
  });

  it('installing twice replaces the entry instead of adding one', async () => {
    const fm = fakeMachine({ systemctl: false });
    fm.setCrontab(USER_CRONTAB);
    const opts = { home: fm.okrHome, env: fm.env, now };
    expect((await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts)).code).toBe(0);
    const again = await runCli(['schedule', 'install', '--backend', 'cron', '--every', '15m', '--no-preflight'], opts);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Replaced the existing cron job.');
    const text = fm.crontab()!;
    expect(text.split('\n').filter((l) => l === CRON_BEGIN)).toHaveLength(1);
    expect(text.split('\n').filter((l) => l.includes('schedule run'))).toHaveLength(1);
    expect(text.startsWith(USER_CRONTAB)).toBe(true);
    expect(splitCrontab(text).entry!.startsWith('8,23,38,53 * * * * ')).toBe(true);
    expect((await statusJson(fm)).nextRun).toBe(new Date(2026, 2, 10, 14, 38).toISOString());
  });

  it('removes the crontab it created, leaving no trace', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: fm.env, now };
    expect((await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts)).code).toBe(0);
    expect(fm.crontab()).toContain(CRON_BEGIN);
    const rm = await runCli(['schedule', 'remove'], opts);
    expect(rm.stdout).toContain('the crontab (okr had the only entry)');
    expect(fm.crontab()).toBeUndefined();
    expect(fm.calls('crontab').at(-1)).toBe('-r');
    // The conf file existed only for the schedule record: gone too.
    expect(rm.stdout).toContain(join(fm.okrHome, 'config', 'config.json'));
    const again = await runCli(['schedule', 'remove'], opts);
    expect(again.stdout).toBe('Nothing to remove: no okr schedule is installed.\n');
  });

  it('carries the per-user D-Bus socket when it exists, else this session’s address, else nothing', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = (env: Record<string, string | undefined>) => ({ home: fm.okrHome, env: { ...fm.env, ...env }, now });
    const install = async (env: Record<string, string | undefined>) => {
      expect((await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts(env))).code).toBe(0);
      return splitCrontab(fm.crontab()!).entry!;
    };
    expect(await install({})).not.toContain('DBUS_SESSION_BUS_ADDRESS');
    expect(await install({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-XYZ,guid=abc' })).toContain(
      'DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-XYZ,guid=abc ',
    );
    const socket = join(fm.runtimeDir, 'bus');
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    expect(await install({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-XYZ,guid=abc' })).toContain(
      `DBUS_SESSION_BUS_ADDRESS=unix:path=${socket} `,
    );
  });

  it('quotes paths for sh and escapes % for cron', async () => {
    const fm = fakeMachine({ systemctl: false });
    const odd = join(fm.root, "it's 100% okr");
    mkdirSync(odd);
    const r = await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], {
      home: odd,
      env: fm.env,
      now,
    });
    expect(r.code).toBe(0);
    expect(splitCrontab(fm.crontab()!).entry).toContain(`OKR_HOME='${fm.root}/it'\\''s 100\\% okr' `);
  });

  it('finds its entry when the end marker was deleted by hand', () => {
    const text = `A\n${CRON_BEGIN}\n23 * * * * /usr/bin/node /x/bin/okr.js schedule run\nB\n`;
    expect(splitCrontab(text)).toEqual({
      rest: 'A\nB\n',
      found: true,
      entry: '23 * * * * /usr/bin/node /x/bin/okr.js schedule run',
    });
  });

  it('says so when the crontab entry was removed behind its back', async () => {
    const fm = fakeMachine({ systemctl: false });
    const opts = { home: fm.okrHome, env: fm.env, now };
    await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts);
    fm.setCrontab(USER_CRONTAB);
    const st = await statusJson(fm);
    expect(st.present).toBe(false);
    expect(st.problems).toEqual([
      {
        what: 'the cron job is gone (crontab): it was removed outside okr',
        fix: 'okr schedule install --backend cron --every 1h',
      },
    ]);
  });

  describe('install then remove leaves every other byte of the crontab as it was', () => {
    const CRONTABS: Array<[string, Buffer]> = [
      ['no newline after the last line', Buffer.from('MAILTO=me@example.com\n0 5 * * * /usr/bin/backup')],
      ['CRLF line ends', Buffer.from('MAILTO=me\r\n0 5 * * * /usr/bin/backup\r\n')],
      ['CRLF, the last line without one', Buffer.from('MAILTO=me\r\n0 5 * * * /usr/bin/backup')],
      [
        'a comment in Latin-1 (not UTF-8)',
        Buffer.from('# sauvegarde \xe0 5h, caf\xe9\n0 5 * * * /usr/bin/backup\n', 'latin1'),
      ],
      ['only blank lines', Buffer.from('\n\n')],
      ['trailing spaces and tabs, blank lines at the end', Buffer.from('0 5 * * * backup \t \n\n\n')],
      ['one line, no newline', Buffer.from('@reboot /usr/bin/thing')],
    ];
    for (const [what, bytes] of CRONTABS) {
      it(what, async () => {
        const fm = fakeMachine({ systemctl: false });
        writeFileSync(fm.crontabFile, bytes);
        const opts = { home: fm.okrHome, env: fm.env, now };
        const inst = await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts);
        expect(inst.code, inst.stderr).toBe(0);
        const installed = readFileSync(fm.crontabFile);
        // The user's bytes come first, untouched (plus, at most, the newline ending their last line).
        expect(installed.subarray(0, bytes.length).equals(bytes)).toBe(true);
        const st = await statusJson(fm);
        expect(st).toMatchObject({ installed: true, present: true, problems: [] });
        // Installing again replaces the block and still keeps the bytes.
        expect(
          (await runCli(['schedule', 'install', '--backend', 'cron', '--every', '15m', '--no-preflight'], opts)).code,
        ).toBe(0);
        const rm = await runCli(['schedule', 'remove'], opts);
        expect(rm.code, rm.stderr).toBe(0);
        expect(rm.stdout).toContain('the okr-sync entry from your crontab');
        const after = readFileSync(fm.crontabFile);
        expect(after.toString('latin1')).toBe(bytes.toString('latin1'));
        expect(after.equals(bytes)).toBe(true);
      });
    }

    it('lines the user added after okr’s block stay, each on its own line', async () => {
      const fm = fakeMachine({ systemctl: false });
      fm.setCrontab('A');
      const opts = { home: fm.okrHome, env: fm.env, now };
      expect((await runCli(['schedule', 'install', '--backend', 'cron', '--no-preflight'], opts)).code).toBe(0);
      fm.setCrontab(`${fm.crontab()}B\n`);
      expect((await runCli(['schedule', 'remove'], opts)).code).toBe(0);
      expect(fm.crontab()).toBe('A\nB\n');
    });

    it('splitCrontab undoes withEntry for any text (property)', () => {
      const piece = fc.constantFrom('a', ' ', '\t', '\n', '\r', '\r\n', '#', '* * * * *', '\xe9', '\x00', '%', '@', '');
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
          const rest = parts.join('');
          const entry = '23 * * * * /usr/bin/node /x/bin/okr.js schedule run';
          const split = splitCrontab(withEntry(rest, entry));
          expect(split).toEqual({ rest, found: true, entry });
          // With nothing of okr's in it, a crontab passes through unchanged.
          expect(splitCrontab(rest)).toEqual({ rest, found: false, entry: undefined });
        }),
        { numRuns: 2000 },
      );
    });
  });
});
