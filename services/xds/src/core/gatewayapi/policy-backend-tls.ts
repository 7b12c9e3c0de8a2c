// BackendTLSPolicy status for the Services and Backends a policy's own service calls (SecurityPolicy
// extAuth, EnvoyExtensionPolicy extProc; the Backends authz fetches for jwt remoteJWKS and oidc.provider):
// as Envoy Gateway does, the policy that owns the backendRef is the ancestor (no Gateway or route is the
// parent of that call), next to the Gateways whose routes use it.
import type { ParentReference } from './status-types.js';
import { CORE_GROUP, ENVOY_GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

interface Ref {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

/** The policies whose extAuth or extProc backendRefs name one of `services` or `backends` ("<ns>/<name>"). */
export function policiesCallingServices(index: ResourceIndex, services: readonly string[], backends: readonly string[] = []): ParentReference[] {
  const found: ParentReference[] = [];
  const holders: Array<[string, (spec: Record<string, unknown>) => unknown[]]> = [
    ['SecurityPolicy', (spec) => {
      const extAuth = spec.extAuth as { grpc?: Record<string, unknown>; http?: Record<string, unknown> } | undefined;
      const service = extAuth?.grpc ?? extAuth?.http;
      return service ? [...objectsOf(service.backendRefs), ...(service.backendRef ? [service.backendRef] : [])] : [];
    }],
    ['EnvoyExtensionPolicy', (spec) => objectsOf<{ backendRefs?: unknown }>(spec.extProc).flatMap((entry) => objectsOf(entry.backendRefs))],
  ];
  for (const [kind, refsOf] of holders) {
    for (const policy of index.list(kind)) {
      const namespace = policy.metadata.namespace;
      const refs = refsOf((policy.spec ?? {}) as Record<string, unknown>) as Ref[];
      // A Service ref (service-backends.ts's test; importing it would make a cycle through this file's caller).
      const names = (ref: Ref): boolean => {
        const target = `${ref.namespace ?? namespace}/${ref.name}`;
        if (ref.group === ENVOY_GATEWAY_GROUP && ref.kind === 'Backend') return backends.includes(target);
        return (ref.group ?? CORE_GROUP) === CORE_GROUP && (ref.kind ?? 'Service') === 'Service' && services.includes(target);
      };
      if (!refs.some(names)) continue;
      found.push({ group: ENVOY_GATEWAY_GROUP, kind, namespace, name: policy.metadata.name } as ParentReference);
    }
  }
  return found;
}

/** The SecurityPolicies whose jwt remoteJWKS or oidc.provider backendRefs (fetched by authz) name one of `backends`. */
export function policiesFetchingBackends(index: ResourceIndex, backends: readonly string[]): ParentReference[] {
  if (backends.length === 0) return [];
  return index.list('SecurityPolicy').filter((policy) => authzFetchedBackends(policy.spec ?? {}, policy.metadata.namespace).some((b) => backends.includes(b)))
    .map((policy) => ({ group: ENVOY_GATEWAY_GROUP, kind: 'SecurityPolicy', namespace: policy.metadata.namespace, name: policy.metadata.name }) as ParentReference);
}

/** "<ns>/<name>" of the Backends a SecurityPolicy's remoteJWKS and oidc.provider backendRefs name. */
export function authzFetchedBackends(spec: Record<string, unknown>, namespace: string): string[] {
  const holders = objectsOf<{ remoteJWKS?: Holder }>((spec.jwt as { providers?: unknown } | undefined)?.providers).map((p) => p.remoteJWKS);
  holders.push((spec.oidc as { provider?: Holder } | undefined)?.provider);
  return holders.flatMap((holder) => [...objectsOf<Ref>(holder?.backendRefs), ...(holder?.backendRef ? [holder.backendRef] : [])])
    .filter((ref) => ref.kind === 'Backend')
    .map((ref) => `${ref.namespace ?? namespace}/${ref.name}`);
}

interface Holder {
  backendRef?: Ref;
  backendRefs?: unknown;
}
