// Envoy resources arrive as Envoy's JSON form (snake_case, nested Any as { '@type': url, ...fields },
// durations as "5s", wrappers as bare scalars). protobufjs' fromObject accepts none of those
// shortcuts and silently drops what it does not know, so this converter walks each message type and
// turns the JSON into protobufjs' object form, failing loudly (with the path) on anything unknown.
import { lookupMessage, protoRoot, typeUrlOf, type PackedAny } from '@gatehouse/contracts';
import protobuf from 'protobufjs';
import { XdsError, XdsErrorCodes } from '../errors.js';

export class EnvoyJsonError extends XdsError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(XdsErrorCodes.envoyJsonInvalid, `${path}: ${detail}`);
    this.name = 'EnvoyJsonError';
  }
}

type Json = unknown;
type JsonObject = Record<string, Json>;

const WRAPPERS = new Set(
  ['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map(
    (n) => `.google.protobuf.${n}`,
  ),
);

/** Encodes `{ '@type': url, ...fields }` into a google.protobuf.Any. @throws EnvoyJsonError */
export function toProtoAny(json: Json, path = ''): PackedAny {
  if (!isObject(json) || typeof json['@type'] !== 'string') throw new EnvoyJsonError(path || '/', 'an Any needs an "@type"');
  const url = json['@type'];
  const fullName = url.slice(url.lastIndexOf('/') + 1);
  let type: protobuf.Type;
  try {
    type = lookupMessage(fullName);
  } catch {
    throw new EnvoyJsonError(`${path}/@type`, `unknown type "${fullName}" (not in the contracts proto root)`);
  }
  const { '@type': _ignored, ...fields } = json;
  // Well-known types with a special JSON form nest it under "value".
  const body = specialJson(type) && 'value' in fields ? fields['value'] : fields;
  return { type_url: typeUrlOf(fullName), value: encodeMessage(type, body, path) };
}

/** Encodes one resource of `typeUrl` (e.g. a Listener) into an Any. @throws EnvoyJsonError */
export function encodeResource(typeUrl: string, json: Json): PackedAny {
  const fullName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  return { type_url: typeUrl, value: encodeMessage(lookupMessage(fullName), json, '') };
}

function encodeMessage(type: protobuf.Type, json: Json, path: string): Buffer {
  const object = convertMessage(type, json, path);
  try {
    return Buffer.from(type.encode(type.fromObject(object as JsonObject)).finish());
  } catch (err) {
    throw new EnvoyJsonError(path || '/', err instanceof Error ? err.message : String(err));
  }
}

function specialJson(type: protobuf.Type): boolean {
  const name = type.fullName;
  return WRAPPERS.has(name) || ['.google.protobuf.Duration', '.google.protobuf.Timestamp', '.google.protobuf.Struct', '.google.protobuf.Value', '.google.protobuf.ListValue', '.google.protobuf.FieldMask'].includes(name);
}

function convertMessage(type: protobuf.Type, json: Json, path: string): Json {
  switch (type.fullName) {
    case '.google.protobuf.Any':
      return toProtoAny(json, path);
    case '.google.protobuf.Duration':
      return typeof json === 'string' ? parseDuration(json, path) : json;
    case '.google.protobuf.Timestamp':
      return typeof json === 'string' ? parseTimestamp(json, path) : json;
    case '.google.protobuf.Struct':
      return toStruct(json, path);
    case '.google.protobuf.Value':
      return toValue(json, path);
    case '.google.protobuf.ListValue':
      if (!Array.isArray(json)) throw new EnvoyJsonError(path, 'expected a list');
      return { values: json.map((v, i) => toValue(v, `${path}/${i}`)) };
    case '.google.protobuf.FieldMask':
      return typeof json === 'string' ? { paths: json.split(',').filter(Boolean) } : json;
  }
  if (WRAPPERS.has(type.fullName)) return isObject(json) ? json : { value: json };
  if (!isObject(json)) throw new EnvoyJsonError(path || '/', `expected an object for ${type.fullName.slice(1)}`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    if (value === undefined || value === null) continue;
    const field = fieldOf(type, key);
    const fieldPath = `${path}/${key}`;
    if (!field) throw new EnvoyJsonError(fieldPath, `unknown field of ${type.fullName.slice(1)}`);
    out[field.name] = convertField(field, value, fieldPath);
  }
  return out;
}

function convertField(field: protobuf.Field, value: Json, path: string): Json {
  field.resolve();
  if (field.map) {
    if (!isObject(value)) throw new EnvoyJsonError(path, 'expected an object (map)');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertSingle(field, v, `${path}/${k}`)]));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new EnvoyJsonError(path, 'expected a list');
    return value.map((v, i) => convertSingle(field, v, `${path}/${i}`));
  }
  return convertSingle(field, value, path);
}

function convertSingle(field: protobuf.Field, value: Json, path: string): Json {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return convertMessage(resolved, value, path);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' && !(value in resolved.values)) {
      throw new EnvoyJsonError(path, `unknown ${resolved.name} value "${value}" (one of ${Object.keys(resolved.values).join(', ')})`);
    }
    return value;
  }
  return value;
}

const camelIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

function fieldOf(type: protobuf.Type, key: string): protobuf.Field | undefined {
  const direct = type.fields[key];
  if (direct) return direct;
  let index = camelIndex.get(type);
  if (!index) {
    index = new Map(type.fieldsArray.map((f) => [f.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), f]));
    camelIndex.set(type, index);
  }
  return index.get(key);
}

function parseDuration(text: string, path: string): { seconds: string; nanos?: number } {
  const match = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) throw new EnvoyJsonError(path, `invalid duration "${text}" (expected e.g. "1.5s")`);
  const sign = match[1] ? -1 : 1;
  const nanos = match[3] ? Number(match[3].padEnd(9, '0')) : 0;
  const seconds = `${match[1] ?? ''}${match[2]}`;
  return nanos === 0 ? { seconds } : { seconds, nanos: sign * nanos };
}

function parseTimestamp(text: string, path: string): { seconds: string; nanos: number } {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new EnvoyJsonError(path, `invalid timestamp "${text}"`);
  const fraction = /\.(\d{1,9})/.exec(text)?.[1];
  return { seconds: String(Math.floor(ms / 1000)), nanos: fraction ? Number(fraction.padEnd(9, '0')) : 0 };
}

function toStruct(json: Json, path: string): Json {
  if (!isObject(json)) throw new EnvoyJsonError(path, 'expected an object (Struct)');
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, toValue(v, `${path}/${k}`)])) };
}

function toValue(json: Json, path: string): Json {
  if (json === null) return { null_value: 'NULL_VALUE' };
  if (typeof json === 'number') return { number_value: json };
  if (typeof json === 'string') return { string_value: json };
  if (typeof json === 'boolean') return { bool_value: json };
  if (Array.isArray(json)) return { list_value: { values: json.map((v, i) => toValue(v, `${path}/${i}`)) } };
  return { struct_value: toStruct(json, path) };
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Ensures the shared root is loaded (e.g. at start-up, before the first request). */
export function warmProtoRoot(): void {
  protoRoot();
}
