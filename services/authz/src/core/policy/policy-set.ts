// All compiled policies the service currently enforces, replaced as a whole on every reload.
import { canonicalHeaderName } from '../decide/identity-headers.js';
import type { CompiledPolicy } from './policy-model.js';

export interface PolicySet {
  readonly version: string;
  readonly policies: ReadonlyMap<string, CompiledPolicy>;
  /** Union of every policy's identity headers (canonical form): a route never sees another route's spoofable headers. */
  readonly identityHeaders: ReadonlySet<string>;
}

/** Headers the service owns regardless of policy. */
export const RESERVED_IDENTITY_HEADERS = ['x-gatehouse-subject', 'x-gatehouse-auth-method', 'x-gatehouse-client-id'] as const;

export function createPolicySet(version: string, policies: Iterable<CompiledPolicy>): PolicySet {
  const byKey = new Map<string, CompiledPolicy>();
  const identityHeaders = new Set<string>(RESERVED_IDENTITY_HEADERS);
  for (const policy of policies) {
    byKey.set(policy.key, policy);
    for (const header of policy.identityHeaders) identityHeaders.add(canonicalHeaderName(header));
  }
  return { version, policies: byKey, identityHeaders };
}
