// Lookup of resources by kind/namespace/name, and the ReferenceGrant rule for cross-namespace refs.
import type { GatewayResource } from '../provider/resource-types.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const ENVOY_GATEWAY_GROUP = 'gateway.envoyproxy.io';
export const CORE_GROUP = '';

/** Envoy Gateway's own kinds; every other referrer here is a Gateway API kind. */
const ENVOY_GATEWAY_KINDS = new Set(['SecurityPolicy', 'BackendTrafficPolicy', 'ClientTrafficPolicy', 'EnvoyExtensionPolicy', 'EnvoyPatchPolicy', 'Backend', 'HTTPRouteFilter', 'EnvoyProxy']);

/** The API group of a referring kind, as a ReferenceGrant's `from` names it. */
export function groupOfKind(kind: string): string {
  return ENVOY_GATEWAY_KINDS.has(kind) ? ENVOY_GATEWAY_GROUP : GATEWAY_GROUP;
}

export interface ObjectRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export class ResourceIndex {
  private readonly byKey = new Map<string, GatewayResource>();
  private readonly byKind = new Map<string, GatewayResource[]>();

  constructor(resources: readonly GatewayResource[]) {
    // Sort keys computed once: this runs on every translation of every resource.
    const keyed = resources.map((r) => ({ r, order: `${r.metadata.creationTimestamp ?? ''}\u0000${r.metadata.namespace}/${r.metadata.name}` }));
    keyed.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    const sorted = keyed.map((k) => k.r);
    for (const resource of sorted) {
      this.byKey.set(`${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`, resource);
      let list = this.byKind.get(resource.kind);
      if (!list) this.byKind.set(resource.kind, (list = []));
      list.push(resource);
    }
  }

  get(kind: string, namespace: string, name: string): GatewayResource | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  /** Resources of a kind, oldest first (creationTimestamp, then namespace/name), as conflict rules want. */
  list(kind: string): readonly GatewayResource[] {
    return this.byKind.get(kind) ?? [];
  }

  /** A reference across namespaces needs a ReferenceGrant in the target namespace allowing it. */
  isReferenceAllowed(from: Omit<ObjectRef, 'name'>, to: ObjectRef): boolean {
    if (from.namespace === to.namespace) return true;
    return this.list('ReferenceGrant').some((grant) => {
      if (grant.metadata.namespace !== to.namespace || grant.issues?.length) return false;
      const spec = grant.spec as { from?: GrantFrom[]; to?: GrantTo[] } | undefined;
      const fromOk = (spec?.from ?? []).some((f) => (f.group ?? '') === from.group && f.kind === from.kind && f.namespace === from.namespace);
      const toOk = (spec?.to ?? []).some((t) => (t.group ?? '') === to.group && t.kind === to.kind && (t.name === undefined || t.name === to.name));
      return fromOk && toOk;
    });
  }
}

interface GrantFrom {
  group?: string;
  kind: string;
  namespace: string;
}

interface GrantTo {
  group?: string;
  kind: string;
  name?: string;
}
