// Attached TCP, TLS and UDP routes -> the L4 part of a Gateway's IR: one Envoy listener per port (and
// socket type) of its ready TCP/TLS/UDP listeners, one filter chain per route (and SNI set), in route age order.
import type { ClientPolicyIR, L4PortIR, L4RbacIR } from '../ir/types.js';
import type { PolicyAttachments } from './policies.js';
import { listenerSetKeyOf } from './listener-sets.js';
import { socketKey, type GatewayContext, type ListenerContext } from './gateways.js';
import type { L4Entry } from './l4-routes.js';
import { chainAuthorization } from './l4-security.js';
import type { ResourceIndex } from './resource-index.js';
import type { SecurityClaim } from './security-merge.js';

export function assembleL4Ports(
  gateway: GatewayContext,
  entries: readonly L4Entry[],
  client?: PolicyAttachments<ClientPolicyIR>,
  security?: { attachments: PolicyAttachments<SecurityClaim>; index: ResourceIndex },
): L4PortIR[] {
  const ports = new Map<string, L4PortIR>();
  for (const entry of entries) {
    const { listener } = entry;
    if (!listener.ready || (listener.protocol !== 'TCP' && listener.protocol !== 'TLS' && listener.protocol !== 'UDP')) continue;
    // A UDP socket beside a TCP one on the same port is a second Envoy listener.
    const key = socketKey(listener);
    let port = ports.get(key);
    if (!port) ports.set(key, (port = { name: `${gateway.key}/port/${key}`, port: listener.port, protocol: listener.protocol, chains: [] }));
    port.chains.push({
      name: entry.name,
      serverNames: entry.serverNames,
      ...(listener.protocol === 'TLS' && listener.tlsMode === 'Terminate' ? { tlsSecrets: listener.tlsSecrets } : {}),
      backends: entry.backends,
      ...clientPolicyOf(gateway, listener, client),
      ...rbacOf(gateway, entry, security),
    });
  }
  // A port without any route has nothing to carry: Envoy refuses a listener without filter chains.
  return [...ports.values()].sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
}

/**
 * A TCP or TLS chain takes its listener's ClientTrafficPolicy, else its Gateway's (as HTTP chains do,
 * client-policy-apply.ts). UDP has no connection for one to shape.
 */
function clientPolicyOf(gateway: GatewayContext, listener: ListenerContext, client: PolicyAttachments<ClientPolicyIR> | undefined): { client?: ClientPolicyIR } {
  if (!client || listener.protocol === 'UDP') return {};
  const found = client.get(`listener:${gateway.key}/${listener.name}`) ?? client.get(listenerSetKeyOf(gateway.key, listener.name) ?? '') ?? client.get(`gateway:${gateway.key}`);
  return found ? { client: found.value } : {};
}

/** A SecurityPolicy's authorization on a TCP or TLS chain (l4-security.ts); UDP takes none. */
function rbacOf(gateway: GatewayContext, entry: L4Entry, security: { attachments: PolicyAttachments<SecurityClaim>; index: ResourceIndex } | undefined): { rbac?: L4RbacIR } {
  if (!security || entry.listener.protocol === 'UDP') return {};
  const rbac = chainAuthorization(security.attachments, security.index, entry.route, gateway.key, entry.listener.name);
  return rbac ? { rbac } : {};
}
