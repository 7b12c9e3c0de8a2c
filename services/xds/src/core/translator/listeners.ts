// PortIR -> Envoy Listener: one filter chain per chain IR, each an HTTP connection manager with
// secure defaults, its routes over RDS and, for HTTPS, certificates over SDS.
import type { FilterChainIR, PortIR } from '../ir/types.js';
import type { TranslatorOptions } from './options.js';
import {
  applyClientPolicyToHcm,
  applyClientPolicyToTls,
  applyClientValidation,
  connectionLimitFilter,
  keepaliveSocketOptions,
  listenerBufferLimit,
  maxAcceptPerSocketEvent,
  proxyProtocolFilter,
} from './client-policy.js';
import { applyClientExtrasToChain, applyClientExtrasToHcm, applyClientExtrasToListener } from './client-extras.js';
import { ADS_CONFIG_SOURCE, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';

export function buildListener(port: PortIR, httpFilters: ReadonlyMap<FilterChainIR, EnvoyObject[]>, options: TranslatorOptions): EnvoyObject {
  const https = port.protocol === 'HTTPS';
  const listener: EnvoyObject = {
    name: port.name,
    address: { socket_address: { address: options.bindAddress ?? '0.0.0.0', port_value: port.port } },
    filter_chains: port.chains.map((chain) => buildFilterChain(chain, httpFilters.get(chain) ?? [], https)),
  };
  if (https) listener.listener_filters = [{ name: EnvoyNames.tlsInspector, typed_config: { '@type': EnvoyTypes.tlsInspector } }];
  // The PROXY header comes before the TLS ClientHello, so its filter goes first.
  const proxyProtocol = proxyProtocolFilter(port);
  if (proxyProtocol) listener.listener_filters = [proxyProtocol, ...((listener.listener_filters as EnvoyObject[] | undefined) ?? [])];
  const bufferLimit = listenerBufferLimit(port);
  if (bufferLimit !== undefined) listener.per_connection_buffer_limit_bytes = bufferLimit;
  const socketOptions = keepaliveSocketOptions(port);
  if (socketOptions) listener.socket_options = socketOptions;
  const accepts = maxAcceptPerSocketEvent(port);
  if (accepts !== undefined) listener.max_connections_to_accept_per_socket_event = accepts;
  applyClientExtrasToListener(listener, port);
  return listener;
}

export function buildFilterChain(chain: FilterChainIR, httpFilters: EnvoyObject[], https: boolean): EnvoyObject {
  const result: EnvoyObject = {
    name: chain.name,
    filters: [{ name: EnvoyNames.httpConnectionManager, typed_config: buildHttpConnectionManager(chain.name, httpFilters) }],
  };
  if (chain.client) applyClientPolicyToHcm((result.filters as EnvoyObject[])[0]!.typed_config as EnvoyObject, chain.client);
  applyClientExtrasToHcm((result.filters as EnvoyObject[])[0]!.typed_config as EnvoyObject, chain);
  const connectionLimit = connectionLimitFilter(chain.name, chain.client);
  if (connectionLimit) result.filters = [connectionLimit, ...(result.filters as EnvoyObject[])];
  if (chain.serverNames.length > 0) result.filter_chain_match = { server_names: chain.serverNames };
  if (https) {
    result.transport_socket = {
      name: EnvoyNames.tlsTransportSocket,
      typed_config: {
        '@type': EnvoyTypes.downstreamTlsContext,
        common_tls_context: {
          // By SDS name over ADS: a renewed certificate replaces the secret, never the listener.
          tls_certificate_sds_secret_configs: chain.tlsSecrets.map((name) => ({ name, sds_config: ADS_CONFIG_SOURCE })),
          alpn_protocols: ['h2', 'http/1.1'],
        },
      },
    };
    const downstream = (result.transport_socket as { typed_config: EnvoyObject & { common_tls_context: EnvoyObject } }).typed_config;
    if (chain.client) {
      applyClientPolicyToTls(downstream.common_tls_context, chain.client);
      applyClientValidation(downstream, chain.client);
    }
    // Gateway spec.tls.frontend, unless the listener's ClientTrafficPolicy validates clients itself.
    if (chain.frontendValidation && !chain.client?.tls?.clientValidation) {
      applyClientValidation(downstream, { policy: 'gateway spec.tls.frontend', tls: { clientValidation: chain.frontendValidation } });
    }
  }
  applyClientExtrasToChain(result, chain);
  return result;
}

/** Envoy at the edge: trust no X-Forwarded-For hop, normalise paths, refuse ambiguous headers. */
export function buildHttpConnectionManager(name: string, httpFilters: EnvoyObject[]): EnvoyObject {
  return {
    '@type': EnvoyTypes.httpConnectionManager,
    stat_prefix: name,
    rds: { route_config_name: name, config_source: ADS_CONFIG_SOURCE },
    http_filters: httpFilters,
    common_http_protocol_options: { headers_with_underscores_action: 'REJECT_REQUEST' },
    normalize_path: true,
    merge_slashes: true,
    path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
    use_remote_address: true,
    xff_num_trusted_hops: 0,
  };
}
