// JSON -> google.protobuf.Struct in the object form protobufjs expects (camelCase Value fields).
export interface StructValue {
  nullValue?: 'NULL_VALUE';
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: Struct;
  listValue?: { values: StructValue[] };
}

export interface Struct {
  fields: Record<string, StructValue>;
}

/**
 * `convertObject` may supply the Struct for a top-level object value (e.g. a memoised, pre-built
 * protobuf message for a cached token's payload), so repeated answers do not rebuild it.
 */
export function toStruct(object: Readonly<Record<string, unknown>>, convertObject?: (value: object) => Struct): Struct {
  const fields: Record<string, StructValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    fields[key] = convertObject && value !== null && typeof value === 'object' && !Array.isArray(value) ? { structValue: convertObject(value) } : toStructValue(value, 0);
  }
  return { fields };
}

function toStructValue(value: unknown, depth: number): StructValue {
  if (depth > 16) return { stringValue: '[too deep]' };
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map((v) => toStructValue(v, depth + 1)) } };
  if (typeof value === 'object') {
    const fields: Record<string, StructValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) fields[k] = toStructValue(v, depth + 1);
    return { structValue: { fields } };
  }
  return { stringValue: String(value) };
}
