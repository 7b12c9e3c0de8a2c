// The backends of a policy's own service (SecurityPolicy extAuth.grpc/http, EnvoyExtensionPolicy
// extProc), as Envoy Gateway v1.9 builds them: every backendRef's endpoints in one cluster, a
// `fallback: true` ref's at priority 1 (Envoy fails over as the primaries lose health), and
// backendSettings (ClusterSettings) applied to that cluster with the same code a BackendTrafficPolicy
// uses for route clusters. Envoy Gateway gives each ref weight 1; Gatehouse honours `weight`, spread
// over each backend's endpoints (weighted-endpoints.ts). One ref without settings keeps the shared
// Backend/Service cluster. backendSettings.retry follows Envoy Gateway's rules for a service that is
// not a route: the gRPC service's retry_policy (num_retries, retry_on, retry_back_off).
import type { ClusterIR, ClusterPolicyIR, EndpointIR, ServiceRetryIR } from '../ir/types.js';
import { ClusterRegistry, resolveBackendRef, type BackendRef } from './backends.js';
import { declaredServicePorts } from './declared-services.js';
import { PolicyValues } from './policy-values.js';
import type { ResourceIndex } from './resource-index.js';
import { isServiceRef } from './service-backends.js';
import { objectsOf } from './shape.js';
import { translateClusterSettings, type ClusterSettingsSpec } from './traffic-policy-cluster.js';
import { translateRetry, type TrafficPolicySpec } from './traffic-policy.js';
import { spreadWeights } from './weighted-endpoints.js';

export interface PolicyBackendRef extends BackendRef {
  fallback?: boolean;
}

/** A policy service's backends before they are resolved for one Gateway. */
export interface PolicyBackends {
  /** The cluster of its own, when several refs or backendSettings need one ("securitypolicy/<ns>/<name>/0"). */
  name: string;
  refs: PolicyBackendRef[];
  grpc: boolean;
  settings?: ClusterPolicyIR;
  retry?: ServiceRetryIR;
}

export type BackendSettingsSpec = ClusterSettingsSpec & { retry?: TrafficPolicySpec['retry'] };

export interface PolicyBackendsInput {
  refs: PolicyBackendRef[];
  settings: unknown;
  /** Where the backendRefs and backendSettings sit ("spec.extAuth.grpc", "spec.extProc[0]"). */
  at: string;
  /** Envoy Gateway's message prefix ("ExtAuth", "ExtProc"). */
  label: string;
  name: string;
  /** "<namespace>/<name>" of the policy. */
  policy: string;
  from: { kind: string; namespace: string };
  grpc: boolean;
}

/** The plan, checked by resolving it once (a missing backend makes the policy Accepted=False), or its problems. */
export function planPolicyBackends(input: PolicyBackendsInput, index: ResourceIndex): PolicyBackends | string[] {
  const problems: string[] = [];
  const plan: PolicyBackends = { name: input.name, refs: input.refs, grpc: input.grpc };
  if (input.settings !== undefined && input.settings !== null) {
    const settings = translateBackendSettings(input.settings as BackendSettingsSpec, input.policy, `${input.at}.backendSettings`, problems);
    if (settings.cluster) plan.settings = settings.cluster;
    if (settings.retry) plan.retry = settings.retry;
  }
  for (const ref of input.refs) {
    // A declared Service (declared-services.ts) has Kubernetes' ports: Envoy Gateway's message for a missing one.
    const namespace = ref.namespace ?? input.from.namespace;
    const ports = isServiceRef(ref) && ref.port !== undefined ? declaredServicePorts(index, namespace, ref.name) : undefined;
    if (ports && !ports.some((p) => p.port === ref.port)) problems.push(`${input.label}: TCP Port ${ref.port} not found on service ${namespace}/${ref.name}.`);
  }
  if (problems.length > 0) return problems;
  const resolved = resolvePolicyBackends(plan, input.from, index, new ClusterRegistry());
  return resolved.ok ? plan : [resolved.message];
}

/** backendSettings read by the BackendTrafficPolicy code, its messages naming the field where it sits. */
export function translateBackendSettings(spec: BackendSettingsSpec, policy: string, at: string, problems: string[]): { cluster?: ClusterPolicyIR; retry?: ServiceRetryIR } {
  const own: string[] = [];
  const values = new PolicyValues(own);
  const cluster = translateClusterSettings(policy, spec, values);
  // A service call carries no route hash_policy: a consistent hash would have no key.
  if (spec.loadBalancer?.type === 'ConsistentHash' && spec.loadBalancer.consistentHash === undefined) own.push('spec.loadBalancer.type: ConsistentHash needs a hash key from the route, and calls to a policy service have none');
  let retry: ServiceRetryIR | undefined;
  if (spec.retry) {
    // Envoy Gateway keeps its default retry_on unless triggers are named.
    const { retryOn, ...rest } = spec.retry;
    const route = translateRetry(retryOn?.triggers?.length ? spec.retry : rest, values);
    retry = { numRetries: route.numRetries, retryOn: route.retryOn };
    if (route.backOffBaseMs !== undefined) retry.backOffBaseMs = route.backOffBaseMs;
    if (route.backOffMaxMs !== undefined) retry.backOffMaxMs = route.backOffMaxMs;
  }
  problems.push(...own.map((message) => message.replace(/^spec\./, `${at}.`)));
  return { ...(cluster ? { cluster } : {}), ...(retry ? { retry } : {}) };
}

export type PolicyBackendsResolution = { ok: true; cluster: string } | { ok: false; message: string };

/** The plan's cluster in this Gateway's registry: the shared one for a single plain ref, else its own. */
export function resolvePolicyBackends(plan: PolicyBackends, from: { kind: string; namespace: string }, index: ResourceIndex, registry: ClusterRegistry): PolicyBackendsResolution {
  if (plan.refs.length === 1 && !plan.settings) {
    const resolved = resolveBackendRef(plan.refs[0]!, from, index, registry, plan.grpc);
    return resolved.ok ? resolved : { ok: false, message: resolved.message };
  }
  // Resolved apart so only the merged cluster (and the client certificates it presents) reach the Gateway.
  const scratch = new ClusterRegistry(registry.serviceDnsTemplate);
  const parts: Array<{ ref: PolicyBackendRef; cluster: ClusterIR }> = [];
  for (const [i, ref] of plan.refs.entries()) {
    const resolved = resolveBackendRef(ref, from, index, scratch, plan.grpc);
    if (!resolved.ok) return { ok: false, message: plan.refs.length > 1 ? `backendRefs[${i}]: ${resolved.message}` : resolved.message };
    parts.push({ ref, cluster: scratch.get(resolved.cluster)! });
  }
  const merged = mergeParts(plan, parts);
  if (typeof merged === 'string') return { ok: false, message: merged };
  registry.add(merged);
  for (const secret of scratch.secrets()) registry.addSecret(secret);
  return { ok: true, cluster: plan.name };
}

function mergeParts(plan: PolicyBackends, parts: ReadonlyArray<{ ref: PolicyBackendRef; cluster: ClusterIR }>): ClusterIR | string {
  const first = parts[0]!.cluster;
  const settings = plan.settings ? { policy: plan.settings } : {};
  if (parts.length === 1) return { ...first, name: plan.name, ...settings };
  if (parts.some((p) => p.cluster.dynamicResolver)) return 'backendRefs: a DynamicResolver Backend cannot share a cluster with other backends';
  // One cluster has one transport socket and one upstream protocol.
  if (parts.some((p) => JSON.stringify(p.cluster.tls) !== JSON.stringify(first.tls))) return 'backendRefs: every backend must have the same upstream TLS settings (one cluster holds them all)';
  if (parts.some((p) => p.cluster.http2 !== first.http2)) return 'backendRefs: every backend must speak the same HTTP version (one cluster holds them all)';
  const endpoints = parts.flatMap((p) => p.cluster.endpoints);
  // Hostnames make a STRICT_DNS cluster, which takes IP literals but no unix socket.
  if (endpoints.some((e) => e.kind === 'fqdn') && endpoints.some((e) => e.kind === 'unix')) return 'backendRefs: hostname and unix socket endpoints cannot share one cluster';
  const primaries = parts.filter((p) => p.ref.fallback !== true);
  const fallbacks = parts.filter((p) => p.ref.fallback === true);
  // Only fallbacks: nothing to fail over from, they simply serve.
  const tiers = primaries.length > 0 ? [primaries, fallbacks] : [fallbacks];
  const weighted: EndpointIR[] = [];
  for (const [priority, tier] of tiers.entries()) {
    const serving = tier.filter((p) => (p.ref.weight ?? 1) > 0);
    const spread = spreadWeights(serving.map((p) => ({ endpoints: p.cluster.endpoints, weight: p.ref.weight ?? 1 })));
    if (!spread) return "backendRefs: the weights spread over the backends' endpoints exceed what Envoy accepts; use smaller weights";
    weighted.push(...spread.map((e) => (priority > 0 ? { ...e, priority } : e)));
  }
  if (weighted.length === 0) return 'backendRefs: every backendRef has weight 0, so the service would get no request';
  return { name: plan.name, endpoints: weighted, http2: first.http2, ...(plan.grpc ? { grpc: true } : {}), ...(first.tls ? { tls: first.tls } : {}), ...settings };
}

/** backendRefs (or the deprecated single backendRef) of a policy service. */
export function policyBackendRefs(holder: { backendRef?: PolicyBackendRef; backendRefs?: unknown } | undefined): PolicyBackendRef[] {
  if (!holder) return [];
  return holder.backendRefs !== undefined ? objectsOf<PolicyBackendRef>(holder.backendRefs) : holder.backendRef ? [holder.backendRef] : [];
}
