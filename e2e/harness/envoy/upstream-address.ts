// Where the router would send a request for a cluster: the first endpoint of its load assignment,
// inline (STATIC / STRICT_DNS clusters) or served over EDS. Enough for one-endpoint clusters.
import type { EnvoySnapshot } from './types.js';

interface LoadAssignment {
  endpoints?: Array<{ lb_endpoints?: Array<{ endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } }; load_balancing_weight?: number | { value?: number } }> }>;
}

export function upstreamAddress(snapshot: EnvoySnapshot, clusterName: string): { host: string; port: number } {
  const cluster = (snapshot.clusters ?? []).find((c) => c.name === clusterName) as { load_assignment?: LoadAssignment; type?: string } | undefined;
  if (!cluster) throw new Error(`cluster ${clusterName} is not in the snapshot`);
  const assignment = cluster.type === 'EDS' ? ((snapshot.endpoints ?? []).find((e) => e.cluster_name === clusterName) as LoadAssignment | undefined) : cluster.load_assignment;
  const socket = assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address;
  if (!socket?.address || !socket.port_value) throw new Error(`cluster ${clusterName} has no endpoint address`);
  return { host: socket.address, port: socket.port_value };
}

/** Every endpoint of the cluster with its load_balancing_weight (1 when unset), for a weighted choice among them. */
export function upstreamEndpoints(snapshot: EnvoySnapshot, clusterName: string): Array<{ host: string; port: number; weight: number }> {
  const cluster = (snapshot.clusters ?? []).find((c) => c.name === clusterName) as { load_assignment?: LoadAssignment; type?: string } | undefined;
  if (!cluster) throw new Error(`cluster ${clusterName} is not in the snapshot`);
  const assignment = cluster.type === 'EDS' ? ((snapshot.endpoints ?? []).find((e) => e.cluster_name === clusterName) as LoadAssignment | undefined) : cluster.load_assignment;
  return (assignment?.endpoints ?? []).flatMap((locality) =>
    (locality.lb_endpoints ?? []).flatMap((lb) => {
      const socket = lb.endpoint?.address?.socket_address;
      if (!socket?.address || !socket.port_value) return [];
      const weight = typeof lb.load_balancing_weight === 'number' ? lb.load_balancing_weight : (lb.load_balancing_weight?.value ?? 1);
      return [{ host: socket.address, port: socket.port_value, weight }];
    }),
  );
}
