// Attached TCP, TLS and UDP routes -> the L4 part of a Gateway's IR: one Envoy listener per port (and
// socket type) of its ready TCP/TLS/UDP listeners, one filter chain per route (and SNI set), in route age order.
import type { L4PortIR } from '../ir/types.js';
import { socketKey, type GatewayContext } from './gateways.js';
import type { L4Entry } from './l4-routes.js';

export function assembleL4Ports(gateway: GatewayContext, entries: readonly L4Entry[]): L4PortIR[] {
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
    });
  }
  // A port without any route has nothing to carry: Envoy refuses a listener without filter chains.
  return [...ports.values()].sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
}
