// No import cycles anywhere in the repository's production code (services/*/src, packages/*/src):
// every relative import, type-only ones included, is an edge; a strongly connected component of more
// more than one file (or a file importing itself) fails the test, naming the files. Generated code is left out.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    // Generated protobuf types mirror recursive messages (a Matcher holds Matchers): not ours to shape.
    .filter((e) => !e.parentPath.split(sep).includes('generated'))
    .map((e) => join(e.parentPath, e.name));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), (match[1] ?? match[2])!);
    const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts')];
    const hit = candidates.find((c) => existsSync(c));
    if (hit) found.push(hit);
  }
  return found;
}

/** Tarjan's strongly connected components; returns those that form a cycle. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) out.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return out;
}

describe('import graph', () => {
  it('has no cycles in services/*/src and packages/*/src', () => {
    const dirs = ['services', 'packages'].flatMap((top) =>
      readdirSync(join(root, top), { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(join(root, top, e.name, 'src')))
        .map((e) => join(root, top, e.name, 'src')),
    );
    const graph = new Map(dirs.flatMap(sourceFiles).map((file) => [file, importsOf(file)]));
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph).map((component) => component.map((f) => relative(root, f)))).toEqual([]);
  });
});
