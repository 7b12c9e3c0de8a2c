// The emulated Envoy for connections: a local port standing in for one TCP or TLS listener of the served
// snapshot. Each connection takes a filter chain as Envoy would: on a listener with tls_inspector, the
// ClientHello's SNI is read (without terminating TLS) and matched against server_names (exact, then the
// longest "*." wildcard, then the chain without names); on a plain TCP listener the catch-all chain.
// Then its tcp_proxy cluster (the heaviest of weighted_clusters: deterministic for tests), that cluster's
// endpoint (EDS or DNS, names resolved through `hosts` as a container network would), and the bytes are
// piped both ways, the ClientHello included: TLS passthrough leaves the handshake to the backend.
// A network RBAC filter on the chain (a SecurityPolicy's authorization, l4-rbac.ts) is evaluated first,
// in its matcher form: the first rule whose CIDRs hold the client address decides, else on_no_match;
// a denied connection is closed before any upstream is opened.
import { BlockList, createConnection, createServer, isIPv4, type Server, type Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { ServedSnapshot } from './ads-snapshot.js';
import { upstreamAddress } from './upstream-address.js';

interface TcpProxyConfig {
  cluster?: string;
  weighted_clusters?: { clusters?: Array<{ name: string; weight?: number }> };
}

interface RbacAction {
  action?: { typed_config?: { action?: string } };
}

interface RbacConfig {
  matcher?: {
    matcher_list?: {
      matchers?: Array<{
        predicate?: { single_predicate?: { custom_match?: { typed_config?: { cidr_ranges?: Array<{ address_prefix: string; prefix_len?: number | { value?: number } }> } } } };
        on_match?: RbacAction;
      }>;
    };
    on_no_match?: RbacAction;
  };
}

interface ChainJson {
  filter_chain_match?: { server_names?: string[] };
  filters?: Array<{ name?: string; typed_config?: TcpProxyConfig & RbacConfig }>;
}

interface ListenerJson {
  name: string;
  address?: { socket_address?: { port_value?: number } };
  listener_filters?: Array<{ name?: string }>;
  filter_chains?: ChainJson[];
}

export interface EmulatedTcpListener {
  /** The local port clients connect to. */
  readonly port: number;
  /** The cluster of the catch-all chain (TCP listeners), when there is one. */
  readonly cluster?: string;
  close(): Promise<void>;
}

function listenerOn(snapshot: ServedSnapshot, listenerPort: number): ListenerJson {
  const listener = (snapshot.listeners as unknown as ListenerJson[]).find((l) => l.address?.socket_address?.port_value === listenerPort);
  if (!listener) throw new Error(`no listener on port ${listenerPort} in the snapshot`);
  return listener;
}

/** Envoy's server_names matching: the exact name first, then the longest wildcard, then no names. */
export function selectChain(listener: ListenerJson, sni: string | undefined): ChainJson | undefined {
  const chains = listener.filter_chains ?? [];
  if (sni) {
    const exact = chains.find((c) => c.filter_chain_match?.server_names?.includes(sni));
    if (exact) return exact;
    const wildcards = chains
      .flatMap((c) => (c.filter_chain_match?.server_names ?? []).filter((n) => n.startsWith('*.') && sni.endsWith(n.slice(1))).map((n) => ({ c, n })))
      .sort((a, b) => b.n.length - a.n.length);
    if (wildcards[0]) return wildcards[0].c;
  }
  return chains.find((c) => !c.filter_chain_match?.server_names?.length);
}

/** Every network RBAC filter of the chain allows a connection from `address` (no filter: allowed). */
export function rbacAllows(chain: ChainJson | undefined, address: string): boolean {
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  return (chain?.filters ?? [])
    .filter((f) => f.name === 'envoy.filters.network.rbac')
    .every(({ typed_config }) => {
      const matcher = typed_config?.matcher;
      const hit = (matcher?.matcher_list?.matchers ?? []).find((m) => {
        const list = new BlockList();
        for (const range of m.predicate?.single_predicate?.custom_match?.typed_config?.cidr_ranges ?? []) {
          const rangeFamily = isIPv4(range.address_prefix) ? 'ipv4' : 'ipv6';
          // Decoded from ADS, the UInt32Value wrapper is an object; in Envoy's JSON a bare number.
          const length = typeof range.prefix_len === 'object' ? range.prefix_len.value : range.prefix_len;
          if (rangeFamily === family) list.addSubnet(range.address_prefix, length ?? (family === 'ipv4' ? 32 : 128), family);
        }
        return list.check(address, family);
      });
      return (hit ? hit.on_match : matcher?.on_no_match)?.action?.typed_config?.action === 'ALLOW';
    });
}

function clusterOf(chain: ChainJson | undefined): string | undefined {
  const proxy = chain?.filters?.find((f) => f.name === 'envoy.filters.network.tcp_proxy')?.typed_config;
  if (!proxy) return undefined;
  if (proxy.cluster) return proxy.cluster;
  return [...(proxy.weighted_clusters?.clusters ?? [])].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))[0]?.name;
}

/** The tcp_proxy cluster of the catch-all chain of the listener on `listenerPort`. */
export function tcpProxyCluster(snapshot: ServedSnapshot, listenerPort: number): string {
  const listener = listenerOn(snapshot, listenerPort);
  const cluster = clusterOf(selectChain(listener, undefined));
  if (!cluster) throw new Error(`listener ${listener.name} has no tcp_proxy chain without SNI match`);
  return cluster;
}

/** The SNI of a TLS ClientHello, undefined when there is none; null while more bytes are needed. */
export function readSni(data: Buffer): string | undefined | null {
  if (data.length < 5) return null;
  if (data[0] !== 0x16) return undefined; // not a TLS handshake
  const recordEnd = 5 + data.readUInt16BE(3);
  if (data.length < recordEnd) return null;
  let at = 5;
  if (data[at] !== 0x01) return undefined; // not a ClientHello
  at += 4 + 2 + 32; // handshake header, version, random
  at += 1 + data[at]!; // session id
  at += 2 + data.readUInt16BE(at); // cipher suites
  at += 1 + data[at]!; // compression methods
  const extensionsEnd = at + 2 + data.readUInt16BE(at);
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    if (type === 0x0000 && data[at + 6] === 0x00) return data.toString('utf8', at + 9, at + 9 + data.readUInt16BE(at + 7));
    at += 4 + length;
  }
  return undefined;
}

export async function startTcpListener(snapshot: ServedSnapshot, listenerPort: number, hosts: Readonly<Record<string, string>> = {}): Promise<EmulatedTcpListener> {
  const listener = listenerOn(snapshot, listenerPort);
  const inspectsTls = (listener.listener_filters ?? []).some((f) => f.name === 'envoy.filters.listener.tls_inspector');
  const resolve = async (cluster: string) => {
    const { host, port } = upstreamAddress(snapshot, cluster);
    return { address: hosts[host] ?? (await lookup(host)).address, port };
  };
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const proxy = async (downstream: Socket, first: Buffer) => {
    const sni = inspectsTls ? (readSni(first) ?? undefined) : undefined;
    const chain = selectChain(listener, sni);
    const cluster = clusterOf(chain);
    // No chain for this connection, or its RBAC denies the client: Envoy closes it.
    if (!cluster || !rbacAllows(chain, (downstream.remoteAddress ?? '').replace(/^::ffff:/, ''))) return void downstream.destroy();
    const target = await resolve(cluster);
    const upstream = createConnection(target);
    track(upstream);
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
    upstream.write(first);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    downstream.resume();
  };
  const server: Server = createServer((downstream) => {
    track(downstream);
    if (!inspectsTls) return void proxy(downstream, Buffer.alloc(0));
    // tls_inspector: hold the bytes until the ClientHello is whole, then choose the chain.
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (readSni(buffered) === null) return;
      downstream.off('data', onData);
      downstream.pause();
      void proxy(downstream, buffered);
    };
    downstream.on('data', onData);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('the emulated TCP listener has no port');
  const catchAll = clusterOf(selectChain(listener, undefined));
  return {
    port: bound.port,
    ...(catchAll ? { cluster: catchAll } : {}),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
