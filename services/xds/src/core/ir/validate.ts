// Checks that plain data (IR read back from YAML, as the translator's golden cases are) has the
// shape of a GatewayIR, and names every field that does not: "ports[0].chains[0].name: expected a
// string, got 7". Unknown fields are problems too, so a typo does not pass as an absent field.
// The shape below must describe exactly the types in ./types.ts: the compile-time check at the end
// fails when one changes without the other.
import type {
  AdmissionControlIR,
  BandwidthLimitIR,
  RouteTracingIR,
  ClusterIR,
  ClientPolicyIR,
  ClientValidationIR,
  ClusterPolicyIR,
  CorsIR,
  CsrfIR,
  EndpointIR,
  ExtAuthIR,
  ExtensionsIR,
  ExtProcIR,
  LuaIR,
  WasmIR,
  FaultIR,
  FilterChainIR,
  GatewayIR,
  GlobalRateLimitIR,
  HeaderMatchIR,
  HashPolicyIR,
  HeaderModifierIR,
  LocalRateLimitIR,
  L4ChainIR,
  L4PortIR,
  MirrorIR,
  PortIR,
  ProxylessHostIR,
  RateLimitRuleIR,
  RateLimitSelectorIR,
  RedirectIR,
  ResponseOverrideIR,
  RetryIR,
  RewriteIR,
  RouteIR,
  RouteMatchIR,
  StringMatchIR,
  TlsSecretIR,
  UpstreamTlsIR,
  VirtualHostIR,
  WeightedClusterIR,
} from './types.js';

interface Shape<T> {
  /** Appends one problem per field of `value` that does not fit, prefixed by `path`. */
  check(value: unknown, path: string, problems: string[]): void;
  /** Phantom field: the TypeScript type this shape describes. */
  readonly type?: T;
}

interface OptionalShape<T> extends Shape<T> {
  readonly optional: true;
}

type Infer<S> = S extends Shape<infer T> ? T : never;
type Props = Record<string, Shape<unknown>>;
type OptionalKeys<P extends Props> = { [K in keyof P]: P[K] extends OptionalShape<unknown> ? K : never }[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<P extends Props> = Simplify<{ [K in Exclude<keyof P, OptionalKeys<P>>]: Infer<P[K]> } & { [K in OptionalKeys<P>]?: Infer<P[K]> }>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function scalar<T>(what: string, test: (value: unknown) => boolean): Shape<T> {
  return {
    check(value, path, problems) {
      if (!test(value)) problems.push(`${path || '(top)'}: expected ${what}, got ${describe(value)}`);
    },
  };
}

const string = scalar<string>('a string', (v) => typeof v === 'string');
const boolean = scalar<boolean>('true or false', (v) => typeof v === 'boolean');
const number = scalar<number>('a number', (v) => typeof v === 'number' && Number.isFinite(v));
const integer = (min: number, max: number) => scalar<number>(`an integer from ${min} to ${max}`, (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max);

function oneOf<const L extends readonly string[]>(...values: L): Shape<L[number]> {
  return scalar<L[number]>(`one of ${values.join(', ')}`, (v) => typeof v === 'string' && values.includes(v));
}

function optional<T>(shape: Shape<T>): OptionalShape<T> {
  return { optional: true, check: (value, path, problems) => shape.check(value, path, problems) };
}

function list<T>(item: Shape<T>): Shape<T[]> {
  return {
    check(value, path, problems) {
      if (!Array.isArray(value)) problems.push(`${path || '(top)'}: expected a list, got ${describe(value)}`);
      else value.forEach((element, i) => item.check(element, at(path, i), problems));
    },
  };
}

function object<P extends Props>(props: P): Shape<ObjectOf<P>> {
  return {
    check(value, path, problems) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path || '(top)'}: expected a mapping, got ${describe(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const [key, shape] of Object.entries(props)) {
        if (record[key] !== undefined) shape.check(record[key], at(path, key), problems);
        else if (!('optional' in shape)) problems.push(`${at(path, key)}: is required`);
      }
      for (const key of Object.keys(record)) if (!(key in props)) problems.push(`${at(path, key)}: is not a field here (expected ${Object.keys(props).join(', ')})`);
    },
  };
}

/** A union told apart by one field (`type`, `kind`): the variant named by its value checks the rest. */
function tagged<K extends string, V extends Record<string, Shape<unknown>>>(key: K, variants: V): Shape<Infer<V[keyof V]>> {
  return {
    check(value, path, problems) {
      const tag = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      const variant = typeof tag === 'string' ? variants[tag] : undefined;
      if (variant) variant.check(value, path, problems);
      else if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`${path || '(top)'}: expected a mapping, got ${describe(value)}`);
      else problems.push(`${at(path, key)}: expected one of ${Object.keys(variants).join(', ')}, got ${describe(tag)}`);
    },
  };
}


const portNumber = integer(1, 65535);
const count = integer(0, 4_294_967_295);
const milliseconds = integer(0, Number.MAX_SAFE_INTEGER);

const stringMatch = tagged('type', {
  Exact: object({ type: oneOf('Exact'), value: string }),
  Prefix: object({ type: oneOf('Prefix'), value: string }),
  RegularExpression: object({ type: oneOf('RegularExpression'), value: string }),
});
const headerMatch = object({ name: string, match: stringMatch, invert: optional(boolean) });
const routeMatch = object({ path: stringMatch, headers: list(headerMatch), queryParams: list(headerMatch), method: optional(string) });
const headerValue = object({ name: string, value: string });
const headerModifier = object({ set: list(headerValue), add: list(headerValue), remove: list(string) });
const pathModifier = object({ type: oneOf('ReplaceFullPath', 'ReplacePrefixMatch'), value: string });
const redirect = object({ scheme: optional(string), hostname: optional(string), port: optional(portNumber), path: optional(pathModifier), statusCode: integer(300, 399) });
const regexReplace = object({ pattern: string, substitution: string });
const rewrite = object({
  hostname: optional(string),
  path: optional(pathModifier),
  regexPath: optional(regexReplace),
  hostFrom: optional(
    tagged('kind', {
      header: object({ kind: oneOf('header'), name: string }),
      backend: object({ kind: oneOf('backend') }),
      pathRegex: object({ kind: oneOf('pathRegex'), pattern: string, substitution: string }),
    }),
  ),
  appendXForwardedHost: optional(boolean),
});
const weightedCluster = object({ cluster: string, weight: integer(0, 1_000_000), requestHeaders: optional(headerModifier), responseHeaders: optional(headerModifier) });
const cors = object({
  allowOrigins: list(stringMatch),
  allowMethods: list(string),
  allowHeaders: list(string),
  exposeHeaders: list(string),
  maxAgeSeconds: optional(milliseconds),
  allowCredentials: boolean,
});
const csrf = object({ additionalOrigins: list(stringMatch), shadowPercent: number });
const serviceRetry = object({ numRetries: integer(0, 1000), retryOn: list(string), backOffBaseMs: optional(milliseconds), backOffMaxMs: optional(milliseconds) });
const extAuth = object({
  policy: string,
  protocol: oneOf('grpc', 'http'),
  cluster: string,
  authority: string,
  pathPrefix: optional(string),
  headersToExtAuth: list(string),
  headersToBackend: list(string),
  maxRequestBytes: optional(integer(1, Number.MAX_SAFE_INTEGER)),
  failOpen: boolean,
  timeoutMs: milliseconds,
  statusOnError: optional(integer(100, 599)),
  contextExtensions: list(headerValue),
  clearRouteCache: optional(boolean),
  includeRouteMetadata: optional(boolean),
  retry: optional(serviceRetry),
});
const bodyMode = optional(oneOf('Streamed', 'Buffered', 'BufferedPartial', 'FullDuplexStreamed'));
const extProc = object({
  name: string,
  cluster: string,
  authority: string,
  failOpen: boolean,
  messageTimeoutMs: optional(milliseconds),
  requestHeaders: boolean,
  responseHeaders: boolean,
  requestBody: bodyMode,
  responseBody: bodyMode,
  requestAttributes: list(string),
  responseAttributes: list(string),
  allowModeOverride: boolean,
  forwardingNamespaces: list(string),
  receivingNamespaces: list(string),
  statusOnError: optional(integer(400, 599)),
  shadowMode: boolean,
  retry: optional(serviceRetry),
});
const wasm = object({
  name: string,
  pluginName: string,
  rootId: optional(string),
  url: string,
  sha256: string,
  cluster: string,
  config: optional(string),
  failOpen: boolean,
  hostEnvKeys: list(string),
});
const lua = object({ name: string, code: string });
const extensions = object({ policy: string, extProc: list(extProc), wasm: list(wasm), lua: list(lua) });
const mirror = object({ cluster: string, percent: optional(number) });
const retry = object({
  numRetries: integer(0, 1000),
  retryOn: list(string),
  statusCodes: list(integer(100, 599)),
  perTryTimeoutMs: optional(milliseconds),
  backOffBaseMs: optional(milliseconds),
  backOffMaxMs: optional(milliseconds),
  numAttemptsPerPriority: optional(integer(1, 2_147_483_647)),
});

const rateLimitSelector = tagged('kind', {
  header: object({ kind: oneOf('header'), name: string, match: optional(stringMatch), invert: boolean, distinct: boolean }),
  method: object({ kind: oneOf('method'), methods: list(string), invert: boolean }),
  path: object({ kind: oneOf('path'), match: stringMatch, invert: boolean }),
  query: object({ kind: oneOf('query'), name: string, match: stringMatch, invert: boolean }),
});
const rateLimitRule = object({
  selectors: list(rateLimitSelector),
  cidr: optional(object({ cidr: string, maskLen: integer(0, 128), ipv6: boolean, distinct: boolean })),
  requests: integer(1, Number.MAX_SAFE_INTEGER),
  unit: oneOf('second', 'minute', 'hour', 'day', 'week', 'month', 'year'),
  shadowMode: optional(boolean),
  limitFromMetadata: optional(object({ namespace: string, key: string })),
  cost: optional(integer(0, 1_000_000)),
  shared: optional(boolean),
  xRateLimitHeaders: optional(oneOf('Off', 'DraftVersion03')),
});
const globalRateLimit = object({ policy: string, shared: boolean, rules: list(rateLimitRule) });

const percent = number;
const localDescriptorRule = object({
  selectors: list(rateLimitSelector),
  cidr: optional(object({ cidr: string, maskLen: integer(0, 128), ipv6: boolean, distinct: boolean })),
  requests: integer(1, Number.MAX_SAFE_INTEGER),
  fillIntervalMs: integer(1, Number.MAX_SAFE_INTEGER),
});
const localRateLimit = object({
  requests: integer(1, Number.MAX_SAFE_INTEGER),
  fillIntervalMs: integer(1, Number.MAX_SAFE_INTEGER),
  descriptorRules: optional(list(localDescriptorRule)),
  shadow: optional(boolean),
  noHeaders: optional(boolean),
  shared: optional(object({ policy: string, rules: list(localDescriptorRule) })),
  sharedOnly: optional(boolean),
});
const fault = object({
  delay: optional(object({ fixedDelayMs: milliseconds, percent: optional(percent) })),
  abort: optional(object({ httpStatus: optional(integer(200, 599)), grpcStatus: optional(integer(0, 16)), percent: optional(percent) })),
});
const hashPolicy = tagged('kind', {
  sourceIP: object({ kind: oneOf('sourceIP') }),
  header: object({ kind: oneOf('header'), name: string }),
  cookie: object({ kind: oneOf('cookie'), name: string, ttlMs: optional(milliseconds), attributes: optional(list(object({ name: string, value: string }))) }),
  query: object({ kind: oneOf('query'), name: string }),
});

const responseOverride = object({
  policy: string,
  rules: list(
    object({
      statusCodes: list(tagged('kind', { value: object({ kind: oneOf('value'), value: integer(100, 599) }), range: object({ kind: oneOf('range'), start: integer(100, 599), end: integer(100, 599) }) })),
      responseHeaders: list(object({ name: string, match: object({ type: oneOf('Exact', 'Prefix', 'Suffix', 'RegularExpression'), value: string }) })),
      response: optional(object({ statusCode: optional(integer(200, 599)), contentType: optional(string), body: optional(string), add: list(headerValue), set: list(headerValue) })),
      redirect: optional(object({ scheme: optional(string), hostname: optional(string), port: optional(portNumber), path: optional(string), statusCode: integer(300, 399) })),
    }),
  ),
});
const admissionControl = object({
  policy: string,
  samplingWindowMs: integer(1000, Number.MAX_SAFE_INTEGER),
  minSuccessRatePercent: number,
  aggression: number,
  minRequestRate: count,
  maxRejectionPercent: number,
  httpSuccessStatuses: list(integer(100, 599)),
  grpcSuccessStatuses: list(integer(0, 16)),
});
const tracingFraction = object({ numerator: integer(0, 1_000_000), denominator: oneOf('HUNDRED', 'TEN_THOUSAND', 'MILLION') });
const tracingTag = object({
  tag: string,
  literal: optional(string),
  environment: optional(object({ name: string, defaultValue: optional(string) })),
  requestHeader: optional(object({ name: string, defaultValue: optional(string) })),
});
const routeTracing = object({ randomSampling: optional(tracingFraction), clientSampling: optional(tracingFraction), overallSampling: optional(tracingFraction), tags: list(tracingTag) });
const bandwidthLimit = object({ requestKibps: optional(integer(1, Number.MAX_SAFE_INTEGER)), responseKibps: optional(integer(1, Number.MAX_SAFE_INTEGER)), responseTrailerPrefix: optional(string) });

const route = object({
  name: string,
  match: routeMatch,
  backends: optional(list(weightedCluster)),
  redirect: optional(redirect),
  directResponse: optional(object({ status: integer(100, 599), body: optional(string) })),
  requestHeaders: optional(headerModifier),
  responseHeaders: optional(headerModifier),
  rewrite: optional(rewrite),
  mirrors: list(mirror),
  timeoutMs: optional(milliseconds),
  backendTimeoutMs: optional(milliseconds),
  retry: optional(retry),
  securityPolicy: optional(string),
  authzRecomputeRoute: optional(boolean),
  cors: optional(cors),
  csrf: optional(csrf),
  extAuth: optional(extAuth),
  credential: optional(object({ header: string, value: string, overwrite: boolean })),
  extensions: optional(extensions),
  rateLimit: optional(globalRateLimit),
  localRateLimit: optional(localRateLimit),
  fault: optional(fault),
  compressors: optional(list(oneOf('Gzip', 'Brotli', 'Zstd'))),
  compressorMinLengths: optional(list(object({ type: oneOf('Gzip', 'Brotli', 'Zstd'), bytes: integer(0, 4_294_967_295) }))),
  upgrades: optional(list(object({ type: string, terminateConnect: optional(boolean) }))),
  requestBufferBytes: optional(integer(1, 4_294_967_295)),
  streamIdleTimeoutMs: optional(milliseconds),
  maxStreamDurationMs: optional(milliseconds),
  hashPolicies: optional(list(hashPolicy)),
  responseOverride: optional(responseOverride),
  admissionControl: optional(admissionControl),
  bandwidthLimit: optional(bandwidthLimit),
  statPrefix: optional(string),
  tracing: optional(routeTracing),
  internal: optional(boolean),
  dynamicResolver: optional(boolean),
});

const zone = optional(string);
const priority = optional(number);
const weight = optional(number);
const endpoint = tagged('kind', {
  ip: object({ kind: oneOf('ip'), address: string, port: portNumber, zone, priority, weight }),
  fqdn: object({ kind: oneOf('fqdn'), hostname: string, port: portNumber, zone, priority, weight }),
  unix: object({ kind: oneOf('unix'), path: string, zone, priority, weight }),
});
const payload = tagged('type', {
  text: object({ type: oneOf('text'), text: string }),
  binary: object({ type: oneOf('binary'), base64: string }),
});
const clusterPolicyExtras = {
  tcpKeepalive: optional(object({ probes: optional(count), idleTimeS: optional(count), intervalS: optional(count) })),
  dns: optional(object({ refreshRateMs: optional(milliseconds), respectTtl: optional(boolean), lookupFamily: optional(oneOf('V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'AUTO', 'ALL')) })),
  bufferLimitBytes: optional(count),
  preconnect: optional(object({ perEndpointRatio: optional(number), predictiveRatio: optional(number) })),
  useClientProtocol: optional(boolean),
  proxyProtocolVersion: optional(oneOf('V1', 'V2')),
  http2: optional(
    object({
      initialStreamWindowSize: optional(integer(65_535, 2_147_483_647)),
      initialConnectionWindowSize: optional(integer(65_535, 2_147_483_647)),
      maxConcurrentStreams: optional(integer(1, 2_147_483_647)),
      resetStreamOnError: optional(boolean),
      keepalive: optional(object({ intervalMs: optional(milliseconds), timeoutMs: optional(milliseconds), intervalJitterPercent: optional(number), idleIntervalMs: optional(milliseconds) })),
    }),
  ),
  socketBufferBytes: optional(integer(1, 2_147_483_647)),
  zoneWeights: optional(list(object({ zone: string, weight: count }))),
  preferLocalZone: optional(object({ minClusterSize: integer(0, Number.MAX_SAFE_INTEGER), routingEnabledPercent: optional(integer(0, 100)) })),
  healthCheckPort: optional(portNumber),
  healthCheckLog: optional(object({ path: string, everyFailure: boolean, everySuccess: boolean })),
};
const clusterPolicy = object({
  ...clusterPolicyExtras,
  policy: string,
  connectTimeoutMs: optional(milliseconds),
  idleTimeoutMs: optional(milliseconds),
  maxConnectionDurationMs: optional(milliseconds),
  maxRequestsPerConnection: optional(count),
  circuitBreaker: optional(
    object({
      maxConnections: optional(count),
      maxPendingRequests: optional(count),
      maxRequests: optional(count),
      maxRetries: optional(count),
      perEndpointMaxConnections: optional(count),
      retryBudget: optional(object({ percent: number, minRetryConcurrency: optional(count) })),
    }),
  ),
  loadBalancer: optional(
    object({
      type: oneOf('RoundRobin', 'LeastRequest', 'Random', 'ConsistentHash', 'BackendUtilization'),
      slowStartWindowMs: optional(milliseconds),
      tableSize: optional(count),
      utilization: optional(
        object({
          blackoutPeriodMs: optional(milliseconds),
          weightExpirationPeriodMs: optional(milliseconds),
          weightUpdatePeriodMs: optional(milliseconds),
          errorUtilizationPenalty: optional(number),
          outOfBandReportingMs: optional(milliseconds),
        }),
      ),
    }),
  ),
  panicThresholdPercent: optional(number),
  outlierDetection: optional(
    object({
      intervalMs: optional(milliseconds),
      baseEjectionTimeMs: optional(milliseconds),
      maxEjectionPercent: optional(integer(0, 100)),
      consecutive5xx: optional(count),
      consecutiveGatewayErrors: optional(count),
      consecutiveLocalOriginFailures: optional(count),
      splitExternalLocalOriginErrors: optional(boolean),
      failurePercentageThreshold: optional(integer(0, 100)),
      alwaysEjectOne: optional(boolean),
    }),
  ),
  healthCheck: optional(
    object({
      timeoutMs: milliseconds,
      intervalMs: milliseconds,
      initialJitterMs: optional(milliseconds),
      unhealthyThreshold: count,
      healthyThreshold: count,
      check: tagged('kind', {
        http: object({
          kind: oneOf('http'),
          path: string,
          hostname: optional(string),
          method: optional(string),
          expectedStatuses: list(integer(100, 599)),
          retriableStatuses: optional(list(integer(100, 599))),
          expectedResponse: optional(payload),
          requestBody: optional(payload),
        }),
        tcp: object({ kind: oneOf('tcp'), send: optional(payload), receive: optional(payload) }),
        grpc: object({ kind: oneOf('grpc'), service: optional(string) }),
      }),
    }),
  ),
});
const upstreamTls = object({
  sni: optional(string),
  trustedCa: optional(tagged('kind', { inline: object({ kind: oneOf('inline'), pem: string }), system: object({ kind: oneOf('system') }) })),
  subjectAltNames: list(object({ type: oneOf('DNS', 'URI'), value: string })),
  insecureSkipVerify: boolean,
  alpnProtocols: list(string),
  minVersion: optional(string),
  maxVersion: optional(string),
  ciphers: list(string),
  ecdhCurves: list(string),
  signatureAlgorithms: list(string),
  clientCertificates: list(string),
});
const cluster = object({ name: string, endpoints: list(endpoint), http2: boolean, grpc: optional(boolean), policy: optional(clusterPolicy), tls: optional(upstreamTls), dynamicResolver: optional(boolean), fallback: optional(boolean) });
const tlsSecret = object({ name: string, certificateChain: string, privateKey: string });

const virtualHost = object({ name: string, domains: list(string), routes: list(route) });
const clientValidation = object({
  requireCertificate: boolean,
  acceptUntrusted: boolean,
  trustedCa: optional(string),
  spkiHashes: optional(list(string)),
  certificateHashes: optional(list(string)),
  subjectAltNames: optional(
    list(
      object({
        sanType: oneOf('DNS', 'EMAIL', 'URI', 'IP_ADDRESS', 'OTHER_NAME'),
        match: object({ type: oneOf('Exact', 'Prefix', 'Suffix', 'RegularExpression'), value: string }),
        oid: optional(string),
      }),
    ),
  ),
  allowExpired: optional(boolean),
  crl: optional(string),
  onlyVerifyLeafCrl: optional(boolean),
});
// ClientTrafficPolicy extras (./client-extras.ts).
const headerMutation = tagged('kind', {
  append: object({ kind: oneOf('append'), name: string, value: string, action: oneOf('APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD') }),
  remove: object({ kind: oneOf('remove'), name: string }),
});
const clientExtras = object({
  directSourceIp: optional(boolean),
  skipXffAppend: optional(boolean),
  socketBufferBytes: optional(integer(1, 2_147_483_647)),
  disableRateLimitHeaders: optional(boolean),
  earlyRequestHeaders: optional(list(headerMutation)),
  lateResponseHeaders: optional(list(headerMutation)),
  preserveHeaderCase: optional(boolean),
  http10: optional(object({ useDefaultHost: boolean })),
  schemeMatchBackend: optional(boolean),
  connectionInspectionTimeoutMs: optional(milliseconds),
  tlsHandshakeTimeoutMs: optional(milliseconds),
  tcpIdleTimeoutMs: optional(milliseconds),
  ja3Fingerprint: optional(boolean),
  sessionResumption: optional(object({ stateless: boolean, stateful: boolean })),
  http3: optional(boolean),
});
const clientPolicy = object({
  policy: string,
  requestTimeoutMs: optional(milliseconds),
  requestHeadersTimeoutMs: optional(milliseconds),
  idleTimeoutMs: optional(milliseconds),
  streamIdleTimeoutMs: optional(milliseconds),
  bufferLimitBytes: optional(count),
  headersWithUnderscores: optional(oneOf('ALLOW', 'REJECT_REQUEST', 'DROP_HEADER')),
  preserveRequestId: optional(boolean),
  clientIp: optional(
    tagged('kind', {
      xffHops: object({ kind: oneOf('xffHops'), hops: count }),
      customHeader: object({ kind: oneOf('customHeader'), name: string, failClosed: boolean }),
    }),
  ),
  mergeSlashes: optional(boolean),
  escapedSlashesAction: optional(oneOf('KEEP_UNCHANGED', 'REJECT_REQUEST', 'UNESCAPE_AND_REDIRECT', 'UNESCAPE_AND_FORWARD')),
  http2: optional(
    object({
      initialStreamWindowSize: optional(count),
      initialConnectionWindowSize: optional(count),
      maxConcurrentStreams: optional(count),
      keepalive: optional(object({ intervalMs: optional(milliseconds), timeoutMs: milliseconds, intervalJitterPercent: optional(number), idleIntervalMs: optional(milliseconds) })),
      resetStreamOnInvalidMessage: optional(boolean),
    }),
  ),
  http1: optional(object({ enableTrailers: optional(boolean) })),
  forwardClientCert: optional(
    object({ mode: oneOf('SANITIZE', 'FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET', 'ALWAYS_FORWARD_ONLY'), details: list(oneOf('subject', 'cert', 'chain', 'dns', 'uri')) }),
  ),
  generateRequestId: optional(boolean),
  stripTrailingHostDot: optional(boolean),
  connectionLimit: optional(object({ maxConnections: integer(1, Number.MAX_SAFE_INTEGER), delayMs: optional(milliseconds) })),
  maxConnectionDurationMs: optional(milliseconds),
  maxRequestsPerConnection: optional(count),
  maxStreamDurationMs: optional(milliseconds),
  healthCheckPath: optional(string),
  tcpKeepalive: optional(object({ probes: optional(count), idleTimeS: optional(count), intervalS: optional(count) })),
  maxAcceptPerSocketEvent: optional(count),
  grpcWeb: optional(boolean),
  proxyProtocol: optional(object({ optional: boolean })),
  tls: optional(
    object({
      minVersion: optional(string),
      maxVersion: optional(string),
      ciphers: optional(list(string)),
      ecdhCurves: optional(list(string)),
      signatureAlgorithms: optional(list(string)),
      alpnProtocols: optional(list(string)),
      clientValidation: optional(clientValidation),
    }),
  ),
  extras: optional(clientExtras),
});
const chain = object({ name: string, serverNames: list(string), tlsSecrets: list(string), virtualHosts: list(virtualHost), acmeChallenge: boolean, client: optional(clientPolicy), frontendValidation: optional(clientValidation) });
const port = object({ name: string, port: portNumber, protocol: oneOf('HTTP', 'HTTPS'), chains: list(chain) });
const proxylessHost = object({ host: string, routes: list(route) });
const l4Rbac = object({
  defaultAction: oneOf('Allow', 'Deny'),
  rules: list(object({ name: string, action: oneOf('Allow', 'Deny'), cidrs: list(object({ prefix: string, length: integer(0, 128) })) })),
});
const l4Chain = object({ name: string, serverNames: list(string), tlsSecrets: optional(list(string)), backends: list(weightedCluster), client: optional(clientPolicy), rbac: optional(l4Rbac) });
const l4Port = object({ name: string, port: portNumber, protocol: oneOf('TCP', 'TLS', 'UDP'), chains: list(l4Chain) });

const gatewayShape = object({ key: string, ports: list(port), l4Ports: optional(list(l4Port)), proxyless: list(proxylessHost), clusters: list(cluster), secrets: list(tlsSecret), identityHeaders: list(string) });

/** Every problem with `value` as a GatewayIR, one line each; empty when it is one. */
export function checkGatewayIR(value: unknown): string[] {
  const problems: string[] = [];
  gatewayShape.check(value, '', problems);
  return problems;
}

export function isGatewayIR(value: unknown): value is GatewayIR {
  return checkGatewayIR(value).length === 0;
}

// The shape and the types must not drift apart: with every field made required, each must be
// assignable to the other (so an optional field added to one and not the other fails too).
// Checked type by type: the compiler stops comparing deeply nested instantiations of one type.
type Complete<T> = T extends Array<infer U> ? Array<Complete<U>> : T extends object ? { [K in keyof T]-?: Complete<T[K]> } : T;
type Same<S, T> = [Complete<Infer<S>>] extends [Complete<T>] ? ([Complete<T>] extends [Complete<Infer<S>>] ? true : false) : false;
const shapesMatchTypes: [
  Same<typeof gatewayShape, GatewayIR>,
  Same<typeof port, PortIR>,
  Same<typeof chain, FilterChainIR>,
  Same<typeof virtualHost, VirtualHostIR>,
  Same<typeof route, RouteIR>,
  Same<typeof routeMatch, RouteMatchIR>,
  Same<typeof headerMatch, HeaderMatchIR>,
  Same<typeof stringMatch, StringMatchIR>,
  Same<typeof headerModifier, HeaderModifierIR>,
  Same<typeof redirect, RedirectIR>,
  Same<typeof rewrite, RewriteIR>,
  Same<typeof weightedCluster, WeightedClusterIR>,
  Same<typeof mirror, MirrorIR>,
  Same<typeof cors, CorsIR>,
  Same<typeof extAuth, ExtAuthIR>,
  Same<typeof csrf, CsrfIR>,
  Same<typeof retry, RetryIR>,
  Same<typeof globalRateLimit, GlobalRateLimitIR>,
  Same<typeof rateLimitRule, RateLimitRuleIR>,
  Same<typeof rateLimitSelector, RateLimitSelectorIR>,
  Same<typeof cluster, ClusterIR>,
  Same<typeof clusterPolicy, ClusterPolicyIR>,
  Same<typeof clientPolicy, ClientPolicyIR>,
  Same<typeof clientValidation, ClientValidationIR>,
  Same<typeof localRateLimit, LocalRateLimitIR>,
  Same<typeof fault, FaultIR>,
  Same<typeof hashPolicy, HashPolicyIR>,
  Same<typeof endpoint, EndpointIR>,
  Same<typeof tlsSecret, TlsSecretIR>,
  Same<typeof proxylessHost, ProxylessHostIR>,
  Same<typeof l4Port, L4PortIR>,
  Same<typeof l4Chain, L4ChainIR>,
  Same<typeof upstreamTls, UpstreamTlsIR>,
  Same<typeof extensions, ExtensionsIR>,
  Same<typeof extProc, ExtProcIR>,
  Same<typeof wasm, WasmIR>,
  Same<typeof lua, LuaIR>,
  Same<typeof responseOverride, ResponseOverrideIR>,
  Same<typeof admissionControl, AdmissionControlIR>,
  Same<typeof bandwidthLimit, BandwidthLimitIR>,
  Same<typeof routeTracing, RouteTracingIR>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
void shapesMatchTypes;
