// Field-table entries of a policy service's backends (SecurityPolicy extAuth.grpc/http, EnvoyExtensionPolicy
// extProc): backendRefs with weight and fallback merged into one cluster, and backendSettings
// (ClusterSettings), whose fields are the BackendTrafficPolicy's cluster fields read by the same code
// (policy-backends.ts): their entries are derived from that table, with what does not apply to a call
// to a service (route-level timeouts, a consistent hash without a route hash key, route retry extras)
// refused by name, and retry as Envoy Gateway sets it on a service (grpc_service.retry_policy).
import { backendTrafficPolicyFields } from './backend-traffic-policy.js';
import type { FieldSupport } from './field-support.js';

/** The ClusterSettings fields of Envoy Gateway v1.9 (a BackendTrafficPolicy has them at its top level). */
const CLUSTER_SETTINGS = ['circuitBreaker', 'connection', 'dns', 'healthCheck', 'http2', 'loadBalancer', 'proxyProtocol', 'retry', 'tcpKeepalive', 'timeout'];

const ROUTE_TIMEOUT = 'a route timeout: calls to a policy service or a telemetry collector are not routed (extAuth.timeout and extProc.messageTimeout bound a policy service call)';
const NO_HASH_KEY = 'a consistent hash needs a hash key from the route (hash_policy), and calls to a policy service have none';

function refused(reason: string): FieldSupport {
  return { status: 'refused', reason };
}

function translated(envoy: string, test: string): FieldSupport {
  return { status: 'translated', envoy, test };
}

/** The BackendTrafficPolicy table names its tests from services/xds; these tables from the repository root. */
function fromRoot(tests: string): string {
  return tests
    .split(', ')
    .map((test) => (/^(services|e2e|packages)\//.test(test) ? test : `services/xds/${test}`))
    .join(', ');
}

/** `service`: how retry reaches it (gRPC: the GrpcService retry_policy; HTTP ext_authz has none in the Envoy API served). */
export function policyBackendFields(at: string, service: 'grpc' | 'http', cluster: string, test: string): Record<string, FieldSupport> {
  return {
    [`${at}.backendRefs.weight`]: translated(`each backend's share of ${cluster}: load_balancing_weight spread over its endpoints (Envoy Gateway gives every backend weight 1); weight 0: none`, test),
    [`${at}.backendRefs.fallback`]: translated(`the backend's endpoints at priority 1 of ${cluster} (failover when the primaries lose health)`, test),
    ...backendSettingsFields(`${at}.backendSettings`, `${cluster} with the settings a BackendTrafficPolicy puts on a route's cluster`, test, service === 'grpc' ? 'grpc' : 'retry of an HTTP ext_authz service: HttpService has no retry_policy in the Envoy API Gatehouse serves'),
  };
}

/** ClusterSettings at `settings`; `retry`: 'grpc' (the service's retry_policy) or why retry is refused. */
export function backendSettingsFields(settings: string, envoy: string, test: string, retry: string): Record<string, FieldSupport> {
  const fields: Record<string, FieldSupport> = { [settings]: translated(envoy, test) };
  for (const [key, support] of Object.entries(backendTrafficPolicyFields)) {
    const field = key.slice('spec.'.length);
    if (!CLUSTER_SETTINGS.some((top) => field === top || field.startsWith(`${top}.`))) continue;
    fields[`${settings}.${field}`] = support.status === 'translated' ? translated(support.envoy, `${fromRoot(support.test)}, ${test}`) : support;
  }
  for (const field of ['requestTimeout', 'maxStreamDuration', 'streamIdleTimeout']) fields[`${settings}.timeout.http.${field}`] = refused(ROUTE_TIMEOUT);
  fields[`${settings}.timeout.http`] = translated('cluster HttpProtocolOptions common_http_protocol_options (idle_timeout, max_connection_duration)', test);
  for (const key of Object.keys(fields)) if (key.startsWith(`${settings}.loadBalancer.consistentHash`)) fields[key] = refused(NO_HASH_KEY);
  fields[`${settings}.loadBalancer.type`] = translated('cluster lb_policy ROUND_ROBIN, LEAST_REQUEST, RANDOM (ConsistentHash: Accepted=False, no hash key)', test);
  for (const key of Object.keys(fields)) if (key.startsWith(`${settings}.retry`)) delete fields[key];
  Object.assign(fields, retry === 'grpc' ? grpcRetry(settings, test) : { [`${settings}.retry`]: refused(retry) });
  return fields;
}

/** Envoy Gateway's non-route retry: a config.core.v3.RetryPolicy; what only a route retry has is refused. */
function grpcRetry(settings: string, test: string): Record<string, FieldSupport> {
  const policy = (what: string) => translated(`grpc_service.retry_policy ${what}`, test);
  return {
    [`${settings}.retry`]: policy('(config.core.v3.RetryPolicy, applied to each call to the service)'),
    [`${settings}.retry.numRetries`]: policy('num_retries (default 2)'),
    [`${settings}.retry.retryOn`]: policy('retry_on (default connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes)'),
    [`${settings}.retry.retryOn.triggers`]: policy('retry_on, the triggers joined'),
    [`${settings}.retry.retryOn.httpStatusCodes`]: refused('retriable status codes are a route retry setting: a service RetryPolicy has none'),
    [`${settings}.retry.perRetry`]: policy('retry_back_off'),
    [`${settings}.retry.perRetry.backOff`]: policy('retry_back_off'),
    [`${settings}.retry.perRetry.backOff.baseInterval`]: policy('retry_back_off.base_interval'),
    [`${settings}.retry.perRetry.backOff.maxInterval`]: policy('retry_back_off.max_interval'),
    [`${settings}.retry.perRetry.timeout`]: refused('a per-try timeout is a route retry setting: a call to a policy service has only its own timeout'),
    [`${settings}.retry.numAttemptsPerPriority`]: refused('numAttemptsPerPriority is a route retry setting (retry_priority): a service RetryPolicy does not apply it'),
  };
}

/**
 * backendSettings of a backend the authz service fetches itself (remoteJWKS, OIDC provider): retry is
 * honoured by authz with Envoy Gateway's rules (`authz` is its envoy text); every other setting tunes an
 * Envoy cluster there is none of, and is refused.
 */
export function authzBackendSettingsFields(settings: string, authz: (what: string) => FieldSupport): Record<string, FieldSupport> {
  const fields: Record<string, FieldSupport> = {};
  for (const [key, support] of Object.entries(backendSettingsFields(settings, '', '', 'grpc'))) {
    if (key === settings) fields[key] = authz('only retry applies: authz fetches this backend itself, with no Envoy cluster to tune');
    else if (!key.startsWith(`${settings}.retry`)) fields[key] = refused('authz fetches this backend itself: an Envoy cluster setting does not apply (only retry does)');
    else fields[key] = support.status === 'refused' ? support : authz(`retries its own fetch: ${support.envoy.replace('grpc_service.retry_policy ', '')}`);
  }
  return fields;
}
