// Schema validation of one SecurityPolicy document against the vendored Envoy Gateway CRD
// (@gatehouse/schemas), behind one function so the service has a single seam for it.
import { validateResource, type SchemaIssue } from '@gatehouse/schemas';

export type { SchemaIssue };

export function validateSecurityPolicyDocument(doc: unknown): SchemaIssue[] {
  // Schema only: authz policy files may leave out targetRefs (routing is xds's job), which the CRD's
  // CEL rules require; xds runs those rules on every SecurityPolicy before it publishes one here.
  return validateResource(doc, { celRules: false });
}
