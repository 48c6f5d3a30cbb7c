import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { buildJob, findSessionBus, resolveOkrScript } from '../../src/schedule/job.js';
import { REPO_ROOT } from '../helpers/home.js';

const fakeCtx = (env: Record<string, string | undefined>, platform: NodeJS.Platform = 'linux') =>
  ({ env, platform }) as unknown as Context;
const paths = { node: '/opt/node/bin/node', okr: '/opt/okr/bin/okr.js' };

describe('the job', () => {
  it('finds bin/okr.js of this checkout from the module’s own location', () => {
    expect(resolveOkrScript()).toBe(join(REPO_ROOT, 'bin', 'okr.js'));
    expect(resolveOkrScript(join(REPO_ROOT, 'dist', 'chunk-ABC.js'))).toBe(join(REPO_ROOT, 'bin', 'okr.js'));
    expect(() => resolveOkrScript('/nowhere/at/all/x.js')).toThrow(/Cannot find bin\/okr\.js/);
  });

  it('carries OKR_HOME, the XDG folders and OKR_SECRETS, made absolute; nothing else from the shell', () => {
    const { job } = buildJob(
      fakeCtx({
        OKR_HOME: 'rel/okr',
        XDG_STATE_HOME: '/home/u/.state',
        OKR_SECRETS: 'file',
        FITBIT_CLIENT_SECRET: 'never-carried',
        PATH: '/home/u/.nvm/bin:/usr/bin',
      }),
      'systemd',
      paths,
    );
    expect(job).toEqual({
      node: '/opt/node/bin/node',
      okr: '/opt/okr/bin/okr.js',
      args: ['schedule', 'run'],
      env: { OKR_HOME: join(process.cwd(), 'rel/okr'), XDG_STATE_HOME: '/home/u/.state', OKR_SECRETS: 'file' },
    });
  });

  it('on macOS: no XDG folders and no D-Bus, even for cron', () => {
    const { job, bus } = buildJob(
      fakeCtx(
        { OKR_HOME: '/Users/u/okr', XDG_CONFIG_HOME: '/Users/u/.config', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' },
        'darwin',
      ),
      'cron',
      paths,
    );
    expect(job.env).toEqual({ OKR_HOME: '/Users/u/okr' });
    expect(bus).toBeUndefined();
  });

  it('refuses a line break in what the job would carry', () => {
    expect(() => buildJob(fakeCtx({ OKR_HOME: '/a\nb' }), 'cron', paths)).toThrow(/line break/);
  });

  it('session bus: this shell’s address when there is no per-user socket', () => {
    const none = join(REPO_ROOT, 'no-such-runtime-dir');
    expect(existsSync(none)).toBe(false);
    expect(findSessionBus({ XDG_RUNTIME_DIR: none, DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/x' }, 1000)).toEqual({
      address: 'unix:abstract=/tmp/x',
      source: 'session',
    });
    expect(findSessionBus({ XDG_RUNTIME_DIR: none }, 1000)).toBeUndefined();
  });
});
