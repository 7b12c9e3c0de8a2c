// The emulated Envoy for datagrams: a local UDP port standing in for one UDP listener of the served
// snapshot. Its udp_proxy listener filter names the route's cluster (matcher.on_no_match's Route action,
// or the deprecated `cluster`); names resolve through `hosts` ("address" or "address:port") as a container
// network would, else DNS; each downstream peer (address and port) is a session with its own
// upstream socket and endpoint, as Envoy keeps one (chosen by load_balancing_weight from a test's draws,
// else the first endpoint), so the backend's answers go back to the peer that asked.
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { EnvoySnapshot } from './types.js';
import { upstreamAddress, upstreamEndpoints } from './upstream-address.js';

interface UdpProxyJson {
  cluster?: string;
  matcher?: { on_no_match?: { action?: { typed_config?: { cluster?: string } } } };
}

interface ListenerJson {
  name: string;
  address?: { socket_address?: { protocol?: string; port_value?: number } };
  listener_filters?: Array<{ name?: string; typed_config?: UdpProxyJson }>;
}

export interface EmulatedUdpListener {
  /** The local port clients send datagrams to. */
  readonly port: number;
  /** The cluster the udp_proxy sends datagrams to. */
  readonly cluster: string;
  close(): Promise<void>;
}

/** The udp_proxy cluster of the UDP listener on `listenerPort`. */
export function udpProxyCluster(snapshot: EnvoySnapshot, listenerPort: number): string {
  const listener = (snapshot.listeners as unknown as ListenerJson[]).find(
    (l) => l.address?.socket_address?.protocol === 'UDP' && l.address.socket_address.port_value === listenerPort,
  );
  if (!listener) throw new Error(`no UDP listener on port ${listenerPort} in the snapshot`);
  const proxy = listener.listener_filters?.find((f) => f.name === 'envoy.filters.udp_listener.udp_proxy')?.typed_config;
  const cluster = proxy?.matcher?.on_no_match?.action?.typed_config?.cluster ?? proxy?.cluster;
  if (!cluster) throw new Error(`UDP listener ${listener.name} has no udp_proxy cluster`);
  return cluster;
}

export interface UdpListenerOptions {
  /**
   * The load balancer's draw in [0, 1) for each new session: its endpoint is the one whose cumulative
   * load_balancing_weight range holds it (a test passes a seeded sequence). Absent: the first endpoint.
   */
  draw?: () => number;
}

export async function startUdpListener(snapshot: EnvoySnapshot, listenerPort: number, hosts: Readonly<Record<string, string>> = {}, options: UdpListenerOptions = {}): Promise<EmulatedUdpListener> {
  const cluster = udpProxyCluster(snapshot, listenerPort);
  const endpoints = options.draw ? upstreamEndpoints(snapshot, cluster) : [upstreamAddress(snapshot, cluster)];
  const resolve = async ({ host, port }: { host: string; port: number }) => {
    // A `hosts` entry "address:port" also moves the port (a stand-in backend on a free port for a manifest's fixed one).
    const mapped = hosts[host] ? /^(.+?)(?::(\d+))?$/.exec(hosts[host])! : undefined;
    return { address: mapped?.[1] ?? (await lookup(host, { family: 4 })).address, port: mapped?.[2] ? Number(mapped[2]) : port };
  };
  const targets = await Promise.all(endpoints.map(resolve));
  const pick = (): { address: string; port: number } | undefined => {
    if (!options.draw) return targets[0];
    const weights = endpoints.map((e) => ('weight' in e ? (e.weight as number) : 1));
    let at = Math.floor(options.draw() * weights.reduce((sum, w) => sum + w, 0));
    for (const [i, target] of targets.entries()) {
      if (at < weights[i]!) return target;
      at -= weights[i]!;
    }
    return undefined;
  };
  const downstream = createSocket('udp4');
  const sessions = new Map<string, { socket: Socket; target: { address: string; port: number } | undefined }>();
  downstream.on('message', (datagram, peer) => {
    const key = `${peer.address}:${peer.port}`;
    let session = sessions.get(key);
    if (!session) {
      const socket = createSocket('udp4');
      socket.on('message', (answer) => downstream.send(answer, peer.port, peer.address));
      session = { socket, target: pick() };
      sessions.set(key, session);
    }
    if (session.target) session.socket.send(datagram, session.target.port, session.target.address);
  });
  await new Promise<void>((done) => downstream.bind(0, '127.0.0.1', done));
  return {
    port: downstream.address().port,
    cluster,
    close: async () => {
      for (const session of sessions.values()) session.socket.close();
      await new Promise<void>((done) => downstream.close(() => done()));
    },
  };
}
