// The README's Security table (attack → defence → test) stays true: every test it names exists, and every quoted
// test title is one that file declares. A renamed or deleted security test fails here, not silently in the docs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../service.js';

interface Reference {
  readonly file: string;
  readonly titles: string[];
}

/** The test cells of the table: `path` followed by "title prefix" quotes; a bare file name continues the last path's folder. */
function references(cell: string): Reference[] {
  const refs: Reference[] = [];
  let folder = '';
  for (const part of cell.split(/;\s*/)) {
    const path = /`([^`]+\.(?:ts|yaml))`/.exec(part)?.[1];
    if (!path) continue;
    const file = path.includes('/') ? path : join(folder, path);
    folder = file.slice(0, file.lastIndexOf('/'));
    const titles = [...part.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.replace(/\s*…$/, '').replace(/ …/g, ''));
    refs.push({ file, titles });
  }
  return refs;
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Security'), readme.indexOf('\n## ', readme.indexOf('## Security') + 1));
const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| attack') && !line.startsWith('|---'));

describe("README's Security table", () => {
  it('has a row per attack, each naming at least one test', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const row of rows) expect(references(row.split(' | ').at(-1)!), row).not.toEqual([]);
  });

  it.each(rows.map((row) => [row.slice(2, 70), row] as const))('names tests that exist: %s', (_label, row) => {
    for (const { file, titles } of references(row.split(' | ').at(-1)!)) {
      const path = join(repoRoot, file);
      expect(existsSync(path), file).toBe(true);
      const text = readFileSync(path, 'utf8').replace(/\\'/g, "'");
      for (const title of titles) expect(text, `${file} declares a test titled "${title}…"`).toContain(title);
    }
  });
});
