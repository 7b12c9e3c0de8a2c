// Converts a Kubernetes structural OpenAPI v3 schema into JSON Schema that ajv can run.
// Kubernetes prunes unknown fields silently; we reject them instead (like `kubectl --validate=strict`),
// because a misspelled field that is silently ignored is a security bug in a gateway policy.
type Schema = Record<string, unknown>;

/** Value-validation keywords: in a structural schema their branches only add constraints. */
const BRANCH_KEYWORDS = new Set(['oneOf', 'anyOf', 'allOf', 'not']);

/**
 * `inBranch`: inside a oneOf/anyOf/allOf/not branch. Such a branch may name properties only to
 * constrain them (the API server takes a structural schema's fields from the outer schema), so
 * it must not be closed to the fields it does not name, or every object would fail the branch.
 */
export function structuralToJsonSchema(node: unknown, inBranch = false): unknown {
  if (Array.isArray(node)) return node.map((item) => structuralToJsonSchema(item, inBranch));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'format') continue;
    const branch = inBranch || BRANCH_KEYWORDS.has(key);
    out[key] = key === 'properties' ? mapValues(value as Schema, (v) => structuralToJsonSchema(v, branch)) : structuralToJsonSchema(value, branch);
  }
  if (source['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const preservesUnknown = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties && out.additionalProperties === undefined && !preservesUnknown && !inBranch) out.additionalProperties = false;
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

function mapValues(object: Schema, fn: (value: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}
