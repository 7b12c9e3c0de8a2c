// ext_authz: every request on a route with a SecurityPolicy asks the authz service, which finds
// the policy by the context extension "policy: <namespace>/<name>". Routes without one skip it.
import { buildServiceCluster } from '../clusters.js';
import { duration, EnvoyNames, EnvoyTypes } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

export const extAuthzFilter: HttpFilterTranslator = {
  name: EnvoyNames.extAuthz,

  buildFilter(chain, options) {
    if (!chainRoutes(chain).some((r) => r.securityPolicy)) return undefined;
    return {
      name: EnvoyNames.extAuthz,
      typed_config: {
        '@type': EnvoyTypes.extAuthz,
        grpc_service: { envoy_grpc: { cluster_name: options.authz.clusterName }, timeout: duration(options.authz.timeoutMs ?? 1000) },
        transport_api_version: 'V3',
        // Fail closed: an unreachable authz service must not open protected routes.
        failure_mode_allow: false,
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
