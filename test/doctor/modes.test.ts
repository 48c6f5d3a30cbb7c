/**
 * `okr doctor` reports the modes it finds, with the built binary: a 0777 OKR_HOME and a 0644
 * secrets.json are flagged (the probe found the first passed and the second warned while the
 * keychain line still said "0600 file"), and a healthy home lists the real modes.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/doctor/checks.js';
import { runBin, tempHome } from '../helpers/cli.js';

const ENV = { OKR_SECRETS: 'file', DBUS_SESSION_BUS_ADDRESS: '' };
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function doctor(home: string) {
  const r = await runBin(['doctor', '--json'], { home, env: ENV });
  const checks = JSON.parse(r.stdout).checks as CheckResult[];
  return { code: r.code, byId: Object.fromEntries(checks.map((c) => [c.id, c])) as Record<string, CheckResult> };
}

/** A home with a setting and a secret in the plain-text file, made by okr itself. */
async function homeWithSecrets(): Promise<string> {
  const root = tempHome('okr-doctor-modes-');
  roots.push(root);
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  const set = await runBin(['config', 'set', 'plugin.fitbit.client_secret', '--stdin'], {
    home,
    env: ENV,
    stdin: 'GOCSPX-doctor-modes',
  });
  expect(set.code, set.stderr).toBe(0);
  const db = await runBin(['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number'], { home, env: ENV });
  expect(db.code, db.stderr).toBe(0);
  return home;
}

describe('doctor and file modes', () => {
  it('a healthy home: the real modes of OKR_HOME, the folders and the files', async () => {
    const home = await homeWithSecrets();
    const d = await doctor(home);
    expect(d.byId.permissions!.status).toBe('pass');
    expect(d.byId.permissions!.detail).toBe(
      'modes: OKR_HOME 700, config folder 700, data folder 700, config.json 600, secrets.json 600, okr.db 600',
    );
    expect(d.byId.keychain!.detail).toBe(
      `not used: secrets are in the plain-text file ${join(home, 'config', 'secrets.json')} (secrets.store = file, mode 600)`,
    );
  });

  it('a 0777 OKR_HOME and a 0644 secrets.json are reported with their real modes', async () => {
    const home = await homeWithSecrets();
    const secrets = join(home, 'config', 'secrets.json');
    chmodSync(home, 0o777);
    chmodSync(secrets, 0o644);
    const d = await doctor(home);
    expect(d.code).toBe(1);
    const perms = d.byId.permissions!;
    expect(perms.status).toBe('fail');
    expect(perms.detail).toContain(`OKR_HOME ${home} is 777: other users can rename or replace okr's folders in it`);
    expect(perms.detail).toContain(`${secrets} is 644: other users can read your secrets`);
    expect(perms.detail).toContain(
      '(modes: OKR_HOME 777, config folder 700, data folder 700, config.json 600, secrets.json 644',
    );
    expect(perms.fix).toBe(`chmod 700 '${home}' && chmod 600 '${secrets}'`);
    // The keychain line no longer claims a 0600 file.
    expect(d.byId.keychain!.detail).toContain('mode 644: readable by others');
    expect(d.byId.keychain!.detail).not.toContain('0600');
  });

  it('a loose OKR_HOME alone is a warning, with the chmod that fixes it', async () => {
    const home = await homeWithSecrets();
    chmodSync(home, 0o757);
    const d = await doctor(home);
    expect(d.code).toBe(0);
    expect(d.byId.permissions).toMatchObject({ status: 'warn' });
    expect(d.byId.permissions!.detail).toContain(`OKR_HOME ${home} is 757`);
    expect(d.byId.permissions!.fix).toContain(`chmod 700 '${home}'`);
  });

  it('a config.json that is a symbolic link fails the permissions check', async () => {
    const home = await homeWithSecrets();
    const elsewhere = join(home, 'elsewhere.json');
    writeFileSync(elsewhere, '{"values":{}}');
    const conf = join(home, 'config', 'config.json');
    rmSync(conf);
    const { symlinkSync } = await import('node:fs');
    symlinkSync(elsewhere, conf);
    const d = await doctor(home);
    expect(d.byId.permissions).toMatchObject({ status: 'fail' });
    expect(d.byId.permissions!.detail).toContain(`${conf} is a symbolic link`);
    expect(d.byId.config).toMatchObject({ status: 'fail' });
    expect(d.byId.config!.detail).toContain('symbolic link');
  });
});
