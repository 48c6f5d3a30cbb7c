import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Folders made by tempDir in this test file; test/setup.ts removes them after the file's tests. */
const created: string[] = [];

/**
 * A fresh folder under the system temp folder, removed after the test file has run (the
 * `afterAll` in test/setup.ts). Every temp folder of the suite goes through here, so a test
 * cannot forget to clean up.
 */
export function tempDir(prefix = 'okr-tmp-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A fresh folder for OKR_HOME; never the real home. Removed like every tempDir. */
export function tempHome(prefix = 'okr-home-'): string {
  return tempDir(prefix);
}

/** Removes every folder tempDir made so far (test/setup.ts calls it after each test file). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
