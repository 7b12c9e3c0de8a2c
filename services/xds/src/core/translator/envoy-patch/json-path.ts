// The JSONPath (RFC 9535) an EnvoyPatchPolicy operation may give instead of a fixed pointer: evaluated
// against the resource, it yields the JSON Pointers the operation applies at (Envoy Gateway's
// jsonPath). Supported: `$`, `.name`, `['name']`, `[n]` (negative from the end), `[*]`/`.*`, `..name`
// (descendants), and filters `[?(@.a.b == 'x')]` / `[?@.a != 1]` comparing one member path with a
// literal (string, number, true, false, null). Anything else is a parse error naming the position.
import { formatPointer, JsonPatchError, type JsonValue } from './json-patch.js';

type Segment =
  | { kind: 'child'; name: string; descendants: boolean }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard'; descendants: boolean }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: JsonValue };

const NAME = /^[A-Za-z_@][A-Za-z0-9_-]*/;

export function parseJsonPath(expression: string): Segment[] {
  const fail = (at: number, what: string): never => {
    throw new JsonPatchError(`jsonPath "${expression}": ${what} at position ${at}`);
  };
  if (!expression.startsWith('$')) fail(0, 'must start with "$"');
  const segments: Segment[] = [];
  let i = 1;
  while (i < expression.length) {
    const rest = expression.slice(i);
    if (rest.startsWith('..') || rest.startsWith('.')) {
      const descendants = rest.startsWith('..');
      i += descendants ? 2 : 1;
      if (expression[i] === '*') {
        segments.push({ kind: 'wildcard', descendants });
        i += 1;
        continue;
      }
      if (expression[i] === '[' && descendants) {
        // "..[...]": descendants, then the bracket applies at every level.
        segments.push({ kind: 'wildcard', descendants: true });
        continue;
      }
      const name = NAME.exec(expression.slice(i))?.[0] ?? fail(i, 'expected a member name');
      segments.push({ kind: 'child', name, descendants });
      i += name.length;
      continue;
    }
    if (rest.startsWith('[')) {
      const close = findClose(expression, i) ?? fail(i, 'unclosed "["');
      const inner = expression.slice(i + 1, close).trim();
      segments.push(parseBracket(inner, () => fail(i, `cannot read "[${inner}]"`)));
      i = close + 1;
      continue;
    }
    fail(i, `unexpected "${expression[i]}"`);
  }
  if (segments.length === 0) throw new JsonPatchError(`jsonPath "${expression}": only the root ("$") is not allowed`);
  return segments;
}

function findClose(expression: string, open: number): number | undefined {
  let quote: string | undefined;
  for (let i = open + 1; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return undefined;
}

function parseLiteral(text: string): JsonValue | undefined {
  const t = text.trim();
  if (/^'.*'$/s.test(t) || /^".*"$/s.test(t)) return t.slice(1, -1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return undefined;
}

function parseBracket(inner: string, fail: () => never): Segment {
  if (inner === '*') return { kind: 'wildcard', descendants: false };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(inner);
  if (quoted) return { kind: 'child', name: quoted[1] ?? quoted[2]!, descendants: false };
  if (inner.startsWith('?')) {
    let condition = inner.slice(1).trim();
    if (condition.startsWith('(') && condition.endsWith(')')) condition = condition.slice(1, -1).trim();
    const match = /^@((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*(==|!=)\s*(.+)$/s.exec(condition);
    if (!match) return fail();
    const value = parseLiteral(match[3]!);
    if (value === undefined) return fail();
    return { kind: 'filter', path: match[1]!.slice(1).split('.'), op: match[2] as '==' | '!=', value };
  }
  return fail();
}

interface Located {
  value: JsonValue;
  tokens: string[];
}

function children(node: Located): Located[] {
  const { value, tokens } = node;
  if (Array.isArray(value)) return value.map((item, i) => ({ value: item, tokens: [...tokens, String(i)] }));
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => ({ value: v, tokens: [...tokens, k] }));
  return [];
}

/** The node and every node under it, document order. */
function selfAndDescendants(node: Located): Located[] {
  return [node, ...children(node).flatMap(selfAndDescendants)];
}

function member(value: JsonValue, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function step(nodes: Located[], segment: Segment): Located[] {
  switch (segment.kind) {
    case 'child': {
      const from = segment.descendants ? nodes.flatMap(selfAndDescendants) : nodes;
      return from.flatMap(({ value, tokens }) =>
        typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, segment.name) ? [{ value: value[segment.name]!, tokens: [...tokens, segment.name] }] : [],
      );
    }
    case 'index':
      return nodes.flatMap(({ value, tokens }) => {
        if (!Array.isArray(value)) return [];
        const index = segment.index < 0 ? value.length + segment.index : segment.index;
        return index >= 0 && index < value.length ? [{ value: value[index]!, tokens: [...tokens, String(index)] }] : [];
      });
    case 'wildcard':
      return segment.descendants ? nodes.flatMap(selfAndDescendants) : nodes.flatMap(children);
    case 'filter':
      return nodes.flatMap(children).filter(({ value }) => {
        const found = member(value, segment.path);
        const same = found !== undefined && JSON.stringify(found) === JSON.stringify(segment.value);
        return segment.op === '==' ? same : found !== undefined && !same;
      });
  }
}

/** JSON Pointers of every node the expression selects, each once, in document order. */
export function jsonPathPointers(document: JsonValue, expression: string): string[] {
  let nodes: Located[] = [{ value: document, tokens: [] }];
  for (const segment of parseJsonPath(expression)) nodes = step(nodes, segment);
  return [...new Set(nodes.map((n) => formatPointer(n.tokens)))];
}
