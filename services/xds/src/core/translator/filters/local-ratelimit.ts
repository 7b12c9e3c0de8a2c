// Local rate limiting (BackendTrafficPolicy rateLimit.local): the local_ratelimit filter without a
// bucket of its own in the HCM, and per route a token bucket, enabled and enforced for every
// request, answering 429 with the x-ratelimit headers once it is empty. Each Envoy counts alone.
// Rules with clientSelectors become descriptors, each with its own bucket: the route's rate_limits
// at stage 1 (the global filter reads stage 0) produce the entries, from the same plan as global
// limits, and only a request matching every selector of a rule spends that rule's tokens.
// Shared rules (Envoy Gateway's rules.shared) are one bucket for all the policy's routes on a filter
// chain: the policy gets a local_ratelimit filter of its own in the HCM, named
// envoy.filters.http.local_ratelimit/shared/<ns>/<name>, enabled there with the rules as descriptors
// (no default bucket, per process not per connection) and never configured per route, so every route
// spends the same buckets; its routes feed it with rate_limits at stage 2.
import type { FilterChainIR, LocalDescriptorRuleIR, LocalRateLimitIR, RouteIR } from '../../ir/types.js';
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
/** The rate_limits stage of shared local descriptors. */
const SHARED_STAGE = 2;

export function sharedLocalRateLimitFilterName(policy: string): string {
  return `${LOCAL_RATE_LIMIT_NAME}/shared/${policy}`;
}

export const localRateLimitFilter: HttpFilterTranslator = {
  name: LOCAL_RATE_LIMIT_NAME,

  buildFilter(chain) {
    const filters: EnvoyObject[] = [];
    if (chainRoutes(chain).some((r) => r.localRateLimit && !r.localRateLimit.sharedOnly)) {
      filters.push({ name: LOCAL_RATE_LIMIT_NAME, typed_config: { '@type': LOCAL_RATE_LIMIT_TYPE, stat_prefix: STAT_PREFIX } });
    }
    filters.push(...sharedFilters(chain));
    if (filters.length === 0) return undefined;
    return filters.length === 1 ? filters[0] : filters;
  },

  patchRoute(route, ir) {
    const limit = ir?.localRateLimit;
    const action = route.route as EnvoyObject | undefined;
    if (!ir || !limit || !action) return;
    if (limit.shared) {
      const shared = descriptorPlan(ir, limit.shared.policy, true, limit.shared.rules, SHARED_STAGE);
      action.rate_limits = [...((action.rate_limits as EnvoyObject[] | undefined) ?? []), ...shared.rateLimits];
    }
    if (limit.sharedOnly) return;
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
  return descriptorPlan(route, 'local/local', false, rules, LOCAL_STAGE);
}

/**
 * The route's rate_limits and the filter's descriptors for some rules. Shared: the first entry names
 * the policy ("<name>": "<namespace>", as Envoy Gateway's shared global limits), not the route, so
 * every route of the policy produces the same descriptors.
 */
function descriptorPlan(route: RouteIR, policy: string, shared: boolean, rules: LocalDescriptorRuleIR[], stage: number): { rateLimits: EnvoyObject[]; descriptors: EnvoyObject[] } {
  const plans = planRateLimits({
    ...route,
    rateLimit: { policy, shared, rules: rules.map((r) => ({ selectors: r.selectors, ...(r.cidr ? { cidr: r.cidr } : {}), requests: r.requests, unit: 'second' as const })) },
  });
  return {
    rateLimits: plans.map((plan) => ({ stage, actions: plan.steps.map((step) => step.action) })),
    descriptors: plans.map((plan, i) => ({
      entries: plan.steps.map((step) => ({ key: step.descriptor.key, value: step.descriptor.value ?? '' })),
      token_bucket: bucket(rules[i]!.requests, rules[i]!.fillIntervalMs),
    })),
  };
}

/** One filter per policy with shared rules on the chain: its descriptors, enabled in the HCM for every request. */
function sharedFilters(chain: FilterChainIR): EnvoyObject[] {
  const byPolicy = new Map<string, { route: RouteIR; limit: LocalRateLimitIR }>();
  for (const route of chainRoutes(chain)) {
    const limit = route.localRateLimit;
    if (limit?.shared && !byPolicy.has(limit.shared.policy)) byPolicy.set(limit.shared.policy, { route, limit });
  }
  return [...byPolicy.keys()].sort().map((policy) => {
    const { route, limit } = byPolicy.get(policy)!;
    const plan = descriptorPlan(route, policy, true, limit.shared!.rules, SHARED_STAGE);
    return {
      name: sharedLocalRateLimitFilterName(policy),
      typed_config: {
        '@type': LOCAL_RATE_LIMIT_TYPE,
        stat_prefix: STAT_PREFIX,
        filter_enabled: { runtime_key: 'local_rate_limit_enabled', default_value: ALWAYS },
        filter_enforced: { runtime_key: 'local_rate_limit_enforced', default_value: limit.shadow ? NEVER : ALWAYS },
        enable_x_ratelimit_headers: limit.noHeaders ? 'OFF' : 'DRAFT_VERSION_03',
        descriptors: plan.descriptors,
        stage: SHARED_STAGE,
        // One bucket per descriptor for the whole Envoy process, not one per connection.
        local_rate_limit_per_downstream_connection: false,
      },
    };
  });
}
