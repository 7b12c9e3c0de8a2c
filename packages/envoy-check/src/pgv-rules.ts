// The common protoc-gen-validate rules, checked against one field value in protobufjs object form
// (snake_case names, 64-bit integers as strings, enums as names, Duration as {seconds, nanos}).
// Rules come from the field's parsed `(validate.rules)` option.

export type Rules = Record<string, Record<string, unknown>>;

// PGV's well_known_regex: header names are tokens; header values have no control characters but
// tab; strict: false relaxes both to "no NUL, CR or LF".
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;

function hasCharCode(value: string, forbidden: (code: number) => boolean): boolean {
  for (let i = 0; i < value.length; i++) if (forbidden(value.charCodeAt(i))) return true;
  return false;
}

const isLooseForbidden = (code: number) => code === 0 || code === 10 || code === 13;
const isValueForbidden = (code: number) => (code < 32 && code !== 9) || code === 127;

/** Problems with a scalar (or wrapped scalar) value against one kind of rules ("string", "uint32", ...). */
export function checkScalarRules(kind: string, rules: Record<string, unknown>, value: unknown): string[] {
  if (rules.ignore_empty === true && (value === '' || value === 0 || value === '0' || value === undefined)) return [];
  switch (kind) {
    case 'string':
      return checkString(rules, typeof value === 'string' ? value : '');
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64':
    case 'sint32':
    case 'sint64':
    case 'fixed32':
    case 'fixed64':
    case 'sfixed32':
    case 'sfixed64':
    case 'double':
    case 'float':
      return checkNumber(rules, Number(value ?? 0));
    case 'bool':
      return rules.const !== undefined && rules.const !== (value ?? false) ? [`must be ${String(rules.const)}`] : [];
    default:
      return [];
  }
}

function checkString(rules: Record<string, unknown>, value: string): string[] {
  const problems: string[] = [];
  const chars = [...value].length;
  const bytes = Buffer.byteLength(value, 'utf8');
  const num = (k: string) => (rules[k] === undefined ? undefined : Number(rules[k]));
  if (num('min_len') !== undefined && chars < num('min_len')!) problems.push(`length must be at least ${num('min_len')}`);
  if (num('max_len') !== undefined && chars > num('max_len')!) problems.push(`length must be at most ${num('max_len')}`);
  if (num('len') !== undefined && chars !== num('len')) problems.push(`length must be ${num('len')}`);
  if (num('min_bytes') !== undefined && bytes < num('min_bytes')!) problems.push(`must be at least ${num('min_bytes')} bytes`);
  if (num('max_bytes') !== undefined && bytes > num('max_bytes')!) problems.push(`must be at most ${num('max_bytes')} bytes`);
  if (typeof rules.prefix === 'string' && !value.startsWith(rules.prefix)) problems.push(`must start with "${rules.prefix}"`);
  if (typeof rules.suffix === 'string' && !value.endsWith(rules.suffix)) problems.push(`must end with "${rules.suffix}"`);
  if (typeof rules.contains === 'string' && !value.includes(rules.contains)) problems.push(`must contain "${rules.contains}"`);
  if (typeof rules.const === 'string' && value !== rules.const) problems.push(`must be "${rules.const}"`);
  if (typeof rules.pattern === 'string' && !new RegExp(rules.pattern, 'u').test(value)) problems.push(`must match /${rules.pattern}/`);
  if (Array.isArray(rules.in) && !rules.in.includes(value)) problems.push(`must be one of ${JSON.stringify(rules.in)}`);
  if (Array.isArray(rules.not_in) && rules.not_in.includes(value)) problems.push(`must not be one of ${JSON.stringify(rules.not_in)}`);
  const wellKnown = rules.well_known_regex;
  if (wellKnown !== undefined) {
    const strict = rules.strict !== false;
    const name = wellKnown === 1 || wellKnown === 'HTTP_HEADER_NAME';
    const valueRule = wellKnown === 2 || wellKnown === 'HTTP_HEADER_VALUE';
    const invalid = !strict ? hasCharCode(value, isLooseForbidden) : name ? !HEADER_NAME_STRICT.test(value) : valueRule ? hasCharCode(value, isValueForbidden) : false;
    if (invalid) problems.push(`must be a valid HTTP header ${name ? 'name' : 'value'}`);
  }
  if (rules.hostname === true && value !== '' && !/^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(value)) {
    problems.push('must be a hostname');
  }
  if (rules.ipv4 === true && !/^(\d{1,3}\.){3}\d{1,3}$/.test(value)) problems.push('must be an IPv4 address');
  if (rules.uri === true && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value)) problems.push('must be an absolute URI');
  return problems;
}

function checkNumber(rules: Record<string, unknown>, value: number): string[] {
  const problems: string[] = [];
  const bound = (k: string) => (rules[k] === undefined ? undefined : Number(rules[k]));
  const gt = bound('gt');
  const gte = bound('gte');
  const lt = bound('lt');
  const lte = bound('lte');
  if (gt !== undefined && !(value > gt)) problems.push(`must be greater than ${gt}`);
  if (gte !== undefined && !(value >= gte)) problems.push(`must be at least ${gte}`);
  if (lt !== undefined && !(value < lt)) problems.push(`must be less than ${lt}`);
  if (lte !== undefined && !(value <= lte)) problems.push(`must be at most ${lte}`);
  if (rules.const !== undefined && value !== Number(rules.const)) problems.push(`must be ${String(rules.const)}`);
  if (Array.isArray(rules.in) && !rules.in.map(Number).includes(value)) problems.push(`must be one of ${JSON.stringify(rules.in)}`);
  if (Array.isArray(rules.not_in) && rules.not_in.map(Number).includes(value)) problems.push(`must not be one of ${JSON.stringify(rules.not_in)}`);
  return problems;
}

interface DurationValue {
  seconds?: string | number;
  nanos?: number;
}

function toNanos(d: DurationValue | undefined): bigint {
  return BigInt(d?.seconds ?? 0) * 1_000_000_000n + BigInt(d?.nanos ?? 0);
}

/** Duration rules (gt/gte/lt/lte/const), only when the duration is set, as PGV does. */
export function checkDurationRules(rules: Record<string, unknown>, value: DurationValue): string[] {
  const problems: string[] = [];
  if (!/^-?\d+$/.test(String(value.seconds ?? 0)) || !Number.isInteger(value.nanos ?? 0)) return problems; // reported as a type problem
  const actual = toNanos(value);
  const limit = (k: string) => (rules[k] === undefined ? undefined : toNanos(rules[k] as DurationValue));
  const gt = limit('gt');
  const gte = limit('gte');
  const lt = limit('lt');
  const lte = limit('lte');
  if (gt !== undefined && !(actual > gt)) problems.push(`duration must be greater than ${gt}ns`);
  if (gte !== undefined && !(actual >= gte)) problems.push(`duration must be at least ${gte}ns`);
  if (lt !== undefined && !(actual < lt)) problems.push(`duration must be less than ${lt}ns`);
  if (lte !== undefined && !(actual <= lte)) problems.push(`duration must be at most ${lte}ns`);
  return problems;
}
