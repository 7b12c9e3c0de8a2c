// The API server prunes null values of fields that are not `nullable: true` before it validates a
// custom resource (structural schemas), so `requestHeaderModifier: { add: , set: }` or `brotli: null`
// in YAML is as if the field were absent. Done here the same way, guided by the CRD's schema.
type Schema = { properties?: Record<string, Schema>; additionalProperties?: Schema | boolean; items?: Schema; nullable?: boolean };

/** Deletes, in place, every mapping entry whose value is null and whose schema is not nullable. */
export function pruneNulls(value: unknown, schema: Schema | undefined): void {
  if (!schema || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) pruneNulls(item, schema.items);
    return;
  }
  const record = value as Record<string, unknown>;
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, child] of Object.entries(record)) {
    const childSchema = schema.properties?.[key] ?? additional;
    if (!childSchema) continue; // an unknown field: reported by validation, not pruned
    if (child === null) {
      if (childSchema.nullable !== true) delete record[key];
    } else pruneNulls(child, childSchema);
  }
}
