// RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over RFC 6901 JSON Pointers, on plain
// JSON values. Pure: the document is copied, never changed in place. `add` creates the missing
// objects on its way, as Envoy Gateway applies patches (json-patch's EnsurePathExistsOnAdd).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: JsonValue;
}

export class JsonPatchError extends Error {}

/** "/a/b~1c/0" -> ["a", "b/c", "0"]; "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

const isObject = (value: unknown): value is { [key: string]: JsonValue } => typeof value === 'object' && value !== null && !Array.isArray(value);

function arrayIndex(array: readonly unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`"${token}" in "${pointer}" is not an array index`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) throw new JsonPatchError(`index ${index} in "${pointer}" is out of bounds (length ${array.length})`);
  return index;
}

function get(document: JsonValue, pointer: string): JsonValue {
  let node: JsonValue = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, pointer, false)]!;
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token]!;
    else throw new JsonPatchError(`"${pointer}" does not exist`);
  }
  return node;
}

/** The container holding the pointer's last token (created on the way when `create`), and that token. */
function parentOf(document: JsonValue, pointer: string, create: boolean): { parent: JsonValue; key: string } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError('the whole document cannot be the target here');
  let node: JsonValue = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      node = node[arrayIndex(node, token, pointer, false)]!;
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, token)) {
        if (!create) throw new JsonPatchError(`"${pointer}" does not exist`);
        node[token] = {};
      }
      node = node[token]!;
    } else {
      throw new JsonPatchError(`"${pointer}" goes through a value that is neither an object nor an array`);
    }
  }
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function add(document: JsonValue, pointer: string, value: JsonValue): JsonValue {
  if (pointer === '') return value;
  const { parent, key } = parentOf(document, pointer, true);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else if (isObject(parent)) parent[key] = value;
  else throw new JsonPatchError(`cannot add "${pointer}" to a value that is neither an object nor an array`);
  return document;
}

function remove(document: JsonValue, pointer: string): JsonValue {
  const { parent, key } = parentOf(document, pointer, false);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else if (isObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else throw new JsonPatchError(`"${pointer}" does not exist`);
  return document;
}

function equal(a: JsonValue, b: JsonValue): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => equal(item, b[i]!));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k]!, b[k]!));
  }
  return a === b;
}

const clone = (value: JsonValue): JsonValue => structuredClone(value);

/** Applies one operation to a copy of `document`. @throws JsonPatchError saying why it does not apply */
export function applyOperation(document: JsonValue, operation: JsonPatchOperation): JsonValue {
  const doc = clone(document);
  const { op, path } = operation;
  switch (op) {
    case 'add':
      return add(doc, path, clone(operation.value!));
    case 'remove':
      return remove(doc, path);
    case 'replace':
      get(doc, path); // must exist
      return path === '' ? clone(operation.value!) : add(remove(doc, path), path, clone(operation.value!));
    case 'move': {
      const value = get(doc, operation.from!);
      if (path.startsWith(`${operation.from!}/`)) throw new JsonPatchError(`cannot move "${operation.from!}" into its own child "${path}"`);
      return add(remove(doc, operation.from!), path, value);
    }
    case 'copy':
      return add(doc, path, clone(get(doc, operation.from!)));
    case 'test':
      if (!equal(get(doc, path), operation.value ?? null)) throw new JsonPatchError(`test failed: the value at "${path}" is not the one given`);
      return doc;
  }
}
