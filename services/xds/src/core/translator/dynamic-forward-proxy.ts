// DynamicResolver Backends -> Envoy's dynamic forward proxy, as Envoy Gateway builds it:
// - the cluster: type envoy.clusters.dynamic_forward_proxy with its DNS cache (lookup family and
//   refresh rate from a BackendTrafficPolicy's dns, else V4_PREFERRED and 30 s), CLUSTER_PROVIDED load
//   balancing, auto_sni and auto_san_validation (Envoy requires both: the upstream certificate is
//   checked against the request's host), and the Backend's TLS socket when it has `tls`;
// - a loopback guard: an RBAC filter, a no-op in the HCM, that each DynamicResolver route turns into
//   a deny for a :authority naming the proxy itself (localhost, 127.0.0.1, ::1), so a client cannot
//   make the gateway call its own loopback services;
// - the dynamic_forward_proxy HTTP filter, only for routes that rewrite the host: the rewrite must
//   happen before the DNS lookup, so it moves from the route action into the filter's per-route config
//   (the filter is disabled by default and enabled on those routes only).
import type { ClusterIR, ClusterPolicyIR, RouteIR } from '../ir/types.js';
import { applyClusterPolicy } from './cluster-policy.js';
import { duration, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './filters/http-filter.js';
import { upstreamTlsSocket } from './upstream-tls.js';

const DFP_CLUSTER_TYPE = 'envoy.clusters.dynamic_forward_proxy';
const DFP_CLUSTER_CONFIG = 'type.googleapis.com/envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig';
const DFP_FILTER = 'envoy.filters.http.dynamic_forward_proxy';
const DFP_FILTER_CONFIG = 'type.googleapis.com/envoy.extensions.filters.http.dynamic_forward_proxy.v3.FilterConfig';
const DFP_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.dynamic_forward_proxy.v3.PerRouteConfig';
export const LOOPBACK_GUARD_FILTER = 'envoy.filters.http.rbac.dfp_loopback_deny';
const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const RBAC_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute';
const RBAC_ACTION = 'type.googleapis.com/envoy.config.rbac.v3.Action';
const HEADER_INPUT = 'type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput';
const DEFAULT_REFRESH_MS = 30_000;

/** Hosts that name the proxy itself, with an optional port. */
const LOOPBACK_HOSTS = [
  String.raw`^127\.0\.0\.1(?::\d+)?$`,
  String.raw`^localhost(?::\d+)?$`,
  String.raw`^localhost\.localdomain(?::\d+)?$`,
  String.raw`^ip6-localhost(?::\d+)?$`,
  String.raw`^ip6-loopback(?::\d+)?$`,
  String.raw`^\[::1\](?::\d+)?$`,
  String.raw`^::1(?::\d+)?$`,
];

/** The DNS cache; caches are shared by name, so the name spells out every setting. */
export function dnsCacheConfig(dns: ClusterPolicyIR['dns']): EnvoyObject {
  const family = dns?.lookupFamily ?? 'V4_PREFERRED';
  const refreshMs = dns?.refreshRateMs && dns.refreshRateMs > 0 ? dns.refreshRateMs : DEFAULT_REFRESH_MS;
  return { name: `gatehouse-dfp-cache-${family.toLowerCase()}-${refreshMs}ms`, dns_lookup_family: family, dns_refresh_rate: duration(refreshMs) };
}

export function buildDynamicForwardProxyCluster(cluster: ClusterIR): EnvoyObject {
  const result: EnvoyObject = { name: cluster.name, connect_timeout: duration(10_000) };
  if (cluster.tls) result.transport_socket = upstreamTlsSocket(cluster.tls);
  if (cluster.policy) applyClusterPolicy(result, cluster.policy, cluster.http2);
  // What a policy may not change on this kind of cluster: the cluster picks the host, DNS lives in the cache.
  for (const key of ['lb_policy', 'round_robin_lb_config', 'least_request_lb_config', 'maglev_lb_config', 'dns_refresh_rate', 'respect_dns_ttl', 'dns_lookup_family']) delete result[key];
  const options = result.typed_extension_protocol_options as Record<string, EnvoyObject> | undefined;
  const protocol = options?.[EnvoyNames.httpProtocolOptions] ?? {
    '@type': EnvoyTypes.httpProtocolOptions,
    explicit_http_config: cluster.http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
  };
  return {
    ...result,
    cluster_type: { name: DFP_CLUSTER_TYPE, typed_config: { '@type': DFP_CLUSTER_CONFIG, dns_cache_config: dnsCacheConfig(cluster.policy?.dns) } },
    lb_policy: 'CLUSTER_PROVIDED',
    typed_extension_protocol_options: {
      ...options,
      [EnvoyNames.httpProtocolOptions]: { ...protocol, upstream_http_protocol_options: { auto_sni: true, auto_san_validation: true } },
    },
  };
}

function rewritesHost(route: RouteIR): boolean {
  return route.dynamicResolver === true && route.rewrite?.hostname !== undefined;
}

/** First in the HCM: a no-op RBAC that DynamicResolver routes turn into a loopback deny. */
export const loopbackGuardFilter: HttpFilterTranslator = {
  name: LOOPBACK_GUARD_FILTER,
  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.dynamicResolver)) return undefined;
    return { name: LOOPBACK_GUARD_FILTER, typed_config: { '@type': RBAC } };
  },
  patchRoute(route, ir) {
    // A literal rewrite is known now and is not a client's choice.
    if (ir?.dynamicResolver && !rewritesHost(ir)) setPerFilterConfig(route, LOOPBACK_GUARD_FILTER, loopbackDeny());
  },
  resources: () => ({ clusters: [] }),
};

function loopbackDeny(): EnvoyObject {
  const predicates = LOOPBACK_HOSTS.map((regex) => ({
    single_predicate: {
      input: { name: 'http_header', typed_config: { '@type': HEADER_INPUT, header_name: ':authority' } },
      value_match: { safe_regex: { google_re2: {}, regex } },
    },
  }));
  const action = (name: string, config: EnvoyObject) => ({ action: { name, typed_config: { '@type': RBAC_ACTION, ...config } } });
  return {
    '@type': RBAC_PER_ROUTE,
    rbac: {
      matcher: {
        matcher_list: { matchers: [{ predicate: { or_matcher: { predicate: predicates } }, on_match: action('deny-loopback-host', { name: 'DENY', action: 'DENY' }) }] },
        on_no_match: action('default', { name: 'ALLOW' }),
      },
    },
  };
}

/** Before the router: resolves a rewritten host through the DNS cache, on the routes that rewrite it. */
export const dynamicForwardProxyFilter: HttpFilterTranslator = {
  name: DFP_FILTER,
  buildFilter(chain) {
    if (!chainRoutes(chain).some(rewritesHost)) return undefined;
    const cache = dnsCacheConfig(undefined);
    return { name: `${DFP_FILTER}.${cache.name as string}`, disabled: true, typed_config: { '@type': DFP_FILTER_CONFIG, dns_cache_config: cache } };
  },
  patchRoute(route, ir) {
    if (!ir || !rewritesHost(ir)) return;
    const action = route.route as EnvoyObject | undefined;
    if (action) delete action.host_rewrite_literal;
    setPerFilterConfig(route, `${DFP_FILTER}.${dnsCacheConfig(undefined).name as string}`, { '@type': DFP_PER_ROUTE, host_rewrite_literal: ir.rewrite!.hostname! });
  },
  resources: () => ({ clusters: [] }),
};
