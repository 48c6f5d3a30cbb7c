/** The demo record of a home `okr demo --home` made: which home its hints name. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoRecord, staleDemoHome, writeDemoRecord } from '../src/demo/record.js';
import { ConfFile } from '../src/store/conf-file.js';
import { tempHome } from './helpers/cli.js';

describe('demoRecord', () => {
  it('names the home in use (where its conf file is), not the folder the demo was made in', () => {
    const home = tempHome();
    mkdirSync(join(home, 'config'), { recursive: true });
    const conf = new ConfFile(join(home, 'config', 'config.json'));
    writeDemoRecord(conf, { home: '/elsewhere/original-demo', createdAt: '2026-12-03T10:00:00.000Z' });
    expect(demoRecord(conf)).toEqual({ home, createdAt: '2026-12-03T10:00:00.000Z' });
    expect(staleDemoHome(conf, () => false)?.home).toBe(home);
  });

  it('keeps the stored folder for a conf file outside an OKR_HOME layout', () => {
    const dir = join(tempHome(), 'okr');
    mkdirSync(dir, { recursive: true });
    const conf = new ConfFile(join(dir, 'config.json'));
    writeDemoRecord(conf, { home: '/elsewhere/original-demo', createdAt: '2026-12-03T10:00:00.000Z' });
    expect(demoRecord(conf)?.home).toBe('/elsewhere/original-demo');
  });
});
