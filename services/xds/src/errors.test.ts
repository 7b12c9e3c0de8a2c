// The error catalogue, the README's "Error codes" table and the code agree: every code in errors.ts
// is documented, every documented GH_XDS_ code exists, and production code spells codes (as string
// literals) only in XdsErrorCodes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XdsErrorCodes } from './errors.js';

const catalogue = Object.values(XdsErrorCodes).sort();
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = /\n## Error codes\n([\s\S]*?)(?=\n## )/.exec(readme)?.[1] ?? '';
const codesIn = (text: string): string[] => [...new Set(text.match(/GH_XDS_[A-Z_]+/g) ?? [])].sort();

describe('error codes', () => {
  it('are all in the README table, and the table names no other', () => {
    expect(section).not.toBe('');
    expect(codesIn(section)).toEqual(catalogue);
  });

  it('appear in production code only through XdsErrorCodes', () => {
    const literals = readdirSync(import.meta.dirname, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'errors.ts')
      .flatMap((e) => [...readFileSync(join(e.parentPath, e.name), 'utf8').matchAll(/['"`](GH_XDS_[A-Z_]+)/g)].map((m) => `${e.name}: ${m[1]}`));
    expect(literals).toEqual([]);
  });
});
