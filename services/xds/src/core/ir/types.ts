// The intermediate representation: plain data, already validated and resolved. The translator
// turns it into Envoy resources without looking at Gateway API objects again.
import type { ClientExtrasIR } from './client-extras.js';

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

/** One Envoy listener for the TCP or TLS Gateway listeners sharing a port (connections), or a UDP one (datagrams). */
export interface L4PortIR {
  name: string;
  port: number;
  protocol: 'TCP' | 'TLS' | 'UDP';
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
  /** The ClientTrafficPolicy of the chain's listener (or its Gateway); TCP and TLS only. */
  client?: ClientPolicyIR;
  /** A SecurityPolicy's authorization on client CIDRs: Envoy's network RBAC ahead of tcp_proxy (TCP and TLS only). */
  rbac?: L4RbacIR;
}

/** Connection authorization: the first rule whose CIDRs hold the client address decides, else `defaultAction`. */
export interface L4RbacIR {
  defaultAction: 'Allow' | 'Deny';
  rules: Array<{ name: string; action: 'Allow' | 'Deny'; cidrs: Array<{ prefix: string; length: number }> }>;
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
  /** Gateway spec.tls.frontend: client certificate validation when no ClientTrafficPolicy sets one. */
  frontendValidation?: ClientValidationIR;
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
  tls?: TlsParametersIR & {
    clientValidation?: ClientValidationIR;
  };
  /** The rest of the policy (header mutations, HTTP/1 variants, sockets, TLS sessions, HTTP/3). */
  extras?: ClientExtrasIR;
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
  /** HTTPRouteFilter urlRewrite.path ReplaceRegexMatch (Envoy regex_rewrite). */
  regexPath?: RegexReplaceIR;
  /** HTTPRouteFilter urlRewrite.hostname: Host from a request header, the backend's address, or a regex over the path. */
  hostFrom?: { kind: 'header'; name: string } | { kind: 'backend' } | ({ kind: 'pathRegex' } & RegexReplaceIR);
  /** HTTPRouteFilter urlRewrite.appendXForwardedHost. */
  appendXForwardedHost?: boolean;
}

export interface RegexReplaceIR {
  pattern: string;
  substitution: string;
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
  /** backendSettings.retry (gRPC only): grpc_service.retry_policy. */
  retry?: ServiceRetryIR;
}

/** A policy backend's backendSettings.retry, as Envoy Gateway sets it: core RetryPolicy of the gRPC service. */
export interface ServiceRetryIR {
  numRetries: number;
  /** retry_on conditions, joined with ",". */
  retryOn: string[];
  backOffBaseMs?: number;
  backOffMaxMs?: number;
}

/** What an EnvoyExtensionPolicy runs on a route, each entry its own HTTP filter, in the policy's order. */
export interface ExtensionsIR {
  /** "<namespace>/<name>" of the EnvoyExtensionPolicy. */
  policy: string;
  extProc: ExtProcIR[];
  wasm: WasmIR[];
  lua: LuaIR[];
}

/** One `lua` entry: its filter is "envoy.filters.http.lua/<name>". */
export interface LuaIR {
  /** "envoyextensionpolicy/<ns>/<name>/lua/<index>". */
  name: string;
  code: string;
}

export type ExtProcBodyMode = 'Streamed' | 'Buffered' | 'BufferedPartial' | 'FullDuplexStreamed';

/** One `extProc` entry: a gRPC external processor with its own filter. */
export interface ExtProcIR {
  /** "envoyextensionpolicy/<ns>/<name>/extproc/<index>". */
  name: string;
  cluster: string;
  /** "<service>.<namespace>[:port]", the gRPC authority. */
  authority: string;
  failOpen: boolean;
  messageTimeoutMs?: number;
  requestHeaders: boolean;
  responseHeaders: boolean;
  requestBody?: ExtProcBodyMode;
  responseBody?: ExtProcBodyMode;
  requestAttributes: string[];
  responseAttributes: string[];
  allowModeOverride: boolean;
  forwardingNamespaces: string[];
  receivingNamespaces: string[];
  statusOnError?: number;
  shadowMode: boolean;
  /** backendSettings.retry: grpc_service.retry_policy. */
  retry?: ServiceRetryIR;
}

/** One `wasm` entry: a module Envoy fetches over HTTP(S) and checks against its sha256. */
export interface WasmIR {
  /** "envoyextensionpolicy/<ns>/<name>/wasm/<index>". */
  name: string;
  /** The plugin name (the entry's `name`, else `name` above). */
  pluginName: string;
  rootId?: string;
  url: string;
  sha256: string;
  /** The cluster of the URL's host. */
  cluster: string;
  /** `config` as JSON text, handed to the module. */
  config?: string;
  failOpen: boolean;
  hostEnvKeys: string[];
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
  /** HTTPRouteFilter credentialInjection: a credential from a Secret set on the upstream request. */
  credential?: { header: string; value: string; overwrite: boolean };
  /** EnvoyExtensionPolicy: ext_proc, wasm and lua filters enabled on this route. */
  extensions?: ExtensionsIR;
  rateLimit?: GlobalRateLimitIR;
  /** BackendTrafficPolicy rateLimit.local: one token bucket for the route (envoy.filters.http.local_ratelimit). */
  localRateLimit?: LocalRateLimitIR;
  /** BackendTrafficPolicy faultInjection (envoy.filters.http.fault). */
  fault?: FaultIR;
  /** BackendTrafficPolicy compressor (or compression): response compressors, most preferred first. */
  compressors?: CompressorType[];
  /** BackendTrafficPolicy compressor minContentLength per type: its own compressor filter, compressing from that many bytes. */
  compressorMinLengths?: Array<{ type: CompressorType; bytes: number }>;
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
  /** BackendTrafficPolicy responseOverride (envoy.filters.http.custom_response, one filter per policy). */
  responseOverride?: ResponseOverrideIR;
  /** BackendTrafficPolicy admissionControl (envoy.filters.http.admission_control, one filter per policy). */
  admissionControl?: AdmissionControlIR;
  /** BackendTrafficPolicy bandwidthLimit (envoy.filters.http.bandwidth_limit, one filter per direction). */
  bandwidthLimit?: BandwidthLimitIR;
  /** BackendTrafficPolicy telemetry.metrics.routeStatName, its operators substituted: the route's stat_prefix. */
  statPrefix?: string;
  /** BackendTrafficPolicy telemetry.tracing: the route's tracing. */
  tracing?: RouteTracingIR;
  /** Internal routes (ACME challenge) bypass policies. */
  internal?: boolean;
  /** A backend is a DynamicResolver Backend: loopback hosts are denied, a hostname rewrite goes through the DNS cache. */
  dynamicResolver?: boolean;
}

export type CompressorType = 'Gzip' | 'Brotli' | 'Zstd';

/** Responses replaced by the policy's rules, first match wins. */
export interface ResponseOverrideIR {
  /** "<namespace>/<name>" of the BackendTrafficPolicy: names the filter. */
  policy: string;
  rules: ResponseOverrideRuleIR[];
}

export interface ResponseOverrideRuleIR {
  /** Any of these status codes (inclusive ranges); empty: any status. */
  statusCodes: Array<{ kind: 'value'; value: number } | { kind: 'range'; start: number; end: number }>;
  /** All of these response headers must match. */
  responseHeaders: Array<{ name: string; match: { type: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression'; value: string } }>;
  response?: { statusCode?: number; contentType?: string; body?: string; add: HeaderValueIR[]; set: HeaderValueIR[] };
  redirect?: { scheme?: string; hostname?: string; port?: number; path?: string; statusCode: number };
}

export interface AdmissionControlIR {
  /** "<namespace>/<name>" of the BackendTrafficPolicy: names the filter. */
  policy: string;
  samplingWindowMs: number;
  minSuccessRatePercent: number;
  aggression: number;
  minRequestRate: number;
  maxRejectionPercent: number;
  /** HTTP statuses counted as success (Envoy's default, below 400, when empty). */
  httpSuccessStatuses: number[];
  /** gRPC status codes counted as success (Envoy's default when empty). */
  grpcSuccessStatuses: number[];
}

/** Envoy's FractionalPercent. */
export interface TracingFractionIR {
  numerator: number;
  denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

/** A span tag: exactly one of literal, environment, requestHeader. */
export interface TracingTagIR {
  tag: string;
  literal?: string;
  environment?: { name: string; defaultValue?: string };
  requestHeader?: { name: string; defaultValue?: string };
}

/** BackendTrafficPolicy telemetry.tracing: the route's Envoy `tracing` (over the HCM's sampling). */
export interface RouteTracingIR {
  randomSampling?: TracingFractionIR;
  clientSampling?: TracingFractionIR;
  overallSampling?: TracingFractionIR;
  tags: TracingTagIR[];
}

export interface BandwidthLimitIR {
  /** KiB per second sent to the backend. */
  requestKibps?: number;
  /** KiB per second sent to the client. */
  responseKibps?: number;
  /** Delay trailers on responses, with this name prefix ('' for none). */
  responseTrailerPrefix?: string;
}

export interface LocalRateLimitIR {
  /** Tokens per fill interval (the bucket's size too). */
  requests: number;
  fillIntervalMs: number;
  /** Rules with clientSelectors: a token bucket per descriptor, built from the route's stage-1 rate_limits. */
  descriptorRules?: LocalDescriptorRuleIR[];
  /** Every rule in shadowMode: counted and reported, never enforced. */
  shadow?: boolean;
  /** xRateLimitHeaders Off: no x-ratelimit headers on the route's responses. */
  noHeaders?: boolean;
  /**
   * Rules with shared: true: one token bucket per rule for every route of the policy on a filter chain
   * (the policy's own local_ratelimit filter in the HCM, its descriptors fed by the routes' stage-2 rate_limits).
   */
  shared?: { policy: string; rules: LocalDescriptorRuleIR[] };
  /** Every rule is shared: the route has no token bucket of its own. */
  sharedOnly?: boolean;
}

export interface LocalDescriptorRuleIR {
  selectors: RateLimitSelectorIR[];
  cidr?: { cidr: string; maskLen: number; ipv6: boolean; distinct: boolean };
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
  | { kind: 'cookie'; name: string; ttlMs?: number; attributes?: Array<{ name: string; value: string }> }
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
  /** The rate limit service counts and reports but never answers OVER_LIMIT for this rule. */
  shadowMode?: boolean;
  /** limit.fromMetadata: a request's limit from this dynamic metadata struct (requests_per_unit, unit), when present. */
  limitFromMetadata?: { namespace: string; key: string };
  /** cost.request (global rules): what one matching request spends; 0 checks without spending. */
  cost?: number;
  /** rules[].shared: this rule's counter is the policy's, whatever the route (the policy's `shared` may be false when rules differ). */
  shared?: boolean;
  /** rules[].xRateLimitHeaders: the rule's own x-ratelimit headers setting, over the listener's (ClientTrafficPolicy). */
  xRateLimitHeaders?: 'Off' | 'DraftVersion03';
}

export type EndpointIR = ({ kind: 'ip'; address: string; port: number } | { kind: 'fqdn'; hostname: string; port: number } | { kind: 'unix'; path: string }) & {
  /** Backend endpoint zone, becomes the Envoy locality. */
  zone?: string;
  /** Load assignment priority: 1 for the endpoints of a `fallback: true` Backend (failover), else 0. */
  priority?: number;
  /** Envoy's load_balancing_weight of this endpoint (a UDPRoute's backend weights, spread over their endpoints). */
  weight?: number;
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
  /** A `type: DynamicResolver` Backend: no endpoints, the request's host is resolved (dynamic forward proxy). */
  dynamicResolver?: boolean;
  /** A `fallback: true` Backend: combined with primaries of a rule, its endpoints take priority 1. */
  fallback?: boolean;
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
  /** BackendTrafficPolicy http2: HTTP/2 settings wherever the cluster speaks HTTP/2. */
  http2?: Http2SettingsIR;
  /** BackendTrafficPolicy connection.socketBufferLimit: SO_RCVBUF and SO_SNDBUF of upstream sockets, in bytes. */
  socketBufferBytes?: number;
  /** BackendTrafficPolicy loadBalancer.zoneAware.weightedZones: locality weight per zone (unlisted zones weigh 1). */
  zoneWeights?: Array<{ zone: string; weight: number }>;
  /** zoneAware.preferLocal: common_lb_config.zone_aware_lb_config. */
  preferLocalZone?: { minClusterSize: number; routingEnabledPercent?: number };
  /** BackendTrafficPolicy healthCheck.active.overrides.port: endpoints are health-checked on this port. */
  healthCheckPort?: number;
  /** BackendTrafficPolicy healthCheck.active.healthCheckLog: health check events to this file, every failure and/or success too. */
  healthCheckLog?: { path: string; everyFailure: boolean; everySuccess: boolean };
}

/** Upstream HTTP/2 protocol options (BackendTrafficPolicy http2). */
export interface Http2SettingsIR {
  initialStreamWindowSize?: number;
  initialConnectionWindowSize?: number;
  maxConcurrentStreams?: number;
  /** onInvalidMessage TerminateStream: reset only the offending stream. */
  resetStreamOnError?: boolean;
  keepalive?: { intervalMs?: number; timeoutMs?: number; intervalJitterPercent?: number; idleIntervalMs?: number };
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
  type: 'RoundRobin' | 'LeastRequest' | 'Random' | 'ConsistentHash' | 'BackendUtilization';
  slowStartWindowMs?: number;
  tableSize?: number;
  /** BackendUtilization: Envoy's client-side weighted round robin from the endpoints' ORCA load reports. */
  utilization?: { blackoutPeriodMs?: number; weightExpirationPeriodMs?: number; weightUpdatePeriodMs?: number; errorUtilizationPenalty?: number; outOfBandReportingMs?: number };
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

/** TLS parameters as Envoy Gateway's TLSSettings spells them (ClientTrafficPolicy tls, EnvoyProxy backendTLS). */
export interface TlsParametersIR {
  minVersion?: string;
  maxVersion?: string;
  ciphers?: string[];
  ecdhCurves?: string[];
  signatureAlgorithms?: string[];
  alpnProtocols?: string[];
}
