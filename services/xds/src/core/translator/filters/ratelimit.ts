// Global rate limiting: the ratelimit filter (domain = filter chain name) and, per route, the
// rate_limits actions from the shared plan (see ../ratelimit-plan.ts). Envoy's x-ratelimit headers
// are a filter setting: a rule with its own xRateLimitHeaders is asked by a second ratelimit filter
// (same domain) with that setting, envoy.filters.http.ratelimit/x-ratelimit-headers-off or -on, which
// reads the rule's rate_limits entry at its own stage; the others stay with the listener's filter.
import type { RateLimitRuleIR } from '../../ir/types.js';
import { RATE_LIMIT_COST_ENTRY_KEY } from '@gatehouse/contracts';
import { buildServiceCluster } from '../clusters.js';
import { duration, EnvoyNames, EnvoyTypes, type EnvoyObject } from '../envoy-types.js';
import { planRateLimits } from '../ratelimit-plan.js';
import type { TranslatorOptions } from '../options.js';
import { chainRoutes, type HttpFilterTranslator } from './http-filter.js';

/** The filters by a rule's xRateLimitHeaders: name suffix, header setting and rate_limits stage (apart from local limits' 1 and 2). */
const HEADER_FILTERS = {
  Off: { suffix: '/x-ratelimit-headers-off', headers: 'OFF', stage: 3 },
  DraftVersion03: { suffix: '/x-ratelimit-headers-on', headers: 'DRAFT_VERSION_03', stage: 4 },
} as const;

export const rateLimitFilter: HttpFilterTranslator = {
  name: EnvoyNames.rateLimit,

  buildFilter(chain, options) {
    const rules = chainRoutes(chain).flatMap((r) => r.rateLimit?.rules ?? []);
    if (rules.length === 0) return undefined;
    const filters: EnvoyObject[] = [];
    if (rules.some((rule) => rule.xRateLimitHeaders === undefined)) filters.push(rateLimitFilterEntry(EnvoyNames.rateLimit, chain.name, options, 'DRAFT_VERSION_03'));
    for (const setting of ['Off', 'DraftVersion03'] as const) {
      const own = HEADER_FILTERS[setting];
      if (rules.some((rule) => rule.xRateLimitHeaders === setting)) filters.push(rateLimitFilterEntry(`${EnvoyNames.rateLimit}${own.suffix}`, chain.name, options, own.headers, own.stage));
    }
    return filters.length === 1 ? filters[0] : filters;
  },

  patchRoute(route, ir) {
    const action = route.route as Record<string, unknown> | undefined;
    if (!ir?.rateLimit || !action) return;
    action.rate_limits = planRateLimits(ir).map((plan) => {
      const fromMetadata = plan.rule.limitFromMetadata;
      // Envoy sends the metadata's limit with the descriptor; the rate limit service uses it over its own.
      const limit = fromMetadata ? { limit: { dynamic_metadata: { metadata_key: { key: fromMetadata.namespace, path: [{ key: fromMetadata.key }] } } } } : {};
      const actions = plan.steps.map((step) => step.action);
      // The cost rides as a last descriptor entry the rate limit service takes off as hits_addend (see RATE_LIMIT_COST_ENTRY_KEY).
      if (plan.rule.cost !== undefined) actions.push({ generic_key: { descriptor_key: RATE_LIMIT_COST_ENTRY_KEY, descriptor_value: String(plan.rule.cost) } });
      return { ...stageOf(plan.rule), actions, ...limit };
    });
  },

  resources: (options) => ({ clusters: [buildServiceCluster(options.rateLimit, true)] }),
};

function rateLimitFilterEntry(name: string, domain: string, options: TranslatorOptions, headers: string, stage?: number): EnvoyObject {
  return {
    name,
    typed_config: {
      '@type': EnvoyTypes.rateLimit,
      domain,
      ...(stage !== undefined ? { stage } : {}),
      rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: options.rateLimit.clusterName } }, transport_api_version: 'V3' },
      timeout: duration(options.rateLimit.timeoutMs ?? 20),
      failure_mode_deny: options.rateLimit.failClosed ?? false,
      enable_x_ratelimit_headers: headers,
    },
  };
}

/** A rule with its own headers setting is read by that setting's filter, at its stage. */
function stageOf(rule: RateLimitRuleIR): { stage?: number } {
  return rule.xRateLimitHeaders ? { stage: HEADER_FILTERS[rule.xRateLimitHeaders].stage } : {};
}
