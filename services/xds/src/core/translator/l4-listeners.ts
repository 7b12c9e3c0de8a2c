// L4PortIR -> Envoy Listener carrying connections (UDP: datagrams, through udp_proxy, at the end): each chain a tcp_proxy to its route's clusters
// (weighted_clusters when there are several), chosen by SNI through tls_inspector on TLS ports. TLS
// Passthrough leaves the bytes alone (the backend terminates); Terminate presents the listener's
// certificates by SDS, as HTTPS does, and proxies the plaintext.
import type { L4ChainIR, L4PortIR, PortIR } from '../ir/types.js';
import {
  applyClientPolicyToTls,
  applyClientValidation,
  connectionLimitFilter,
  keepaliveSocketOptions,
  listenerBufferLimit,
  maxAcceptPerSocketEvent,
  proxyProtocolFilter,
} from './client-policy.js';
import type { TranslatorOptions } from './options.js';
import { ADS_CONFIG_SOURCE, duration, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';
import { NO_BACKEND_CLUSTER } from './proxyless.js';
import { networkRbacFilter } from './l4-rbac.js';

const TCP_PROXY = 'envoy.filters.network.tcp_proxy';
const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

export function buildL4Listener(port: L4PortIR, options: TranslatorOptions): { listener: EnvoyObject; needsNoBackend: boolean } {
  if (port.protocol === 'UDP') return buildUdpListener(port, options);
  const listener: EnvoyObject = {
    name: port.name,
    address: { socket_address: { address: options.bindAddress ?? '0.0.0.0', port_value: port.port } },
    filter_chains: port.chains.map(buildChain),
  };
  if (port.protocol === 'TLS') listener.listener_filters = [{ name: EnvoyNames.tlsInspector, typed_config: { '@type': EnvoyTypes.tlsInspector } }];
  applyL4ClientPolicies(listener, port);
  return { listener, needsNoBackend: port.chains.some((chain) => chain.backends.length === 0) };
}

function buildChain(chain: L4ChainIR): EnvoyObject {
  const result: EnvoyObject = { name: chain.name, filters: [{ name: TCP_PROXY, typed_config: tcpProxy(chain) }] };
  // ClientTrafficPolicy connection.connectionLimit: the connection_limit filter ahead of tcp_proxy.
  const connectionLimit = connectionLimitFilter(chain.name, chain.client);
  // SecurityPolicy authorization: the network RBAC filter decides before tcp_proxy opens an upstream.
  if (chain.rbac) result.filters = [networkRbacFilter(chain.name, chain.rbac), ...(result.filters as EnvoyObject[])];
  if (connectionLimit) result.filters = [connectionLimit, ...(result.filters as EnvoyObject[])];
  if (chain.serverNames.length > 0) result.filter_chain_match = { server_names: chain.serverNames };
  if (chain.tlsSecrets) {
    result.transport_socket = {
      name: EnvoyNames.tlsTransportSocket,
      typed_config: {
        '@type': EnvoyTypes.downstreamTlsContext,
        common_tls_context: { tls_certificate_sds_secret_configs: chain.tlsSecrets.map((name) => ({ name, sds_config: ADS_CONFIG_SOURCE })) },
      },
    };
    // ClientTrafficPolicy tls (versions, ciphers, ALPN, client certificates) on a Terminate listener.
    if (chain.client) {
      const downstream = (result.transport_socket as { typed_config: EnvoyObject & { common_tls_context: EnvoyObject } }).typed_config;
      applyClientPolicyToTls(downstream.common_tls_context, chain.client);
      applyClientValidation(downstream, chain.client);
    }
  }
  return result;
}

function tcpProxy(chain: L4ChainIR): EnvoyObject {
  const proxy: EnvoyObject = { '@type': TCP_PROXY_TYPE, stat_prefix: chain.name };
  // ClientTrafficPolicy timeout.tcp.idleTimeout, as Envoy Gateway sets it on its tcp_proxy.
  const idleMs = chain.client?.extras?.tcpIdleTimeoutMs;
  if (idleMs !== undefined) proxy.idle_timeout = duration(idleMs);
  const live = chain.backends.filter((b) => b.weight > 0);
  // No usable backend: a cluster without endpoints, so the connection is closed rather than sent anywhere.
  if (live.length === 0) proxy.cluster = NO_BACKEND_CLUSTER;
  else if (live.length === 1) proxy.cluster = live[0]!.cluster;
  else proxy.weighted_clusters = { clusters: live.map((b) => ({ name: b.cluster, weight: b.weight })) };
  return proxy;
}

const UDP_PROXY = 'envoy.filters.udp_listener.udp_proxy';
const UDP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig';
const UDP_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.udp.udp_proxy.v3.Route';

/**
 * A UDP socket whose udp_proxy listener filter sends every datagram to its route's cluster, chosen by the
 * matcher's on_no_match action (the form Envoy Gateway uses; `cluster` is deprecated). A UDP listener
 * carries one route (udp-backends.ts made its backends one cluster); none usable: the endpoint-less cluster.
 */
function buildUdpListener(port: L4PortIR, options: TranslatorOptions): { listener: EnvoyObject; needsNoBackend: boolean } {
  const chain = port.chains[0];
  const cluster = chain?.backends.find((b) => b.weight > 0)?.cluster;
  const listener: EnvoyObject = {
    name: port.name,
    address: { socket_address: { protocol: 'UDP', address: options.bindAddress ?? '0.0.0.0', port_value: port.port } },
    listener_filters: [
      {
        name: UDP_PROXY,
        typed_config: {
          '@type': UDP_PROXY_TYPE,
          stat_prefix: chain?.name ?? port.name,
          matcher: { on_no_match: { action: { name: 'route', typed_config: { '@type': UDP_ROUTE_TYPE, cluster: cluster ?? NO_BACKEND_CLUSTER } } } },
        },
      },
    ],
  };
  return { listener, needsNoBackend: cluster === undefined };
}

/**
 * ClientTrafficPolicy settings of the Envoy listener itself (PROXY protocol, buffer limit, TCP keepalive,
 * accepts per socket event), merged over its chains as for HTTP ports (client-policy.ts). The PROXY
 * header comes before the TLS ClientHello, so its filter goes ahead of tls_inspector.
 */
function applyL4ClientPolicies(listener: EnvoyObject, port: L4PortIR): void {
  const view: PortIR = {
    name: port.name,
    port: port.port,
    protocol: 'HTTP',
    chains: port.chains.map((chain) => ({ name: chain.name, serverNames: chain.serverNames, tlsSecrets: [], virtualHosts: [], acmeChallenge: false, ...(chain.client ? { client: chain.client } : {}) })),
  };
  const proxyProtocol = proxyProtocolFilter(view);
  if (proxyProtocol) listener.listener_filters = [proxyProtocol, ...((listener.listener_filters as EnvoyObject[] | undefined) ?? [])];
  const bufferLimit = listenerBufferLimit(view);
  if (bufferLimit !== undefined) listener.per_connection_buffer_limit_bytes = bufferLimit;
  const socketOptions = keepaliveSocketOptions(view);
  if (socketOptions) listener.socket_options = socketOptions;
  const accepts = maxAcceptPerSocketEvent(view);
  if (accepts !== undefined) listener.max_connections_to_accept_per_socket_event = accepts;
}
