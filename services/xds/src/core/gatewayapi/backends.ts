// backendRefs point at Envoy Gateway Backends, or at Services resolved by DNS (service-backends.ts).
// Each resolved Backend becomes one cluster, shared by every route of a Gateway that uses it.
import type { ClusterIR, EndpointIR, TlsSecretIR } from '../ir/types.js';
import { resolveBackendTls, type BackendTlsSpec } from './backend-tls.js';
import { backendTlsPolicyForBackend, mergeBackendTlsWithPolicy } from './backend-tls-policy.js';
import { describeIssues, Reasons } from './conditions.js';
import { registerDynamicResolver } from './dynamic-resolver.js';
import { ENVOY_GATEWAY_GROUP, groupOfKind, type ResourceIndex } from './resource-index.js';
import { DEFAULT_SERVICE_DNS_TEMPLATE, isServiceRef, resolveServiceRef } from './service-backends.js';

export interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
}

export type BackendResolution = { ok: true; cluster: string } | { ok: false; reason: string; message: string };

interface BackendSpec {
  type?: string;
  fallback?: boolean;
  tls?: BackendTlsSpec;
  appProtocols?: string[];
  endpoints?: Array<{ ip?: { address: string; port: number }; fqdn?: { hostname: string; port: number }; unix?: { path: string }; zone?: string }>;
}

/** Per-Gateway set of clusters the routes need. */
export class ClusterRegistry {
  private readonly clusters = new Map<string, ClusterIR>();
  private readonly secretsByName = new Map<string, TlsSecretIR>();

  /** `serviceDnsTemplate`: how a Service backendRef's name becomes a hostname ("{name}", "{name}.{namespace}.svc.cluster.local"). */
  constructor(readonly serviceDnsTemplate = DEFAULT_SERVICE_DNS_TEMPLATE) {}

  add(cluster: ClusterIR): void {
    const existing = this.clusters.get(cluster.name);
    if (existing) {
      existing.http2 ||= cluster.http2;
      existing.grpc ||= cluster.grpc;
    }
    else this.clusters.set(cluster.name, { ...cluster, endpoints: [...cluster.endpoints] });
  }

  /** Client certificates clusters present upstream, served over SDS with the listeners' secrets. */
  addSecret(secret: TlsSecretIR): void {
    this.secretsByName.set(secret.name, secret);
  }

  secrets(): TlsSecretIR[] {
    return [...this.secretsByName.values()];
  }

  get(name: string): ClusterIR | undefined {
    return this.clusters.get(name);
  }

  list(): ClusterIR[] {
    return [...this.clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function endpointKey(endpoint: EndpointIR): string {
  return endpoint.kind === 'unix' ? `unix:${endpoint.path}` : `${endpoint.kind === 'ip' ? endpoint.address : endpoint.hostname}:${endpoint.port}`;
}

export function backendClusterName(namespace: string, name: string): string {
  return `backend/${namespace}/${name}`;
}

export function resolveBackendRef(
  ref: BackendRef,
  from: { kind: string; namespace: string },
  index: ResourceIndex,
  registry: ClusterRegistry,
  grpc: boolean,
): BackendResolution {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const namespace = ref.namespace ?? from.namespace;
  if (isServiceRef(ref)) return resolveServiceRef(ref, from, index, registry, grpc);
  if (group !== ENVOY_GATEWAY_GROUP || kind !== 'Backend') {
    return {
      ok: false,
      reason: Reasons.invalidKind,
      message: `backendRef ${group || 'core'}/${kind} ${ref.name} is not supported: point backendRefs at a Service (resolved by DNS) or a gateway.envoyproxy.io Backend`,
    };
  }
  const allowed = index.isReferenceAllowed(
    { group: groupOfKind(from.kind), kind: from.kind, namespace: from.namespace },
    { group, kind, namespace, name: ref.name },
  );
  if (!allowed) return { ok: false, reason: Reasons.refNotPermitted, message: `Backend ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it` };
  const backend = index.get('Backend', namespace, ref.name);
  if (!backend) return { ok: false, reason: Reasons.backendNotFound, message: `Backend ${namespace}/${ref.name} does not exist` };
  if (backend.issues?.length) return { ok: false, reason: Reasons.backendNotFound, message: `Backend ${namespace}/${ref.name} is invalid: ${describeIssues(backend.issues)}` };
  const spec = (backend.spec ?? {}) as BackendSpec;
  // Upstream TLS that cannot be honoured is refused, never dropped: plaintext to a TLS upstream is worse.
  // So is a Backend whose BackendTLSPolicy is invalid.
  const policy = backendTlsPolicyForBackend(index, namespace, ref.name);
  if (policy && !policy.ok) return { ok: false, reason: policy.reason === Reasons.invalidCaCertificateRef ? policy.reason : Reasons.unsupportedValue, message: `Backend ${namespace}/${ref.name}: ${policy.message}` };
  if (policy && spec.type === 'DynamicResolver') {
    return { ok: false, reason: Reasons.unsupportedValue, message: `Backend ${namespace}/${ref.name}: BackendTLSPolicy ${policy.policy.metadata.namespace}/${policy.policy.metadata.name} cannot target a DynamicResolver Backend: its SNI and SAN are the host of each request` };
  }
  const own = spec.tls ? resolveBackendTls(backend, spec.tls, index, policy !== undefined) : undefined;
  if (own && !own.ok) return { ok: false, reason: Reasons.unsupportedValue, message: `Backend ${namespace}/${ref.name}: ${own.message}` };
  const tls = policy?.ok ? { ok: true as const, ...mergeBackendTlsWithPolicy(own, policy.tls) } : own;
  if (spec.type === 'DynamicResolver') return registerDynamicResolver(backendClusterName(namespace, ref.name), backend, spec, tls, registry, grpc);
  const endpoints: EndpointIR[] = [];
  for (const endpoint of spec.endpoints ?? []) {
    const zone = endpoint.zone ? { zone: endpoint.zone } : {};
    if (endpoint.ip) endpoints.push({ kind: 'ip', address: endpoint.ip.address, port: endpoint.ip.port, ...zone });
    else if (endpoint.fqdn) endpoints.push({ kind: 'fqdn', hostname: endpoint.fqdn.hostname, port: endpoint.fqdn.port, ...zone });
    else if (endpoint.unix) endpoints.push({ kind: 'unix', path: endpoint.unix.path, ...zone });
  }
  // Proxyless gRPC clients reject a load assignment that repeats an address.
  const unique = endpoints.filter((e, i) => endpoints.findIndex((o) => endpointKey(o) === endpointKey(e)) === i);
  endpoints.length = 0;
  endpoints.push(...unique);
  if (endpoints.length === 0) return { ok: false, reason: Reasons.backendNotFound, message: `Backend ${namespace}/${ref.name} has no endpoints` };
  const kinds = new Set(endpoints.map((e) => e.kind === 'fqdn'));
  if (kinds.size > 1) {
    return { ok: false, reason: Reasons.unsupportedValue, message: `Backend ${namespace}/${ref.name} mixes hostname endpoints with IP or unix endpoints` };
  }
  const name = backendClusterName(namespace, ref.name);
  registry.add({
    name,
    endpoints,
    http2: grpc || (spec.appProtocols ?? []).includes('gateway.envoyproxy.io/h2c'),
    ...(grpc ? { grpc } : {}),
    ...(tls?.ok ? { tls: tls.tls } : {}),
    ...(spec.fallback ? { fallback: true } : {}),
  });
  if (tls?.ok) for (const secret of tls.secrets) registry.addSecret(secret);
  return { ok: true, cluster: name };
}
