// The rate limit service's side of the plan: one envoyproxy/ratelimit domain config per filter
// chain, in the reference YAML format (domain, descriptors: key/value/rate_limit/descriptors).
import type { FilterChainIR } from '../ir/types.js';
import { toPlainYaml } from '../ir/plain-yaml.js';
import { planRateLimits, type RateLimitRulePlan } from './ratelimit-plan.js';

interface YamlDescriptor {
  key: string;
  value?: string;
  rate_limit?: { unit: string; requests_per_unit: number };
  shadow_mode?: boolean;
  descriptors?: YamlDescriptor[];
}

export interface RateLimitDomainConfig {
  domain: string;
  yaml: string;
  source: string;
}

export function buildRateLimitDomain(chain: FilterChainIR): RateLimitDomainConfig | undefined {
  const top: YamlDescriptor[] = [];
  const index = new WeakMap<YamlDescriptor[], Map<string, YamlDescriptor>>();
  const policies = new Set<string>();
  for (const route of chain.virtualHosts.flatMap((vh) => vh.routes)) {
    if (!route.rateLimit) continue;
    policies.add(route.rateLimit.policy);
    for (const plan of planRateLimits(route)) insertPlan(top, plan, index);
  }
  if (top.length === 0) return undefined;
  return {
    domain: chain.name,
    yaml: toPlainYaml({ domain: chain.name, descriptors: top }),
    source: `BackendTrafficPolicy ${[...policies].sort().join(', ')}`,
  };
}

/** Walks the steps down the descriptor tree, sharing equal prefixes (shared limits, repeated routes). */
function insertPlan(level: YamlDescriptor[], plan: RateLimitRulePlan, index: WeakMap<YamlDescriptor[], Map<string, YamlDescriptor>>): void {
  let siblings = level;
  plan.steps.forEach((step, i) => {
    let byKey = index.get(siblings);
    if (!byKey) index.set(siblings, (byKey = new Map()));
    const id = `${step.descriptor.key}\u0000${step.descriptor.value ?? ''}\u0000${step.descriptor.value === undefined}`;
    let node = byKey.get(id);
    if (!node) {
      node = { key: step.descriptor.key, ...(step.descriptor.value !== undefined ? { value: step.descriptor.value } : {}) };
      siblings.push(node);
      byKey.set(id, node);
    }
    if (i === plan.steps.length - 1) {
      node.rate_limit = { unit: plan.rule.unit, requests_per_unit: plan.rule.requests };
      if (plan.rule.shadowMode) node.shadow_mode = true;
    }
    else siblings = node.descriptors ??= [];
  });
}
