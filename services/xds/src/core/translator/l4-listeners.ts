// L4PortIR -> Envoy Listener carrying connections (UDP: datagrams, through udp_proxy, at the end): each chain a tcp_proxy to its route's clusters
// (weighted_clusters when there are several), chosen by SNI through tls_inspector on TLS ports. TLS
// Passthrough leaves the bytes alone (the backend terminates); Terminate presents the listener's
// certificates by SDS, as HTTPS does, and proxies the plaintext.
import type { L4ChainIR, L4PortIR } from '../ir/types.js';
import type { TranslatorOptions } from './options.js';
import { ADS_CONFIG_SOURCE, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';
import { NO_BACKEND_CLUSTER } from './proxyless.js';

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
  return { listener, needsNoBackend: port.chains.some((chain) => chain.backends.length === 0) };
}

function buildChain(chain: L4ChainIR): EnvoyObject {
  const result: EnvoyObject = { name: chain.name, filters: [{ name: TCP_PROXY, typed_config: tcpProxy(chain) }] };
  if (chain.serverNames.length > 0) result.filter_chain_match = { server_names: chain.serverNames };
  if (chain.tlsSecrets) {
    result.transport_socket = {
      name: EnvoyNames.tlsTransportSocket,
      typed_config: {
        '@type': EnvoyTypes.downstreamTlsContext,
        common_tls_context: { tls_certificate_sds_secret_configs: chain.tlsSecrets.map((name) => ({ name, sds_config: ADS_CONFIG_SOURCE })) },
      },
    };
  }
  return result;
}

function tcpProxy(chain: L4ChainIR): EnvoyObject {
  const proxy: EnvoyObject = { '@type': TCP_PROXY_TYPE, stat_prefix: chain.name };
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
