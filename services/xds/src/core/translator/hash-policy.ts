// HashPolicyIR -> the route's hash_policy, what a MAGLEV (consistent hash) cluster hashes on.
import type { HashPolicyIR } from '../ir/types.js';
import { duration, type EnvoyObject } from './envoy-types.js';

export function buildHashPolicies(policies: readonly HashPolicyIR[]): EnvoyObject[] {
  return policies.map((policy) => {
    switch (policy.kind) {
      case 'sourceIP':
        return { connection_properties: { source_ip: true } };
      case 'header':
        return { header: { header_name: policy.name } };
      case 'query':
        return { query_parameter: { name: policy.name } };
      case 'cookie':
        // With a ttl Envoy sets the cookie when the request has none, so a client sticks from its first request.
        return { cookie: { name: policy.name, ...(policy.ttlMs !== undefined ? { ttl: duration(policy.ttlMs) } : {}) } };
    }
  });
}
