// Checks an Envoy resource in Envoy's JSON form (snake_case field names, Any as {'@type', ...},
// durations as "1.5s", wrappers as bare scalars; protobufjs' object forms {seconds, nanos} and
// {value} are accepted too) against the official Envoy protos: every field must exist (no unknown
// fields), values must have the field's type, enums must be defined, oneofs set at most once (and
// once when required), Any typed_config is checked as its @type, the common protoc-gen-validate
// rules must hold, and the whole resource must encode.
import { lookupMessage, protoRoot } from '@gatehouse/contracts';
import protobuf from 'protobufjs';
import { checkDurationRules, checkScalarRules, type Rules } from './pgv-rules.js';

export interface EnvoyCheckProblem {
  /** JSON pointer into the resource; "@Type" segments mark where an Any switched message type. */
  path: string;
  message: string;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Raised by encodeEnvoyResource for a resource with problems. */
export class EnvoyResourceInvalidError extends Error {
  readonly code = 'GH_ENVOY_RESOURCE_INVALID';
  constructor(readonly problems: EnvoyCheckProblem[]) {
    super(`invalid Envoy resource: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'EnvoyResourceInvalidError';
  }
}

/** `typeUrlOrName`: "type.googleapis.com/envoy.config.cluster.v3.Cluster" or the full message name. */
export function checkEnvoyResource(typeUrlOrName: string, json: unknown): EnvoyCheckProblem[] {
  return checkAndEncode(typeUrlOrName, json).problems;
}

/** The resource's protobuf bytes, e.g. to hand to another xDS client's decoder. @throws EnvoyResourceInvalidError */
export function encodeEnvoyResource(typeUrlOrName: string, json: unknown): Uint8Array {
  const { problems, bytes } = checkAndEncode(typeUrlOrName, json);
  if (!bytes) throw new EnvoyResourceInvalidError(problems);
  return bytes;
}

function checkAndEncode(typeUrlOrName: string, json: unknown): { problems: EnvoyCheckProblem[]; bytes?: Uint8Array } {
  const fullName = typeUrlOrName.startsWith(TYPE_URL_PREFIX) ? typeUrlOrName.slice(TYPE_URL_PREFIX.length) : typeUrlOrName;
  let type: protobuf.Type;
  try {
    type = lookupMessage(fullName);
  } catch {
    return { problems: [{ path: '', message: `unknown message type ${fullName}` }] };
  }
  const problems: EnvoyCheckProblem[] = [];
  const encodable = checkMessage(type, json, '', problems);
  if (problems.length > 0) return { problems };
  // Last word from protobufjs itself: the converted object must encode (Any packing included).
  try {
    return { problems, bytes: type.encode(type.fromObject(encodable as Record<string, unknown>)).finish() };
  } catch (err) {
    return { problems: [{ path: '', message: `does not encode: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function rulesOf(options: ReadonlyArray<Record<string, unknown>> | null | undefined): Rules | undefined {
  const entry = options?.find((o) => '(validate.rules)' in o);
  return entry?.['(validate.rules)'] as Rules | undefined;
}

function isRequiredOneof(oneof: protobuf.OneOf): boolean {
  const parsed = (oneof as unknown as { parsedOptions?: Array<Record<string, unknown>> }).parsedOptions;
  return oneof.options?.['(validate.required)'] === true || (parsed ?? []).some((o) => o['(validate.required)'] === true);
}

/** Checks a message and returns it in protobufjs object form (for the final encode). */
function checkMessage(type: protobuf.Type, value: unknown, path: string, problems: EnvoyCheckProblem[]): unknown {
  const fullName = type.fullName.slice(1);
  switch (fullName) {
    case 'google.protobuf.Duration':
      return checkDuration(value, path, problems);
    case 'google.protobuf.Struct':
    case 'google.protobuf.Value':
    case 'google.protobuf.ListValue':
      return undefined; // free-form JSON: nothing to check, left out of the encode
  }
  const wrapped = WRAPPERS[fullName];
  if (wrapped && !isPlainObject(value)) {
    const problem = scalarTypeProblem(wrapped, value);
    if (problem) problems.push({ path, message: problem });
    return { value };
  }
  if (!isPlainObject(value)) {
    problems.push({ path, message: `expected a ${fullName} object` });
    return undefined;
  }
  if (fullName === 'google.protobuf.Any') return checkAny(value, path, problems);

  for (const key of Object.keys(value)) {
    if (!type.fields[key]) problems.push({ path: `${path}/${key}`, message: `unknown field "${key}" in ${fullName}` });
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => value[f.name] !== undefined && value[f.name] !== null);
    if (set.length > 1) problems.push({ path, message: `oneof ${oneof.name} has more than one field set: ${set.map((f) => f.name).join(', ')}` });
    if (set.length === 0 && isRequiredOneof(oneof)) problems.push({ path, message: `oneof ${oneof.name} is required (one of ${oneof.fieldsArray.map((f) => f.name).join(', ')})` });
  }
  const converted: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const out = checkField(field, value[field.name], `${path}/${field.name}`, problems);
    if (out !== undefined) converted[field.name] = out;
  }
  return converted;
}

const DURATION_TEXT = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/** Envoy JSON "1.5s" or protobufjs {seconds, nanos}; returned as the latter. */
function checkDuration(value: unknown, path: string, problems: EnvoyCheckProblem[]): unknown {
  if (typeof value === 'string') {
    const match = DURATION_TEXT.exec(value);
    if (!match) {
      problems.push({ path, message: `"${value}" is not a duration (e.g. "1.5s")` });
      return undefined;
    }
    const sign = match[1] === '-' ? -1 : 1;
    return { seconds: String(sign * Number(match[2])), nanos: sign * Number((match[3] ?? '').padEnd(9, '0')) };
  }
  if (!isPlainObject(value)) {
    problems.push({ path, message: 'expected a duration' });
    return undefined;
  }
  for (const key of Object.keys(value)) if (key !== 'seconds' && key !== 'nanos') problems.push({ path: `${path}/${key}`, message: `unknown field "${key}" in google.protobuf.Duration` });
  const secondsProblem = scalarTypeProblem('int64', value.seconds);
  if (secondsProblem) problems.push({ path: `${path}/seconds`, message: secondsProblem });
  const nanosProblem = scalarTypeProblem('int32', value.nanos);
  if (nanosProblem) problems.push({ path: `${path}/nanos`, message: nanosProblem });
  return value;
}

function checkAny(value: Record<string, unknown>, path: string, problems: EnvoyCheckProblem[]): unknown {
  const typeUrl = value['@type'];
  if (typeof typeUrl !== 'string') {
    problems.push({ path, message: 'Any needs "@type"' });
    return undefined;
  }
  const fullName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  let inner: protobuf.Type;
  try {
    inner = protoRoot().lookupType(fullName);
  } catch {
    problems.push({ path: `${path}/@type`, message: `unknown type ${typeUrl}` });
    return undefined;
  }
  const { '@type': _ignored, ...fields } = value;
  const converted = checkMessage(inner, fields, `${path}@${inner.name}`, problems);
  return { '@type': typeUrl, ...(converted as object) };
}

function checkField(field: protobuf.Field, value: unknown, path: string, problems: EnvoyCheckProblem[]): unknown {
  field.resolve();
  const rules = rulesOf((field as unknown as { parsedOptions?: Array<Record<string, unknown>> }).parsedOptions);
  const unset = value === undefined || value === null;
  // Oneof members are only checked when set; so are unset message fields (unless required).
  const inOneof = field.partOf !== null && field.partOf !== undefined;

  if (field.map) {
    if (unset) return undefined;
    if (!isPlainObject(value)) return void problems.push({ path, message: 'expected a map object' });
    // Entries left out of the encode (free-form Struct values, e.g. Metadata.filter_metadata) are dropped.
    return Object.fromEntries(
      Object.entries(value).flatMap(([key, entry]) => {
        const out = checkSingle(field, entry, `${path}/${key}`, problems, undefined);
        return out === undefined ? [] : [[key, out]];
      }),
    );
  }
  if (field.repeated) {
    const repeatedRules = rules?.repeated;
    const items = unset ? [] : value;
    if (!Array.isArray(items)) return void problems.push({ path, message: 'expected an array' });
    if (repeatedRules) {
      if (repeatedRules.min_items !== undefined && items.length < Number(repeatedRules.min_items)) problems.push({ path, message: `needs at least ${String(repeatedRules.min_items)} item(s)` });
      if (repeatedRules.max_items !== undefined && items.length > Number(repeatedRules.max_items)) problems.push({ path, message: `allows at most ${String(repeatedRules.max_items)} item(s)` });
      if (repeatedRules.unique === true && new Set(items.map((i) => JSON.stringify(i))).size !== items.length) problems.push({ path, message: 'items must be unique' });
    }
    const itemRules = repeatedRules?.items as Rules | undefined;
    const converted = items.map((item, i) => checkSingle(field, item, `${path}/${i}`, problems, itemRules));
    return unset ? undefined : converted;
  }
  if (unset && inOneof) return undefined;
  if (unset && (field.resolvedType instanceof protobuf.Type || field.options?.proto3_optional)) {
    if (rules?.message && (rules.message as Record<string, unknown>).required === true) problems.push({ path, message: 'is required' });
    else if (rules?.duration?.required === true || rules?.any?.required === true) problems.push({ path, message: 'is required' });
    return undefined;
  }
  const converted = checkSingle(field, value, path, problems, rules);
  return unset ? undefined : converted;
}

const WRAPPERS: Record<string, string> = {
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
};

function checkSingle(field: protobuf.Field, value: unknown, path: string, problems: EnvoyCheckProblem[], rules: Rules | undefined): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    const fullName = resolved.fullName.slice(1);
    const converted = checkMessage(resolved, value, path, problems);
    if (!rules || !isPlainObject(converted)) return converted;
    if (fullName === 'google.protobuf.Duration' && rules.duration) {
      for (const message of checkDurationRules(rules.duration, converted)) problems.push({ path, message });
    }
    const wrapped = WRAPPERS[fullName];
    if (wrapped && rules[wrapped]) for (const message of checkScalarRules(wrapped, rules[wrapped]!, converted.value)) problems.push({ path, message });
    return converted;
  }
  if (resolved instanceof protobuf.Enum) {
    // A name must exist to encode at all; a number only has to be defined under enum.defined_only.
    const definedOnly = (rules?.enum as Record<string, unknown> | undefined)?.defined_only === true;
    const known =
      typeof value === 'string'
        ? value in resolved.values
        : typeof value === 'number'
          ? Number.isInteger(value) && (!definedOnly || Object.values(resolved.values).includes(value))
          : value === undefined;
    if (!known) problems.push({ path, message: `${JSON.stringify(value)} is not a value of enum ${resolved.fullName.slice(1)}` });
    return value;
  }
  const typeProblem = scalarTypeProblem(field.type, value);
  if (typeProblem) {
    problems.push({ path, message: typeProblem });
    return value;
  }
  const kindRules = rules?.[field.type];
  if (kindRules) for (const message of checkScalarRules(field.type, kindRules, value)) problems.push({ path, message });
  return value;
}

function scalarTypeProblem(type: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'expected a boolean';
    case 'bytes':
      return typeof value === 'string' || Buffer.isBuffer(value) || value instanceof Uint8Array ? undefined : 'expected bytes';
    case 'double':
    case 'float':
      return typeof value === 'number' ? undefined : 'expected a number';
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64': {
      const ok = (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value));
      if (!ok) return 'expected a 64-bit integer (number or decimal string)';
      return type.startsWith('u') || type === 'fixed64' ? (String(value).startsWith('-') ? 'must not be negative' : undefined) : undefined;
    }
    default: {
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'expected an integer';
      if ((type === 'uint32' || type === 'fixed32') && (value < 0 || value > 0xffffffff)) return 'out of range for uint32';
      if (type !== 'uint32' && type !== 'fixed32' && (value < -0x80000000 || value > 0x7fffffff)) return 'out of range for int32';
      return undefined;
    }
  }
}
