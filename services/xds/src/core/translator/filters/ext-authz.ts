// ext_authz: every request on a route with a SecurityPolicy asks the authz service, which finds
// the policy by the context extension "policy: <namespace>/<name>". Routes without one skip it.
import { buildServiceCluster } from '../clusters.js';
import { duration, EnvoyNames, EnvoyTypes } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

/** How long Envoy waits for authz unless AUTHZ_TIMEOUT_MS says otherwise (the authz README's 2 s). */
export const DEFAULT_AUTHZ_TIMEOUT_MS = 2000;

export const extAuthzFilter: HttpFilterTranslator = {
  name: EnvoyNames.extAuthz,

  buildFilter(chain, options) {
    if (!chainRoutes(chain).some((r) => r.securityPolicy)) return undefined;
    return {
      name: EnvoyNames.extAuthz,
      typed_config: {
        '@type': EnvoyTypes.extAuthz,
        // 2 s covers the IdP round trips authz makes on login callbacks and refreshes.
        grpc_service: { envoy_grpc: { cluster_name: options.authz.clusterName }, timeout: duration(options.authz.timeoutMs ?? DEFAULT_AUTHZ_TIMEOUT_MS) },
        transport_api_version: 'V3',
        // Fail closed: an unreachable authz service must not open protected routes. It answers 503
        // (unavailable, try again), not Envoy's default 403, which would read as "you may not".
        failure_mode_allow: false,
        status_on_error: { code: 'ServiceUnavailable' },
        // A JWT provider with recomputeRoute (Envoy Gateway: jwt_authn clear_route_cache): the headers
        // authz sets re-select the route. One filter serves the chain, so it applies to all its routes.
        ...(chainRoutes(chain).some((r) => r.authzRecomputeRoute) && { clear_route_cache: true }),
      },
    };
  },

  patchRoute(route, ir) {
    const config = ir?.securityPolicy
      ? { '@type': EnvoyTypes.extAuthzPerRoute, check_settings: { context_extensions: { policy: ir.securityPolicy } } }
      : { '@type': EnvoyTypes.extAuthzPerRoute, disabled: true };
    setPerFilterConfig(route, EnvoyNames.extAuthz, config);
  },

  resources: (options) => ({ clusters: [buildServiceCluster(options.authz, true)] }),
};
