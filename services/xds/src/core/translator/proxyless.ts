// Proxyless gRPC: a client of "xds:///<host>" asks for the Listener named <host>. It gets an
// api_listener whose HTTP connection manager loads routes over RDS (only the router filter,
// which is what @grpc/grpc-js-xds supports), built from the same GRPCRoutes Envoy serves.
import type { ProxylessHostIR, RouteIR } from '../ir/types.js';
import { ADS_CONFIG_SOURCE, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';
import { buildRoute } from './routes.js';

/**
 * gRPC clients cannot answer a request themselves (no direct_response): a rule without a usable
 * backend, or one refused because its policy is broken, goes to this cluster, which has no
 * endpoints, so calls fail with UNAVAILABLE instead of the client rejecting every route.
 */
export const NO_BACKEND_CLUSTER = 'gatehouse/no-backend';

export function proxylessRouteConfigName(host: string): string {
  return `proxyless/${host}`;
}

export function buildProxyless(host: ProxylessHostIR): { listener: EnvoyObject; routeConfiguration: EnvoyObject; needsNoBackend: boolean } {
  const routeConfigName = proxylessRouteConfigName(host.host);
  const routes = host.routes.map(toProxylessRoute);
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
    routeConfiguration: { name: routeConfigName, virtual_hosts: [{ name: host.host, domains: [host.host], routes }] },
    needsNoBackend: host.routes.some((r) => r.directResponse),
  };
}

function toProxylessRoute(ir: RouteIR): EnvoyObject {
  if (ir.directResponse) return { name: ir.name, match: buildRoute(ir).match, route: { cluster: NO_BACKEND_CLUSTER } };
  const route = buildRoute(ir);
  const action = route.route as EnvoyObject | undefined;
  // gRFC A44: a retry policy must allow at least one retry.
  const retry = action?.retry_policy as { num_retries?: number } | undefined;
  if (action && retry && (retry.num_retries ?? 1) < 1) delete action.retry_policy;
  return route;
}

/** The endpoint-less cluster NO_BACKEND_CLUSTER names, over EDS so proxyless clients accept it. */
export function buildNoBackendCluster(): { cluster: EnvoyObject; endpoints: EnvoyObject } {
  return {
    cluster: { name: NO_BACKEND_CLUSTER, type: 'EDS', connect_timeout: '1s', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: NO_BACKEND_CLUSTER } },
    endpoints: { cluster_name: NO_BACKEND_CLUSTER, endpoints: [] },
  };
}
