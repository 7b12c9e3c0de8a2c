// Policy mergeType, shared by BackendTrafficPolicy, EnvoyExtensionPolicy and SecurityPolicy as Envoy
// Gateway does it: a policy on a route with mergeType set is merged over the policy of the route's
// Gateway listener, else of its Gateway (the route's fields win), and the merged spec is what applies
// to the route under that parent. StrategicMerge and JSONMerge come out the same here: these APIs
// declare no list merge keys, so lists are replaced either way (RFC 7386). The Merged conditions name
// both sides; a Gateway's policy that a route's own policy replaces (without merging) is Overridden
// for that route.
import { conditionTrue } from './conditions.js';
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';
import type { StatusMap } from './status-types.js';

/** The routes a policy merges over (or overrides) its listener's or Gateway's policy on. */
const ROUTE_KINDS: readonly string[] = ['HTTPRoute', 'GRPCRoute'];

/** A valid policy on a Gateway ("gateway:<ns>/<gw>") or listener ("listener:<ns>/<gw>/<name>"). */
export interface ParentPolicy {
  name: string;
  spec: Record<string, unknown>;
}

/**
 * Where a route policy was merged into (or, `overridden`, replaced) a parent policy, by Gateway and
 * route ("<ns>/<name>"); the status ancestors ("<Kind>/<ns>/<name>") each side reports it on, when
 * not the Gateway (a ListenerSet the route attaches through, or the parent targets).
 */
export type MergeRecord = Array<{ routePolicy: string; parentPolicy: string; gateway: string; route: string; overridden?: boolean; routeAncestor?: string; parentAncestor?: string }>;

/** The kinds that merge, with the plural Envoy Gateway's parent conditions name them by. */
const PLURALS = { BackendTrafficPolicy: 'backendTrafficPolicies', EnvoyExtensionPolicy: 'envoyExtensionPolicies', SecurityPolicy: 'securityPolicies' } as const;
export type MergingKind = keyof typeof PLURALS;

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

/** The problem with a mergeType value, if any. */
export function mergeTypeProblem(spec: Record<string, unknown>): string | undefined {
  const mergeType = spec.mergeType;
  return mergeType === 'StrategicMerge' || mergeType === 'JSONMerge' ? undefined : `spec.mergeType: "${String(mergeType)}" is not one of StrategicMerge, JSONMerge`;
}

/**
 * A route policy merged over each parent its routes can meet, keyed like the parents: `translate`
 * turns the parent and the merged spec into what applies (once per parent) and its problems, which
 * are the route policy's (Envoy Gateway refuses it the same way). `gatewayKeys`: each Gateway's
 * listener names (a ListenerSet's as "<set ns>/<set>/<name>").
 */
export function mergeOverParents<T>(
  policyName: string,
  spec: Record<string, unknown>,
  parents: ReadonlyMap<string, ParentPolicy>,
  index: ResourceIndex,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
  record: MergeRecord,
  translate: (parent: ParentPolicy, merged: Record<string, unknown>) => { value: T; problems: string[] },
): { merged: Record<string, T>; problems: string[] } {
  const problem = mergeTypeProblem(spec);
  if (problem) return { merged: {}, problems: [problem] };
  const problems: string[] = [];
  const merged: Record<string, T> = {};
  for (const { route, gateway, closest, routeAncestor } of parentsMet(policyName, spec, parents, index, gatewayKeys)) {
    const parent = parents.get(closest)!;
    if (!(closest in merged)) {
      const translated = translate(parent, mergeSpecs(parent.spec, spec));
      problems.push(...translated.problems.map((p) => `merged with ${parent.name}: ${p}`));
      merged[closest] = translated.value;
    }
    record.push({ routePolicy: policyName, parentPolicy: parent.name, gateway, route, routeAncestor, parentAncestor: ancestorOfKey(closest) });
  }
  return { merged, problems: [...new Set(problems)] };
}

/**
 * Every route policy overrides, for its routes, the parent policies of the scopes those routes attach
 * to: the Gateway's, and the listener's (or ListenerSet's) a parentRef names; where it merged into
 * one, setMergedConditions says Merged there instead.
 */
export function recordOverrides(
  policyName: string,
  spec: Record<string, unknown>,
  parents: ReadonlyMap<string, ParentPolicy>,
  index: ResourceIndex,
  record: MergeRecord,
  /** SecurityPolicy: a TCPRoute's policy overrides its Gateway's too (its authorization, l4-security.ts). */
  routeKinds: readonly string[] = ROUTE_KINDS,
): void {
  for (const { route, gateway, scopes, routeAncestor } of routeParents(policyName, spec, index, routeKinds)) {
    for (const key of scopes) {
      const parent = parents.get(key);
      if (parent && parent.name !== policyName) record.push({ routePolicy: policyName, parentPolicy: parent.name, gateway, route, overridden: true, routeAncestor, parentAncestor: ancestorOfKey(key) });
    }
  }
}

/** Where a route policy meets parents: per route, Gateway and listener, the closest parent's key (listener, ListenerSet, Gateway). */
function parentsMet(
  policyName: string,
  spec: Record<string, unknown>,
  parents: ReadonlyMap<string, ParentPolicy>,
  index: ResourceIndex,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
): Array<{ route: string; gateway: string; closest: string; routeAncestor: string }> {
  const met = new Map<string, { route: string; gateway: string; closest: string; routeAncestor: string }>();
  for (const { route, gateway, set, sectionName, routeAncestor } of routeParents(policyName, spec, index)) {
    const prefix = set ? `${set}/` : '';
    // A Gateway's own listeners have plain names; a ListenerSet's carry its "<ns>/<name>/" prefix.
    const listeners = [...(gatewayKeys.get(gateway) ?? [])].filter((l) => (set ? l.startsWith(prefix) : !l.includes('/')) && (!sectionName || l === `${prefix}${sectionName}`));
    for (const listener of listeners) {
      const candidates = [`listener:${gateway}/${listener}`, ...(set ? [`listenerset:${gateway}/${set}`] : []), `gateway:${gateway}`];
      const closest = candidates.find((key) => parents.has(key) && parents.get(key)!.name !== policyName);
      if (closest) met.set(`${route}\u0000${gateway}\u0000${closest}`, { route, gateway, closest, routeAncestor });
    }
  }
  return [...met.values()];
}

/**
 * The routes a policy targets by targetRef(s), each with the parents its parentRefs name: the Gateway
 * ("<ns>/<name>"), the ListenerSet ("<ns>/<name>") it attaches through, the sectionName, and the keys
 * of the scopes it attaches to (Gateway, and the listener or ListenerSet named).
 */
function routeParents(
  policyName: string,
  spec: Record<string, unknown>,
  index: ResourceIndex,
  routeKinds: readonly string[] = ROUTE_KINDS,
): Array<{ route: string; gateway: string; set?: string; sectionName?: string; scopes: string[]; routeAncestor: string }> {
  const policyNamespace = policyName.slice(0, policyName.indexOf('/'));
  const targets = objectsOf<{ kind?: unknown; name?: unknown; namespace?: unknown }>([...objectsOf(spec.targetRefs), spec.targetRef]);
  const found: Array<{ route: string; gateway: string; set?: string; sectionName?: string; scopes: string[]; routeAncestor: string }> = [];
  for (const target of targets) {
    if (typeof target.kind !== 'string' || !routeKinds.includes(target.kind) || typeof target.name !== 'string') continue;
    // A route a targetSelector found in another namespace carries it (target-selectors.ts).
    const namespace = typeof target.namespace === 'string' ? target.namespace : policyNamespace;
    const resource = index.get(target.kind, namespace, target.name);
    if (!resource) continue;
    const route = `${namespace}/${target.name}`;
    for (const ref of objectsOf<{ kind?: unknown; name?: unknown; namespace?: unknown; sectionName?: unknown }>((resource.spec as { parentRefs?: unknown } | undefined)?.parentRefs)) {
      if (typeof ref.name !== 'string') continue;
      const refNamespace = typeof ref.namespace === 'string' ? ref.namespace : namespace;
      const sectionName = typeof ref.sectionName === 'string' ? ref.sectionName : undefined;
      if (ref.kind === 'ListenerSet') {
        const parentRef = (index.get('ListenerSet', refNamespace, ref.name)?.spec as { parentRef?: { name?: unknown; namespace?: unknown } } | undefined)?.parentRef;
        if (typeof parentRef?.name !== 'string') continue;
        const gateway = `${typeof parentRef.namespace === 'string' ? parentRef.namespace : refNamespace}/${parentRef.name}`;
        const set = `${refNamespace}/${ref.name}`;
        const scopes = [`gateway:${gateway}`, sectionName ? `listener:${gateway}/${set}/${sectionName}` : `listenerset:${gateway}/${set}`];
        found.push({ route, gateway, set, ...(sectionName ? { sectionName } : {}), scopes, routeAncestor: `ListenerSet/${set}` });
      } else if (ref.kind === undefined || ref.kind === 'Gateway') {
        const gateway = `${refNamespace}/${ref.name}`;
        found.push({ route, gateway, ...(sectionName ? { sectionName } : {}), scopes: [`gateway:${gateway}`, ...(sectionName ? [`listener:${gateway}/${sectionName}`] : [])], routeAncestor: `Gateway/${gateway}` });
      }
    }
  }
  return found;
}

/** Merged and Overridden conditions, as Envoy Gateway words them, on the Gateway ancestors. */
export function setMergedConditions(record: MergeRecord, statuses: StatusMap, kind: MergingKind = 'BackendTrafficPolicy'): void {
  // `ancestorId`: "<Kind>/<ns>/<name>" of the status ancestor.
  const add = (policy: string, ancestorId: string, message: string, type = 'Merged') => {
    const status = statuses.get(`${kind}/${policy}`) as { ancestors?: Array<{ ancestorRef: { kind?: string; namespace?: string; name: string }; conditions: Array<{ type: string; status: string }> }> } | undefined;
    for (const ancestor of status?.ancestors ?? []) {
      if (`${ancestor.ancestorRef.kind ?? 'Gateway'}/${ancestor.ancestorRef.namespace}/${ancestor.ancestorRef.name}` !== ancestorId) continue;
      // Only where the policy applies: a refused or conflicted one merged nothing.
      if (!ancestor.conditions.some((c) => c.type === 'Accepted' && c.status === 'True') || ancestor.conditions.some((c) => c.type === type)) continue;
      ancestor.conditions.push(conditionTrue(type, type, message));
    }
  };
  for (const entry of record) if (!entry.overridden) add(entry.routePolicy, entry.routeAncestor ?? `Gateway/${entry.gateway}`, `Merged with policy ${entry.parentPolicy}`);
  // A route merged into a parent is listed as merged there, not also as overriding it.
  const mergedInto = new Set(record.filter((e) => !e.overridden).map((e) => `${e.parentPolicy}\u0000${e.gateway}\u0000${e.route}`));
  const routesByParent = new Map<string, Set<string>>();
  for (const entry of record) {
    if (entry.overridden && mergedInto.has(`${entry.parentPolicy}\u0000${entry.gateway}\u0000${entry.route}`)) continue;
    const key = `${entry.parentPolicy}\u0000${entry.parentAncestor ?? `Gateway/${entry.gateway}`}\u0000${entry.overridden ? 'Overridden' : 'Merged'}`;
    let routes = routesByParent.get(key);
    if (!routes) routesByParent.set(key, (routes = new Set()));
    routes.add(entry.route);
  }
  for (const [key, routes] of routesByParent) {
    const [parent, ancestorId, type] = key.split('\u0000') as [string, string, string];
    const verb = type === 'Overridden' ? 'overridden' : 'merged';
    add(parent, ancestorId, `This policy is being ${verb} by other ${PLURALS[kind]} for these routes: [${[...routes].sort().join(', ')}]`, type);
  }
}

/** The status ancestor ("<Kind>/<ns>/<name>") of a parent policy's target key: its ListenerSet, else its Gateway. */
function ancestorOfKey(key: string): string {
  const [scope, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  const parts = rest.split('/');
  // "listenerset:<gw ns>/<gw>/<set ns>/<set>", "listener:<gw ns>/<gw>/<set ns>/<set>/<name>": the ListenerSet.
  if (scope === 'listenerset' || (scope === 'listener' && parts.length === 5)) return `ListenerSet/${parts[2]}/${parts[3]}`;
  return `Gateway/${parts[0]}/${parts[1]}`;
}
