// Policies on TCP, TLS and UDP routes, as Envoy Gateway applies them. A BackendTrafficPolicy (on the
// route, its listener or its Gateway) gives the route's backends a per-policy copy of their clusters,
// carrying its cluster-level settings (connect timeout, circuit breakers, load balancer, PROXY protocol
// upstream, TCP keepalive, health checks, DNS); the rest of a BackendTrafficPolicy is HTTP-only and,
// as in Envoy Gateway, does nothing to a connection: a policy aimed at an L4 route says so in its status.
import type { WeightedClusterIR } from '../ir/types.js';
import type { ClusterRegistry } from './backends.js';
import type { PolicyAttachments } from './policies.js';
import type { StatusMap } from './status-types.js';
import type { TrafficPolicyIR } from './traffic-policy.js';

/** The route's backends on per-policy copies of their clusters, when the policy has cluster settings. */
export function withClusterPolicy(backends: WeightedClusterIR[], traffic: TrafficPolicyIR | undefined, registry: ClusterRegistry): WeightedClusterIR[] {
  const settings = traffic?.cluster;
  if (!settings) return backends;
  return backends.map((backend) => {
    const base = registry.get(backend.cluster);
    if (!base) return backend;
    const name = `${base.name}/policy/${settings.policy}`;
    if (!registry.get(name)) registry.add({ ...base, name, policy: settings });
    return { ...backend, cluster: name };
  });
}

/** TrafficPolicyIR fields with no meaning for a connection or a datagram, by the spec field they come from. */
const HTTP_ONLY: Record<Exclude<keyof TrafficPolicyIR, 'cluster'>, string> = {
  rateLimit: 'rateLimit',
  localRateLimit: 'rateLimit',
  retry: 'retry',
  fault: 'faultInjection',
  hashPolicies: 'loadBalancer.consistentHash (header, cookie, source IP: HTTP hash policies)',
  compressors: 'compression',
  compressorMinLengths: 'compressor.minContentLength',
  responseOverride: 'responseOverride',
  admissionControl: 'admissionControl',
  bandwidthLimit: 'bandwidthLimit',
  routeStatName: 'telemetry.metrics.routeStatName',
  tracing: 'telemetry.tracing',
  // Merging over a Gateway or listener policy is done for HTTP routes only.
  merged: 'mergeType',
  upgrades: 'httpUpgrade',
  requestBufferBytes: 'requestBuffer',
  streamIdleTimeoutMs: 'timeout.http.streamIdleTimeout',
  maxStreamDurationMs: 'timeout.http.maxStreamDuration',
  requestTimeoutMs: 'timeout.http.requestTimeout',
};

/**
 * A BackendTrafficPolicy targeting an L4 route directly is accepted (as in Envoy Gateway) with the
 * HTTP-only fields it sets named in its Accepted message, so nothing it asks for is silently unmet.
 */
export function noteHttpOnlyFields(route: { kind: string; namespace: string; name: string }, traffic: PolicyAttachments<TrafficPolicyIR>, statuses: StatusMap): void {
  const held = traffic.get(`route:${route.kind}/${route.namespace}/${route.name}`);
  if (!held) return;
  const fields = [...new Set(Object.entries(held.value).flatMap(([key, value]) => (key !== 'cluster' && value !== undefined ? [HTTP_ONLY[key as keyof typeof HTTP_ONLY]] : [])))];
  const status = statuses.get(`BackendTrafficPolicy/${held.policy}`);
  if (fields.length === 0 || !status || !('ancestors' in status)) return;
  const note = `; on ${route.kind} ${route.namespace}/${route.name} only its cluster settings apply (${fields.join(', ')}: HTTP only, no effect on ${route.kind === 'UDPRoute' ? 'datagrams' : 'connections'})`;
  for (const ancestor of status.ancestors) {
    for (const condition of ancestor.conditions) if (condition.type === 'Accepted' && condition.status === 'True' && !condition.message.includes(note)) condition.message += note;
  }
}
