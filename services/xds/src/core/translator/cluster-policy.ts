// ClusterPolicyIR (a BackendTrafficPolicy's cluster settings) onto an Envoy Cluster, as Envoy
// Gateway's xDS translator writes them: connect timeout, HTTP protocol options, circuit breakers,
// load balancing policy, panic threshold, outlier detection, active health checks, TCP keepalive,
// DNS resolution, buffer limit and preconnecting.
import type { ActiveHealthCheckIR, ClusterPolicyIR, Http2SettingsIR, OutlierDetectionIR, PayloadIR } from '../ir/types.js';
import { duration, EnvoyNames, EnvoyTypes, type EnvoyObject } from './envoy-types.js';

const LB_POLICY = { RoundRobin: 'ROUND_ROBIN', LeastRequest: 'LEAST_REQUEST', Random: 'RANDOM', ConsistentHash: 'MAGLEV' } as const;

function clientSideWeightedRoundRobin(ir: NonNullable<NonNullable<ClusterPolicyIR['loadBalancer']>['utilization']>): EnvoyObject {
  return {
    name: 'envoy.load_balancing_policies.client_side_weighted_round_robin',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin',
      ...(ir.outOfBandReportingMs !== undefined ? { enable_oob_load_report: true, oob_reporting_period: duration(ir.outOfBandReportingMs) } : {}),
      ...(ir.blackoutPeriodMs !== undefined ? { blackout_period: duration(ir.blackoutPeriodMs) } : {}),
      ...(ir.weightExpirationPeriodMs !== undefined ? { weight_expiration_period: duration(ir.weightExpirationPeriodMs) } : {}),
      ...(ir.weightUpdatePeriodMs !== undefined ? { weight_update_period: duration(ir.weightUpdatePeriodMs) } : {}),
      ...(ir.errorUtilizationPenalty !== undefined ? { error_utilization_penalty: ir.errorUtilizationPenalty } : {}),
    },
  };
}

/** `assignment` is the cluster's ClusterLoadAssignment (inline for DNS clusters, EDS otherwise). */
export function applyClusterPolicy(cluster: EnvoyObject, policy: ClusterPolicyIR, http2: boolean, assignment?: EnvoyObject): void {
  if (policy.connectTimeoutMs !== undefined) cluster.connect_timeout = duration(policy.connectTimeoutMs);
  const common: EnvoyObject = {};
  if (policy.idleTimeoutMs !== undefined) common.idle_timeout = duration(policy.idleTimeoutMs);
  if (policy.maxConnectionDurationMs !== undefined) common.max_connection_duration = duration(policy.maxConnectionDurationMs);
  if (policy.maxRequestsPerConnection !== undefined) common.max_requests_per_connection = policy.maxRequestsPerConnection;
  // http2 settings matter where the cluster speaks HTTP/2: an HTTP/2 (gRPC, h2c) Backend, or the client's protocol.
  const h2 = policy.http2 ? http2Options(policy.http2) : {};
  if (Object.keys(common).length > 0 || policy.useClientProtocol || (policy.http2 && http2)) {
    cluster.typed_extension_protocol_options = {
      [EnvoyNames.httpProtocolOptions]: {
        '@type': EnvoyTypes.httpProtocolOptions,
        ...(Object.keys(common).length > 0 ? { common_http_protocol_options: common } : {}),
        ...(policy.useClientProtocol
          ? { use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: h2 } }
          : { explicit_http_config: http2 ? { http2_protocol_options: h2 } : { http_protocol_options: {} } }),
      },
    };
  }
  if (policy.socketBufferBytes !== undefined) cluster.upstream_bind_config = { socket_options: socketBufferOptions(policy.socketBufferBytes) };
  if (assignment) applyToEndpoints(assignment, policy);
  if (policy.tcpKeepalive) {
    const keepalive: EnvoyObject = {};
    if (policy.tcpKeepalive.probes !== undefined) keepalive.keepalive_probes = policy.tcpKeepalive.probes;
    if (policy.tcpKeepalive.idleTimeS !== undefined) keepalive.keepalive_time = policy.tcpKeepalive.idleTimeS;
    if (policy.tcpKeepalive.intervalS !== undefined) keepalive.keepalive_interval = policy.tcpKeepalive.intervalS;
    cluster.upstream_connection_options = { tcp_keepalive: keepalive };
  }
  // DNS settings mean something to hostname clusters only; an EDS cluster has addresses already.
  if (policy.dns && cluster.type !== 'EDS') {
    if (policy.dns.refreshRateMs !== undefined) cluster.dns_refresh_rate = duration(policy.dns.refreshRateMs);
    if (policy.dns.respectTtl !== undefined) cluster.respect_dns_ttl = policy.dns.respectTtl;
    if (policy.dns.lookupFamily) cluster.dns_lookup_family = policy.dns.lookupFamily;
  }
  if (policy.bufferLimitBytes !== undefined) cluster.per_connection_buffer_limit_bytes = policy.bufferLimitBytes;
  // Backends carry no upstream TLS here, so the PROXY header wraps the plain socket.
  if (policy.proxyProtocolVersion) {
    cluster.transport_socket = {
      name: 'envoy.transport_sockets.upstream_proxy_protocol',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport',
        config: { version: policy.proxyProtocolVersion },
        transport_socket: { name: 'envoy.transport_sockets.raw_buffer', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } },
      },
    };
  }
  if (policy.preconnect) {
    cluster.preconnect_policy = {
      ...(policy.preconnect.perEndpointRatio !== undefined ? { per_upstream_preconnect_ratio: policy.preconnect.perEndpointRatio } : {}),
      ...(policy.preconnect.predictiveRatio !== undefined ? { predictive_preconnect_ratio: policy.preconnect.predictiveRatio } : {}),
    };
  }
  const breaker = policy.circuitBreaker;
  if (breaker) {
    const thresholds: EnvoyObject = {};
    if (breaker.maxConnections !== undefined) thresholds.max_connections = breaker.maxConnections;
    if (breaker.maxPendingRequests !== undefined) thresholds.max_pending_requests = breaker.maxPendingRequests;
    if (breaker.maxRequests !== undefined) thresholds.max_requests = breaker.maxRequests;
    if (breaker.maxRetries !== undefined) thresholds.max_retries = breaker.maxRetries;
    if (breaker.retryBudget) {
      thresholds.retry_budget = {
        budget_percent: { value: breaker.retryBudget.percent },
        ...(breaker.retryBudget.minRetryConcurrency !== undefined ? { min_retry_concurrency: breaker.retryBudget.minRetryConcurrency } : {}),
      };
    }
    const breakers: EnvoyObject = {};
    if (Object.keys(thresholds).length > 0) breakers.thresholds = [thresholds];
    if (breaker.perEndpointMaxConnections !== undefined) breakers.per_host_thresholds = [{ max_connections: breaker.perEndpointMaxConnections }];
    cluster.circuit_breakers = breakers;
  }
  const lb = policy.loadBalancer;
  if (lb) {
    if (lb.type !== 'RoundRobin' && lb.type !== 'BackendUtilization') cluster.lb_policy = LB_POLICY[lb.type];
    const slowStart = lb.slowStartWindowMs !== undefined ? { slow_start_config: { slow_start_window: duration(lb.slowStartWindowMs) } } : undefined;
    if (slowStart && lb.type === 'RoundRobin') cluster.round_robin_lb_config = slowStart;
    if (slowStart && lb.type === 'LeastRequest') cluster.least_request_lb_config = slowStart;
    if (lb.type === 'ConsistentHash' && lb.tableSize !== undefined) cluster.maglev_lb_config = { table_size: lb.tableSize };
    // BackendUtilization is a load_balancing_policy, which Envoy reads instead of lb_policy.
    if (lb.type === 'BackendUtilization') cluster.load_balancing_policy = { policies: [{ typed_extension_config: clientSideWeightedRoundRobin(lb.utilization ?? {}) }] };
  }
  if (policy.panicThresholdPercent !== undefined) cluster.common_lb_config = { healthy_panic_threshold: { value: policy.panicThresholdPercent } };
  // Zone weights are locality weights, which Envoy heeds only with locality-weighted balancing.
  if (policy.zoneWeights) cluster.common_lb_config = { ...((cluster.common_lb_config as EnvoyObject | undefined) ?? {}), locality_weighted_lb_config: {} };
  // zoneAware.preferLocal, as Envoy Gateway sets it: prefer the Envoy's own zone (its node locality).
  const preferLocal = policy.preferLocalZone;
  if (preferLocal) {
    const zoneAware = { min_cluster_size: preferLocal.minClusterSize, ...(preferLocal.routingEnabledPercent !== undefined ? { routing_enabled: { value: preferLocal.routingEnabledPercent } } : {}) };
    cluster.common_lb_config = { ...((cluster.common_lb_config as EnvoyObject | undefined) ?? {}), zone_aware_lb_config: zoneAware };
  }
  if (policy.outlierDetection) cluster.outlier_detection = outlierDetection(policy.outlierDetection);
  if (policy.healthCheck) cluster.health_checks = [healthCheck(policy.healthCheck)];
  const log = policy.healthCheckLog;
  if (log && cluster.health_checks) {
    Object.assign((cluster.health_checks as EnvoyObject[])[0]!, {
      event_logger: [{ name: 'envoy.health_check.event_sinks.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.health_check.event_sinks.file.v3.HealthCheckEventFileSink', event_log_path: log.path } }],
      ...(log.everyFailure ? { always_log_health_check_failures: true } : {}),
      ...(log.everySuccess ? { always_log_health_check_success: true } : {}),
    });
  }
}

function outlierDetection(ir: OutlierDetectionIR): EnvoyObject {
  const result: EnvoyObject = {};
  if (ir.intervalMs !== undefined) result.interval = duration(ir.intervalMs);
  if (ir.baseEjectionTimeMs !== undefined) result.base_ejection_time = duration(ir.baseEjectionTimeMs);
  if (ir.maxEjectionPercent !== undefined) result.max_ejection_percent = ir.maxEjectionPercent;
  if (ir.consecutive5xx !== undefined) result.consecutive_5xx = ir.consecutive5xx;
  if (ir.consecutiveGatewayErrors !== undefined) result.consecutive_gateway_failure = ir.consecutiveGatewayErrors;
  if (ir.consecutiveLocalOriginFailures !== undefined) result.consecutive_local_origin_failure = ir.consecutiveLocalOriginFailures;
  if (ir.splitExternalLocalOriginErrors !== undefined) result.split_external_local_origin_errors = ir.splitExternalLocalOriginErrors;
  if (ir.failurePercentageThreshold !== undefined) result.failure_percentage_threshold = ir.failurePercentageThreshold;
  if (ir.alwaysEjectOne !== undefined) result.always_eject_one_host = ir.alwaysEjectOne;
  return result;
}

/** Envoy health check payloads are hex strings. */
function hexPayload(payload: PayloadIR): EnvoyObject {
  const bytes = payload.type === 'text' ? Buffer.from(payload.text, 'utf8') : Buffer.from(payload.base64, 'base64');
  return { text: bytes.toString('hex').toUpperCase() };
}

function healthCheck(ir: ActiveHealthCheckIR): EnvoyObject {
  const result: EnvoyObject = {
    timeout: duration(ir.timeoutMs),
    interval: duration(ir.intervalMs),
    unhealthy_threshold: ir.unhealthyThreshold,
    healthy_threshold: ir.healthyThreshold,
  };
  if (ir.initialJitterMs !== undefined) result.initial_jitter = duration(ir.initialJitterMs);
  const check = ir.check;
  if (check.kind === 'http') {
    result.http_health_check = {
      path: check.path,
      ...(check.hostname ? { host: check.hostname } : {}),
      ...(check.method ? { method: check.method } : {}),
      // Envoy ranges are half-open: [start, end).
      expected_statuses: check.expectedStatuses.map((status) => ({ start: status, end: status + 1 })),
      ...(check.retriableStatuses ? { retriable_statuses: check.retriableStatuses.map((status) => ({ start: status, end: status + 1 })) } : {}),
      ...(check.expectedResponse ? { receive: [hexPayload(check.expectedResponse)] } : {}),
      ...(check.requestBody ? { send: hexPayload(check.requestBody) } : {}),
    };
  } else if (check.kind === 'tcp') {
    result.tcp_health_check = { ...(check.send ? { send: hexPayload(check.send) } : {}), ...(check.receive ? { receive: [hexPayload(check.receive)] } : {}) };
  } else result.grpc_health_check = check.service ? { service_name: check.service } : {};
  return result;
}

function http2Options(ir: Http2SettingsIR): EnvoyObject {
  const result: EnvoyObject = {};
  if (ir.initialStreamWindowSize !== undefined) result.initial_stream_window_size = ir.initialStreamWindowSize;
  if (ir.initialConnectionWindowSize !== undefined) result.initial_connection_window_size = ir.initialConnectionWindowSize;
  if (ir.maxConcurrentStreams !== undefined) result.max_concurrent_streams = ir.maxConcurrentStreams;
  if (ir.resetStreamOnError !== undefined) result.override_stream_error_on_invalid_http_message = ir.resetStreamOnError;
  const keepalive = ir.keepalive;
  if (keepalive) {
    result.connection_keepalive = {
      ...(keepalive.intervalMs !== undefined ? { interval: duration(keepalive.intervalMs) } : {}),
      ...(keepalive.timeoutMs !== undefined ? { timeout: duration(keepalive.timeoutMs) } : {}),
      ...(keepalive.intervalJitterPercent !== undefined ? { interval_jitter: { value: keepalive.intervalJitterPercent } } : {}),
      ...(keepalive.idleIntervalMs !== undefined ? { connection_idle_interval: duration(keepalive.idleIntervalMs) } : {}),
    };
  }
  return result;
}

/** Linux SOL_SOCKET options, set on each upstream socket before it connects. */
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;

function socketBufferOptions(bytes: number): EnvoyObject[] {
  return [
    { description: 'socket receive buffer (connection.socketBufferLimit)', level: SOL_SOCKET, name: SO_RCVBUF, int_value: bytes, state: 'STATE_PREBIND' },
    { description: 'socket send buffer (connection.socketBufferLimit)', level: SOL_SOCKET, name: SO_SNDBUF, int_value: bytes, state: 'STATE_PREBIND' },
  ];
}

/** Zone weights on the localities (a zone not listed weighs 1) and the health check port on every endpoint. */
function applyToEndpoints(assignment: EnvoyObject, policy: ClusterPolicyIR): void {
  for (const locality of (assignment.endpoints as EnvoyObject[] | undefined) ?? []) {
    if (policy.zoneWeights) {
      const zone = (locality.locality as { zone?: string } | undefined)?.zone;
      locality.load_balancing_weight = policy.zoneWeights.find((w) => w.zone === zone)?.weight ?? 1;
    }
    if (policy.healthCheckPort === undefined) continue;
    for (const lbEndpoint of (locality.lb_endpoints as EnvoyObject[] | undefined) ?? []) {
      (lbEndpoint.endpoint as EnvoyObject).health_check_config = { port_value: policy.healthCheckPort };
    }
  }
}
