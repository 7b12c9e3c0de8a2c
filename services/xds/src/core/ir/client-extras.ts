// The ClientTrafficPolicy settings that reach beyond the HCM basics in ClientPolicyIR: header
// mutations at the edge, HTTP/1 variants, listener socket settings, TLS session resumption and
// fingerprinting, HTTP/3. Plain data, already validated (see gatewayapi/client-traffic-extras.ts).

/** One header mutation, as Envoy's mutation_rules HeaderMutation: append with an action, or remove. */
export type HeaderMutationIR =
  | { kind: 'append'; name: string; value: string; action: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' }
  | { kind: 'remove'; name: string };

export interface ClientExtrasIR {
  /** clientIPDetection.directSourceIP: the TCP peer is the client address (no XFF hop, no header). */
  directSourceIp?: boolean;
  /** clientIPDetection.xForwardedFor.disableXForwardedForAppend: HCM skip_xff_append. */
  skipXffAppend?: boolean;
  /** connection.socketBufferLimit: SO_RCVBUF and SO_SNDBUF on the listening socket (bytes). */
  socketBufferBytes?: number;
  /** headers.disableRateLimitHeaders: no x-ratelimit-* response headers. */
  disableRateLimitHeaders?: boolean;
  /** headers.earlyRequestHeaders: the HCM's early header mutation, before routing. */
  earlyRequestHeaders?: HeaderMutationIR[];
  /** headers.lateResponseHeaders: the header_mutation filter's response mutations, for every response. */
  lateResponseHeaders?: HeaderMutationIR[];
  /** http1.preserveHeaderCase: the preserve_case stateful header formatter. */
  preserveHeaderCase?: boolean;
  /** http1.http10: accept HTTP/1.0; useDefaultHost takes the chain's one hostname. */
  http10?: { useDefaultHost: boolean };
  /** scheme MatchBackend: :scheme follows the upstream transport. */
  schemeMatchBackend?: boolean;
  /** timeout.tcp.connectionInspectionTimeout: listener_filters_timeout (ms). */
  connectionInspectionTimeoutMs?: number;
  /** timeout.tcp.tlsHandshakeTimeout: the filter chain's transport_socket_connect_timeout (ms). */
  tlsHandshakeTimeoutMs?: number;
  /** timeout.tcp.idleTimeout: tcp_proxy idle_timeout on TCP and TLS listeners (ms; 0 disables it). */
  tcpIdleTimeoutMs?: number;
  /** tls.fingerprints JA3: the tls_inspector computes the JA3 hash. */
  ja3Fingerprint?: boolean;
  /** tls.session.resumption: which kinds Envoy offers (neither, as Envoy Gateway's default, when the policy sets `session`). */
  sessionResumption?: { stateless: boolean; stateful: boolean };
  /** http3: a QUIC listener beside the TLS one, advertised by alt-svc. */
  http3?: boolean;
}
