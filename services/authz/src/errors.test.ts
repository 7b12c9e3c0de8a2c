// The error catalogue and the README's "Error codes" table list the same codes: a code an operator
// sees in a deny body, a log line or /status can always be looked up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './errors.js';

function readmeCodes(): string[] {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('\n## ', readme.indexOf('## Error codes') + 1));
  // First column of the table rows: | `GH_AUTHZ_…` | …
  return [...section.matchAll(/^\| `(GH_AUTHZ_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
}

describe('error codes', () => {
  it('every code in errors.ts has a row in the README table, and every row is a code in errors.ts', () => {
    const documented = readmeCodes();
    expect(documented.length).toBeGreaterThan(0);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.values(ErrorCodes).sort());
  });
});
