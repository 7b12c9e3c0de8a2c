// TCPRoute, TLSRoute and UDPRoute: attachment to TCP, TLS and UDP listeners (parentRefs, allowedRoutes, hostnames as
// SNI), their backendRefs as weighted clusters, and their status per parent. A connection has no path
// or header to tell routes apart, so on one port each SNI name (or, for TCP, the port itself) carries
// one route: the oldest one; a newer route asking for a taken name is not accepted there. UDP
// backends become one cluster per route (udp-backends.ts).
import type { WeightedClusterIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { ClusterRegistry, resolveBackendRef, type BackendRef } from './backends.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import { socketKey, type GatewayContext, type ListenerContext } from './gateways.js';
import type { ResourceIndex } from './resource-index.js';
import { resolveRouteParent } from './listener-sets.js';
import { attachToGateway, reportedParentRef, resolvedRefsCondition } from './routes.js';
import { objectsOf } from './shape.js';
import { udpBackends } from './udp-backends.js';
import { noteHttpOnlyFields, withClusterPolicy } from './l4-policies.js';
import { PolicyAttachments } from './policies.js';
import type { TrafficPolicyIR } from './traffic-policy.js';
import type { Condition, ParentReference, StatusMap } from './status-types.js';

export const L4_ROUTE_KINDS = ['TCPRoute', 'TLSRoute', 'UDPRoute'] as const;
type L4RouteKind = (typeof L4_ROUTE_KINDS)[number];

/** One route's connections on one listener. */
export interface L4Entry {
  listener: ListenerContext;
  /** "<gateway>/<listener>/<kind>/<ns>/<name>". */
  name: string;
  serverNames: string[];
  backends: WeightedClusterIR[];
  /** The route (and its rule's name): a SecurityPolicy on it authorizes the chain's connections (l4-security.ts). */
  route: { kind: string; namespace: string; name: string; ruleName?: string };
}

interface L4RouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: Array<{ name?: string; backendRefs?: BackendRef[] }>;
}

interface RefProblem {
  condition: 'ResolvedRefs';
  reason: string;
  message: string;
}

/** Per Gateway key, the L4 entries in route age order. */
export function translateL4Routes(
  index: ResourceIndex,
  gateways: readonly GatewayContext[],
  registries: ReadonlyMap<string, ClusterRegistry>,
  controllerName: string,
  statuses: StatusMap,
  traffic: PolicyAttachments<TrafficPolicyIR> = new PolicyAttachments(),
): Map<string, L4Entry[]> {
  const result = new Map<string, L4Entry[]>();
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  /** "<gateway>/<port>/<server name or empty>" already carrying a route. */
  const claimed = new Set<string>();
  for (const route of L4_ROUTE_KINDS.flatMap((kind) => index.list(kind))) {
    const kind = route.kind as L4RouteKind;
    const namespace = route.metadata.namespace;
    const spec = (route.spec ?? {}) as L4RouteSpec;
    const parents: Array<{ parentRef: ParentReference; controllerName: string; conditions: Condition[] }> = [];
    statuses.set(`${kind}/${namespace}/${route.metadata.name}`, { kind, parents });
    const refs = (registry: ClusterRegistry) => {
      const resolved = resolveBackends(route, spec, index, registry);
      return kind === 'UDPRoute' ? udpBackends(route, resolved, registry) : resolved;
    };
    let scratchRefs: Condition | undefined;
    const refsCondition = () => (scratchRefs ??= resolvedRefsCondition(refs(new ClusterRegistry()).problems));

    for (const parentRef of objectsOf<ParentReference>(spec.parentRefs).filter((ref) => typeof ref.name === 'string')) {
      const parentNamespace = parentRef.namespace ?? namespace;
      const reported = reportedParentRef(parentRef, parentNamespace);
      const refuse = (reason: string, message: string) => parents.push({ parentRef: reported, controllerName, conditions: [conditionFalse('Accepted', reason, message), refsCondition()] });
      const parent = resolveRouteParent(reported, byKey, index, statuses);
      if ('foreign' in parent) continue; // another controller's
      if ('missing' in parent) {
        refuse(Reasons.noMatchingParent, parent.missing);
        continue;
      }
      const { gateway } = parent;
      if (route.issues?.length) {
        refuse(Reasons.unsupportedValue, describeIssues(route.issues));
        continue;
      }
      const attachment = attachToGateway(route, kind, spec.hostnames ?? [], parentRef, gateway, index, parent.listenerSet);
      if (!attachment.ok) {
        refuse(attachment.reason, attachment.message);
        continue;
      }
      // Each SNI name (TCP, UDP: the port) carries the oldest route that asks for it.
      const placed = attachment.listeners.map(({ listener, hostnames }) => {
        const names = kind === 'TLSRoute' ? hostnames.map((h) => (h === '*' ? '' : h)) : [''];
        return { listener, free: names.filter((n) => !claimed.has(`${gateway.key}/${socketKey(listener)}/${n}`)) };
      });
      if (placed.every((p) => p.free.length === 0)) {
        const what = { TCPRoute: 'every connection of this listener', UDPRoute: 'every datagram of this listener', TLSRoute: "this route's hostnames" }[kind];
        refuse(Reasons.unsupportedValue, `Another ${kind} already carries ${what}; the oldest route wins`);
        continue;
      }
      const { backends, problems } = refs(registries.get(gateway.key)!);
      parents.push({ parentRef: reported, controllerName, conditions: [conditionTrue('Accepted', Reasons.accepted, 'Route is accepted'), resolvedRefsCondition(problems)] });
      let entries = result.get(gateway.key);
      if (!entries) result.set(gateway.key, (entries = []));
      noteHttpOnlyFields({ kind, namespace, name: route.metadata.name }, traffic, statuses);
      for (const { listener, free } of placed) {
        if (free.length === 0) continue;
        // A BackendTrafficPolicy on the route, its listener or its Gateway: the cluster settings (l4-policies.ts).
        const ruleName = objectsOf<{ name?: string }>(spec.rules)[0]?.name;
        const routeRef = { kind, namespace, name: route.metadata.name, ...(ruleName === undefined ? {} : { ruleName }) };
        const policy = traffic.lookup(routeRef, ruleName, gateway.key, listener.name)?.value;
        const listenerBackends = withClusterPolicy(backends, policy, registries.get(gateway.key)!);
        listener.attachedRoutes += 1;
        for (const n of free) claimed.add(`${gateway.key}/${socketKey(listener)}/${n}`);
        const serverNames = free.filter((n) => n !== '');
        // A catch-all ("" claimed) and named SNI entries are separate chains: Envoy matches the names first.
        if (serverNames.length > 0) entries.push({ listener, name: `${gateway.key}/${listener.name}/${kind.toLowerCase()}/${namespace}/${route.metadata.name}`, serverNames, backends: listenerBackends, route: routeRef });
        if (free.includes('')) entries.push({ listener, name: `${gateway.key}/${listener.name}/${kind.toLowerCase()}/${namespace}/${route.metadata.name}${serverNames.length > 0 ? '/*' : ''}`, serverNames: [], backends: listenerBackends, route: routeRef });
      }
    }
  }
  return result;
}

/** The rule's backendRefs (one rule: the CRDs allow one), resolved into the Gateway's clusters. */
function resolveBackends(route: GatewayResource, spec: L4RouteSpec, index: ResourceIndex, registry: ClusterRegistry): { backends: WeightedClusterIR[]; problems: RefProblem[] } {
  const backends: WeightedClusterIR[] = [];
  const problems: RefProblem[] = [];
  for (const [r, rule] of objectsOf<{ backendRefs?: BackendRef[] }>(spec.rules).entries()) {
    for (const [b, ref] of objectsOf<BackendRef>(rule.backendRefs).entries()) {
      const resolved = resolveBackendRef(ref, { kind: route.kind, namespace: route.metadata.namespace }, index, registry, false);
      if (!resolved.ok) problems.push({ condition: 'ResolvedRefs', reason: resolved.reason, message: `spec.rules[${r}].backendRefs[${b}]: ${resolved.message}` });
      else if ((ref.weight ?? 1) > 0) backends.push({ cluster: resolved.cluster, weight: ref.weight ?? 1 });
    }
  }
  return { backends, problems };
}
