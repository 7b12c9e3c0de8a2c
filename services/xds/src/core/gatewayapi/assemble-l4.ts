// Attached TCP and TLS routes -> the L4 part of a Gateway's IR: one Envoy listener per port of its
// ready TCP/TLS listeners, one filter chain per route (and SNI set), in route age order.
import type { L4PortIR } from '../ir/types.js';
import type { GatewayContext } from './gateways.js';
import type { L4Entry } from './l4-routes.js';

export function assembleL4Ports(gateway: GatewayContext, entries: readonly L4Entry[]): L4PortIR[] {
  const ports = new Map<number, L4PortIR>();
  for (const entry of entries) {
    const { listener } = entry;
    if (!listener.ready || (listener.protocol !== 'TCP' && listener.protocol !== 'TLS')) continue;
    let port = ports.get(listener.port);
    if (!port) ports.set(listener.port, (port = { name: `${gateway.key}/port/${listener.port}`, port: listener.port, protocol: listener.protocol, chains: [] }));
    port.chains.push({
      name: entry.name,
      serverNames: entry.serverNames,
      ...(listener.protocol === 'TLS' && listener.tlsMode === 'Terminate' ? { tlsSecrets: listener.tlsSecrets } : {}),
      backends: entry.backends,
    });
  }
  // A port without any route has nothing to carry: Envoy refuses a listener without filter chains.
  return [...ports.values()].sort((a, b) => a.port - b.port);
}
