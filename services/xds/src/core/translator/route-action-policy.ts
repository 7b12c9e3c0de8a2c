// BackendTrafficPolicy fields on a route's RouteAction: hash_policy (what a MAGLEV cluster hashes
// on), upgrade_configs, idle_timeout, max_stream_duration and the retry priority.
import type { HashPolicyIR, RouteIR } from '../ir/types.js';
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
        return {
          cookie: {
            name: policy.name,
            ...(policy.ttlMs !== undefined ? { ttl: duration(policy.ttlMs) } : {}),
            ...(policy.attributes ? { attributes: policy.attributes.map((a) => ({ name: a.name, value: a.value })) } : {}),
          },
        };
    }
  });
}

export function applyRouteActionPolicy(action: EnvoyObject, ir: RouteIR): void {
  if (ir.hashPolicies) action.hash_policy = buildHashPolicies(ir.hashPolicies);
  if (ir.upgrades) {
    action.upgrade_configs = ir.upgrades.map((u) => ({ upgrade_type: u.type, enabled: true, ...(u.terminateConnect ? { connect_config: {} } : {}) }));
  }
  if (ir.streamIdleTimeoutMs !== undefined) action.idle_timeout = duration(ir.streamIdleTimeoutMs);
  if (ir.maxStreamDurationMs !== undefined) action.max_stream_duration = { max_stream_duration: duration(ir.maxStreamDurationMs) };
  const retryPolicy = action.retry_policy as EnvoyObject | undefined;
  if (retryPolicy && ir.retry?.numAttemptsPerPriority !== undefined) {
    // Retries move on to other priorities after this many attempts (Envoy's previous_priorities).
    retryPolicy.retry_priority = {
      name: 'envoy.retry_priorities.previous_priorities',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig', update_frequency: ir.retry.numAttemptsPerPriority },
    };
  }
}
