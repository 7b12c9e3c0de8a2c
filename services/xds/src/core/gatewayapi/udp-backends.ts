// A UDPRoute's backends as the one cluster Envoy's udp_proxy routes datagrams to: its Route names a
// single cluster (no weighted_clusters), so several weighted backendRefs become one cluster per route,
// "udproute/<ns>/<name>", holding every backend's endpoints with load_balancing_weight spreading each
// backend's weight over its endpoints (as Envoy Gateway builds one cluster per UDP route). A backend
// Envoy cannot send datagrams to (a unix socket, upstream TLS) is a reference problem, never dropped.
import type { WeightedClusterIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import type { ClusterRegistry } from './backends.js';
import { Reasons } from './conditions.js';
import { spreadWeights } from './weighted-endpoints.js';

interface RefProblem {
  condition: 'ResolvedRefs';
  reason: string;
  message: string;
}

export function udpBackends(
  route: GatewayResource,
  resolved: { backends: WeightedClusterIR[]; problems: RefProblem[] },
  registry: ClusterRegistry,
): { backends: WeightedClusterIR[]; problems: RefProblem[] } {
  const problems = [...resolved.problems];
  const usable = resolved.backends.filter((backend) => {
    const cluster = registry.get(backend.cluster);
    const why = !cluster ? undefined : cluster.tls ? 'upstream TLS does not apply to UDP' : cluster.endpoints.some((e) => e.kind === 'unix') ? 'a unix socket cannot receive UDP datagrams' : undefined;
    if (why) problems.push({ condition: 'ResolvedRefs', reason: Reasons.unsupportedValue, message: `backend ${backend.cluster}: ${why}` });
    return why === undefined;
  });
  if (usable.length <= 1) return { backends: usable, problems };

  const endpoints = spreadWeights(usable.map((backend) => ({ endpoints: registry.get(backend.cluster)!.endpoints, weight: backend.weight })));
  if (!endpoints) {
    problems.push({ condition: 'ResolvedRefs', reason: Reasons.unsupportedValue, message: 'the backends\' weights spread over their endpoints exceed what Envoy accepts; use smaller weights' });
    return { backends: [], problems };
  }
  const name = `udproute/${route.metadata.namespace}/${route.metadata.name}`;
  registry.add({ name, endpoints, http2: false });
  return { backends: [{ cluster: name, weight: 1 }], problems };
}
