// CSRF: Envoy's csrf filter in the HCM, off by default (filter_enabled 0%), and on each route of a
// SecurityPolicy with csrf a CsrfPolicy in typed_per_filter_config that enforces it (minus the shadow
// fraction, which is only evaluated): a mutating request (POST, PUT, DELETE, PATCH) whose Origin is
// neither the destination nor an additional origin gets 403.
import type { CsrfIR } from '../../ir/types.js';
import type { EnvoyObject } from '../envoy-types.js';
import { stringMatcher } from '../matchers.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

export const CSRF_FILTER = 'envoy.filters.http.csrf';
const CSRF_POLICY_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.csrf.v3.CsrfPolicy';

/** A percentage as Envoy's RuntimeFractionalPercent (per million, so fractions like 1/3 stay close). */
function percent(value: number): EnvoyObject {
  return { default_value: { numerator: Math.round(value * 10_000), denominator: 'MILLION' } };
}

export const csrfFilter: HttpFilterTranslator = {
  name: CSRF_FILTER,

  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.csrf)) return undefined;
    return { name: CSRF_FILTER, typed_config: { '@type': CSRF_POLICY_TYPE, filter_enabled: percent(0) } };
  },

  patchRoute(route, ir) {
    if (ir?.csrf) setPerFilterConfig(route, CSRF_FILTER, csrfPolicy(ir.csrf));
  },

  resources: () => ({ clusters: [] }),
};

function csrfPolicy(csrf: CsrfIR): EnvoyObject {
  const policy: EnvoyObject = { '@type': CSRF_POLICY_TYPE, filter_enabled: percent(100 - csrf.shadowPercent) };
  if (csrf.shadowPercent > 0) policy.shadow_enabled = percent(100);
  if (csrf.additionalOrigins.length > 0) policy.additional_origins = csrf.additionalOrigins.map(stringMatcher);
  return policy;
}
