/**
 * The published provider samples, copied into the repository (`test/fixtures/<provider>/`, each
 * with its SOURCES.md: origin, licence, every edit), so a clone on its own passes its tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './helpers/home.js';

export interface ProviderFixtures {
  dir: string;
  /** Every `.json` sample file name, sorted. */
  list(): string[];
  text(name: string): string;
  json<T = unknown>(name: string): T;
}

/** The samples of one provider folder (`google-health`, `oura`, …). */
export function providerFixtures(provider: string): ProviderFixtures {
  const dir = resolve(REPO_ROOT, 'test', 'fixtures', provider);
  const text = (name: string) => readFileSync(resolve(dir, name), 'utf8');
  return {
    dir,
    list: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    text,
    json: <T = unknown>(name: string) => JSON.parse(text(name)) as T,
  };
}

const googleHealth = providerFixtures('google-health');
export const GOOGLE_HEALTH_FIXTURES = googleHealth.dir;
export const listFixtures = googleHealth.list;
export const fixtureText = googleHealth.text;
export const fixture = googleHealth.json;
