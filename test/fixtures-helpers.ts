/**
 * The shared Google Health samples. They live beside the repository (`../shared/fixtures/`), both
 * here and in CI's checkout, so the folder is found from the repository root, not from a URL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './helpers/home.js';

export const GOOGLE_HEALTH_FIXTURES = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'google-health');

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
