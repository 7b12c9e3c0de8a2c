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

export function toStruct(object: Readonly<Record<string, unknown>>): Struct {
  const fields: Record<string, StructValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    fields[key] = toStructValue(value, 0);
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
