// CORS: Envoy's cors filter in the HCM and, on each route with a CORS setting (SecurityPolicy cors or
// the HTTPRoute CORS filter), a CorsPolicy in typed_per_filter_config, as Envoy Gateway emits them.
// The filter answers preflights itself and adds the response headers; routes without a CorsPolicy
// pass through it untouched.
import type { CorsIR } from '../../ir/types.js';
import type { EnvoyObject } from '../envoy-types.js';
import { stringMatcher } from '../matchers.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

export const CORS_FILTER = 'envoy.filters.http.cors';
const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const CORS_POLICY_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

export const corsFilter: HttpFilterTranslator = {
  name: CORS_FILTER,

  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.cors)) return undefined;
    return { name: CORS_FILTER, typed_config: { '@type': CORS_TYPE } };
  },

  patchRoute(route, ir) {
    if (ir?.cors) setPerFilterConfig(route, CORS_FILTER, corsPolicy(ir.cors));
  },

  resources: () => ({ clusters: [] }),
};

export function corsPolicy(cors: CorsIR): EnvoyObject {
  const policy: EnvoyObject = { '@type': CORS_POLICY_TYPE, allow_origin_string_match: cors.allowOrigins.map(stringMatcher) };
  if (cors.allowMethods.length > 0) policy.allow_methods = cors.allowMethods.join(', ');
  if (cors.allowHeaders.length > 0) policy.allow_headers = cors.allowHeaders.join(', ');
  if (cors.exposeHeaders.length > 0) policy.expose_headers = cors.exposeHeaders.join(', ');
  if (cors.maxAgeSeconds !== undefined) policy.max_age = String(cors.maxAgeSeconds);
  policy.allow_credentials = cors.allowCredentials;
  // A preflight from an origin not allowed is answered here (without CORS headers), never forwarded.
  policy.forward_not_matching_preflights = false;
  return policy;
}
