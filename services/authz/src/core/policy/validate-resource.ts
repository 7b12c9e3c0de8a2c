// Schema validation of one SecurityPolicy document against the vendored Envoy Gateway CRD
// (@gatehouse/schemas), behind one function so the service has a single seam for it.
import { validateResource, type SchemaIssue } from '@gatehouse/schemas';

export type { SchemaIssue };

export function validateSecurityPolicyDocument(doc: unknown): SchemaIssue[] {
  return validateResource(doc);
}
