// Global rate limiting: the ratelimit filter (domain = filter chain name) and, per route, the
// rate_limits actions from the shared plan (see ../ratelimit-plan.ts).
import { RATE_LIMIT_COST_ENTRY_KEY } from '@gatehouse/contracts';
import { buildServiceCluster } from '../clusters.js';
import { duration, EnvoyNames, EnvoyTypes } from '../envoy-types.js';
import { planRateLimits } from '../ratelimit-plan.js';
import { chainRoutes, type HttpFilterTranslator } from './http-filter.js';

export const rateLimitFilter: HttpFilterTranslator = {
  name: EnvoyNames.rateLimit,

  buildFilter(chain, options) {
    if (!chainRoutes(chain).some((r) => r.rateLimit)) return undefined;
    return {
      name: EnvoyNames.rateLimit,
      typed_config: {
        '@type': EnvoyTypes.rateLimit,
        domain: chain.name,
        rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: options.rateLimit.clusterName } }, transport_api_version: 'V3' },
        timeout: duration(options.rateLimit.timeoutMs ?? 20),
        failure_mode_deny: options.rateLimit.failClosed ?? false,
        enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
      },
    };
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
      return { actions, ...limit };
    });
  },

  resources: (options) => ({ clusters: [buildServiceCluster(options.rateLimit, true)] }),
};
