// Envoy's dynamic forward proxy for the emulator (DynamicResolver Backends): the loopback guard first
// (the RBAC filter envoy.filters.http.rbac.dfp_loopback_deny, whose per-route matcher denies with 403 an
// :authority that names the proxy itself), then the upstream is the request's own host, or the host the
// dynamic_forward_proxy filter's per-route config rewrites it to, at the port the host names (else 80,
// or 443 when the cluster speaks TLS).
import type { EnvoySnapshot, Route } from './types.js';

export const DFP_CLUSTER_TYPE = 'envoy.clusters.dynamic_forward_proxy';
const LOOPBACK_GUARD = 'envoy.filters.http.rbac.dfp_loopback_deny';
const DFP_FILTER_PREFIX = 'envoy.filters.http.dynamic_forward_proxy';

interface Predicate {
  single_predicate?: { input?: { typed_config?: { header_name?: string } }; value_match?: { safe_regex?: { regex: string } } };
  or_matcher?: { predicate: Predicate[] };
}
interface RbacPerRoute {
  rbac?: { matcher?: { matcher_list?: { matchers: Array<{ predicate: Predicate; on_match: { action?: { typed_config?: { action?: string } } } }> } } };
}

export function isDynamicForwardProxy(snapshot: EnvoySnapshot, cluster: string): boolean {
  const served = snapshot.clusters?.find((c) => c.name === cluster) as { cluster_type?: { name?: string } } | undefined;
  return served?.cluster_type?.name === DFP_CLUSTER_TYPE;
}

function matches(predicate: Predicate, headers: Record<string, string>): boolean {
  if (predicate.or_matcher) return predicate.or_matcher.predicate.some((p) => matches(p, headers));
  const single = predicate.single_predicate;
  const name = single?.input?.typed_config?.header_name;
  const regex = single?.value_match?.safe_regex?.regex;
  const value = name ? headers[name.toLowerCase()] : undefined;
  return value !== undefined && regex !== undefined && new RegExp(regex).test(value);
}

/** Whether the route's loopback guard denies this :authority (Envoy answers 403 "RBAC: access denied"). */
export function loopbackDenied(route: Route, authority: string, headers: Record<string, string>): boolean {
  const perRoute = route.typed_per_filter_config?.[LOOPBACK_GUARD] as RbacPerRoute | undefined;
  const list = perRoute?.rbac?.matcher?.matcher_list?.matchers ?? [];
  const all = { ...headers, ':authority': authority };
  return list.some((m) => m.on_match.action?.typed_config?.action === 'DENY' && matches(m.predicate, all));
}

/** host and port the cluster resolves and connects to for this request. */
export function dynamicTarget(snapshot: EnvoySnapshot, cluster: string, route: Route, authority: string): { host: string; port: number } {
  const perRoute = Object.entries(route.typed_per_filter_config ?? {}).find(([name]) => name.startsWith(DFP_FILTER_PREFIX))?.[1] as { host_rewrite_literal?: string } | undefined;
  const target = perRoute?.host_rewrite_literal ?? authority;
  const served = snapshot.clusters?.find((c) => c.name === cluster) as { transport_socket?: unknown } | undefined;
  const match = /^(.*?)(?::(\d+))?$/.exec(target)!;
  return { host: match[1]!, port: match[2] ? Number(match[2]) : served?.transport_socket ? 443 : 80 };
}
