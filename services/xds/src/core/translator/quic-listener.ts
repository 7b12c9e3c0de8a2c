// ClientTrafficPolicy http3 -> a QUIC listener on the UDP side of an HTTPS port, as Envoy Gateway
// builds it: the same filter chains (same routes over RDS, same filters) for the chains that ask for
// HTTP/3, each HCM speaking HTTP/3 and its TLS context carried by the QUIC transport socket. Clients
// learn of it from the alt-svc header the TCP listener's routes add (./client-extras.ts).
import type { FilterChainIR, PortIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';
import { buildFilterChain } from './listeners.js';
import type { TranslatorOptions } from './options.js';

const QUIC_TRANSPORT = 'envoy.transport_sockets.quic';
const QUIC_TRANSPORT_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.quic.v3.QuicDownstreamTransport';

export function buildQuicListener(port: PortIR, httpFilters: ReadonlyMap<FilterChainIR, EnvoyObject[]>, options: TranslatorOptions): EnvoyObject | undefined {
  if (port.protocol !== 'HTTPS') return undefined;
  const chains = port.chains.filter((chain) => chain.client?.extras?.http3);
  if (chains.length === 0) return undefined;
  return {
    name: `${port.name}/quic`,
    address: { socket_address: { protocol: 'UDP', address: options.bindAddress ?? '0.0.0.0', port_value: port.port } },
    udp_listener_config: { quic_options: {}, downstream_socket_config: {} },
    filter_chains: chains.map((chain) => quicFilterChain(buildFilterChain(chain, httpFilters.get(chain) ?? [], true))),
  };
}

/** The TCP chain made QUIC: HTTP/3 codec, TLS inside the QUIC transport socket with ALPN h3. */
function quicFilterChain(chain: EnvoyObject): EnvoyObject {
  for (const filter of chain.filters as EnvoyObject[]) {
    if (filter.name !== 'envoy.filters.network.http_connection_manager') continue;
    const hcm = filter.typed_config as EnvoyObject;
    hcm.codec_type = 'HTTP3';
    hcm.http3_protocol_options = {};
  }
  const tls = (chain.transport_socket as { typed_config: EnvoyObject & { common_tls_context: EnvoyObject } }).typed_config;
  const { '@type': _type, ...downstreamTlsContext } = tls;
  downstreamTlsContext.common_tls_context = { ...tls.common_tls_context, alpn_protocols: ['h3'] };
  // QUIC has no TCP handshake to time.
  const { transport_socket_connect_timeout: _timeout, ...rest } = chain;
  return { ...rest, transport_socket: { name: QUIC_TRANSPORT, typed_config: { '@type': QUIC_TRANSPORT_TYPE, downstream_tls_context: downstreamTlsContext } } };
}
