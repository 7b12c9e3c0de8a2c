// A BackendTrafficPolicy's IR onto one route: route-level settings are copied; cluster-level ones
// go on a per-policy copy of each backend's cluster, so two routes sharing a Backend can have
// different circuit breakers or load balancers (Envoy Gateway builds clusters per route for this).
import type { RouteIR } from '../ir/types.js';
import type { ClusterRegistry } from './backends.js';
import type { TrafficPolicyIR } from './traffic-policy.js';

/** `parent`: the Gateway and listener the route is served on, which pick a merged variant (mergeType). */
/** Envoy Gateway's operators, read from the route's name ("<kind>/<ns>/<name>/rule/…"). */
function routeStatName(pattern: string, routeName: string): string {
  const [kind = '', namespace = '', name = ''] = routeName.split('/');
  return pattern.replaceAll('%ROUTE_KIND%', kind).replaceAll('%ROUTE_NAMESPACE%', namespace).replaceAll('%ROUTE_NAME%', name);
}

export function applyTrafficPolicy(route: RouteIR, policy: TrafficPolicyIR, registry: ClusterRegistry, parent?: { gateway: string; listener: string }): void {
  const traffic = (parent && (policy.merged?.[`listener:${parent.gateway}/${parent.listener}`] ?? policy.merged?.[`gateway:${parent.gateway}`])) || policy;
  if (traffic.rateLimit) route.rateLimit = traffic.rateLimit;
  if (traffic.retry) route.retry = traffic.retry;
  if (traffic.localRateLimit) route.localRateLimit = traffic.localRateLimit;
  if (traffic.fault) route.fault = traffic.fault;
  if (traffic.hashPolicies) route.hashPolicies = traffic.hashPolicies;
  if (traffic.compressors) route.compressors = traffic.compressors;
  if (traffic.compressorMinLengths) route.compressorMinLengths = traffic.compressorMinLengths;
  if (traffic.upgrades) route.upgrades = traffic.upgrades;
  if (traffic.requestBufferBytes !== undefined) route.requestBufferBytes = traffic.requestBufferBytes;
  if (traffic.responseOverride) route.responseOverride = traffic.responseOverride;
  if (traffic.admissionControl) route.admissionControl = traffic.admissionControl;
  if (traffic.bandwidthLimit) route.bandwidthLimit = traffic.bandwidthLimit;
  if (traffic.routeStatName) route.statPrefix = routeStatName(traffic.routeStatName, route.name);
  if (traffic.tracing) route.tracing = traffic.tracing;
  if (traffic.streamIdleTimeoutMs !== undefined) route.streamIdleTimeoutMs = traffic.streamIdleTimeoutMs;
  if (traffic.maxStreamDurationMs !== undefined) route.maxStreamDurationMs = traffic.maxStreamDurationMs;
  // The route's own timeouts.request wins over the policy's, as in Envoy Gateway.
  if (traffic.requestTimeoutMs !== undefined && route.timeoutMs === undefined) route.timeoutMs = traffic.requestTimeoutMs;
  const settings = traffic.cluster;
  if (!settings || !route.backends) return;
  route.backends = route.backends.map((backend) => {
    const base = registry.get(backend.cluster);
    if (!base) return backend;
    const name = `${base.name}/policy/${settings.policy}`;
    if (!registry.get(name)) registry.add({ ...base, name, policy: settings });
    return { ...backend, cluster: name };
  });
}
