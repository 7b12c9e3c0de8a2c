// Runs a CRD's CEL rules (`x-kubernetes-validations`) on a document the way the Kubernetes API server
// does after schema validation and defaulting: each rule sees as `self` the node it sits on (the
// object, the list, the string...), a rule under `items` or `additionalProperties` runs once per
// element, and a rule that is not true refuses the resource with its `messageExpression`, `message`
// or "failed rule: <rule>". Transition rules (those reading `oldSelf`) compare an update with the
// stored object; a document here is always new, so they do not apply.
import { compileRule, firstLine, type CelEvaluate } from './cel-environment.js';

/** The part of a structural schema node this walk reads. */
export interface StructuralNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralNode>>;
  readonly items?: StructuralNode;
  readonly additionalProperties?: StructuralNode | boolean;
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}

export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  /** Where the error is reported, relative to the rule's node, e.g. ".spec.name" or ".labels['app']". */
  readonly fieldPath?: string;
  /** FieldValueInvalid (the default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate. */
  readonly reason?: string;
}

export interface CelIssue {
  /** JSON pointer of the node the rule sits on (or its fieldPath). */
  readonly path: string;
  readonly message: string;
  readonly reason?: string;
}

/** A rule reading `oldSelf` is a transition rule: it only runs on updates. */
export const isTransitionRule = (rule: ValidationRule): boolean => /\boldSelf\b/.test(rule.rule);

/** Every issue the CEL rules of `schema` find in `doc` (a copy with the CRD's defaults filled in). */
export function celIssues(doc: unknown, schema: StructuralNode): CelIssue[] {
  if (!hasRules(schema)) return [];
  const issues: CelIssue[] = [];
  walk(toCel(doc, schema), schema, '', issues);
  return issues;
}

// Whether a schema node or any node under it carries rules: documents are walked only where rules are.
const rulesBelow = new WeakMap<StructuralNode, boolean>();

function hasRules(schema: StructuralNode): boolean {
  let found = rulesBelow.get(schema);
  if (found === undefined) {
    rulesBelow.set(schema, false); // a recursive schema cannot loop here
    found =
      (schema['x-kubernetes-validations']?.length ?? 0) > 0 ||
      Object.values(schema.properties ?? {}).some(hasRules) ||
      (schema.items !== undefined && hasRules(schema.items)) ||
      (typeof schema.additionalProperties === 'object' && hasRules(schema.additionalProperties));
    rulesBelow.set(schema, found);
  }
  return found;
}

function childSchema(schema: StructuralNode, key: string): StructuralNode | undefined {
  return schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
}

// The rules of a schema node that run on a new document, compiled: looked up once per node.
const programs = new WeakMap<StructuralNode, ReadonlyArray<{ rule: ValidationRule; evaluate: CelEvaluate }>>();

function programsOf(schema: StructuralNode): ReadonlyArray<{ rule: ValidationRule; evaluate: CelEvaluate }> {
  let found = programs.get(schema);
  if (!found) {
    found = (schema['x-kubernetes-validations'] ?? []).flatMap((rule) => {
      const compiled = isTransitionRule(rule) ? undefined : compileRule(rule.rule);
      // A rule cel-js cannot compile is not run; cel-validation.test.ts keeps every vendored rule compiling.
      return compiled?.ok ? [{ rule, evaluate: compiled.evaluate }] : [];
    });
    programs.set(schema, found);
  }
  return found;
}

function walk(value: unknown, schema: StructuralNode, path: string, issues: CelIssue[]): void {
  for (const { rule, evaluate } of programsOf(schema)) {
    const issue = check(rule, evaluate, value, path);
    if (issue) issues.push(issue);
  }
  if (Array.isArray(value)) {
    if (schema.items && hasRules(schema.items)) value.forEach((item, i) => walk(item, schema.items!, `${path}/${i}`, issues));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const sub = childSchema(schema, key);
      if (sub && hasRules(sub)) walk(child, sub, `${path}/${escapePointer(key)}`, issues);
    }
  }
}

function check(rule: ValidationRule, evaluate: CelEvaluate, self: unknown, path: string): CelIssue | undefined {
  let result: unknown;
  try {
    result = evaluate({ self });
  } catch (error) {
    // The API server refuses the object when a rule cannot be evaluated (a missing field the rule
    // does not guard with has(), a type mismatch).
    return issueAt(rule, path, `failed rule: ${rule.rule}: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
  if (result === true) return undefined;
  return issueAt(rule, path, messageOf(rule, self));
}

function messageOf(rule: ValidationRule, self: unknown): string {
  if (rule.messageExpression) {
    const compiled = compileRule(rule.messageExpression);
    if (compiled.ok) {
      try {
        const message = compiled.evaluate({ self });
        if (typeof message === 'string' && message.trim() !== '') return message;
      } catch {
        // As in the API server: a failing messageExpression falls back to message.
      }
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

function issueAt(rule: ValidationRule, path: string, message: string): CelIssue {
  const at = rule.fieldPath ? path + fieldPathToPointer(rule.fieldPath) : path;
  return rule.reason ? { path: at, message, reason: rule.reason } : { path: at, message };
}

/** ".a.b['c.d'][0]" → "/a/b/c.d/0". */
export function fieldPathToPointer(fieldPath: string): string {
  let pointer = '';
  for (const [, name, quoted, index] of fieldPath.matchAll(/\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/g)) {
    pointer += `/${escapePointer(name ?? quoted?.replace(/\\(.)/g, '$1') ?? index!)}`;
  }
  return pointer;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The document as CEL values: integers as int (BigInt), `type: number` fields as double. */
function toCel(value: unknown, schema: StructuralNode | undefined): unknown {
  if (typeof value === 'number') return schema?.type === 'number' || !Number.isInteger(value) ? value : BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const converted = toCel(child, schema && childSchema(schema, key));
      if (key === '__proto__') Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
      else out[key] = converted;
    }
    return out;
  }
  return value;
}
