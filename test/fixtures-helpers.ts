/**
 * The published provider samples, copied into the repository (`test/fixtures/<provider>/`, each
 * with its SOURCES.md: origin, licence, every edit), so a clone on its own passes its tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './helpers/home.js';

export const GOOGLE_HEALTH_FIXTURES = resolve(REPO_ROOT, 'test', 'fixtures', 'google-health');

/** Every `.json` sample file name. */
export function listFixtures(): string[] {
  return readdirSync(GOOGLE_HEALTH_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function fixtureText(name: string): string {
  return readFileSync(resolve(GOOGLE_HEALTH_FIXTURES, name), 'utf8');
}

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}
