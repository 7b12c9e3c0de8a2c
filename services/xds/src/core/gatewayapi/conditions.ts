// Condition builders with the Gateway API's own types and reasons, so statuses read the same as
// any Gateway API implementation's.
import type { Condition } from './status-types.js';

export function conditionTrue(type: string, reason: string, message: string): Condition {
  return { type, status: 'True', reason, message };
}

export function conditionFalse(type: string, reason: string, message: string): Condition {
  return { type, status: 'False', reason, message };
}

export const Reasons = {
  accepted: 'Accepted',
  programmed: 'Programmed',
  resolvedRefs: 'ResolvedRefs',
  invalid: 'Invalid',
  invalidParameters: 'InvalidParameters',
  listenersNotValid: 'ListenersNotValid',
  unsupportedAddress: 'UnsupportedAddress',
  invalidCaCertificateRef: 'InvalidCACertificateRef',
  noValidCaCertificate: 'NoValidCACertificate',
  unsupportedProtocol: 'UnsupportedProtocol',
  protocolConflict: 'ProtocolConflict',
  hostnameConflict: 'HostnameConflict',
  noConflicts: 'NoConflicts',
  invalidCertificateRef: 'InvalidCertificateRef',
  invalidRouteKinds: 'InvalidRouteKinds',
  refNotPermitted: 'RefNotPermitted',
  notAllowedByListeners: 'NotAllowedByListeners',
  noMatchingListenerHostname: 'NoMatchingListenerHostname',
  noMatchingParent: 'NoMatchingParent',
  unsupportedValue: 'UnsupportedValue',
  invalidKind: 'InvalidKind',
  backendNotFound: 'BackendNotFound',
  targetNotFound: 'TargetNotFound',
  conflicted: 'Conflicted',
} as const;

/** The message for schema problems, one per line, pointing at file:line when known. */
export function describeIssues(issues: ReadonlyArray<{ path: string; message: string; formatted?: string }>): string {
  return issues.map((issue) => issue.formatted ?? `${issue.path}: ${issue.message}`).join('; ');
}
