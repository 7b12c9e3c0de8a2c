import { describe, expect, it } from 'vitest';
import { describeRegexProblem } from './regex.js';

describe('describeRegexProblem', () => {
  it('accepts RE2-compatible patterns', () => {
    for (const ok of ['^/users/[0-9]+$', '/api/(v1|v2)/.*', '^t-\\d{2,4}$', '[^/]+']) expect(describeRegexProblem(ok)).toBeUndefined();
  });
  it('rejects patterns that do not compile', () => {
    expect(describeRegexProblem('/users/[0-9')).toMatch(/is invalid/);
    expect(describeRegexProblem('(unclosed')).toMatch(/is invalid/);
  });
  it('rejects what RE2 refuses although JavaScript would accept it', () => {
    expect(describeRegexProblem('^(?!admin).*')).toMatch(/lookaround/);
    expect(describeRegexProblem('(?<=x)y')).toMatch(/lookaround/);
    expect(describeRegexProblem('(a)\\1')).toMatch(/backreferences/);
  });
});
