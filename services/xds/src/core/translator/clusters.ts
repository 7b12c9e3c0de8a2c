// ClusterIR -> Envoy Cluster (+ ClusterLoadAssignment). IP and unix endpoints go over EDS (ADS),
// which proxyless gRPC clients need too; hostname endpoints use STRICT_DNS, or LOGICAL_DNS for a
// single hostname GRPCRoutes use (the one DNS type @grpc/grpc-js-xds accepts).
import type { ServiceEndpoint } from './options.js';
import { internalTlsTransportSocket } from './internal-tls.js';
import type { ClusterIR, EndpointIR } from '../ir/types.js';
import { applyClusterPolicy } from './cluster-policy.js';
import { ADS_CONFIG_SOURCE, duration, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';
import { buildDynamicForwardProxyCluster } from './dynamic-forward-proxy.js';
import { upstreamTlsSocket } from './upstream-tls.js';

const CONNECT_TIMEOUT = duration(10_000);

export function buildCluster(cluster: ClusterIR): { cluster: EnvoyObject; endpoints?: EnvoyObject } {
  if (cluster.dynamicResolver) return { cluster: buildDynamicForwardProxyCluster(cluster) };
  const dns = cluster.endpoints.some((e) => e.kind === 'fqdn');
  const assignment = { cluster_name: cluster.name, endpoints: localityEndpoints(cluster.endpoints) };
  const result: EnvoyObject = { name: cluster.name, connect_timeout: CONNECT_TIMEOUT };
  // One hostname used by GRPCRoutes: LOGICAL_DNS, the DNS cluster type proxyless gRPC clients support.
  if (dns) Object.assign(result, { type: cluster.grpc && cluster.endpoints.length === 1 ? 'LOGICAL_DNS' : 'STRICT_DNS', load_assignment: assignment });
  else Object.assign(result, { type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: cluster.name } });
  if (cluster.http2) result.typed_extension_protocol_options = http2Options();
  if (cluster.tls) result.transport_socket = upstreamTlsSocket(cluster.tls);
  if (cluster.policy) applyClusterPolicy(result, cluster.policy, cluster.http2, assignment);
  return dns ? { cluster: result } : { cluster: result, endpoints: assignment };
}

/** A Gatehouse service (authz, ratelimit, certs) Envoy reaches by name. */
export function buildServiceCluster(service: ServiceEndpoint, http2: boolean): EnvoyObject {
  return {
    name: service.clusterName,
    type: 'STRICT_DNS',
    connect_timeout: CONNECT_TIMEOUT,
    load_assignment: { cluster_name: service.clusterName, endpoints: localityEndpoints([{ kind: 'fqdn', hostname: service.host, port: service.port }]) },
    ...(http2 ? { typed_extension_protocol_options: http2Options() } : {}),
    ...(service.tls ? { transport_socket: internalTlsTransportSocket(service.tls, service.host, http2) } : {}),
  };
}

function http2Options(): EnvoyObject {
  return { [EnvoyNames.httpProtocolOptions]: { '@type': EnvoyTypes.httpProtocolOptions, explicit_http_config: { http2_protocol_options: {} } } };
}

/**
 * One locality per Backend zone, each with a weight: proxyless gRPC clients (gRFC A27) reject a
 * locality that is unset and ignore one without weight. Endpoints without zone share one locality.
 * Fallback Backends' endpoints (failover clusters) form their own localities at priority 1.
 */
function localityEndpoints(endpoints: readonly EndpointIR[]): EnvoyObject[] {
  const byZone = new Map<string, { zone: string; priority: number; list: EndpointIR[] }>();
  for (const endpoint of endpoints) {
    const zone = endpoint.zone ?? '';
    const priority = endpoint.priority ?? 0;
    const key = `${priority}/${zone}`;
    let group = byZone.get(key);
    if (!group) byZone.set(key, (group = { zone, priority, list: [] }));
    group.list.push(endpoint);
  }
  return [...byZone.values()].map(({ zone, priority, list }) => ({
    locality: zone ? { zone } : { region: DEFAULT_REGION },
    load_balancing_weight: list.length,
    lb_endpoints: list.map(lbEndpoint),
    ...(priority > 0 ? { priority } : {}),
  }));
}

/** Locality of endpoints without zone. */
const DEFAULT_REGION = 'default';

function lbEndpoint(endpoint: EndpointIR): EnvoyObject {
  const address =
    endpoint.kind === 'unix'
      ? { pipe: { path: endpoint.path } }
      : { socket_address: { address: endpoint.kind === 'ip' ? endpoint.address : endpoint.hostname, port_value: endpoint.port } };
  return { endpoint: { address }, ...(endpoint.weight !== undefined ? { load_balancing_weight: endpoint.weight } : {}) };
}
