// The emulated Envoy for connections: a local port standing in for one TCP listener of the served
// snapshot. Each connection takes the listener's filter chain (TCP: the chain without match; SNI is not
// read, so TLS ports are out of scope here), its tcp_proxy cluster (the heaviest of weighted_clusters:
// deterministic for tests), that cluster's endpoint (EDS or DNS, DNS names resolved through `hosts` as
// a container network would), and pipes the bytes both ways, as tcp_proxy does.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { ServedSnapshot } from './ads-snapshot.js';
import { upstreamAddress } from './upstream-address.js';

interface TcpProxyConfig {
  '@type'?: string;
  cluster?: string;
  weighted_clusters?: { clusters?: Array<{ name: string; weight?: number }> };
}

interface ListenerJson {
  name: string;
  address?: { socket_address?: { port_value?: number } };
  filter_chains?: Array<{ filter_chain_match?: { server_names?: string[] }; filters?: Array<{ name?: string; typed_config?: TcpProxyConfig }> }>;
}

export interface EmulatedTcpListener {
  /** The local port clients connect to. */
  readonly port: number;
  /** The cluster connections go to. */
  readonly cluster: string;
  close(): Promise<void>;
}

/** The tcp_proxy cluster of the catch-all chain of the listener on `listenerPort`. */
export function tcpProxyCluster(snapshot: ServedSnapshot, listenerPort: number): string {
  const listener = (snapshot.listeners as unknown as ListenerJson[]).find((l) => l.address?.socket_address?.port_value === listenerPort);
  if (!listener) throw new Error(`no listener on port ${listenerPort} in the snapshot`);
  const chain = listener.filter_chains?.find((c) => !c.filter_chain_match?.server_names?.length);
  const proxy = chain?.filters?.find((f) => f.name === 'envoy.filters.network.tcp_proxy')?.typed_config;
  if (!proxy) throw new Error(`listener ${listener.name} has no tcp_proxy chain without SNI match`);
  if (proxy.cluster) return proxy.cluster;
  const clusters = [...(proxy.weighted_clusters?.clusters ?? [])].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
  if (!clusters[0]) throw new Error(`listener ${listener.name}: tcp_proxy names no cluster`);
  return clusters[0].name;
}

export async function startTcpListener(snapshot: ServedSnapshot, listenerPort: number, hosts: Readonly<Record<string, string>> = {}): Promise<EmulatedTcpListener> {
  const cluster = tcpProxyCluster(snapshot, listenerPort);
  const { host, port } = upstreamAddress(snapshot, cluster);
  const address = hosts[host] ?? (await lookup(host)).address;
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = createConnection({ host: address, port });
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    // A failed upstream closes the downstream connection, as tcp_proxy does.
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('the emulated TCP listener has no port');
  return {
    port: bound.port,
    cluster,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
