// BackendTrafficPolicy mergeType, as Envoy Gateway does it: a policy on a route with mergeType set is
// merged over the policy of the route's Gateway listener, else of its Gateway (the route's fields
// win), and the merged spec is what applies to the route under that parent. StrategicMerge and
// JSONMerge come out the same here: the BackendTrafficPolicy API declares no list merge keys, so
// lists are replaced either way (RFC 7386). The Merged conditions name both sides; a Gateway's policy
// that a route's own policy replaces (without merging) is Overridden for that route.
import { conditionTrue } from './conditions.js';
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';
import type { StatusMap } from './status-types.js';
import { translateTrafficPolicy, type TrafficPolicyIR } from './traffic-policy.js';

/** A valid BackendTrafficPolicy on a Gateway ("gateway:<ns>/<gw>") or listener ("listener:<ns>/<gw>/<name>"). */
export interface ParentTrafficPolicy {
  name: string;
  spec: Record<string, unknown>;
}

/** Where a route policy was merged into (or, `overridden`, replaced) a parent policy, by Gateway and route ("<ns>/<name>"). */
export type MergeRecord = Array<{ routePolicy: string; parentPolicy: string; gateway: string; route: string; overridden?: boolean }>;

const TARGET_FIELDS: ReadonlySet<string> = new Set(['targetRef', 'targetRefs', 'targetSelectors', 'mergeType']);

/** RFC 7386: objects merge key by key, a null removes, anything else (lists too) replaces. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The parent's spec without its targets, with the route policy's spec merged over it. */
export function mergeSpecs(parent: Record<string, unknown>, child: Record<string, unknown>): Record<string, unknown> {
  const base = Object.fromEntries(Object.entries(parent).filter(([key]) => !TARGET_FIELDS.has(key)));
  return mergePatch(base, child) as Record<string, unknown>;
}

/**
 * A route policy's IR merged over each parent its routes can meet, keyed like the parents. The
 * problems of a merged spec are the route policy's (Envoy Gateway refuses it the same way).
 */
export function mergeWithParents(
  policyName: string,
  spec: Record<string, unknown>,
  parents: ReadonlyMap<string, ParentTrafficPolicy>,
  index: ResourceIndex,
  record: MergeRecord,
): { merged: Record<string, TrafficPolicyIR>; problems: string[] } {
  const problems: string[] = [];
  const mergeType = spec.mergeType;
  // Replace: the CRD's own CEL rule and message (Replace is a merge type of other kinds).
  if (mergeType === 'Replace') return { merged: {}, problems: ['spec.mergeType: Replace is not a valid MergeType for BackendTrafficPolicySpec'] };
  if (mergeType !== 'StrategicMerge' && mergeType !== 'JSONMerge') return { merged: {}, problems: [`spec.mergeType: "${String(mergeType)}" is not one of StrategicMerge, JSONMerge`] };
  const namespace = policyName.slice(0, policyName.indexOf('/'));
  const merged: Record<string, TrafficPolicyIR> = {};
  for (const route of targetedRoutes(spec, namespace, index)) {
    for (const gateway of route.gateways) {
      for (const [key, parent] of parents) {
        if (key !== `gateway:${gateway}` && !key.startsWith(`listener:${gateway}/`)) continue;
        if (!merged[key]) {
          // Clusters of a merged policy are its own: named after both policies.
          const translated = translateTrafficPolicy(policyName, mergeSpecs(parent.spec, spec), index);
          if (translated.ir.cluster) translated.ir.cluster = { ...translated.ir.cluster, policy: `${policyName}/merged/${parent.name}` };
          problems.push(...translated.problems.map((p) => `merged with ${parent.name}: ${p}`));
          merged[key] = translated.ir;
        }
        record.push({ routePolicy: policyName, parentPolicy: parent.name, gateway, route: route.name });
      }
    }
  }
  return { merged, problems: [...new Set(problems)] };
}

/** A route policy that does not merge: every parent policy its routes meet is overridden there. */
export function recordOverrides(policyName: string, spec: Record<string, unknown>, parents: ReadonlyMap<string, ParentTrafficPolicy>, index: ResourceIndex, record: MergeRecord): void {
  const namespace = policyName.slice(0, policyName.indexOf('/'));
  for (const route of targetedRoutes(spec, namespace, index)) {
    for (const gateway of route.gateways) {
      for (const [key, parent] of parents) {
        if (key === `gateway:${gateway}` || key.startsWith(`listener:${gateway}/`)) record.push({ routePolicy: policyName, parentPolicy: parent.name, gateway, route: route.name, overridden: true });
      }
    }
  }
}

/** Routes a policy targets by targetRef(s), with the Gateways ("<ns>/<name>") their parentRefs name. */
function targetedRoutes(spec: Record<string, unknown>, policyNamespace: string, index: ResourceIndex): Array<{ name: string; gateways: string[] }> {
  const targets = objectsOf<{ kind?: unknown; name?: unknown; namespace?: unknown }>([...objectsOf(spec.targetRefs), spec.targetRef]);
  return targets.flatMap((target) => {
    if ((target.kind !== 'HTTPRoute' && target.kind !== 'GRPCRoute') || typeof target.name !== 'string') return [];
    // A route a targetSelector found in another namespace carries it (target-selectors.ts).
    const namespace = typeof target.namespace === 'string' ? target.namespace : policyNamespace;
    const route = index.get(target.kind, namespace, target.name);
    if (!route) return [];
    const parentRefs = objectsOf<{ name?: unknown; namespace?: unknown }>((route.spec as { parentRefs?: unknown } | undefined)?.parentRefs);
    const gateways = parentRefs.flatMap((ref) => (typeof ref.name === 'string' ? [`${typeof ref.namespace === 'string' ? ref.namespace : namespace}/${ref.name}`] : []));
    return [{ name: `${namespace}/${target.name}`, gateways: [...new Set(gateways)] }];
  });
}

/** Merged and Overridden conditions, as Envoy Gateway words them, on the Gateway ancestors. */
export function setMergedConditions(record: MergeRecord, statuses: StatusMap, kind: 'BackendTrafficPolicy' | 'EnvoyExtensionPolicy' = 'BackendTrafficPolicy'): void {
  const add = (policy: string, gateway: string, message: string, type = 'Merged') => {
    const status = statuses.get(`${kind}/${policy}`) as { ancestors?: Array<{ ancestorRef: { namespace?: string; name: string }; conditions: Array<{ type: string; status: string }> }> } | undefined;
    for (const ancestor of status?.ancestors ?? []) {
      if (`${ancestor.ancestorRef.namespace}/${ancestor.ancestorRef.name}` !== gateway) continue;
      // Only where the policy applies: a refused or conflicted one merged nothing.
      if (!ancestor.conditions.some((c) => c.type === 'Accepted' && c.status === 'True') || ancestor.conditions.some((c) => c.type === type)) continue;
      ancestor.conditions.push(conditionTrue(type, type, message));
    }
  };
  for (const entry of record) if (!entry.overridden) add(entry.routePolicy, entry.gateway, `Merged with policy ${entry.parentPolicy}`);
  const routesByParent = new Map<string, Set<string>>();
  for (const entry of record) {
    const key = `${entry.parentPolicy}\u0000${entry.gateway}\u0000${entry.overridden ? 'Overridden' : 'Merged'}`;
    let routes = routesByParent.get(key);
    if (!routes) routesByParent.set(key, (routes = new Set()));
    routes.add(entry.route);
  }
  for (const [key, routes] of routesByParent) {
    const [parent, gateway, type] = key.split('\u0000') as [string, string, string];
    const verb = type === 'Overridden' ? 'overridden' : 'merged';
    add(parent, gateway, `This policy is being ${verb} by other ${kind === 'BackendTrafficPolicy' ? 'backendTrafficPolicies' : 'envoyExtensionPolicies'} for these routes: [${[...routes].sort().join(', ')}]`, type);
  }
}
