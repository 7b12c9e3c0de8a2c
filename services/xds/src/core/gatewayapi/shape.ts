// Reading fields of resources that may have failed schema validation: such resources stay in the
// set (they get a status), and other steps must not trip over their shape.

/** The object items of a value that should be an array of objects; anything else reads as empty. */
export function objectsOf<T extends object>(value: unknown): T[] {
  return Array.isArray(value) ? (value.filter((item) => typeof item === 'object' && item !== null && !Array.isArray(item)) as T[]) : [];
}

