import { describe, expect, it } from 'vitest';
import { fromSystemError } from '../src/errors.js';

const osError = (code: string, path?: string) =>
  Object.assign(new Error(`${code}: something`), { code, syscall: 'write', ...(path ? { path } : {}) });

describe('OS errors as one line and a hint', () => {
  it('a full disk says to free space, not to check permissions', () => {
    const e = fromSystemError(osError('ENOSPC', '/data/okr.db'));
    expect(e?.message).toBe('Cannot write /data/okr.db: the disk is full (ENOSPC).');
    expect(e?.hint).toBe("Free some space where /data/okr.db is (`df -h '/data/okr.db'`), then run the command again.");
    expect(fromSystemError(osError('EDQUOT'))?.hint).toBe('Free some space (`df -h`), then run the command again.');
  });

  it('a permission problem names the path and how to look at it; other errors are not OS errors', () => {
    expect(fromSystemError(osError('EACCES', '/x/y'))?.hint).toContain(
      "Check that /x/y and its folder belong to you and are writable (`ls -ld '/x/y'`)",
    );
    expect(fromSystemError(new Error('plain'))).toBeUndefined();
  });
});
