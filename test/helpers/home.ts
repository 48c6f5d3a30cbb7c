import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** A fresh folder for OKR_HOME; never the real home. */
export function tempHome(prefix = 'okr-home-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
