// The generic "never ignore" check: every field of a policy that its kind's table marks refused is
// reported by path (with the input's array indices), so the policy is Accepted=False naming it
// rather than accepted and not enforced. Fields the table does not know are the schema's business.
import type { FieldSupport } from './field-support.js';

/** One message per refused field present in `spec`: "spec.retry.numAttemptsPerPriority: <reason>". */
export function findRefusedFields(spec: unknown, table: Readonly<Record<string, FieldSupport>>): string[] {
  const problems: string[] = [];
  walk(spec, 'spec', 'spec', table, problems);
  return problems;
}

function walk(value: unknown, key: string, shown: string, table: Readonly<Record<string, FieldSupport>>, problems: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, key, `${shown}[${i}]`, table, problems));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [field, child] of Object.entries(value)) {
    // A null is what the API server prunes: absent, not refused.
    if (child === undefined || child === null) continue;
    const childKey = `${key}.${field}`;
    const support = table[childKey];
    if (!support) continue;
    if (support.status === 'refused') problems.push(`${shown}.${field}: ${support.reason}`);
    else walk(child, childKey, `${shown}.${field}`, table, problems);
  }
}

/** The entry that decides a field: its own, else the nearest refused ancestor's (a refused object refuses all under it). */
export function supportOf(table: Readonly<Record<string, FieldSupport>>, path: string): FieldSupport | undefined {
  const own = table[path];
  if (own) return own;
  for (let cut = path.lastIndexOf('.'); cut > 0; cut = path.lastIndexOf('.', cut - 1)) {
    const parent = table[path.slice(0, cut)];
    if (parent?.status === 'refused') return parent;
  }
  return undefined;
}
