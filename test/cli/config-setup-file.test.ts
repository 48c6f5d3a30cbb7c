import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { runCli, tempHome } from '../helpers/cli.js';

// `okr config setup fitbit --from-file`: the JSON Google's console downloads for a client.
describe('config setup --from-file', () => {
  it("imports a Desktop app client's id and secret, the secret into the secret store", async () => {
    const home = tempHome();
    const file = join(home, 'client_secret_123.json');
    writeFileSync(
      file,
      JSON.stringify({
        installed: {
          client_id: '123-abc.apps.googleusercontent.com',
          client_secret: 'GOCSPX-file-secret',
          redirect_uris: ['http://localhost'],
        },
      }),
    );
    const r = await runCli(['config', 'setup', 'fitbit', '--from-file', file, '--insecure-storage'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Imported plugin.fitbit.client_id and plugin.fitbit.client_secret');
    expect(r.stdout).toContain('fitbit is configured. Next: okr connect fitbit');
    expect(r.stdout + r.stderr).not.toContain('GOCSPX-file-secret');
    const ctx = createContext({ env: { OKR_HOME: home } });
    expect(await ctx.config.resolve('plugin.fitbit.client_id')).toMatchObject({
      value: '123-abc.apps.googleusercontent.com',
      source: 'file',
    });
    expect(await ctx.config.resolve('plugin.fitbit.client_secret')).toMatchObject({
      value: 'GOCSPX-file-secret',
      source: 'secrets-file',
    });
  });

  it('refuses a Web application client and a file that is not a client file, storing nothing', async () => {
    const home = tempHome();
    const web = join(home, 'web.json');
    writeFileSync(web, JSON.stringify({ web: { client_id: 'w', client_secret: 'GOCSPX-web' } }));
    const r = await runCli(['config', 'setup', 'fitbit', '--from-file', web], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('okr needs a "Desktop app" client');
    const junk = join(home, 'junk.json');
    writeFileSync(junk, '{"not": "a client"}');
    const j = await runCli(['config', 'setup', 'fitbit', '--from-file', junk], { home });
    expect(j.code).toBe(1);
    expect(j.stderr).toContain('not a Google OAuth client file');
    const missing = await runCli(['config', 'setup', 'fitbit', '--from-file', join(home, 'nope.json')], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read');
    const list = await runCli(['config', 'list', '--json'], { home });
    expect(
      JSON.parse(list.stdout).filter((k: { source: string }) => k.source === 'file' || k.source === 'keychain'),
    ).toEqual([]);
  });
});
