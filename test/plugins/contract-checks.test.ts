/** The contract suite's own checks catch what they should (the suite itself runs per plugin). */
import { describe, expect, it } from 'vitest';
import type { DataFieldDescriptor } from '../../src/plugins/types.js';
import { underBase, valueProblem } from '../plugin-contract.js';

const field = (type: DataFieldDescriptor['type']): DataFieldDescriptor => ({
  id: 'x',
  name: 'X',
  description: '',
  type,
});

describe('contract checks', () => {
  it('values must fit their declared type', () => {
    expect(valueProblem(field('number'), 12.5)).toBeUndefined();
    expect(valueProblem(field('number'), Number.NaN)).toMatch(/finite/);
    expect(valueProblem(field('number'), '12')).toMatch(/finite/);
    expect(valueProblem(field('duration'), 0)).toBeUndefined();
    expect(valueProblem(field('duration'), -1)).toMatch(/>= 0/);
    expect(valueProblem(field('time'), 1439)).toBeUndefined();
    expect(valueProblem(field('time'), 1440)).toMatch(/0\.\.1439/);
    expect(valueProblem(field('time'), 12.5)).toMatch(/0\.\.1439/);
    expect(valueProblem(field('boolean'), 1)).toBeUndefined();
    expect(valueProblem(field('boolean'), 2)).toMatch(/0 or 1/);
    expect(valueProblem(field('text'), 'hi')).toBeUndefined();
    expect(valueProblem(field('text'), 3)).toMatch(/string/);
  });

  it('a URL is under a base only at a path boundary', () => {
    expect(underBase('http://127.0.0.1:5/v4/users/me', 'http://127.0.0.1:5/v4')).toBe(true);
    expect(underBase('http://127.0.0.1:5/v4', 'http://127.0.0.1:5/v4/')).toBe(true);
    expect(underBase('http://127.0.0.1:5/token?x=1', 'http://127.0.0.1:5/token')).toBe(true);
    expect(underBase('http://127.0.0.1:5/v45/users', 'http://127.0.0.1:5/v4')).toBe(false);
    expect(underBase('http://127.0.0.1:55/v4/users', 'http://127.0.0.1:5')).toBe(false);
    expect(underBase('https://health.googleapis.com/v4/users', 'http://127.0.0.1:5/v4')).toBe(false);
  });
});
