// Kubernetes Service backendRefs (kind omitted or "Service") without Kubernetes: the Service is a DNS
// name, made from a template (`{name}` for docker compose, `{name}.{namespace}.svc.cluster.local` in
// Kubernetes), and becomes a DNS-resolved cluster, as Envoy Gateway makes one for a hostname.
import type { ClusterIR } from '../ir/types.js';
import { backendTlsFor } from './backend-tls-policy.js';
import { Reasons } from './conditions.js';
import { declaredServicePorts } from './declared-services.js';
import { CORE_GROUP, groupOfKind, type ResourceIndex } from './resource-index.js';

/** What resolving a Service ref needs of backends.ts's types (kept here: backends.ts imports this file). */
interface ServiceRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}
interface ServiceClusters {
  readonly serviceDnsTemplate: string;
  add(cluster: ClusterIR): void;
}
type Resolution = { ok: true; cluster: string } | { ok: false; reason: string; message: string };

/** The default: a compose service name resolves as it is. */
export const DEFAULT_SERVICE_DNS_TEMPLATE = '{name}';

export function isServiceRef(ref: Pick<ServiceRef, 'group' | 'kind'>): boolean {
  return (ref.group ?? CORE_GROUP) === CORE_GROUP && (ref.kind ?? 'Service') === 'Service';
}

export function serviceHostname(template: string, name: string, namespace: string): string {
  return template.replaceAll('{name}', name).replaceAll('{namespace}', namespace);
}

export function serviceClusterName(namespace: string, name: string, port: number): string {
  return `service/${namespace}/${name}/${port}`;
}

export function resolveServiceRef(
  ref: ServiceRef,
  from: { kind: string; namespace: string },
  index: ResourceIndex,
  registry: ServiceClusters,
  grpc: boolean,
): Resolution {
  const namespace = ref.namespace ?? from.namespace;
  const allowed = index.isReferenceAllowed(
    { group: groupOfKind(from.kind), kind: from.kind, namespace: from.namespace },
    { group: CORE_GROUP, kind: 'Service', namespace, name: ref.name },
  );
  if (!allowed) return { ok: false, reason: Reasons.refNotPermitted, message: `Service ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it` };
  // The CRD's CEL rule ("Must have port for Service reference"): a Service has no single port otherwise.
  if (ref.port === undefined) return { ok: false, reason: Reasons.unsupportedValue, message: `Service ${namespace}/${ref.name}: a Service backendRef needs a port` };
  // A BackendTLSPolicy on the Service: TLS to it, or, when the policy is invalid, no plaintext either.
  // A declared Service (declared-services.ts) has the ports Kubernetes would give it; an undeclared one is a DNS name.
  const ports = declaredServicePorts(index, namespace, ref.name);
  if (ports && !ports.some((p) => p.port === ref.port)) return { ok: false, reason: Reasons.backendNotFound, message: `Service ${namespace}/${ref.name} has no port ${ref.port}` };
  const tls = backendTlsFor(index, namespace, ref.name, ref.port);
  if (tls && !tls.ok) return { ok: false, reason: tls.reason === Reasons.invalidCaCertificateRef ? tls.reason : Reasons.unsupportedValue, message: `Service ${namespace}/${ref.name}: ${tls.message}` };
  const name = serviceClusterName(namespace, ref.name, ref.port);
  const hostname = serviceHostname(registry.serviceDnsTemplate, ref.name, namespace);
  registry.add({ name, endpoints: [{ kind: 'fqdn', hostname, port: ref.port }], http2: grpc, ...(grpc ? { grpc } : {}), ...(tls?.ok ? { tls: tls.tls } : {}) });
  return { ok: true, cluster: name };
}
