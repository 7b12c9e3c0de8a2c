// The JSON Schemas resources are validated against, and the Ajv options they run with: shared by the
// run-time compile in validate-resource.ts and the build step that precompiles them
// (scripts/generate-validators.mjs), so both validate exactly alike.
import { structuralToJsonSchema } from './structural-to-json-schema.js';
import type { CrdVersionSchema } from './crd-sources.js';

// The API server fills a field's `default` before it checks `required` (a required field with a
// default may be left out). Validation runs on a copy with the defaults filled in, so translation
// still sees what the user wrote and keeps its own defaults.
export const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false, useDefaults: true } as const;

/** Kinds that are core Kubernetes, not CRDs, but still accepted as input (Secrets, ConfigMaps, Namespaces with labels, Services with ports). */
export const CORE_SCHEMAS: Readonly<Record<string, Record<string, unknown>>> = {
  'v1/Secret': {
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
  },
  // CA certificates for upstream TLS (Backend tls.caCertificateRefs) live under data["ca.crt"].
  'v1/ConfigMap': {
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
  },
  // Optional: a declared Service's ports let a backendRef's port be checked and a BackendTLSPolicy's
  // sectionName name one; the rest of a Kubernetes Service spec is accepted and not read.
  'v1/Service': {
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
  },
  // Only metadata (labels) matters here: allowedRoutes selectors read a namespace's labels.
  'v1/Namespace': {
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
  },
};

/** A CRD version's schema as Ajv runs it: status is written by controllers, never by users; metadata is checked apart. */
export function crdValidationSchema(crd: CrdVersionSchema): Record<string, unknown> {
  const schema = structuralToJsonSchema(crd.openAPIV3Schema) as Record<string, unknown>;
  const properties = { ...(schema.properties as object), metadata: { type: 'object' }, status: {} };
  return { ...schema, properties, required: ['apiVersion', 'kind', 'metadata', ...((schema.required as string[]) ?? [])] };
}
