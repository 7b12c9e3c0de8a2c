import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RateLimitErrorCodes } from './errors.js';

/** The codes in the first column of the README's "## Error codes" table. */
function readmeCodes(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Error codes'));
  if (!section) throw new Error('README.md has no "## Error codes" section');
  return [...section.matchAll(/^\| `(GH_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
}

describe('error codes', () => {
  it('lists every code of errors.ts in the README, and nothing else', () => {
    expect(readmeCodes().sort()).toEqual(Object.values(RateLimitErrorCodes).sort());
  });

  it('names each code once', () => {
    const codes = Object.values(RateLimitErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
