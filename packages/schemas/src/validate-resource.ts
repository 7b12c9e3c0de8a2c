// Validates one Kubernetes-style document against its CRD schema, with metadata checked the way the
// API server would (the CRD schemas leave metadata open).
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { celIssues, type StructuralNode } from './cel-validation.js';
import { builtCatalogHash, findCrdSchema, knownKinds } from './crd-catalog.js';
import { precompiledValidator } from './precompiled-validators.js';
import { pruneNulls } from './prune-nulls.js';
import { AJV_OPTIONS, CORE_SCHEMAS, crdValidationSchema } from './validation-schema.js';

export interface SchemaIssue {
  /** JSON pointer into the document, e.g. "/spec/rules/0/backendRefs/0/port". */
  readonly path: string;
  readonly message: string;
  /** A CEL rule's `reason` (FieldValueForbidden, ...), when the CRD gives one. */
  readonly reason?: string;
}

// Validators come from the build (precompiled-validators.ts); without one (not built, or a CRD edited
// since), the schema is compiled here on first use. Ajv itself is loaded only then: a started service
// with a build never needs it.
const compiled = new Map<string, ValidateFunction>();
let ajv: AjvClass | undefined;

function compile(schema: Record<string, unknown>): ValidateFunction {
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new Ajv(AJV_OPTIONS);
  }
  return ajv.compile(schema);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion}/${kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    const core = CORE_SCHEMAS[key];
    const crd = core ? undefined : findCrdSchema(apiVersion, kind);
    if (!core && !crd) return undefined;
    validate = precompiledValidator(key, builtCatalogHash()) ?? compile(core ?? crdValidationSchema(crd!));
    compiled.set(key, validate);
  }
  return validate;
}

export interface ValidateOptions {
  /** Run the CRD's CEL rules (x-kubernetes-validations) once the schema holds, as the API server does. Default true. */
  readonly celRules?: boolean;
}

/** Checks a document against its schema; nulls the API server would prune are deleted from it first. */
export function validateResource(doc: unknown, options: ValidateOptions = {}): SchemaIssue[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return [{ path: '', message: 'a resource must be a mapping with apiVersion, kind and metadata' }];
  }
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string') return [{ path: '/apiVersion', message: 'apiVersion is required' }];
  if (typeof kind !== 'string') return [{ path: '/kind', message: 'kind is required' }];
  const validate = validatorFor(apiVersion, kind);
  // Nulls the API server would prune are pruned from the document itself, so translation sees what
  // Kubernetes would store.
  const crd = findCrdSchema(apiVersion, kind);
  if (crd) pruneNulls(doc, crd.openAPIV3Schema as Parameters<typeof pruneNulls>[1]);
  if (!validate) {
    return [{ path: '/kind', message: `unknown kind ${apiVersion}/${kind}; known: ${knownKinds().join(', ')}, v1/Secret, v1/ConfigMap, v1/Namespace, v1/Service` }];
  }
  // The copy gets the CRD's defaults (Ajv useDefaults); the CEL rules then run on it, as in the API
  // server, once the schema holds (a rule assumes the types its schema gives).
  const defaulted = structuredClone(doc);
  const issues = validate(defaulted) ? (crd && options.celRules !== false ? celIssues(withoutStatus(defaulted), crd.openAPIV3Schema as StructuralNode) : []) : dedupe((validate.errors ?? []).map(toIssue));
  return [...validateMetadata((doc as { metadata?: unknown }).metadata), ...issues];
}

/** Status is written by controllers and not validated (crdValidationSchema): its rules do not run either. */
function withoutStatus(doc: object): object {
  const { status: _status, ...rest } = doc as { status?: unknown };
  return rest;
}

function validateMetadata(metadata: unknown): SchemaIssue[] {
  if (metadata === null || typeof metadata !== 'object') return [{ path: '/metadata', message: 'metadata must be a mapping' }];
  const { name, namespace } = metadata as { name?: unknown; namespace?: unknown };
  const issues: SchemaIssue[] = [];
  if (typeof name !== 'string' || name.length === 0) issues.push({ path: '/metadata/name', message: 'name is required' });
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    issues.push({ path: '/metadata/name', message: `"${name}" is not a valid DNS subdomain (lowercase letters, digits, "-" and ".")` });
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    issues.push({ path: '/metadata/namespace', message: `"${String(namespace)}" is not a valid namespace name` });
  }
  return issues;
}

function toIssue(error: ErrorObject): SchemaIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: `${error.instancePath}/${String(params.additionalProperty)}`, message: 'unknown field' };
    case 'required':
      return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: 'required field is missing' };
    case 'enum':
      return { path: error.instancePath, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    default:
      return { path: error.instancePath, message: error.message ?? error.keyword };
  }
}

function dedupe(issues: SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
