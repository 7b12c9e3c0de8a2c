// The README's error table names exactly the codes the package throws.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PKI_ERROR_CODES } from './errors.js';

describe('@gatehouse/pki errors', () => {
  it('are the codes of the README table, in its order', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.split('## Errors')[1]!;
    expect([...table.matchAll(/^\| `(GH_PKI_[A-Z_]+)` \|/gm)].map((m) => m[1])).toEqual([...PKI_ERROR_CODES]);
  });
});
