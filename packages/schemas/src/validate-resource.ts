// Validates one Kubernetes-style document against its CRD schema, with metadata checked the way the
// API server would (the CRD schemas leave metadata open).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { findCrdSchema, knownKinds } from './crd-catalog.js';
import { pruneNulls } from './prune-nulls.js';
import { structuralToJsonSchema } from './structural-to-json-schema.js';

export interface SchemaIssue {
  /** JSON pointer into the document, e.g. "/spec/rules/0/backendRefs/0/port". */
  readonly path: string;
  readonly message: string;
}

// The API server fills a field's `default` before it checks `required` (a required field with a
// default may be left out). Validation runs on a copy with the defaults filled in, so translation
// still sees what the user wrote and keeps its own defaults.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, useDefaults: true });
const compiled = new Map<string, ValidateFunction>();

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kinds that are core Kubernetes, not CRDs, but still accepted as input (Secrets, ConfigMaps, Namespaces with labels). */
const CORE_KINDS: Record<string, ValidateFunction> = {
  'v1/Secret': ajv.compile({
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { const: 'v1' },
      kind: { const: 'Secret' },
      metadata: { type: 'object' },
      type: { type: 'string' },
      data: { type: 'object', additionalProperties: { type: 'string' } },
      stringData: { type: 'object', additionalProperties: { type: 'string' } },
      immutable: { type: 'boolean' },
    },
    additionalProperties: false,
  }),
  // CA certificates for upstream TLS (Backend tls.caCertificateRefs) live under data["ca.crt"].
  'v1/ConfigMap': ajv.compile({
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { const: 'v1' },
      kind: { const: 'ConfigMap' },
      metadata: { type: 'object' },
      data: { type: 'object', additionalProperties: { type: 'string' } },
      binaryData: { type: 'object', additionalProperties: { type: 'string' } },
      immutable: { type: 'boolean' },
    },
    additionalProperties: false,
  }),
  // Optional: a declared Service's ports let a backendRef's port be checked and a BackendTLSPolicy's
  // sectionName name one; the rest of a Kubernetes Service spec is accepted and not read.
  'v1/Service': ajv.compile({
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { const: 'v1' },
      kind: { const: 'Service' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            items: {
              type: 'object',
              required: ['port'],
              properties: {
                name: { type: 'string' },
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                targetPort: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
                protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
                appProtocol: { type: 'string' },
                nodePort: { type: 'integer' },
              },
              additionalProperties: false,
            },
          },
        },
      },
      status: {},
    },
    additionalProperties: false,
  }),
  // Only metadata (labels) matters here: allowedRoutes selectors read a namespace's labels.
  'v1/Namespace': ajv.compile({
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { const: 'v1' },
      kind: { const: 'Namespace' },
      metadata: { type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string' } } } },
      spec: { type: 'object', properties: { finalizers: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
      status: {},
    },
    additionalProperties: false,
  }),
};

function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion}/${kind}`;
  const core = CORE_KINDS[key];
  if (core) return core;
  let validate = compiled.get(key);
  if (!validate) {
    const crd = findCrdSchema(apiVersion, kind);
    if (!crd) return undefined;
    const schema = structuralToJsonSchema(crd.openAPIV3Schema) as Record<string, unknown>;
    // Status is written by controllers, never by users; metadata is checked below.
    const properties = { ...(schema.properties as object), metadata: { type: 'object' }, status: {} };
    validate = ajv.compile({ ...schema, properties, required: ['apiVersion', 'kind', 'metadata', ...((schema.required as string[]) ?? [])] });
    compiled.set(key, validate);
  }
  return validate;
}

/** Checks a document against its schema; nulls the API server would prune are deleted from it first. */
export function validateResource(doc: unknown): SchemaIssue[] {
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
  const issues = validate(structuredClone(doc)) ? [] : dedupe((validate.errors ?? []).map(toIssue));
  return [...validateMetadata((doc as { metadata?: unknown }).metadata), ...issues];
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
