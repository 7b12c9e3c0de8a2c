// HTTPRoute and GRPCRoute attachment to Gateway listeners (parentRefs, allowedRoutes, hostnames)
// and their expansion into RouteIR per listener and hostname, with route status per parent.
import type { GatewayResource } from '../provider/resource-types.js';
import type { RouteIR } from '../ir/types.js';
import { ClusterRegistry } from './backends.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import type { GatewayContext, ListenerContext, ListenerRouteKind, RouteKind } from './gateways.js';
import { intersectHostnames } from './hostnames.js';
import type { PolicyResult } from './policies.js';
import { GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { namespaceLabels, selectorMatches, describeSelectorProblem } from './namespaces.js';
import { resolveRouteParent } from './listener-sets.js';
import { objectsOf } from './shape.js';
import { translateRule, type RuleIR, type RuleProblem, type RuleSpec } from './route-rules.js';
import { securityRouteParts } from './security-features.js';
import { securityFor } from './security-merge.js';
import { extensionsForRoute } from './extension-attach.js';
import { applyTrafficPolicy } from './traffic-policy-apply.js';
import type { Condition, ParentReference, StatusMap } from './status-types.js';

/** A RouteIR on one listener and hostname, with what it takes to order it. */
export interface RouteEntry {
  listener: ListenerContext;
  hostname: string;
  route: RouteIR;
  order: PrecedenceKey;
}

export interface PrecedenceKey {
  /** Position of the route among all routes (oldest first), then rule and match index. */
  routeRank: number;
  rule: number;
  match: number;
}

export interface RouteTranslation {
  /** Per Gateway key. */
  entries: Map<string, RouteEntry[]>;
  /** Per Gateway key: proxyless gRPC hosts and their routes. */
  proxyless: Map<string, Map<string, RouteEntry[]>>;
}

export function translateRoutes(
  index: ResourceIndex,
  gateways: readonly GatewayContext[],
  registries: ReadonlyMap<string, ClusterRegistry>,
  policies: PolicyResult,
  controllerName: string,
  statuses: StatusMap,
): RouteTranslation {
  const result: RouteTranslation = { entries: new Map(), proxyless: new Map() };
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  const routes = [...index.list('HTTPRoute'), ...index.list('GRPCRoute')];
  routes.forEach((route, routeRank) => {
    const kind = route.kind as RouteKind;
    const namespace = route.metadata.namespace;
    const spec = (route.spec ?? {}) as { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: RuleSpec[] };
    // A route that failed its schema still reports on every parent it names that can be read.
    const parentRefs = objectsOf<ParentReference>(spec.parentRefs).filter((ref) => typeof ref.name === 'string');
    const parents: Array<{ parentRef: ParentReference; controllerName: string; conditions: Condition[] }> = [];
    const invalid = route.issues ?? [];
    statuses.set(`${kind}/${namespace}/${route.metadata.name}`, { kind, parents });

    // Rules are translated once per Gateway (clusters live per Gateway); statuses use the first.
    const rulesByGateway = new Map<string, { rules: Array<RuleIR | undefined>; problems: RuleProblem[] }>();
    const rulesFor = (gateway: GatewayContext) => {
      let translated = rulesByGateway.get(gateway.key);
      if (!translated) {
        const problems: RuleProblem[] = [];
        const rules = (spec.rules ?? []).map((rule, r) => {
          const out = translateRule(rule, `spec.rules[${r}]`, { routeKind: kind, namespace, index, registry: registries.get(gateway.key)! });
          problems.push(...out.problems);
          return out.rule;
        });
        rulesByGateway.set(gateway.key, (translated = { rules, problems }));
      }
      return translated;
    };

    // Parents that do not accept the route still report ResolvedRefs (the conformance suite reads it on
    // every parent): its backendRefs are resolved against a scratch registry, so nothing is served.
    let refsWithoutParent: Condition | undefined;
    const refsCondition = (): Condition => (refsWithoutParent ??= resolvedRefsCondition(refProblemsAlone(spec.rules, kind, namespace, index)));
    if (invalid.length > 0 && parentRefs.length === 0) {
      parents.push({ parentRef: { name: '' }, controllerName, conditions: [conditionFalse('Accepted', Reasons.unsupportedValue, describeIssues(invalid)), refsCondition()] });
    }
    for (const parentRef of parentRefs) {
      const parentNamespace = parentRef.namespace ?? namespace;
      const reported = reportedParentRef(parentRef, parentNamespace);
      // A Gateway (or ListenerSet) of another controller is not ours to report on.
      const parent = resolveRouteParent(reported, byKey, index, statuses);
      if ('foreign' in parent) continue;
      if ('missing' in parent) {
        parents.push({ parentRef: reported, controllerName, conditions: [conditionFalse('Accepted', Reasons.noMatchingParent, parent.missing), refsCondition()] });
        continue;
      }
      const { gateway } = parent;
      if (invalid.length > 0) {
        parents.push({ parentRef: reported, controllerName, conditions: [conditionFalse('Accepted', Reasons.unsupportedValue, describeIssues(invalid)), refsCondition()] });
        continue;
      }
      const attachment = attachToGateway(route, kind, spec.hostnames ?? [], parentRef, gateway, index, parent.listenerSet);
      if (!attachment.ok) {
        parents.push({ parentRef: reported, controllerName, conditions: [conditionFalse('Accepted', attachment.reason, attachment.message), refsCondition()] });
        continue;
      }
      const { rules, problems } = rulesFor(gateway);
      const partial = problems.filter((p) => p.condition === 'PartiallyInvalid');
      if (rules.length > 0 && rules.every((rule) => rule === undefined)) {
        // Every rule was dropped: the route serves nothing, so it is not accepted at all.
        parents.push({
          parentRef: reported,
          controllerName,
          conditions: [conditionFalse('Accepted', Reasons.unsupportedValue, partial.map((p) => p.message).join('; ')), resolvedRefsCondition(problems)],
        });
        continue;
      }
      const conditions = [conditionTrue('Accepted', Reasons.accepted, 'Route is accepted')];
      conditions.push(resolvedRefsCondition(problems));
      if (partial.length > 0) conditions.push(conditionTrue('PartiallyInvalid', Reasons.unsupportedValue, partial.map((p) => p.message).join('; ')));
      parents.push({ parentRef: reported, controllerName, conditions });

      let entries = result.entries.get(gateway.key);
      if (!entries) result.entries.set(gateway.key, (entries = []));
      for (const { listener, hostnames } of attachment.listeners) {
        listener.attachedRoutes += 1;
        for (const hostname of hostnames) {
          const created = expandRules(route, kind, rules, listener, gateway, hostname, routeRank, policies, { index, registry: registries.get(gateway.key)! });
          entries.push(...created);
          if (kind === 'GRPCRoute' && hostname !== '*' && !hostname.startsWith('*.')) addProxyless(result, gateway.key, hostname, created);
        }
      }
    }
  });
  return result;
}

export function resolvedRefsCondition(problems: ReadonlyArray<Pick<RuleProblem, 'condition' | 'reason' | 'message'>>): Condition {
  const refProblems = problems.filter((p) => p.condition === 'ResolvedRefs');
  return refProblems.length > 0
    ? conditionFalse('ResolvedRefs', refProblems[0]!.reason, refProblems.map((p) => p.message).join('; '))
    : conditionTrue('ResolvedRefs', Reasons.resolvedRefs, 'All references resolved');
}

/** The reference problems of a route's rules, resolved into a registry nobody serves. */
function refProblemsAlone(rules: RuleSpec[] | undefined, routeKind: RouteKind, namespace: string, index: ResourceIndex): RuleProblem[] {
  const registry = new ClusterRegistry();
  try {
    return objectsOf<RuleSpec>(rules).flatMap((rule, r) => translateRule(rule, `spec.rules[${r}]`, { routeKind, namespace, index, registry }).problems);
  } catch {
    return []; // a rule too malformed to read (its schema problems are on Accepted already)
  }
}

function addProxyless(result: RouteTranslation, gatewayKey: string, host: string, entries: RouteEntry[]): void {
  let hosts = result.proxyless.get(gatewayKey);
  if (!hosts) result.proxyless.set(gatewayKey, (hosts = new Map()));
  let list = hosts.get(host);
  if (!list) hosts.set(host, (list = []));
  // The same route attached through two listeners must appear once for proxyless clients.
  for (const entry of entries) if (!list.some((e) => e.route.name === entry.route.name)) list.push(entry);
}

export type Attachment =
  | { ok: true; listeners: Array<{ listener: ListenerContext; hostnames: string[] }> }
  | { ok: false; reason: string; message: string };

export function attachToGateway(
  route: GatewayResource,
  kind: ListenerRouteKind,
  routeHostnames: string[],
  parentRef: ParentReference,
  gateway: GatewayContext,
  index: ResourceIndex,
  listenerSet?: { namespace: string; name: string },
): Attachment {
  // A ListenerSet parent offers its own listeners (sectionName = the name in the set); a Gateway parent, the Gateway's.
  const owned = gateway.listeners.filter((l) => (listenerSet ? l.listenerSet?.namespace === listenerSet.namespace && l.listenerSet.name === listenerSet.name : !l.listenerSet));
  const named = owned.filter((l) => (!parentRef.sectionName || (l.listenerSet?.entryName ?? l.name) === parentRef.sectionName) && (!parentRef.port || l.port === parentRef.port));
  const parentName = listenerSet ? `ListenerSet ${listenerSet.namespace}/${listenerSet.name}` : `Gateway ${gateway.key}`;
  if (named.length === 0) {
    return { ok: false, reason: Reasons.noMatchingParent, message: `${parentName} has no listener ${parentRef.sectionName ?? ''}${parentRef.port ? ` on port ${parentRef.port}` : ''}`.trim() };
  }
  const allowed = named.filter((l) => l.attachable && l.allowedKinds.includes(kind) && namespaceAllowed(l, route.metadata.namespace, l.listenerSet?.namespace ?? gateway.namespace, index));
  if (allowed.length === 0) {
    return { ok: false, reason: Reasons.notAllowedByListeners, message: `No ready listener of ${parentName} allows ${kind} from namespace ${route.metadata.namespace}` };
  }
  const listeners = allowed.map((listener) => ({ listener, hostnames: intersectHostnames(listener.hostname, routeHostnames) })).filter((a) => a.hostnames.length > 0);
  if (listeners.length === 0) {
    return { ok: false, reason: Reasons.noMatchingListenerHostname, message: `No listener hostname of ${parentName} matches the route's hostnames` };
  }
  return { ok: true, listeners };
}

function namespaceAllowed(listener: ListenerContext, routeNamespace: string, gatewayNamespace: string, index: ResourceIndex): boolean {
  if (listener.allowedNamespaces.from === 'All') return true;
  if (listener.allowedNamespaces.from === 'Same') return routeNamespace === gatewayNamespace;
  // "Selector": the route's Namespace labels (namespaces.ts); an invalid selector admits nothing.
  const selector = listener.allowedNamespaces.selector;
  return selector !== undefined && describeSelectorProblem(selector) === undefined && selectorMatches(selector, namespaceLabels(index, routeNamespace));
}

function expandRules(
  route: GatewayResource,
  kind: RouteKind,
  rules: Array<RuleIR | undefined>,
  listener: ListenerContext,
  gateway: GatewayContext,
  hostname: string,
  routeRank: number,
  policies: PolicyResult,
  clusters: { index: ResourceIndex; registry: ClusterRegistry },
): RouteEntry[] {
  const ref = { kind, namespace: route.metadata.namespace, name: route.metadata.name };
  const entries: RouteEntry[] = [];
  rules.forEach((rule, r) => {
    if (!rule) return;
    const { matches, ruleName, ...action } = rule;
    // A policy with mergeType runs its variant merged over this listener's (or Gateway's) policy.
    const security = securityFor(policies.security.lookup(ref, ruleName, gateway.key, listener.name), { gateway: gateway.key, listener: listener.name });
    const traffic = policies.traffic.lookup(ref, ruleName, gateway.key, listener.name);
    const extensions = extensionsForRoute(policies.extension.lookup(ref, ruleName, gateway.key, listener.name), clusters.index, clusters.registry, { gateway: gateway.key, listener: listener.name });
    matches.forEach((match, m) => {
      const name = `${kind.toLowerCase()}/${ref.namespace}/${ref.name}/rule/${r}/match/${m}/${hostname}`;
      const securityParts = security?.value.features ? securityRouteParts(security.policy, security.value.features, clusters.index, clusters.registry) : {};
      if ((security && (!security.value.valid || !securityParts)) || extensions === 'fail') {
        // Its SecurityPolicy (or EnvoyExtensionPolicy) is broken: refuse rather than serve the route without it.
        entries.push({ listener, hostname, route: { name, match, mirrors: [], directResponse: { status: 500 } }, order: { routeRank, rule: r, match: m } });
        return;
      }
      const ir: RouteIR = { ...action, name, match };
      if (securityParts?.securityPolicy) ir.securityPolicy = securityParts.securityPolicy;
      if (securityParts?.authzRecomputeRoute) ir.authzRecomputeRoute = true;
      if (securityParts?.cors && !ir.cors) ir.cors = securityParts.cors;
      if (securityParts?.csrf) ir.csrf = securityParts.csrf;
      if (securityParts?.extAuth) ir.extAuth = securityParts.extAuth;
      if (extensions) ir.extensions = extensions;
      if (traffic) applyTrafficPolicy(ir, traffic.value, clusters.registry, { gateway: gateway.key, listener: listener.name });
      entries.push({ listener, hostname, route: ir, order: { routeRank, rule: r, match: m } });
    });
  });
  return entries;
}

const PATH_RANK = { Exact: 0, RegularExpression: 1, Prefix: 2 } as const;

/**
 * Gateway API precedence: exact path, then the longest prefix (regular expressions sit between,
 * as in Envoy Gateway), then a method match, then most header matches, then most query matches;
 * ties go to the oldest route, then rule and match order.
 */
export function comparePrecedence(a: RouteEntry, b: RouteEntry): number {
  const ma = a.route.match;
  const mb = b.route.match;
  return (
    PATH_RANK[ma.path.type] - PATH_RANK[mb.path.type] ||
    mb.path.value.length - ma.path.value.length ||
    Number(mb.method !== undefined) - Number(ma.method !== undefined) ||
    mb.headers.length - ma.headers.length ||
    mb.queryParams.length - ma.queryParams.length ||
    a.order.routeRank - b.order.routeRank ||
    a.order.rule - b.order.rule ||
    a.order.match - b.order.match
  );
}

/** A route's parentRef as its status reports it: defaults filled in (group, kind, namespace), optional parts kept. */
export function reportedParentRef(parentRef: ParentReference, parentNamespace: string): ParentReference {
  return {
    group: parentRef.group ?? GATEWAY_GROUP,
    kind: parentRef.kind ?? 'Gateway',
    namespace: parentNamespace,
    name: parentRef.name,
    ...(parentRef.sectionName ? { sectionName: parentRef.sectionName } : {}),
    ...(parentRef.port ? { port: parentRef.port } : {}),
  };
}
