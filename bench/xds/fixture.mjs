// The bench's Envoy config: 1 listener, ROUTE_CONFIGS route configurations holding ROUTES routes in
// total, CLUSTERS EDS clusters with endpoints. `generation` changes exactly one route.
export const ROUTES = 1000;
export const ROUTE_CONFIGS = 10;
export const CLUSTERS = 100;
export const NODE_CLUSTER = 'bench/gateway';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function routeConfigNames() {
  return Array.from({ length: ROUTE_CONFIGS }, (_, i) => `routes-${i}`);
}

export function buildResources(generation) {
  const perConfig = ROUTES / ROUTE_CONFIGS;
  const routes = routeConfigNames().map((name, c) => ({
    name,
    virtual_hosts: [
      {
        name: `${name}-vh`,
        domains: [`host-${c}.example.com`],
        routes: Array.from({ length: perConfig }, (_, r) => {
          const index = c * perConfig + r;
          // Generation moves route 0 to another cluster: one route change.
          const cluster = index === 0 ? `cluster-${generation % CLUSTERS}` : `cluster-${index % CLUSTERS}`;
          return { name: `route-${index}`, match: { prefix: `/api/v1/service-${index}/` }, route: { cluster, timeout: '15s' } };
        }),
      },
    ],
  }));
  const clusters = Array.from({ length: CLUSTERS }, (_, i) => ({
    name: `cluster-${i}`,
    type: 'EDS',
    connect_timeout: '5s',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
  }));
  const endpoints = clusters.map((c, i) => ({
    cluster_name: c.name,
    endpoints: [{ locality: { region: 'bench' }, lb_endpoints: [{ endpoint: { address: { socket_address: { address: `10.0.${i >> 8}.${i & 255}`, port_value: 8080 } } } }] }],
  }));
  const listeners = routeConfigNames().map((name, i) => ({
    name: `listener-${i}`,
    address: { socket_address: { address: '0.0.0.0', port_value: 10000 + i } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM,
              stat_prefix: name,
              rds: { route_config_name: name, config_source: { ads: {}, resource_api_version: 'V3' } },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
            },
          },
        ],
      },
    ],
  }));
  return { listeners, routes, clusters, endpoints, secrets: [] };
}
