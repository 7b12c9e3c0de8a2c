// ClientTrafficPolicies onto the filter chains of one Gateway's IR: a chain takes its listener's
// policy, else its Gateway's (a listener's policy wins, as in Envoy Gateway).
import type { ClientPolicyIR, GatewayIR } from '../ir/types.js';
import type { PolicyAttachments } from './policies.js';
import { listenerSetKeyOf } from './listener-sets.js';

export function applyClientPolicies(gateway: GatewayIR, client: PolicyAttachments<ClientPolicyIR>): void {
  for (const port of gateway.ports) {
    for (const chain of port.chains) {
      // Chains are named "<ns>/<gw>/<listener>" after the listener that owns them.
      const listener = chain.name.slice(gateway.key.length + 1);
      const found = client.get(`listener:${gateway.key}/${listener}`) ?? client.get(listenerSetKeyOf(gateway.key, listener) ?? '') ?? client.get(`gateway:${gateway.key}`);
      if (found) chain.client = found.value;
    }
  }
}
