// Local rate limiting (BackendTrafficPolicy rateLimit.local): the local_ratelimit filter without a
// bucket of its own in the HCM, and per route a token bucket, enabled and enforced for every
// request, answering 429 with the x-ratelimit headers once it is empty. Each Envoy counts alone.
// Rules with clientSelectors become descriptors, each with its own bucket: the route's rate_limits
// at stage 1 (the global filter reads stage 0) produce the entries, from the same plan as global
// limits, and only a request matching every selector of a rule spends that rule's tokens.
import type { LocalRateLimitIR, RouteIR } from '../../ir/types.js';
import { duration, type EnvoyObject } from '../envoy-types.js';
import { planRateLimits } from '../ratelimit-plan.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const LOCAL_RATE_LIMIT_NAME = 'envoy.filters.http.local_ratelimit';
const LOCAL_RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const STAT_PREFIX = 'http_local_rate_limiter';
const ALWAYS = { numerator: 100, denominator: 'HUNDRED' } as const;
const NEVER = { numerator: 0, denominator: 'HUNDRED' } as const;
/** The rate_limits stage of local descriptors, apart from the global filter's stage 0. */
const LOCAL_STAGE = 1;

export const localRateLimitFilter: HttpFilterTranslator = {
  name: LOCAL_RATE_LIMIT_NAME,

  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.localRateLimit)) return undefined;
    return { name: LOCAL_RATE_LIMIT_NAME, typed_config: { '@type': LOCAL_RATE_LIMIT_TYPE, stat_prefix: STAT_PREFIX } };
  },

  patchRoute(route, ir) {
    const limit = ir?.localRateLimit;
    const action = route.route as EnvoyObject | undefined;
    if (!ir || !limit || !action) return;
    const descriptors = localDescriptors(ir, limit);
    if (descriptors) action.rate_limits = [...((action.rate_limits as EnvoyObject[] | undefined) ?? []), ...descriptors.rateLimits];
    setPerFilterConfig(route, LOCAL_RATE_LIMIT_NAME, {
      '@type': LOCAL_RATE_LIMIT_TYPE,
      stat_prefix: STAT_PREFIX,
      token_bucket: bucket(limit.requests, limit.fillIntervalMs),
      filter_enabled: { runtime_key: 'local_rate_limit_enabled', default_value: ALWAYS },
      // shadowMode: buckets are spent and stats kept, but no request is refused.
      filter_enforced: { runtime_key: 'local_rate_limit_enforced', default_value: limit.shadow ? NEVER : ALWAYS },
      enable_x_ratelimit_headers: limit.noHeaders ? 'OFF' : 'DRAFT_VERSION_03',
      ...(descriptors ? { descriptors: descriptors.descriptors, stage: LOCAL_STAGE, always_consume_default_token_bucket: false } : {}),
    });
  },

  resources: () => ({ clusters: [] }),
};

function bucket(requests: number, fillIntervalMs: number): EnvoyObject {
  return { max_tokens: requests, tokens_per_fill: requests, fill_interval: duration(fillIntervalMs) };
}

/** Actions and descriptors from the global plan (route step first), every entry with its fixed value. */
function localDescriptors(route: RouteIR, limit: LocalRateLimitIR): { rateLimits: EnvoyObject[]; descriptors: EnvoyObject[] } | undefined {
  const rules = limit.descriptorRules ?? [];
  if (rules.length === 0) return undefined;
  const plans = planRateLimits({
    ...route,
    rateLimit: { policy: 'local/local', shared: false, rules: rules.map((r) => ({ selectors: r.selectors, ...(r.cidr ? { cidr: r.cidr } : {}), requests: r.requests, unit: 'second' as const })) },
  });
  return {
    rateLimits: plans.map((plan) => ({ stage: LOCAL_STAGE, actions: plan.steps.map((step) => step.action) })),
    descriptors: plans.map((plan, i) => ({
      entries: plan.steps.map((step) => ({ key: step.descriptor.key, value: step.descriptor.value ?? '' })),
      token_bucket: bucket(rules[i]!.requests, rules[i]!.fillIntervalMs),
    })),
  };
}
