// Envoy's priority load balancing with passive health checks, enough for failover journeys: a
// cluster's load assignment (EDS) holds localities at priorities 0, 1, ...; traffic goes to the lowest
// priority while it is healthy enough (overprovisioning factor 1.4: a priority whose healthy share
// times 1.4 reaches 100% takes everything) and spills to the next ones as it is not. Endpoints become
// unhealthy by outlier detection: `consecutive_5xx` failures in a row (Envoy's default 5; a connection
// failure counts as a 5xx while split_external_local_origin_errors is off) eject them.
import type { EnvoySnapshot } from './types.js';

interface Lb {
  endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } };
}
interface Locality {
  priority?: number;
  lb_endpoints?: Lb[];
}

const OVERPROVISIONING = 1.4;

/** Outlier detection state of one emulated Envoy: consecutive failures and ejections per endpoint. */
export class OutlierState {
  private readonly failures = new Map<string, number>();
  readonly ejected = new Set<string>();

  record(snapshot: EnvoySnapshot, cluster: string, endpoint: string, failed: boolean): void {
    const key = `${cluster}|${endpoint}`;
    if (!failed) {
      this.failures.set(key, 0);
      return;
    }
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    const served = snapshot.clusters?.find((c) => c.name === cluster) as { outlier_detection?: { consecutive_5xx?: number | { value?: number } } } | undefined;
    if (!served?.outlier_detection) return;
    // A served snapshot decodes the UInt32Value wrapper as { value }; the translator's JSON has the bare number.
    const limit = served.outlier_detection.consecutive_5xx;
    if (count >= (typeof limit === 'object' ? (limit.value ?? 5) : (limit ?? 5))) this.ejected.add(key);
  }

  healthy(cluster: string, endpoint: string): boolean {
    return !this.ejected.has(`${cluster}|${endpoint}`);
  }
}

/** The endpoint "<address>:<port>" the load balancer picks: the first healthy one of the priority that takes the traffic. */
export function pickByPriority(snapshot: EnvoySnapshot, cluster: string, state: OutlierState): string | undefined {
  const assignment = snapshot.endpoints?.find((e) => e.cluster_name === cluster) as { endpoints?: Locality[] } | undefined;
  const byPriority = new Map<number, string[]>();
  for (const locality of assignment?.endpoints ?? []) {
    const list = byPriority.get(locality.priority ?? 0) ?? [];
    for (const lb of locality.lb_endpoints ?? []) list.push(`${lb.endpoint?.address?.socket_address?.address}:${lb.endpoint?.address?.socket_address?.port_value}`);
    byPriority.set(locality.priority ?? 0, list);
  }
  const priorities = [...byPriority.keys()].sort((a, b) => a - b);
  for (const priority of priorities) {
    const all = byPriority.get(priority)!;
    const healthy = all.filter((e) => state.healthy(cluster, e));
    // Deterministic stand-in for the load split: a priority keeps the traffic while it can carry all of it.
    if (all.length > 0 && (healthy.length / all.length) * OVERPROVISIONING >= 1) return healthy[0];
  }
  // Nothing healthy enough anywhere: Envoy spreads over what is left (panic mode); take the first healthy, else the first.
  const flat = priorities.flatMap((p) => byPriority.get(p)!);
  return flat.find((e) => state.healthy(cluster, e)) ?? flat[0];
}
