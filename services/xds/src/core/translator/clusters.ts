// ClusterIR -> Envoy Cluster (+ ClusterLoadAssignment). IP and unix endpoints go over EDS (ADS),
// which proxyless gRPC clients need too; hostname endpoints use STRICT_DNS.
import type { ServiceEndpoint } from '../translate-all.js';
import type { ClusterIR, EndpointIR } from '../ir/types.js';
import { ADS_CONFIG_SOURCE, duration, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';

const CONNECT_TIMEOUT = duration(10_000);

export function buildCluster(cluster: ClusterIR): { cluster: EnvoyObject; endpoints?: EnvoyObject } {
  const dns = cluster.endpoints.some((e) => e.kind === 'fqdn');
  const assignment = { cluster_name: cluster.name, endpoints: [{ lb_endpoints: cluster.endpoints.map(lbEndpoint) }] };
  const result: EnvoyObject = { name: cluster.name, connect_timeout: CONNECT_TIMEOUT };
  if (dns) Object.assign(result, { type: 'STRICT_DNS', load_assignment: assignment });
  else Object.assign(result, { type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: cluster.name } });
  if (cluster.http2) result.typed_extension_protocol_options = http2Options();
  return dns ? { cluster: result } : { cluster: result, endpoints: assignment };
}

/** A Gatehouse service (authz, ratelimit, certs) Envoy reaches by name. */
export function buildServiceCluster(service: ServiceEndpoint, http2: boolean): EnvoyObject {
  return {
    name: service.clusterName,
    type: 'STRICT_DNS',
    connect_timeout: CONNECT_TIMEOUT,
    load_assignment: { cluster_name: service.clusterName, endpoints: [{ lb_endpoints: [lbEndpoint({ kind: 'fqdn', hostname: service.host, port: service.port })] }] },
    ...(http2 ? { typed_extension_protocol_options: http2Options() } : {}),
  };
}

function http2Options(): EnvoyObject {
  return { [EnvoyNames.httpProtocolOptions]: { '@type': EnvoyTypes.httpProtocolOptions, explicit_http_config: { http2_protocol_options: {} } } };
}

function lbEndpoint(endpoint: EndpointIR): EnvoyObject {
  const address =
    endpoint.kind === 'unix'
      ? { pipe: { path: endpoint.path } }
      : { socket_address: { address: endpoint.kind === 'ip' ? endpoint.address : endpoint.hostname, port_value: endpoint.port } };
  return { endpoint: { address } };
}
