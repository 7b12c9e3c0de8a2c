// The intermediate representation: plain data, already validated and resolved. The translator
// turns it into Envoy resources without looking at Gateway API objects again.

export type Protocol = 'HTTP' | 'HTTPS';

/** Everything one Gateway (one Envoy node cluster) serves. */
export interface GatewayIR {
  /** "<namespace>/<name>" of the Gateway: the node cluster of the proxies serving it. */
  key: string;
  ports: PortIR[];
  /** TCP and TLS listeners (tcp_proxy), when the Gateway has any. */
  l4Ports?: L4PortIR[];
  proxyless: ProxylessHostIR[];
  clusters: ClusterIR[];
  /** Static TLS secrets from Secret documents, served over SDS by name "<namespace>/<name>". */
  secrets: TlsSecretIR[];
  /**
   * Request headers Gatehouse owns (lower-case, sorted): every identity header a SecurityPolicy
   * writes and the reserved x-gatehouse-* ones. A client never gets to send them upstream.
   */
  identityHeaders: string[];
}

/** One Envoy listener: every Gateway listener sharing a port. */
export interface PortIR {
  name: string;
  port: number;
  protocol: Protocol;
  /** HTTP: exactly one chain. HTTPS: one chain per Gateway listener (SNI on its hostname). */
  chains: FilterChainIR[];
}

/** One Envoy listener for the TCP or TLS Gateway listeners sharing a port: connections, not requests. */
export interface L4PortIR {
  name: string;
  port: number;
  protocol: 'TCP' | 'TLS';
  chains: L4ChainIR[];
}

/** A filter chain carrying one route's connections to its backends (tcp_proxy). */
export interface L4ChainIR {
  /** "<kind>/<ns>/<name>" of the route, prefixed by the listener: stable and unique on the port. */
  name: string;
  /** SNI match (TLS); empty matches every connection (TCP, or a TLS route without hostnames). */
  serverNames: string[];
  /** TLS Terminate: SDS secret names the listener presents; absent for TCP and Passthrough. */
  tlsSecrets?: string[];
  /** Weighted clusters; empty when no backend resolved (the connection finds no upstream). */
  backends: WeightedClusterIR[];
}

export interface FilterChainIR {
  /** Names the RouteConfiguration, the chain and the rate limit domain. */
  name: string;
  /** SNI match; empty for HTTP or a listener without hostname. */
  serverNames: string[];
  /** SDS secret names "<namespace>/<secretName>" (HTTPS only). */
  tlsSecrets: string[];
  virtualHosts: VirtualHostIR[];
  /** Route /.well-known/acme-challenge/ to the certs service first (HTTP port 80). */
  acmeChallenge: boolean;
  /** The ClientTrafficPolicy of this chain's listener (or its Gateway). */
  client?: ClientPolicyIR;
}

/** What a ClientTrafficPolicy sets on the connection manager, listener and TLS of a chain. */
export interface ClientPolicyIR {
  /** "<namespace>/<name>" of the ClientTrafficPolicy. */
  policy: string;
  requestTimeoutMs?: number;
  requestHeadersTimeoutMs?: number;
  idleTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
  bufferLimitBytes?: number;
  headersWithUnderscores?: 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
  preserveRequestId?: boolean;
  clientIp?: { kind: 'xffHops'; hops: number } | { kind: 'customHeader'; name: string; failClosed: boolean };
  mergeSlashes?: boolean;
  escapedSlashesAction?: 'KEEP_UNCHANGED' | 'REJECT_REQUEST' | 'UNESCAPE_AND_REDIRECT' | 'UNESCAPE_AND_FORWARD';
  http2?: {
    initialStreamWindowSize?: number;
    initialConnectionWindowSize?: number;
    maxConcurrentStreams?: number;
    keepalive?: { intervalMs?: number; timeoutMs: number; intervalJitterPercent?: number; idleIntervalMs?: number };
    /** onInvalidMessage TerminateStream: reset only the offending stream. */
    resetStreamOnInvalidMessage?: boolean;
  };
  http1?: { enableTrailers?: boolean };
  /** headers.xForwardedClientCert. */
  forwardClientCert?: { mode: 'SANITIZE' | 'FORWARD_ONLY' | 'APPEND_FORWARD' | 'SANITIZE_SET' | 'ALWAYS_FORWARD_ONLY'; details: Array<'subject' | 'cert' | 'chain' | 'dns' | 'uri'> };
  /** headers.requestID: whether Envoy generates x-request-id. */
  generateRequestId?: boolean;
  stripTrailingHostDot?: boolean;
  /** connection.connectionLimit. */
  connectionLimit?: { maxConnections: number; delayMs?: number };
  maxConnectionDurationMs?: number;
  maxRequestsPerConnection?: number;
  maxStreamDurationMs?: number;
  /** healthCheck.path: Envoy answers it itself (health_check filter). */
  healthCheckPath?: string;
  /** tcpKeepalive on the downstream sockets (one set per Envoy listener). */
  tcpKeepalive?: { probes?: number; idleTimeS?: number; intervalS?: number };
  maxAcceptPerSocketEvent?: number;
  /** grpc.enableWeb: the grpc_web filter. */
  grpcWeb?: boolean;
  /** proxyProtocol / enableProxyProtocol: read the PROXY protocol header first. */
  proxyProtocol?: { optional: boolean };
  tls?: {
    minVersion?: string;
    maxVersion?: string;
    ciphers?: string[];
    ecdhCurves?: string[];
    signatureAlgorithms?: string[];
    alpnProtocols?: string[];
    clientValidation?: ClientValidationIR;
  };
}

/** Client certificates at the edge (mTLS): what the listener asks for and how it verifies them. */
export interface ClientValidationIR {
  /** Refuse a handshake without a client certificate. */
  requireCertificate: boolean;
  /** Ask for a certificate but do not verify its chain (modes Request and RequireAny). */
  acceptUntrusted: boolean;
  /** PEM bundle of the CA certificates from the referenced Secrets. */
  trustedCa?: string;
  spkiHashes?: string[];
  certificateHashes?: string[];
  subjectAltNames?: Array<{ sanType: 'DNS' | 'EMAIL' | 'URI' | 'IP_ADDRESS' | 'OTHER_NAME'; match: { type: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression'; value: string }; oid?: string }>;
  allowExpired?: boolean;
  /** PEM CRLs from the referenced Secrets. */
  crl?: string;
  onlyVerifyLeafCrl?: boolean;
}

export interface VirtualHostIR {
  name: string;
  domains: string[];
  routes: RouteIR[];
}

export type StringMatchIR =
  | { type: 'Exact'; value: string }
  | { type: 'Prefix'; value: string }
  | { type: 'RegularExpression'; value: string };

export interface HeaderMatchIR {
  name: string;
  match: StringMatchIR;
  invert?: boolean;
}

export interface RouteMatchIR {
  path: StringMatchIR;
  headers: HeaderMatchIR[];
  queryParams: HeaderMatchIR[];
  method?: string;
  /** gRPC-only routes match content-type application/grpc implicitly in Envoy; not needed for routing. */
}

export interface HeaderValueIR {
  name: string;
  value: string;
}

export interface HeaderModifierIR {
  set: HeaderValueIR[];
  add: HeaderValueIR[];
  remove: string[];
}

export interface RedirectIR {
  scheme?: string;
  hostname?: string;
  port?: number;
  /** Replaces the full path, or the matched prefix. */
  path?: { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; value: string };
  statusCode: number;
}

export interface RewriteIR {
  hostname?: string;
  path?: { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; value: string };
}

export interface WeightedClusterIR {
  cluster: string;
  weight: number;
  /** Filters inside the backendRef: header changes for requests sent to this backend only. */
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
}

/** Envoy's cors filter with a per-route CorsPolicy (SecurityPolicy `cors`, HTTPRoute `CORS` filter). */
export interface CorsIR {
  allowOrigins: StringMatchIR[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
  allowCredentials: boolean;
}

/** Envoy's csrf filter with a per-route CsrfPolicy (SecurityPolicy `csrf`): mutating requests need an allowed Origin. */
export interface CsrfIR {
  /** Source origins allowed besides the destination, matched against the Origin's host[:port]. */
  additionalOrigins: StringMatchIR[];
  /** Percent of requests only evaluated (shadow), the rest enforced; 0 = all enforced. */
  shadowPercent: number;
}

/** The user's own authorization service (SecurityPolicy `extAuth`): an ext_authz filter per policy. */
export interface ExtAuthIR {
  /** "<namespace>/<name>" of the SecurityPolicy: names the filter. */
  policy: string;
  protocol: 'grpc' | 'http';
  cluster: string;
  /** host:port the service is called by (HTTP server_uri, gRPC authority). */
  authority: string;
  /** HTTP only: prefix of the check request's path. */
  pathPrefix?: string;
  /** Request headers sent to the service (all when empty). */
  headersToExtAuth: string[];
  /** HTTP only: headers of the service's OK answer copied to the upstream request. */
  headersToBackend: string[];
  /** Buffer and send the request body, up to this many bytes. */
  maxRequestBytes?: number;
  failOpen: boolean;
  timeoutMs: number;
  /** Status answered when the service fails (Envoy's default 403 when unset). */
  statusOnError?: number;
  contextExtensions: HeaderValueIR[];
  /** recomputeRoute: clear_route_cache, so headers the service sets can re-select the route. */
  clearRouteCache?: boolean;
  /** includeRouteMetadata: the route's "envoy-gateway" metadata (its resources) goes to the service. */
  includeRouteMetadata?: boolean;
}

export interface MirrorIR {
  cluster: string;
  /** 0..100, undefined means every request. */
  percent?: number;
}

export interface RetryIR {
  numRetries: number;
  retryOn: string[];
  statusCodes: number[];
  perTryTimeoutMs?: number;
  backOffBaseMs?: number;
  backOffMaxMs?: number;
  /** BackendTrafficPolicy retry.numAttemptsPerPriority. */
  numAttemptsPerPriority?: number;
}

export interface RouteIR {
  /** "httproute/<ns>/<name>/rule/<i>/match/<j>/<hostname>": unique, stable, used as rate limit descriptor. */
  name: string;
  match: RouteMatchIR;
  /** One of: backends (possibly empty: answer 500), redirect, or a direct response. */
  backends?: WeightedClusterIR[];
  redirect?: RedirectIR;
  directResponse?: { status: number; body?: string };
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
  rewrite?: RewriteIR;
  mirrors: MirrorIR[];
  timeoutMs?: number;
  backendTimeoutMs?: number;
  retry?: RetryIR;
  /** "<namespace>/<name>" of the SecurityPolicy that applies; ext_authz is disabled when absent. */
  securityPolicy?: string;
  /** The SecurityPolicy has a JWT provider with recomputeRoute: authz's answer headers re-select the route. */
  authzRecomputeRoute?: boolean;
  cors?: CorsIR;
  csrf?: CsrfIR;
  extAuth?: ExtAuthIR;
  rateLimit?: GlobalRateLimitIR;
  /** BackendTrafficPolicy rateLimit.local: one token bucket for the route (envoy.filters.http.local_ratelimit). */
  localRateLimit?: LocalRateLimitIR;
  /** BackendTrafficPolicy faultInjection (envoy.filters.http.fault). */
  fault?: FaultIR;
  /** BackendTrafficPolicy compressor (or compression): response compressors, most preferred first. */
  compressors?: CompressorType[];
  /** BackendTrafficPolicy httpUpgrade: upgrade types enabled on the route (CONNECT may be terminated). */
  upgrades?: Array<{ type: string; terminateConnect?: boolean }>;
  /** BackendTrafficPolicy requestBuffer.limit: the whole request is buffered, up to this many bytes. */
  requestBufferBytes?: number;
  /** BackendTrafficPolicy timeout.http.streamIdleTimeout (route idle_timeout). */
  streamIdleTimeoutMs?: number;
  /** BackendTrafficPolicy timeout.http.maxStreamDuration (route max_stream_duration). */
  maxStreamDurationMs?: number;
  /** BackendTrafficPolicy loadBalancer.consistentHash: what the MAGLEV cluster hashes on. */
  hashPolicies?: HashPolicyIR[];
  /** Internal routes (ACME challenge) bypass policies. */
  internal?: boolean;
}

export type CompressorType = 'Gzip' | 'Brotli' | 'Zstd';

export interface LocalRateLimitIR {
  /** Tokens per fill interval (the bucket's size too). */
  requests: number;
  fillIntervalMs: number;
}

export interface FaultIR {
  delay?: { fixedDelayMs: number; percent?: number };
  abort?: { httpStatus?: number; grpcStatus?: number; percent?: number };
}

export type HashPolicyIR =
  | { kind: 'sourceIP' }
  | { kind: 'header'; name: string }
  | { kind: 'cookie'; name: string; ttlMs?: number }
  | { kind: 'query'; name: string };

export type RateLimitUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export interface GlobalRateLimitIR {
  /** "<namespace>/<name>" of the BackendTrafficPolicy. */
  policy: string;
  shared: boolean;
  rules: RateLimitRuleIR[];
}

/** A selector on a request attribute; `distinct` gives every value its own bucket. */
export type RateLimitSelectorIR =
  | { kind: 'header'; name: string; match?: StringMatchIR; invert: boolean; distinct: boolean }
  | { kind: 'method'; methods: string[]; invert: boolean }
  | { kind: 'path'; match: StringMatchIR; invert: boolean }
  | { kind: 'query'; name: string; match: StringMatchIR; invert: boolean };

export interface RateLimitRuleIR {
  selectors: RateLimitSelectorIR[];
  cidr?: { cidr: string; maskLen: number; ipv6: boolean; distinct: boolean };
  requests: number;
  unit: RateLimitUnit;
}

export type EndpointIR = ({ kind: 'ip'; address: string; port: number } | { kind: 'fqdn'; hostname: string; port: number } | { kind: 'unix'; path: string }) & {
  /** Backend endpoint zone, becomes the Envoy locality. */
  zone?: string;
};

export interface ClusterIR {
  /** "backend/<namespace>/<name>". */
  name: string;
  endpoints: EndpointIR[];
  /** Speak HTTP/2 upstream (gRPC or an h2c Backend). */
  http2: boolean;
  /** Used by GRPCRoutes, so proxyless gRPC clients may load it (they take EDS or LOGICAL_DNS only). */
  grpc?: boolean;
  /** BackendTrafficPolicy settings of this cluster (a per-policy copy of a Backend's cluster). */
  policy?: ClusterPolicyIR;
  /** Upstream TLS (Backend `tls`). */
  tls?: UpstreamTlsIR;
}

/** How a cluster speaks TLS to its upstream, resolved: CA material inline, client certificates by SDS name. */
export interface UpstreamTlsIR {
  sni?: string;
  /** Absent only with insecureSkipVerify. */
  trustedCa?: { kind: 'inline'; pem: string } | { kind: 'system' };
  /** Names the upstream certificate must carry, one matching is enough (the SNI when one is set). */
  subjectAltNames: Array<{ type: 'DNS' | 'URI'; value: string }>;
  insecureSkipVerify: boolean;
  alpnProtocols: string[];
  /** "1.0".."1.3" or "Auto". */
  minVersion?: string;
  maxVersion?: string;
  ciphers: string[];
  ecdhCurves: string[];
  signatureAlgorithms: string[];
  /** SDS names "<namespace>/<secretName>" of client certificates presented upstream. */
  clientCertificates: string[];
}

/** What a BackendTrafficPolicy sets on the clusters of the routes it targets, as Envoy Gateway does. */
export interface ClusterPolicyIR {
  /** "<namespace>/<name>" of the BackendTrafficPolicy. */
  policy: string;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxConnectionDurationMs?: number;
  maxRequestsPerConnection?: number;
  circuitBreaker?: CircuitBreakerIR;
  loadBalancer?: LoadBalancerIR;
  panicThresholdPercent?: number;
  outlierDetection?: OutlierDetectionIR;
  healthCheck?: ActiveHealthCheckIR;
  tcpKeepalive?: { probes?: number; idleTimeS?: number; intervalS?: number };
  /** For hostname (DNS) clusters. */
  dns?: { refreshRateMs?: number; respectTtl?: boolean; lookupFamily?: 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'AUTO' | 'ALL' };
  bufferLimitBytes?: number;
  preconnect?: { perEndpointRatio?: number; predictiveRatio?: number };
  /** Speak to the upstream in the protocol the client used (HTTP/1.1 or HTTP/2). */
  useClientProtocol?: boolean;
  /** Send a PROXY protocol header of this version on every upstream connection. */
  proxyProtocolVersion?: 'V1' | 'V2';
}

export interface CircuitBreakerIR {
  maxConnections?: number;
  maxPendingRequests?: number;
  maxRequests?: number;
  maxRetries?: number;
  perEndpointMaxConnections?: number;
  retryBudget?: { percent: number; minRetryConcurrency?: number };
}

export interface LoadBalancerIR {
  type: 'RoundRobin' | 'LeastRequest' | 'Random' | 'ConsistentHash';
  slowStartWindowMs?: number;
  tableSize?: number;
}

export interface OutlierDetectionIR {
  intervalMs?: number;
  baseEjectionTimeMs?: number;
  maxEjectionPercent?: number;
  consecutive5xx?: number;
  consecutiveGatewayErrors?: number;
  consecutiveLocalOriginFailures?: number;
  splitExternalLocalOriginErrors?: boolean;
  failurePercentageThreshold?: number;
  alwaysEjectOne?: boolean;
}

export interface ActiveHealthCheckIR {
  timeoutMs: number;
  intervalMs: number;
  initialJitterMs?: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
  check:
    | { kind: 'http'; path: string; hostname?: string; method?: string; expectedStatuses: number[]; retriableStatuses?: number[]; expectedResponse?: PayloadIR; requestBody?: PayloadIR }
    | { kind: 'tcp'; send?: PayloadIR; receive?: PayloadIR }
    | { kind: 'grpc'; service?: string };
}

/** A health check payload: text, or binary as base64 (the CRD's form). */
export type PayloadIR = { type: 'text'; text: string } | { type: 'binary'; base64: string };

export interface TlsSecretIR {
  name: string;
  certificateChain: string;
  privateKey: string;
}

/** A proxyless gRPC target "xds:///<host>": its own API listener and route configuration. */
export interface ProxylessHostIR {
  host: string;
  routes: RouteIR[];
}
