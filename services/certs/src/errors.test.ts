// errors.ts and the README's "Error codes" table name the same codes, both ways.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CertsError, CertsErrorCodes } from './errors.js';

function readmeCodes(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Error codes'));
  if (!section) throw new Error('the README has no "## Error codes" section');
  return [...section.matchAll(/^\| `(GH_CERTS_[A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string);
}

describe('error codes', () => {
  it('lists every code of errors.ts in the README, and nothing else', () => {
    const inCode = Object.values(CertsErrorCodes).sort();
    const inReadme = readmeCodes().sort();
    expect(inReadme.filter((c) => !inCode.includes(c as never))).toEqual([]);
    expect(inCode.filter((c) => !inReadme.includes(c))).toEqual([]);
    expect(new Set(inReadme).size).toBe(inReadme.length);
  });

  it('puts the code first in the message and keeps it on the error', () => {
    const err = new CertsError(CertsErrorCodes.NO_SOLVER, 'no solver can prove *.example.com');
    expect(err.message).toBe('GH_CERTS_NO_SOLVER: no solver can prove *.example.com');
    expect(err.code).toBe('GH_CERTS_NO_SOLVER');
    expect(err).toBeInstanceOf(Error);
  });
});
