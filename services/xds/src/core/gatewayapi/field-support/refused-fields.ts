// Finds the fields of a resource that a field table refuses: each becomes a status naming it.
// Paths are dotted without array indices (spec.cors.allowOrigins), as the tables are keyed.
import type { FieldSupport } from './field-support.js';

/** The entry that decides a field: its own, else the nearest refused ancestor's. */
export function supportOf(table: Readonly<Record<string, FieldSupport>>, path: string): FieldSupport | undefined {
  const own = table[path];
  if (own) return own;
  for (let cut = path.lastIndexOf('.'); cut > 0; cut = path.lastIndexOf('.', cut - 1)) {
    const parent = table[path.slice(0, cut)];
    if (parent?.status === 'refused') return parent;
  }
  return undefined;
}

/** "spec.x.y is not supported: reason" for every refused field present in `value` (the outermost one of a subtree). */
export function refusedFields(table: Readonly<Record<string, FieldSupport>>, value: unknown, path = 'spec'): string[] {
  const found: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, at);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [field, child] of Object.entries(node)) {
      const childPath = `${at}.${field}`;
      const support = table[childPath];
      if (support?.status === 'refused') {
        if (!found.some((f) => f.startsWith(`${childPath} `))) found.push(`${childPath} is not supported: ${support.reason}`);
        continue;
      }
      walk(child, childPath);
    }
  };
  walk(value, path);
  return found;
}
