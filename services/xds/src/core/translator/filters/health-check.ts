// ClientTrafficPolicy healthCheck.path: the health_check filter answers that path itself (200 while
// Envoy is not draining), ahead of every other filter, so load balancers can probe the gateway.
import type { HttpFilterTranslator } from './http-filter.js';

const HEALTH_CHECK_NAME = 'envoy.filters.http.health_check';

export const healthCheckFilter: HttpFilterTranslator = {
  name: HEALTH_CHECK_NAME,
  buildFilter(chain) {
    const path = chain.client?.healthCheckPath;
    if (!path) return undefined;
    return {
      name: HEALTH_CHECK_NAME,
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck',
        pass_through_mode: false,
        headers: [{ name: ':path', string_match: { exact: path } }],
      },
    };
  },
  patchRoute: () => undefined,
  resources: () => ({ clusters: [] }),
};
