// Hand-written Envoy resources for cache and server tests (stand-ins for the translator's output).
import type { EnvoyResources } from '../core/ir/envoy-resources.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function listener(name: string, routeConfigName: string, port = 10080): Record<string, unknown> {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM,
              stat_prefix: name,
              rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
            },
          },
        ],
      },
    ],
  };
}

/** The listener shape proxyless gRPC clients resolve for xds:///<host>. */
export function apiListener(host: string, routeConfigName: string): Record<string, unknown> {
  return {
    name: host,
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: host,
        rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
      },
    },
  };
}

export function routeConfig(name: string, cluster: string, domain = '*'): Record<string, unknown> {
  return {
    name,
    virtual_hosts: [{ name: `${name}-vh`, domains: [domain], routes: [{ match: { prefix: '/' }, route: { cluster } }] }],
  };
}

export function edsCluster(name: string): Record<string, unknown> {
  return { name, type: 'EDS', connect_timeout: '5s', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } } };
}

export function endpoints(clusterName: string, port: number, address = '127.0.0.1'): Record<string, unknown> {
  return {
    cluster_name: clusterName,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] }],
  };
}

export function secret(name: string, cert = 'CERT'): Record<string, unknown> {
  return { name, tls_certificate: { certificate_chain: { inline_string: cert }, private_key: { inline_string: 'KEY' } } };
}

/** One listener -> one route config -> one EDS cluster -> endpoints on `port`. */
export function simpleGateway(port = 8080, clusterName = 'backend'): EnvoyResources {
  return {
    listeners: [listener('http', 'http-routes')],
    routes: [routeConfig('http-routes', clusterName)],
    clusters: [edsCluster(clusterName)],
    endpoints: [endpoints(clusterName, port)],
    secrets: [],
  };
}
