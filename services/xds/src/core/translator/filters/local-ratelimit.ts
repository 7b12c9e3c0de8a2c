// Local rate limiting (BackendTrafficPolicy rateLimit.local): the local_ratelimit filter without a
// bucket of its own in the HCM, and per route a token bucket, enabled and enforced for every
// request, answering 429 with the x-ratelimit headers once it is empty. Each Envoy counts alone.
import { duration } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const LOCAL_RATE_LIMIT_NAME = 'envoy.filters.http.local_ratelimit';
const LOCAL_RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const STAT_PREFIX = 'http_local_rate_limiter';
const ALWAYS = { numerator: 100, denominator: 'HUNDRED' } as const;

export const localRateLimitFilter: HttpFilterTranslator = {
  name: LOCAL_RATE_LIMIT_NAME,

  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.localRateLimit)) return undefined;
    return { name: LOCAL_RATE_LIMIT_NAME, typed_config: { '@type': LOCAL_RATE_LIMIT_TYPE, stat_prefix: STAT_PREFIX } };
  },

  patchRoute(route, ir) {
    const limit = ir?.localRateLimit;
    if (!limit || !route.route) return;
    setPerFilterConfig(route, LOCAL_RATE_LIMIT_NAME, {
      '@type': LOCAL_RATE_LIMIT_TYPE,
      stat_prefix: STAT_PREFIX,
      token_bucket: { max_tokens: limit.requests, tokens_per_fill: limit.requests, fill_interval: duration(limit.fillIntervalMs) },
      filter_enabled: { runtime_key: 'local_rate_limit_enabled', default_value: ALWAYS },
      filter_enforced: { runtime_key: 'local_rate_limit_enforced', default_value: ALWAYS },
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    });
  },

  resources: () => ({ clusters: [] }),
};
