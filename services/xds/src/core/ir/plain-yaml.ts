// Block-style YAML for plain JSON-shaped data (objects, arrays, strings, numbers, booleans, null).
// The `yaml` library's general stringifier dominated translation time (one document per policy
// and rate limit domain); this covers only what translation emits. Strings that could read as
// anything but themselves are written double-quoted with JSON escapes, which YAML accepts as is.

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@-]*$/;
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean') return String(value);
  const text = String(value);
  return PLAIN.test(text) && !RESERVED.test(text) ? text : JSON.stringify(text);
}

function isCollection(value: unknown): value is object {
  return typeof value === 'object' && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0);
}

function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function emit(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !Array.isArray(item)) {
        // "- key: value" with the rest of the mapping aligned under the first key.
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        out.push(`${indent}- ${lines[0]!.slice(indent.length + 2)}`, ...lines.slice(1));
      } else if (isCollection(item)) {
        out.push(`${indent}-`);
        emit(item, `${indent}  `, out);
      } else out.push(`${indent}- ${emptyCollection(item) ?? scalar(item)}`);
    }
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (child === undefined) continue;
    if (isCollection(child)) {
      out.push(`${indent}${scalar(key)}:`);
      emit(child, `${indent}  `, out);
    } else out.push(`${indent}${scalar(key)}: ${emptyCollection(child) ?? scalar(child)}`);
  }
}

/** A YAML document for a JSON object. */
export function toPlainYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  emit(value, '', out);
  return `${out.join('\n')}\n`;
}
