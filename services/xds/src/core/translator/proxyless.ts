// Proxyless gRPC: a client of "xds:///<host>" asks for the Listener named <host>. It gets an
// api_listener whose HTTP connection manager loads routes over RDS (only the router filter,
// which is what @grpc/grpc-js-xds supports), built from the same GRPCRoutes Envoy serves.
import type { ProxylessHostIR } from '../ir/types.js';
import { ADS_CONFIG_SOURCE, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';
import { buildRoute } from './routes.js';

export function proxylessRouteConfigName(host: string): string {
  return `proxyless/${host}`;
}

export function buildProxyless(host: ProxylessHostIR): { listener: EnvoyObject; routeConfiguration: EnvoyObject } {
  const routeConfigName = proxylessRouteConfigName(host.host);
  return {
    listener: {
      name: host.host,
      api_listener: {
        api_listener: {
          '@type': EnvoyTypes.httpConnectionManager,
          stat_prefix: host.host,
          rds: { route_config_name: routeConfigName, config_source: ADS_CONFIG_SOURCE },
          http_filters: [{ name: EnvoyNames.router, typed_config: { '@type': EnvoyTypes.router } }],
        },
      },
    },
    routeConfiguration: {
      name: routeConfigName,
      virtual_hosts: [{ name: host.host, domains: [host.host], routes: host.routes.map(buildRoute) }],
    },
  };
}
