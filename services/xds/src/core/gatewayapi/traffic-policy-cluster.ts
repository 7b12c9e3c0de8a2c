// BackendTrafficPolicy fields that Envoy Gateway puts on the clusters of the targeted routes:
// timeouts (tcp connect, HTTP idle and connection duration), circuit breakers, load balancing,
// active and passive health checks, the panic threshold, TCP keepalive, DNS, buffer limit,
// preconnecting and the upstream protocol. Read with Envoy's value rules.
import type { ActiveHealthCheckIR, CircuitBreakerIR, ClusterPolicyIR, LoadBalancerIR, OutlierDetectionIR, PayloadIR } from '../ir/types.js';
import type { PolicyValues } from './policy-values.js';
import { translateHttp2, translateRoutingType, translateZoneWeights, type Http2Spec } from './traffic-policy-upstream.js';

interface Payload {
  type?: 'Text' | 'Binary';
  text?: string;
  binary?: string;
}

export interface ClusterSettingsSpec {
  tcpKeepalive?: { probes?: number; idleTime?: string; interval?: string };
  dns?: { dnsRefreshRate?: string; respectDnsTtl?: boolean; lookupFamily?: 'IPv4' | 'IPv6' | 'IPv4Preferred' | 'IPv6Preferred' | 'IPv4AndIPv6' };
  connection?: { bufferLimit?: string | number; socketBufferLimit?: string | number; preconnect?: { perEndpointPercent?: number; predictivePercent?: number } };
  http2?: Http2Spec;
  routingType?: string;
  useClientProtocol?: boolean;
  proxyProtocol?: { version?: 'V1' | 'V2' };
  timeout?: { tcp?: { connectTimeout?: string }; http?: { connectionIdleTimeout?: string; maxConnectionDuration?: string; requestTimeout?: string } };
  circuitBreaker?: {
    maxConnections?: number;
    maxPendingRequests?: number;
    maxParallelRequests?: number;
    maxParallelRetries?: number;
    maxRequestsPerConnection?: number;
    perEndpoint?: { maxConnections?: number };
    retryBudget?: { percent?: { numerator?: number; denominator?: number }; minRetryConcurrency?: number };
  };
  loadBalancer?: {
    type?: LoadBalancerIR['type'] | 'DynamicModule';
    slowStart?: { window?: string };
    backendUtilization?: { blackoutPeriod?: string; weightExpirationPeriod?: string; weightUpdatePeriod?: string; errorUtilizationPenaltyPercent?: number; outOfBand?: { reportingPeriod?: string } };
    consistentHash?: { tableSize?: number };
    zoneAware?: { weightedZones?: Array<{ zone?: string; weight?: number }>; preferLocal?: { minEndpointsThreshold?: number; percentageEnabled?: number } };
  };
  healthCheck?: {
    panicThreshold?: number;
    passive?: {
      interval?: string;
      baseEjectionTime?: string;
      maxEjectionPercent?: number;
      consecutive5XxErrors?: number;
      consecutiveGatewayErrors?: number;
      consecutiveLocalOriginFailures?: number;
      splitExternalLocalOriginErrors?: boolean;
      failurePercentageThreshold?: number;
      alwaysEjectOneEndpoint?: boolean;
    };
    active?: {
      type?: 'HTTP' | 'TCP' | 'GRPC';
      timeout?: string;
      interval?: string;
      initialJitter?: string;
      unhealthyThreshold?: number;
      healthyThreshold?: number;
      http?: { path?: string; hostname?: string; method?: string; expectedStatuses?: number[]; retriableStatuses?: number[]; expectedResponse?: Payload; requestBody?: Payload };
      tcp?: { send?: Payload; receive?: Payload };
      grpc?: { service?: string };
      overrides?: { port?: number };
      healthCheckLog?: { matches?: string[]; sinks?: Array<{ type?: string; file?: { path?: string } }> };
    };
  };
}

/** The cluster settings of a policy, or undefined when it sets none. */
export function translateClusterSettings(policy: string, spec: ClusterSettingsSpec, values: PolicyValues): ClusterPolicyIR | undefined {
  const ir: ClusterPolicyIR = { policy };
  const connect = values.duration(spec.timeout?.tcp?.connectTimeout, 'spec.timeout.tcp.connectTimeout');
  const idle = values.duration(spec.timeout?.http?.connectionIdleTimeout, 'spec.timeout.http.connectionIdleTimeout');
  const lifetime = values.duration(spec.timeout?.http?.maxConnectionDuration, 'spec.timeout.http.maxConnectionDuration');
  if (connect !== undefined) ir.connectTimeoutMs = connect;
  if (idle !== undefined) ir.idleTimeoutMs = idle;
  if (lifetime !== undefined) ir.maxConnectionDurationMs = lifetime;
  if (spec.circuitBreaker) {
    const perConnection = values.integer(spec.circuitBreaker.maxRequestsPerConnection, 'spec.circuitBreaker.maxRequestsPerConnection');
    if (perConnection !== undefined) ir.maxRequestsPerConnection = perConnection;
    const breaker = circuitBreaker(spec.circuitBreaker, values);
    if (Object.keys(breaker).length > 0) ir.circuitBreaker = breaker;
  }
  if (spec.loadBalancer) {
    const lb = loadBalancer(spec.loadBalancer, values);
    if (lb) ir.loadBalancer = lb;
  }
  const panic = values.percent(spec.healthCheck?.panicThreshold, 'spec.healthCheck.panicThreshold');
  if (panic !== undefined) ir.panicThresholdPercent = panic;
  if (spec.healthCheck?.passive) ir.outlierDetection = outlierDetection(spec.healthCheck.passive, values);
  if (spec.healthCheck?.active) {
    const active = activeHealthCheck(spec.healthCheck.active, values);
    if (active) ir.healthCheck = active;
  }
  connectionSettings(spec, ir, values);
  const http2 = translateHttp2(spec.http2, values);
  if (http2) ir.http2 = http2;
  const socketBuffer = values.bytes(spec.connection?.socketBufferLimit, 'spec.connection.socketBufferLimit', 2_147_483_647);
  if (socketBuffer === 0) values.problems.push('spec.connection.socketBufferLimit: must be greater than 0');
  else if (socketBuffer !== undefined) ir.socketBufferBytes = socketBuffer;
  const zoneWeights = translateZoneWeights(spec.loadBalancer?.zoneAware?.weightedZones, values);
  if (zoneWeights && ir.loadBalancer?.type === 'BackendUtilization') values.problems.push('spec.loadBalancer.zoneAware: is not supported with type BackendUtilization (its load balancing policy weighs endpoints, not zones)');
  else if (zoneWeights) ir.zoneWeights = zoneWeights;
  const preferLocal = spec.loadBalancer?.zoneAware?.preferLocal;
  // Envoy Gateway: common_lb_config.zone_aware_lb_config, min_cluster_size defaulting to 6. Envoy takes
  // zone-aware or locality-weighted balancing, not both (one locality_config_specifier).
  if (preferLocal && zoneWeights) values.problems.push('spec.loadBalancer.zoneAware: preferLocal and weightedZones cannot be used together (Envoy balances either zone-aware or locality-weighted)');
  else if (preferLocal) {
    ir.preferLocalZone = {
      minClusterSize: preferLocal.minEndpointsThreshold ?? 6,
      ...(preferLocal.percentageEnabled !== undefined ? { routingEnabledPercent: preferLocal.percentageEnabled } : {}),
    };
  }
  const log = spec.healthCheck?.active?.healthCheckLog;
  if (log) {
    const sink = log.sinks?.[0];
    if (sink && (sink.type !== 'File' || !sink.file?.path)) values.problems.push('spec.healthCheck.active.healthCheckLog.sinks[0]: type File with file.path is required');
    const matches = log.matches ?? [];
    const failure = matches.some((m) => m === 'Failure' || m === 'FailureSeriesStart');
    const success = matches.some((m) => m === 'Success' || m === 'HealthyTransition');
    // The CRD's rule: a failure type and a success type come together.
    if (failure !== success) values.problems.push('spec.healthCheck.active.healthCheckLog.matches: a failure type and a success type must both be specified together');
    // Envoy always logs the first failure (ejection) and healthy transitions; Failure and Success add every probe's outcome.
    ir.healthCheckLog = { path: sink?.file?.path ?? '/dev/stdout', everyFailure: matches.length === 0 || matches.includes('Failure'), everySuccess: matches.length === 0 || matches.includes('Success') };
  }
  const healthCheckPort = values.integer(spec.healthCheck?.active?.overrides?.port, 'spec.healthCheck.active.overrides.port', 1, 65535);
  if (healthCheckPort !== undefined) ir.healthCheckPort = healthCheckPort;
  translateRoutingType(spec.routingType, values);
  return Object.keys(ir).length > 1 ? ir : undefined;
}

const LOOKUP_FAMILY = { IPv4: 'V4_ONLY', IPv6: 'V6_ONLY', IPv4Preferred: 'V4_PREFERRED', IPv6Preferred: 'AUTO', IPv4AndIPv6: 'ALL' } as const;

/** Upstream TCP keepalive, DNS resolution, buffer limit, preconnecting, and the upstream protocol. */
function connectionSettings(spec: ClusterSettingsSpec, ir: ClusterPolicyIR, values: PolicyValues): void {
  if (spec.tcpKeepalive) {
    const keepalive: NonNullable<ClusterPolicyIR['tcpKeepalive']> = {};
    const probes = values.integer(spec.tcpKeepalive.probes, 'spec.tcpKeepalive.probes');
    const idle = values.seconds(spec.tcpKeepalive.idleTime, 'spec.tcpKeepalive.idleTime');
    const interval = values.seconds(spec.tcpKeepalive.interval, 'spec.tcpKeepalive.interval');
    if (probes !== undefined) keepalive.probes = probes;
    if (idle !== undefined) keepalive.idleTimeS = idle;
    if (interval !== undefined) keepalive.intervalS = interval;
    ir.tcpKeepalive = keepalive;
  }
  if (spec.dns) {
    const dns: NonNullable<ClusterPolicyIR['dns']> = {};
    // Envoy's dns_refresh_rate must be at least 1ms.
    const refresh = values.duration(spec.dns.dnsRefreshRate, 'spec.dns.dnsRefreshRate');
    if (refresh !== undefined) dns.refreshRateMs = refresh;
    if (spec.dns.respectDnsTtl !== undefined) dns.respectTtl = spec.dns.respectDnsTtl;
    if (spec.dns.lookupFamily) dns.lookupFamily = LOOKUP_FAMILY[spec.dns.lookupFamily];
    ir.dns = dns;
  }
  const buffer = values.bytes(spec.connection?.bufferLimit, 'spec.connection.bufferLimit');
  if (buffer !== undefined) ir.bufferLimitBytes = buffer;
  const preconnect = spec.connection?.preconnect;
  if (preconnect) {
    // Envoy takes ratios from 1 to 3 (per upstream) and from 1 (predictive); the CRD says percent.
    const perEndpoint = values.integer(preconnect.perEndpointPercent, 'spec.connection.preconnect.perEndpointPercent', 100, 300);
    const predictive = values.integer(preconnect.predictivePercent, 'spec.connection.preconnect.predictivePercent', 100, 300);
    ir.preconnect = { ...(perEndpoint !== undefined ? { perEndpointRatio: perEndpoint / 100 } : {}), ...(predictive !== undefined ? { predictiveRatio: predictive / 100 } : {}) };
  }
  if (spec.useClientProtocol) ir.useClientProtocol = true;
  if (spec.proxyProtocol) {
    if (spec.proxyProtocol.version !== 'V1' && spec.proxyProtocol.version !== 'V2') values.problems.push('spec.proxyProtocol.version: one of V1, V2 is required');
    else ir.proxyProtocolVersion = spec.proxyProtocol.version;
  }
}

function circuitBreaker(spec: NonNullable<ClusterSettingsSpec['circuitBreaker']>, values: PolicyValues): CircuitBreakerIR {
  const at = 'spec.circuitBreaker';
  const ir: CircuitBreakerIR = {};
  const set = (key: Exclude<keyof CircuitBreakerIR, 'retryBudget'>, value: unknown, path: string) => {
    const n = values.integer(value, `${at}.${path}`);
    if (n !== undefined) ir[key] = n;
  };
  set('maxConnections', spec.maxConnections, 'maxConnections');
  set('maxPendingRequests', spec.maxPendingRequests, 'maxPendingRequests');
  set('maxRequests', spec.maxParallelRequests, 'maxParallelRequests');
  set('maxRetries', spec.maxParallelRetries, 'maxParallelRetries');
  set('perEndpointMaxConnections', spec.perEndpoint?.maxConnections, 'perEndpoint.maxConnections');
  if (spec.retryBudget) {
    // A Fraction: numerator over denominator (100 unless given), as a percentage of active requests.
    const numerator = spec.retryBudget.percent?.numerator ?? 20;
    const denominator = spec.retryBudget.percent?.denominator ?? 100;
    const percent = denominator > 0 ? values.percent((numerator / denominator) * 100, `${at}.retryBudget.percent`) : undefined;
    if (denominator <= 0) values.problems.push(`${at}.retryBudget.percent.denominator: must be greater than 0`);
    const min = values.integer(spec.retryBudget.minRetryConcurrency, `${at}.retryBudget.minRetryConcurrency`);
    if (percent !== undefined) ir.retryBudget = { percent, ...(min !== undefined ? { minRetryConcurrency: min } : {}) };
  }
  return ir;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function loadBalancer(spec: NonNullable<ClusterSettingsSpec['loadBalancer']>, values: PolicyValues): LoadBalancerIR | undefined {
  const at = 'spec.loadBalancer';
  if (spec.type === undefined) {
    values.problems.push(`${at}.type: is required`);
    return undefined;
  }
  // The CRD's enum has it; its Envoy side (a dynamic module's load balancer) is refused by the field table.
  if (spec.type === 'DynamicModule') {
    values.problems.push(`${at}.type: DynamicModule is not translated: it needs an Envoy dynamic module, which Gatehouse's Envoy does not load`);
    return undefined;
  }
  const ir: LoadBalancerIR = { type: spec.type };
  if (spec.type === 'BackendUtilization') {
    const bu = spec.backendUtilization ?? {};
    const utilization: NonNullable<LoadBalancerIR['utilization']> = {};
    const period = (value: string | undefined, field: 'blackoutPeriodMs' | 'weightExpirationPeriodMs' | 'weightUpdatePeriodMs' | 'outOfBandReportingMs', path: string) => {
      const ms = values.duration(value, `${at}.backendUtilization.${path}`, field === 'outOfBandReportingMs');
      if (ms !== undefined) utilization[field] = ms;
    };
    period(bu.blackoutPeriod, 'blackoutPeriodMs', 'blackoutPeriod');
    period(bu.weightExpirationPeriod, 'weightExpirationPeriodMs', 'weightExpirationPeriod');
    period(bu.weightUpdatePeriod, 'weightUpdatePeriodMs', 'weightUpdatePeriod');
    if (bu.outOfBand) period(bu.outOfBand.reportingPeriod ?? '10s', 'outOfBandReportingMs', 'outOfBand.reportingPeriod');
    const penalty = values.integer(bu.errorUtilizationPenaltyPercent, `${at}.backendUtilization.errorUtilizationPenaltyPercent`);
    if (penalty !== undefined) utilization.errorUtilizationPenalty = penalty / 100;
    ir.utilization = utilization;
  } else if (spec.backendUtilization) values.problems.push(`${at}.backendUtilization: only for type BackendUtilization`);
  if (spec.slowStart) {
    if (spec.type !== 'RoundRobin' && spec.type !== 'LeastRequest') values.problems.push(`${at}.slowStart: only RoundRobin and LeastRequest load balancers have a slow start`);
    const window = values.duration(spec.slowStart.window, `${at}.slowStart.window`);
    if (window !== undefined) ir.slowStartWindowMs = window;
  }
  if (spec.type === 'ConsistentHash') {
    const size = spec.consistentHash?.tableSize;
    // Envoy's Maglev table size must be a prime (Envoy Gateway checks it the same way).
    if (size !== undefined && (!Number.isInteger(size) || !isPrime(size) || size > 5_000_011)) {
      values.problems.push(`${at}.consistentHash.tableSize: ${String(size)} must be a prime number no larger than 5000011`);
    } else if (size !== undefined) ir.tableSize = size;
  }
  return ir;
}

/** The CRD's defaults, which the Kubernetes API server would have written into the policy. */
function outlierDetection(spec: NonNullable<NonNullable<ClusterSettingsSpec['healthCheck']>['passive']>, values: PolicyValues): OutlierDetectionIR {
  const at = 'spec.healthCheck.passive';
  const ir: OutlierDetectionIR = {};
  const interval = values.duration(spec.interval ?? '3s', `${at}.interval`);
  const ejection = values.duration(spec.baseEjectionTime ?? '30s', `${at}.baseEjectionTime`);
  if (interval !== undefined) ir.intervalMs = interval;
  if (ejection !== undefined) ir.baseEjectionTimeMs = ejection;
  const maxEjection = values.percent(spec.maxEjectionPercent ?? 10, `${at}.maxEjectionPercent`);
  if (maxEjection !== undefined) ir.maxEjectionPercent = maxEjection;
  const counts: Array<[keyof OutlierDetectionIR, unknown, string]> = [
    ['consecutive5xx', spec.consecutive5XxErrors ?? 5, 'consecutive5XxErrors'],
    ['consecutiveGatewayErrors', spec.consecutiveGatewayErrors ?? 0, 'consecutiveGatewayErrors'],
    ['consecutiveLocalOriginFailures', spec.consecutiveLocalOriginFailures ?? 5, 'consecutiveLocalOriginFailures'],
  ];
  for (const [key, value, path] of counts) {
    const n = values.integer(value, `${at}.${path}`);
    if (n !== undefined) (ir as Record<string, number>)[key] = n;
  }
  const failurePercentage = values.percent(spec.failurePercentageThreshold, `${at}.failurePercentageThreshold`);
  if (failurePercentage !== undefined) ir.failurePercentageThreshold = failurePercentage;
  ir.splitExternalLocalOriginErrors = spec.splitExternalLocalOriginErrors ?? false;
  if (spec.alwaysEjectOneEndpoint !== undefined) ir.alwaysEjectOne = spec.alwaysEjectOneEndpoint;
  return ir;
}

function payload(spec: Payload | undefined, path: string, values: PolicyValues): PayloadIR | undefined {
  if (!spec) return undefined;
  if (spec.type === 'Binary') {
    if (spec.binary === undefined) values.problems.push(`${path}.binary: is required for type Binary`);
    else return { type: 'binary', base64: spec.binary };
  } else if (spec.text === undefined) values.problems.push(`${path}.text: is required for type Text`);
  else return { type: 'text', text: spec.text };
  return undefined;
}

function activeHealthCheck(spec: NonNullable<NonNullable<ClusterSettingsSpec['healthCheck']>['active']>, values: PolicyValues): ActiveHealthCheckIR | undefined {
  const at = 'spec.healthCheck.active';
  const timeout = values.duration(spec.timeout ?? '1s', `${at}.timeout`);
  const interval = values.duration(spec.interval ?? '3s', `${at}.interval`);
  const jitter = values.duration(spec.initialJitter, `${at}.initialJitter`, false);
  const unhealthy = values.integer(spec.unhealthyThreshold ?? 3, `${at}.unhealthyThreshold`, 1);
  const healthy = values.integer(spec.healthyThreshold ?? 1, `${at}.healthyThreshold`, 1);
  let check: ActiveHealthCheckIR['check'] | undefined;
  if (spec.type === 'HTTP') {
    if (!spec.http?.path) values.problems.push(`${at}.http.path: is required for type HTTP`);
    else {
      const statuses = spec.http.expectedStatuses ?? [200];
      const expected = payload(spec.http.expectedResponse, `${at}.http.expectedResponse`, values);
      const body = payload(spec.http.requestBody, `${at}.http.requestBody`, values);
      check = {
        kind: 'http',
        path: spec.http.path,
        ...(spec.http.hostname ? { hostname: spec.http.hostname } : {}),
        ...(spec.http.method ? { method: spec.http.method.toUpperCase() } : {}),
        expectedStatuses: statuses,
        ...(spec.http.retriableStatuses?.length ? { retriableStatuses: [...spec.http.retriableStatuses] } : {}),
        ...(expected ? { expectedResponse: expected } : {}),
        ...(body ? { requestBody: body } : {}),
      };
    }
  } else if (spec.type === 'TCP') {
    const send = payload(spec.tcp?.send, `${at}.tcp.send`, values);
    const receive = payload(spec.tcp?.receive, `${at}.tcp.receive`, values);
    check = { kind: 'tcp', ...(send ? { send } : {}), ...(receive ? { receive } : {}) };
  } else if (spec.type === 'GRPC') check = { kind: 'grpc', ...(spec.grpc?.service ? { service: spec.grpc.service } : {}) };
  else values.problems.push(`${at}.type: one of HTTP, TCP, GRPC is required`);
  if (!check || timeout === undefined || interval === undefined || unhealthy === undefined || healthy === undefined) return undefined;
  return { timeoutMs: timeout, intervalMs: interval, ...(jitter !== undefined ? { initialJitterMs: jitter } : {}), unhealthyThreshold: unhealthy, healthyThreshold: healthy, check };
}
