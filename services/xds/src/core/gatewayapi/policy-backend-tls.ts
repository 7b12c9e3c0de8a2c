// BackendTLSPolicy status for the Services a policy's own service calls (SecurityPolicy extAuth,
// EnvoyExtensionPolicy extProc): as Envoy Gateway does, the policy that owns the backendRef is the
// ancestor (no Gateway or route is the parent of that call), next to the Gateways whose routes use it.
import type { ParentReference } from './status-types.js';
import { CORE_GROUP, ENVOY_GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

interface Ref {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

/** The policies whose extAuth or extProc backendRefs name one of `services` ("<ns>/<name>"). */
export function policiesCallingServices(index: ResourceIndex, services: readonly string[]): ParentReference[] {
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
      if (!refs.some((ref) => (ref.group ?? CORE_GROUP) === CORE_GROUP && (ref.kind ?? 'Service') === 'Service' && services.includes(`${ref.namespace ?? namespace}/${ref.name}`))) continue;
      found.push({ group: ENVOY_GATEWAY_GROUP, kind, namespace, name: policy.metadata.name } as ParentReference);
    }
  }
  return found;
}
