// ClientPolicyIR (a ClientTrafficPolicy) onto a filter chain's HTTP connection manager and TLS
// context, and onto its listener, as Envoy Gateway's xDS translator writes them. The client address
// the connection manager settles on (X-Forwarded-For hops, a custom header) is the downstream
// address every filter sees: rate limit remote_address descriptors and ext_authz's source address.
import type { ClientPolicyIR, PortIR } from '../ir/types.js';
import { duration, type EnvoyObject } from './envoy-types.js';

const CUSTOM_HEADER_DETECTION = 'envoy.extensions.http.original_ip_detection.custom_header';
const CUSTOM_HEADER_DETECTION_TYPE = 'type.googleapis.com/envoy.extensions.http.original_ip_detection.custom_header.v3.CustomHeaderConfig';

export function applyClientPolicyToHcm(hcm: EnvoyObject, policy: ClientPolicyIR): void {
  if (policy.requestTimeoutMs !== undefined) hcm.request_timeout = duration(policy.requestTimeoutMs);
  if (policy.requestHeadersTimeoutMs !== undefined) hcm.request_headers_timeout = duration(policy.requestHeadersTimeoutMs);
  if (policy.streamIdleTimeoutMs !== undefined) hcm.stream_idle_timeout = duration(policy.streamIdleTimeoutMs);
  const common = hcm.common_http_protocol_options as EnvoyObject;
  if (policy.idleTimeoutMs !== undefined) common.idle_timeout = duration(policy.idleTimeoutMs);
  if (policy.headersWithUnderscores) common.headers_with_underscores_action = policy.headersWithUnderscores;
  if (policy.preserveRequestId !== undefined) hcm.preserve_external_request_id = policy.preserveRequestId;
  if (policy.mergeSlashes !== undefined) hcm.merge_slashes = policy.mergeSlashes;
  if (policy.escapedSlashesAction) hcm.path_with_escaped_slashes_action = policy.escapedSlashesAction;
  const ip = policy.clientIp;
  if (ip?.kind === 'xffHops') hcm.xff_num_trusted_hops = ip.hops;
  else if (ip?.kind === 'customHeader') {
    hcm.original_ip_detection_extensions = [
      {
        name: CUSTOM_HEADER_DETECTION,
        typed_config: {
          '@type': CUSTOM_HEADER_DETECTION_TYPE,
          header_name: ip.name,
          allow_extension_to_set_address_as_trusted: true,
          // failClosed: a request without a usable header is refused rather than seen as the proxy's peer.
          ...(ip.failClosed ? { reject_with_status: { code: 'Forbidden' } } : {}),
        },
      },
    ];
  }
  if (policy.http2) {
    const http2: EnvoyObject = {};
    if (policy.http2.initialStreamWindowSize !== undefined) http2.initial_stream_window_size = policy.http2.initialStreamWindowSize;
    if (policy.http2.initialConnectionWindowSize !== undefined) http2.initial_connection_window_size = policy.http2.initialConnectionWindowSize;
    if (policy.http2.maxConcurrentStreams !== undefined) http2.max_concurrent_streams = policy.http2.maxConcurrentStreams;
    const keepalive = policy.http2.keepalive;
    if (keepalive) {
      http2.connection_keepalive = {
        timeout: duration(keepalive.timeoutMs),
        ...(keepalive.intervalMs !== undefined ? { interval: duration(keepalive.intervalMs) } : {}),
        ...(keepalive.intervalJitterPercent !== undefined ? { interval_jitter: { value: keepalive.intervalJitterPercent } } : {}),
        ...(keepalive.idleIntervalMs !== undefined ? { connection_idle_interval: duration(keepalive.idleIntervalMs) } : {}),
      };
    }
    if (policy.http2.resetStreamOnInvalidMessage !== undefined) http2.override_stream_error_on_invalid_http_message = policy.http2.resetStreamOnInvalidMessage;
    hcm.http2_protocol_options = http2;
  }
  if (policy.http1?.enableTrailers !== undefined) hcm.http_protocol_options = { enable_trailers: policy.http1.enableTrailers };
  if (policy.maxConnectionDurationMs !== undefined) common.max_connection_duration = duration(policy.maxConnectionDurationMs);
  if (policy.maxRequestsPerConnection !== undefined) common.max_requests_per_connection = policy.maxRequestsPerConnection;
  if (policy.maxStreamDurationMs !== undefined) common.max_stream_duration = duration(policy.maxStreamDurationMs);
  if (policy.generateRequestId !== undefined) hcm.generate_request_id = policy.generateRequestId;
  if (policy.stripTrailingHostDot !== undefined) hcm.strip_trailing_host_dot = policy.stripTrailingHostDot;
  if (policy.forwardClientCert) {
    hcm.forward_client_cert_details = policy.forwardClientCert.mode;
    if (policy.forwardClientCert.details.length > 0) hcm.set_current_client_cert_details = Object.fromEntries(policy.forwardClientCert.details.map((d) => [d, true]));
  }
}

/** connection.connectionLimit: the connection_limit network filter ahead of the HTTP connection manager. */
export function connectionLimitFilter(chainName: string, policy: ClientPolicyIR | undefined): EnvoyObject | undefined {
  const limit = policy?.connectionLimit;
  if (!limit) return undefined;
  return {
    name: 'envoy.filters.network.connection_limit',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit',
      stat_prefix: chainName,
      max_connections: limit.maxConnections,
      ...(limit.delayMs !== undefined ? { delay: duration(limit.delayMs) } : {}),
    },
  };
}

/**
 * The PROXY protocol listener filter: one per Envoy listener, so it is there when a chain's policy
 * asks for it, and optional unless every chain of the port requires it.
 */
export function proxyProtocolFilter(port: PortIR): EnvoyObject | undefined {
  const wanted = port.chains.map((chain) => chain.client?.proxyProtocol);
  if (!wanted.some((w) => w !== undefined)) return undefined;
  const required = wanted.every((w) => w !== undefined && !w.optional);
  return {
    name: 'envoy.filters.listener.proxy_protocol',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol', ...(required ? {} : { allow_requests_without_proxy_protocol: true }) },
  };
}

/** TLS versions, ciphers, curves, signature algorithms and ALPN of an HTTPS chain. */
export function applyClientPolicyToTls(commonTlsContext: EnvoyObject, policy: ClientPolicyIR): void {
  const tls = policy.tls;
  if (!tls) return;
  const params: EnvoyObject = {};
  if (tls.minVersion) params.tls_minimum_protocol_version = tls.minVersion;
  if (tls.maxVersion) params.tls_maximum_protocol_version = tls.maxVersion;
  if (tls.ciphers) params.cipher_suites = tls.ciphers;
  if (tls.ecdhCurves) params.ecdh_curves = tls.ecdhCurves;
  if (tls.signatureAlgorithms) params.signature_algorithms = tls.signatureAlgorithms;
  if (Object.keys(params).length > 0) commonTlsContext.tls_params = params;
  if (tls.alpnProtocols) commonTlsContext.alpn_protocols = tls.alpnProtocols;
}

const SAN_MATCH = { Exact: 'exact', Prefix: 'prefix', Suffix: 'suffix' } as const;

/** Client certificate validation (mTLS at the edge) on a DownstreamTlsContext. */
export function applyClientValidation(downstreamTlsContext: EnvoyObject, policy: ClientPolicyIR): void {
  const validation = policy.tls?.clientValidation;
  if (!validation) return;
  if (validation.requireCertificate) downstreamTlsContext.require_client_certificate = true;
  const context: EnvoyObject = {};
  if (validation.trustedCa) context.trusted_ca = { inline_string: validation.trustedCa };
  if (validation.spkiHashes) context.verify_certificate_spki = validation.spkiHashes;
  if (validation.certificateHashes) context.verify_certificate_hash = validation.certificateHashes;
  if (validation.subjectAltNames) {
    context.match_typed_subject_alt_names = validation.subjectAltNames.map((san) => ({
      san_type: san.sanType,
      matcher: san.match.type === 'RegularExpression' ? { safe_regex: { regex: san.match.value } } : { [SAN_MATCH[san.match.type]]: san.match.value },
      ...(san.oid ? { oid: san.oid } : {}),
    }));
  }
  if (validation.allowExpired !== undefined) context.allow_expired_certificate = validation.allowExpired;
  if (validation.crl) context.crl = { inline_string: validation.crl };
  if (validation.onlyVerifyLeafCrl !== undefined) context.only_verify_leaf_cert_crl = validation.onlyVerifyLeafCrl;
  // Modes Request and RequireAny ask for a certificate but accept any chain.
  if (validation.acceptUntrusted) context.trust_chain_verification = 'ACCEPT_UNTRUSTED';
  (downstreamTlsContext.common_tls_context as EnvoyObject).validation_context = context;
}

/**
 * The listener's per-connection buffer limit: one per Envoy listener, so chains on one port with
 * different limits get the smallest (the stricter one).
 */
export function listenerBufferLimit(port: PortIR): number | undefined {
  const limits = port.chains.flatMap((chain) => (chain.client?.bufferLimitBytes !== undefined ? [chain.client.bufferLimitBytes] : []));
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/**
 * Downstream TCP keepalive as socket options (Linux: SOL_SOCKET/SO_KEEPALIVE, IPPROTO_TCP/
 * TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), one set per Envoy listener: where chains of a port
 * differ, the most eager value of each wins.
 */
export function keepaliveSocketOptions(port: PortIR): EnvoyObject[] | undefined {
  const settings = port.chains.flatMap((chain) => (chain.client?.tcpKeepalive ? [chain.client.tcpKeepalive] : []));
  if (settings.length === 0) return undefined;
  const min = (values: Array<number | undefined>) => {
    const set = values.filter((v): v is number => v !== undefined);
    return set.length > 0 ? Math.min(...set) : undefined;
  };
  const option = (level: number, name: number, value: number) => ({ level, name, int_value: value, state: 'STATE_LISTENING' });
  const options = [option(1, 9, 1)];
  const idle = min(settings.map((s) => s.idleTimeS));
  const interval = min(settings.map((s) => s.intervalS));
  const probes = min(settings.map((s) => s.probes));
  if (idle !== undefined) options.push(option(6, 4, idle));
  if (interval !== undefined) options.push(option(6, 5, interval));
  if (probes !== undefined) options.push(option(6, 6, probes));
  return options;
}

/** connection.maxAcceptPerSocketEvent, one per Envoy listener: the smallest of the port's chains. */
export function maxAcceptPerSocketEvent(port: PortIR): number | undefined {
  const values = port.chains.flatMap((chain) => (chain.client?.maxAcceptPerSocketEvent !== undefined ? [chain.client.maxAcceptPerSocketEvent] : []));
  return values.length > 0 ? Math.min(...values) : undefined;
}
