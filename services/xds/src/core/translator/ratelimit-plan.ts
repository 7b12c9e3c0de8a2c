// The single derivation of global rate limiting from a route's IR: each step is an Envoy rate
// limit action together with the descriptor entry it produces in the rate limit service's config.
// Envoy's actions and the service's descriptors come from the same steps, so they cannot disagree.
// Naming follows Envoy Gateway: the route name as the first descriptor (or, for shared limits, the
// policy name and namespace), then "rule-<r>-match-<m>" per selector, and "rule-<r>-match--1" for
// a rule without selectors; the domain is the filter chain (Gateway listener) name.
import type { GlobalRateLimitIR, RateLimitRuleIR, RouteIR, StringMatchIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';
import { stringMatcher } from './matchers.js';

export interface DescriptorEntry {
  key: string;
  /** Absent: every distinct value gets its own bucket. */
  value?: string;
}

export interface RateLimitStep {
  action: EnvoyObject;
  descriptor: DescriptorEntry;
}

export interface RateLimitRulePlan {
  steps: RateLimitStep[];
  rule: RateLimitRuleIR;
}

export function ruleDescriptorKey(rule: number, match: number): string {
  return `rule-${rule}-match-${match}`;
}

/** The first step: which route (or shared policy) the counter belongs to. */
export function routeStep(route: RouteIR, limit: GlobalRateLimitIR): RateLimitStep {
  const [namespace, name] = limit.policy.split('/') as [string, string];
  const descriptor = limit.shared ? { key: name, value: namespace } : { key: route.name, value: route.name };
  return { action: { generic_key: { descriptor_key: descriptor.key, descriptor_value: descriptor.value } }, descriptor };
}

export function planRateLimits(route: RouteIR): RateLimitRulePlan[] {
  const limit = route.rateLimit;
  if (!limit) return [];
  const first = routeStep(route, limit);
  return limit.rules.map((rule, r) => {
    // A shared rule of a policy whose other rules are not: its counter is still the policy's.
    const steps: RateLimitStep[] = [rule.shared && !limit.shared ? routeStep(route, { ...limit, shared: true }) : first];
    rule.selectors.forEach((selector, m) => {
      const key = ruleDescriptorKey(r, m);
      switch (selector.kind) {
        case 'header':
          steps.push(
            selector.distinct || !selector.match
              ? { action: { request_headers: { header_name: selector.name, descriptor_key: key } }, descriptor: { key } }
              : headerValueMatch(key, selector.name, selector.match, selector.invert),
          );
          break;
        case 'method': {
          const match: StringMatchIR =
            selector.methods.length === 1 ? { type: 'Exact', value: selector.methods[0]! } : { type: 'RegularExpression', value: `^(${selector.methods.join('|')})$` };
          steps.push(headerValueMatch(key, ':method', match, selector.invert));
          break;
        }
        case 'path':
          steps.push(headerValueMatch(key, ':path', selector.match, selector.invert));
          break;
        case 'query':
          steps.push({
            action: {
              query_parameter_value_match: {
                descriptor_key: key,
                descriptor_value: key,
                expect_match: !selector.invert,
                query_parameters: [{ name: selector.name, string_match: stringMatcher(selector.match) }],
              },
            },
            descriptor: { key, value: key },
          });
          break;
      }
    });
    if (rule.cidr) {
      // The outer descriptor catches the CIDR; "distinct" adds a bucket per client address inside it.
      const mask = rule.cidr.maskLen;
      steps.push({
        action: { masked_remote_address: rule.cidr.ipv6 ? { v6_prefix_mask_len: mask } : { v4_prefix_mask_len: mask } },
        descriptor: { key: 'masked_remote_address', value: rule.cidr.cidr },
      });
      if (rule.cidr.distinct) steps.push({ action: { remote_address: {} }, descriptor: { key: 'remote_address' } });
    }
    if (rule.selectors.length === 0 && !rule.cidr) {
      const key = ruleDescriptorKey(r, -1);
      steps.push({ action: { generic_key: { descriptor_key: key, descriptor_value: key } }, descriptor: { key, value: key } });
    }
    return { steps, rule };
  });
}

function headerValueMatch(key: string, header: string, match: StringMatchIR, invert: boolean): RateLimitStep {
  return {
    action: {
      header_value_match: {
        descriptor_key: key,
        descriptor_value: key,
        expect_match: !invert,
        headers: [{ name: header, string_match: stringMatcher(match) }],
      },
    },
    descriptor: { key, value: key },
  };
}
