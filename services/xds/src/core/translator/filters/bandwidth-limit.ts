// BackendTrafficPolicy bandwidthLimit: two bandwidth_limit filters, one per direction
// (envoy.filters.http.bandwidth_limit/request and /response), disabled in the HCM; a route of the
// policy gets its limit in KiB/s, which enables the filter there. Response trailers report delays.
import type { EnvoyObject } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const BANDWIDTH_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit';
const STAT_PREFIX = 'http_bandwidth_limiter';
const REQUEST_NAME = 'envoy.filters.http.bandwidth_limit/request';
const RESPONSE_NAME = 'envoy.filters.http.bandwidth_limit/response';

export const bandwidthLimitFilter: HttpFilterTranslator = {
  name: 'envoy.filters.http.bandwidth_limit',
  buildFilter(chain) {
    const routes = chainRoutes(chain);
    const hcmEntry = (name: string): EnvoyObject => ({ name, typed_config: { '@type': BANDWIDTH_LIMIT_TYPE, stat_prefix: STAT_PREFIX, enable_mode: 'DISABLED' }, disabled: true });
    const filters = [
      ...(routes.some((r) => r.bandwidthLimit?.requestKibps !== undefined) ? [hcmEntry(REQUEST_NAME)] : []),
      ...(routes.some((r) => r.bandwidthLimit?.responseKibps !== undefined) ? [hcmEntry(RESPONSE_NAME)] : []),
    ];
    return filters.length > 0 ? filters : undefined;
  },
  patchRoute(route, ir) {
    const limit = ir?.bandwidthLimit;
    if (!limit || !route.route) return;
    if (limit.requestKibps !== undefined) {
      setPerFilterConfig(route, REQUEST_NAME, { '@type': BANDWIDTH_LIMIT_TYPE, stat_prefix: STAT_PREFIX, enable_mode: 'REQUEST', limit_kbps: limit.requestKibps });
    }
    if (limit.responseKibps !== undefined) {
      setPerFilterConfig(route, RESPONSE_NAME, {
        '@type': BANDWIDTH_LIMIT_TYPE,
        stat_prefix: STAT_PREFIX,
        enable_mode: 'RESPONSE',
        limit_kbps: limit.responseKibps,
        ...(limit.responseTrailerPrefix !== undefined ? { enable_response_trailers: true, ...(limit.responseTrailerPrefix ? { response_trailer_prefix: limit.responseTrailerPrefix } : {}) } : {}),
      });
    }
  },
  resources: () => ({ clusters: [] }),
};
