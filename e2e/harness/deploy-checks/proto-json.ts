// Converts Envoy's YAML/JSON config form (proto3 JSON mapping: snake_case or camelCase names, "2s" durations,
// plain numbers for wrappers, "@type" inside Any) into protobufjs object form for one message type, and
// reports everything Envoy would refuse or that protobufjs' fromObject would silently drop: unknown fields,
// wrong value types, two members of one oneof, missing required fields, deprecated fields.
import type protobuf from 'protobufjs';

export interface ProtoJsonIssue {
  /** JSON pointer into the input, e.g. "/static_resources/clusters/0/connect_timeout". */
  readonly path: string;
  readonly message: string;
}

export interface ProtoJsonResult {
  /** protobufjs object form, ready for `type.fromObject`. */
  readonly value: Record<string, unknown>;
  readonly issues: ProtoJsonIssue[];
}

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((w) => `.google.protobuf.${w}Value`),
);
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

export function protoJsonToObject(type: protobuf.Type, json: unknown): ProtoJsonResult {
  const issues: ProtoJsonIssue[] = [];
  const value = convertMessage(type, json, '', issues);
  return { value: value ?? {}, issues };
}

function convertMessage(
  type: protobuf.Type,
  json: unknown,
  path: string,
  issues: ProtoJsonIssue[],
): Record<string, unknown> | undefined {
  if (!isPlainObject(json)) {
    issues.push({ path, message: `expected an object for ${type.fullName.slice(1)}, got ${describe(json)}` });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const oneofSeen = new Map<string, string>();
  for (const [key, raw] of Object.entries(json)) {
    const fieldPath = `${path}/${key}`;
    const field = type.fields[key] ?? fieldByCamelCase(type, key);
    if (!field) {
      issues.push({ path: fieldPath, message: `unknown field "${key}" in ${type.fullName.slice(1)}` });
      continue;
    }
    if (field.options?.deprecated === true) {
      issues.push({ path: fieldPath, message: `field "${field.name}" is deprecated` });
    }
    if (field.partOf) {
      const other = oneofSeen.get(field.partOf.name);
      if (other) issues.push({ path: fieldPath, message: `"${field.name}" and "${other}" are both set but belong to oneof "${field.partOf.name}"` });
      oneofSeen.set(field.partOf.name, field.name);
    }
    const converted = convertField(field, raw, fieldPath, issues);
    if (converted !== undefined) out[field.name] = converted;
  }
  checkRequired(type, out, path, issues);
  return out;
}

function convertField(field: protobuf.Field, raw: unknown, path: string, issues: ProtoJsonIssue[]): unknown {
  field.resolve();
  if ('keyType' in field) {
    if (!isPlainObject(raw)) {
      issues.push({ path, message: `expected a map (object), got ${describe(raw)}` });
      return undefined;
    }
    const map: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) map[k] = convertSingle(field, v, `${path}/${k}`, issues);
    return map;
  }
  if (field.repeated) {
    if (!Array.isArray(raw)) {
      issues.push({ path, message: `expected a list, got ${describe(raw)}` });
      return undefined;
    }
    return raw.map((item, i) => convertSingle(field, item, `${path}/${i}`, issues));
  }
  return convertSingle(field, raw, path, issues);
}

function convertSingle(field: protobuf.Field, raw: unknown, path: string, issues: ProtoJsonIssue[]): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'values' in resolved) return convertEnum(resolved as protobuf.Enum, raw, path, issues);
  if (resolved) return convertWellKnown(resolved as protobuf.Type, raw, path, issues);
  return convertScalar(field.type, raw, path, issues);
}

function convertWellKnown(type: protobuf.Type, raw: unknown, path: string, issues: ProtoJsonIssue[]): unknown {
  const name = type.fullName;
  if (name === '.google.protobuf.Duration') {
    const match = typeof raw === 'string' ? DURATION.exec(raw) : null;
    if (!match) {
      issues.push({ path, message: `expected a duration like "1.5s", got ${describe(raw)}` });
      return undefined;
    }
    const sign = match[1] ? -1 : 1;
    return { seconds: sign * Number(match[2]), nanos: sign * Number((match[3] ?? '').padEnd(9, '0')) };
  }
  if (WRAPPERS.has(name)) {
    const inner = type.fields.value;
    return inner ? { value: convertScalar(inner.type, raw, path, issues) } : undefined;
  }
  if (name === '.google.protobuf.Any') return convertAny(type, raw, path, issues);
  if (name === '.google.protobuf.Struct') {
    if (!isPlainObject(raw)) issues.push({ path, message: `expected an object, got ${describe(raw)}` });
    else return structOf(raw);
    return undefined;
  }
  if (name === '.google.protobuf.Value') return valueOf(raw);
  return convertMessage(type, raw, path, issues);
}

function convertAny(anyType: protobuf.Type, raw: unknown, path: string, issues: ProtoJsonIssue[]): unknown {
  if (!isPlainObject(raw) || typeof raw['@type'] !== 'string') {
    issues.push({ path, message: 'expected an Any with "@type"' });
    return undefined;
  }
  const typeUrl = raw['@type'];
  const fullName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  let packed: protobuf.Type;
  try {
    packed = anyType.root.lookupType(fullName);
  } catch {
    issues.push({ path: `${path}/@type`, message: `unknown type ${fullName} (not in the proto root: add its .proto to packages/contracts/proto-files.json)` });
    return undefined;
  }
  const { '@type': _ignored, ...fields } = raw;
  const inner = convertMessage(packed, fields, path, issues);
  if (!inner) return undefined;
  return { type_url: typeUrl, value: packed.encode(packed.fromObject(inner)).finish() };
}

function convertEnum(enumType: protobuf.Enum, raw: unknown, path: string, issues: ProtoJsonIssue[]): unknown {
  if (typeof raw === 'string' && raw in enumType.values) return raw;
  if (typeof raw === 'number' && Object.values(enumType.values).includes(raw)) return raw;
  issues.push({ path, message: `expected one of ${Object.keys(enumType.values).join(', ')}, got ${describe(raw)}` });
  return undefined;
}

function convertScalar(protoType: string, raw: unknown, path: string, issues: ProtoJsonIssue[]): unknown {
  const fail = (expected: string): undefined => {
    issues.push({ path, message: `expected ${expected} (${protoType}), got ${describe(raw)}` });
    return undefined;
  };
  switch (protoType) {
    case 'string':
      return typeof raw === 'string' ? raw : fail('a string');
    case 'bool':
      return typeof raw === 'boolean' ? raw : fail('a boolean');
    case 'bytes':
      return typeof raw === 'string' ? Buffer.from(raw, 'base64') : fail('base64 text');
    case 'double':
    case 'float':
      return typeof raw === 'number' ? raw : fail('a number');
    default: {
      // Integer types; 64-bit ones may be written as strings in proto3 JSON.
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) return fail('an integer');
      if (protoType.startsWith('uint') || protoType.startsWith('fixed')) {
        if (n < 0) return fail('a non-negative integer');
      }
      return n;
    }
  }
}

/** The protoc-gen-validate rules Envoy enforces that matter for hand-written config. */
function checkRequired(type: protobuf.Type, out: Record<string, unknown>, path: string, issues: ProtoJsonIssue[]): void {
  for (const field of type.fieldsArray) {
    const options = field.options ?? {};
    // In a oneof, "required" only binds the member that is chosen (RouteMatch.safe_regex vs path).
    const otherMemberSet = field.partOf?.oneof.some((name) => name !== field.name && out[name] !== undefined) ?? false;
    if (options['(validate.rules).message.required'] === true && out[field.name] === undefined && !otherMemberSet) {
      issues.push({ path: `${path}/${field.name}`, message: `required field "${field.name}" is missing` });
    }
    const minLen = options['(validate.rules).string.min_len'];
    if (typeof minLen === 'number' && typeof out[field.name] === 'string' && (out[field.name] as string).length < minLen) {
      issues.push({ path: `${path}/${field.name}`, message: `"${field.name}" must be at least ${minLen} characters` });
    }
  }
  for (const oneof of type.oneofsArray) {
    if (oneof.options?.['(validate.required)'] === true && !oneof.oneof.some((name) => out[name] !== undefined)) {
      issues.push({ path, message: `one of ${oneof.oneof.join(', ')} is required` });
    }
  }
}

function fieldByCamelCase(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fieldsArray.find((f) => f.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) === key);
}

function structOf(json: Record<string, unknown>): Record<string, unknown> {
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, valueOf(v)])) };
}

function valueOf(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return { null_value: 'NULL_VALUE' };
  if (typeof v === 'number') return { number_value: v };
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map(valueOf) } };
  return { struct_value: structOf(v as Record<string, unknown>) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}
