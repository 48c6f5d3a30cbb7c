/** How database failures read: one line saying what failed, one saying what to do. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseError } from '../../src/store/db.js';
import { tempHome } from '../helpers/home.js';

describe('databaseError', () => {
  it('a native driver Node cannot load (as after a Node upgrade) says how to rebuild it', () => {
    // A real dlopen failure from Node: a file that is not a shared library.
    const bogus = join(tempHome(), 'better_sqlite3.node');
    writeFileSync(bogus, 'not a shared library');
    let dlopenError: unknown;
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, bogus);
    } catch (err) {
      dlopenError = err;
    }
    expect((dlopenError as NodeJS.ErrnoException).code).toBe('ERR_DLOPEN_FAILED');
    const err = databaseError('/x/okr.db', dlopenError);
    expect(err.message).toMatch(/^Cannot load the SQLite driver: /);
    expect(err.message).not.toContain('\n');
    expect(err.hint).toContain('npm rebuild better-sqlite3');
  });

  it('an ABI mismatch named only in the message is recognised too', () => {
    const abi = new Error(
      "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 127. This version of Node.js requires\nNODE_MODULE_VERSION 115.",
    );
    const err = databaseError('/x/okr.db', abi);
    expect(err.message).toBe(
      "Cannot load the SQLite driver: The module '/x/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 127. This version of Node.js requires NODE_MODULE_VERSION 115.",
    );
    expect(err.hint).toContain('npm rebuild better-sqlite3');
  });
});
