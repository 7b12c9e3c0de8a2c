// The user's own authorization service (SecurityPolicy extAuth), as Envoy Gateway emits it: one
// ext_authz filter per policy, named envoy.filters.http.ext_authz/securitypolicy/<ns>/<name>, disabled
// in the HCM and enabled (with its context extensions) on the routes of that policy. The services'
// clusters are Backend clusters, already in the Gateway's cluster list. They run before Gatehouse's
// own ext_authz filter, where Envoy Gateway puts ext_authz ahead of its JWT/OIDC/basic-auth filters.
import type { ExtAuthIR } from '../../ir/types.js';
import { duration, EnvoyTypes, type EnvoyObject } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';
import { serviceRetryPolicy } from './service-retry.js';

const FILTER_CONFIG_TYPE = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';
/** Envoy Gateway's route metadata namespace, sent to the service with includeRouteMetadata. */
const ROUTE_METADATA_NAMESPACE = 'envoy-gateway';
const ROUTE_KINDS: Record<string, string> = { httproute: 'HTTPRoute', grpcroute: 'GRPCRoute' };

/** The route resource a route name ("httproute/<ns>/<name>/rule/…") comes from, as Envoy Gateway describes it. */
function routeResource(routeName: string): EnvoyObject {
  const [kind = '', namespace = '', name = ''] = routeName.split('/');
  return { kind: ROUTE_KINDS[kind] ?? kind, namespace, name };
}

export function extAuthFilterName(policy: string): string {
  return `envoy.filters.http.ext_authz/securitypolicy/${policy}`;
}

export const userExtAuthFilter: HttpFilterTranslator = {
  name: 'envoy.filters.http.ext_authz/securitypolicy',

  buildFilter(chain) {
    const byPolicy = new Map<string, ExtAuthIR>();
    for (const route of chainRoutes(chain)) if (route.extAuth && !byPolicy.has(route.extAuth.policy)) byPolicy.set(route.extAuth.policy, route.extAuth);
    if (byPolicy.size === 0) return undefined;
    return [...byPolicy.keys()].sort().map((policy) => ({ name: extAuthFilterName(policy), disabled: true, typed_config: extAuthConfig(byPolicy.get(policy)!) }));
  },

  patchRoute(route, ir) {
    if (!ir?.extAuth) return;
    if (ir.extAuth.includeRouteMetadata) {
      const metadata = (route.metadata ?? {}) as { filter_metadata?: EnvoyObject };
      route.metadata = { ...metadata, filter_metadata: { ...metadata.filter_metadata, [ROUTE_METADATA_NAMESPACE]: { resources: [routeResource(ir.name)] } } };
    }
    const checkSettings = ir.extAuth.contextExtensions.length > 0 ? { context_extensions: Object.fromEntries(ir.extAuth.contextExtensions.map((e) => [e.name, e.value])) } : {};
    setPerFilterConfig(route, extAuthFilterName(ir.extAuth.policy), {
      '@type': FILTER_CONFIG_TYPE,
      config: { '@type': EnvoyTypes.extAuthzPerRoute, check_settings: checkSettings },
    });
  },

  resources: () => ({ clusters: [] }),
};

function exactHeaders(names: readonly string[]): EnvoyObject {
  return { patterns: names.map((name) => ({ exact: name, ignore_case: true })) };
}

function extAuthConfig(ext: ExtAuthIR): EnvoyObject {
  const timeout = duration(ext.timeoutMs);
  const config: EnvoyObject = { '@type': EnvoyTypes.extAuthz, transport_api_version: 'V3', failure_mode_allow: ext.failOpen };
  if (ext.protocol === 'grpc') {
    config.grpc_service = { envoy_grpc: { cluster_name: ext.cluster, authority: ext.authority }, timeout, ...(ext.retry ? { retry_policy: serviceRetryPolicy(ext.retry) } : {}) };
  } else {
    config.http_service = {
      server_uri: { uri: `http://${ext.authority}${ext.pathPrefix ?? ''}`, cluster: ext.cluster, timeout },
      ...(ext.pathPrefix ? { path_prefix: ext.pathPrefix } : {}),
      ...(ext.headersToBackend.length > 0 ? { authorization_response: { allowed_upstream_headers: exactHeaders(ext.headersToBackend) } } : {}),
    };
  }
  if (ext.headersToExtAuth.length > 0) config.allowed_headers = exactHeaders(ext.headersToExtAuth);
  if (ext.maxRequestBytes !== undefined) config.with_request_body = { max_request_bytes: ext.maxRequestBytes, allow_partial_message: true };
  if (ext.statusOnError !== undefined) config.status_on_error = { code: ext.statusOnError };
  if (ext.clearRouteCache) config.clear_route_cache = true;
  if (ext.includeRouteMetadata) config.route_metadata_context_namespaces = [ROUTE_METADATA_NAMESPACE];
  return config;
}
