// Schema validation of one SecurityPolicy document, behind one function so that it can be swapped for
// @gatehouse/schemas' validateResource (the vendored CRD's openAPIV3Schema) when that lands.
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;

/** Minimal structural checks until the CRD validator is wired in. */
export function validateSecurityPolicyDocument(doc: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const root = (doc ?? {}) as Obj;
  if (root.apiVersion !== 'gateway.envoyproxy.io/v1alpha1') issues.push({ path: '/apiVersion', message: 'must be gateway.envoyproxy.io/v1alpha1' });
  const metadata = root.metadata as Obj | undefined;
  if (typeof metadata?.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(metadata.name)) issues.push({ path: '/metadata/name', message: 'must be a DNS subdomain name' });
  if (metadata?.namespace !== undefined && (typeof metadata.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(metadata.namespace))) {
    issues.push({ path: '/metadata/namespace', message: 'must be a DNS label' });
  }
  if (root.spec === null || typeof root.spec !== 'object' || Array.isArray(root.spec)) issues.push({ path: '/spec', message: 'must be an object' });
  return issues;
}
