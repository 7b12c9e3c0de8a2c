// Converts a Kubernetes structural OpenAPI v3 schema into JSON Schema that ajv can run.
// Kubernetes prunes unknown fields silently; we reject them instead (like `kubectl --validate=strict`),
// because a misspelled field that is silently ignored is a security bug in a gateway policy.
type Schema = Record<string, unknown>;

export function structuralToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structuralToJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'format') continue;
    out[key] = key === 'properties' ? mapValues(value as Schema, structuralToJsonSchema) : structuralToJsonSchema(value);
  }
  if (source['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const preservesUnknown = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties && out.additionalProperties === undefined && !preservesUnknown) out.additionalProperties = false;
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

function mapValues(object: Schema, fn: (value: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}
