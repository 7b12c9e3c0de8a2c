// A TCP or TLS chain's SecurityPolicy authorization -> Envoy's network RBAC filter, in the matcher form
// Envoy Gateway builds: one matcher per rule on the connection's source IP (SourceIPInput against an Ip
// input matcher with the rule's CIDRs), its action ALLOW or DENY, and the default action on no match.
import type { L4RbacIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';

const RBAC_ACTION = 'type.googleapis.com/envoy.config.rbac.v3.Action';

function action(verdict: 'Allow' | 'Deny'): EnvoyObject {
  return verdict === 'Allow' ? { '@type': RBAC_ACTION, name: 'ALLOW', action: 'ALLOW' } : { '@type': RBAC_ACTION, name: 'DENY', action: 'DENY' };
}

export function networkRbacFilter(statPrefix: string, rbac: L4RbacIR): EnvoyObject {
  const matcher: EnvoyObject = { on_no_match: { action: { name: 'default', typed_config: action(rbac.defaultAction) } } };
  // No rules: the default decides every connection (an empty matcher list is refused by Envoy).
  if (rbac.rules.length > 0) {
    matcher.matcher_list = {
      matchers: rbac.rules.map((rule) => ({
        predicate: {
          single_predicate: {
            input: { name: 'client_ip', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.SourceIPInput' } },
            custom_match: {
              name: 'ip_matcher',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.matching.input_matchers.ip.v3.Ip',
                cidr_ranges: rule.cidrs.map((c) => ({ address_prefix: c.prefix, prefix_len: c.length })),
                stat_prefix: 'client_ip',
              },
            },
          },
        },
        on_match: { action: { name: rule.name, typed_config: action(rule.action) } },
      })),
    };
  }
  return {
    name: 'envoy.filters.network.rbac',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC', stat_prefix: statPrefix, matcher },
  };
}
