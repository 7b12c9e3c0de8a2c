// EnvoyExtensionPolicy attachment, as Envoy Gateway v1.9 does it: targetRefs and targetSelectors on a
// Gateway, a listener, an HTTPRoute/GRPCRoute or one of its rules (the most specific wins, a second
// policy on one target is Conflicted), an invalid policy's routes answer 500 (fail closed), and a
// Gateway policy that some routes' own policies override (or a route policy that some of its rules'
// policies override) says so with Overridden=True. A route policy with mergeType is merged over the
// policy of the route's listener, else Gateway (extension-merge.ts), with the Merged conditions.
import type { ExtensionsIR } from '../ir/types.js';
import type { ClusterRegistry } from './backends.js';
import { conditionTrue } from './conditions.js';
import { resolveExtProc, resolveWasm, translateExtensionPolicy, type ExtensionClaim, type ExtensionPlan } from './extension-policy.js';
import type { GatewayContext } from './gateways.js';
import { attach, type PolicyAttachments } from './policies.js';
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';
import type { StatusMap } from './status-types.js';
import { withSelectedTargets } from './target-selectors.js';
import { mergeExtensionPolicies, mergedPlanFor } from './extension-merge.js';

export function collectExtensionPolicies(
  index: ResourceIndex,
  gateways: readonly GatewayContext[],
  controllerName: string,
  statuses: StatusMap,
  attachments: PolicyAttachments<ExtensionClaim>,
  enableLua: boolean,
): void {
  // Gateway key -> its listener names: a policy's sectionName must name one.
  const gatewayKeys = new Map(gateways.map((g) => [g.key, new Set(g.listeners.map((l) => l.name))]));
  const claimed: Array<{ target: string; policy: string }> = [];
  for (const listed of index.list('EnvoyExtensionPolicy')) {
    const { policy, problems: selectorProblems } = withSelectedTargets(listed, index);
    const name = `${policy.metadata.namespace}/${policy.metadata.name}`;
    const translated: { plan?: ExtensionPlan; problems: string[] } = policy.issues?.length ? { problems: [] } : translateExtensionPolicy(policy, index, enableLua);
    translated.problems.push(...selectorProblems);
    attach(policy, index, gatewayKeys, controllerName, statuses, translated.problems, true, (target, holder, valid) => {
      const conflict = attachments.claim(target, holder, valid && translated.plan ? { valid, plan: translated.plan } : { valid: false });
      if (conflict === undefined) claimed.push({ target, policy: name });
      return conflict;
    });
  }
  const mergedRoutes = mergeExtensionPolicies(index, claimed, attachments, gatewayKeys, statuses);
  recordOverridden(index, claimed, statuses, mergedRoutes);
}

/**
 * A policy on a Gateway (or listener) whose routes carry their own policy: Envoy Gateway adds
 * Overridden=True naming those routes to the Gateway's ancestor entry.
 */
function recordOverridden(index: ResourceIndex, claimed: ReadonlyArray<{ target: string; policy: string }>, statuses: StatusMap, merged: ReadonlySet<string>): void {
  // A route policy that merged over the Gateway's does not override it there.
  const routeTargets = claimed.filter((c) => (c.target.startsWith('route:') || c.target.startsWith('rule:')) && !merged.has(c.target));
  for (const { target, policy } of claimed) {
    const gatewayKey = target.startsWith('gateway:') ? target.slice('gateway:'.length) : target.startsWith('listener:') ? target.slice('listener:'.length).split('/').slice(0, 2).join('/') : undefined;
    if (!gatewayKey) continue;
    const routes = new Set<string>();
    for (const other of routeTargets) {
      const [kind, namespace, name] = other.target.slice(other.target.indexOf(':') + 1).split('/') as [string, string, string];
      const route = index.get(kind, namespace, name);
      const parents = objectsOf<{ name?: string; namespace?: string }>((route?.spec as { parentRefs?: unknown } | undefined)?.parentRefs);
      if (parents.some((p) => `${p.namespace ?? namespace}/${p.name}` === gatewayKey)) routes.add(`${namespace}/${name}`);
    }
    const status = statuses.get(`EnvoyExtensionPolicy/${policy}`);
    if (routes.size === 0 || !status || !('ancestors' in status)) continue;
    const message = `This policy is being overridden by other envoyExtensionPolicies for these routes: [${[...routes].sort().join(' ')}]`;
    for (const ancestor of status.ancestors) {
      const accepted = ancestor.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
      const key = `${ancestor.ancestorRef.namespace}/${ancestor.ancestorRef.name}`;
      if (accepted && key === gatewayKey && !ancestor.conditions.some((c) => c.type === 'Overridden')) ancestor.conditions.push(conditionTrue('Overridden', 'Overridden', message));
    }
  }
  // A policy on a whole route some of whose rules carry their own policy: Overridden naming those rules.
  for (const { target, policy } of claimed) {
    if (!target.startsWith('route:')) continue;
    const prefix = `rule:${target.slice('route:'.length)}/`;
    const rules = claimed.filter((c) => c.target.startsWith(prefix) && c.policy !== policy).map((c) => c.target.slice(prefix.length));
    const status = statuses.get(`EnvoyExtensionPolicy/${policy}`);
    if (rules.length === 0 || !status || !('ancestors' in status)) continue;
    const message = `This policy is being overridden by other envoyExtensionPolicies for these route rules: [${[...new Set(rules)].sort().join(' ')}]`;
    for (const ancestor of status.ancestors) {
      const accepted = ancestor.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
      if (accepted && !ancestor.conditions.some((c) => c.type === 'Overridden')) ancestor.conditions.push(conditionTrue('Overridden', 'Overridden', message));
    }
  }
}

/**
 * The extensions a route runs under the policy that applies to it, resolved into this Gateway's
 * clusters; 'fail' when the policy is broken or a backend does not resolve here (the route answers 500).
 */
export function extensionsForRoute(
  claim: { value: ExtensionClaim } | undefined,
  index: ResourceIndex,
  registry: ClusterRegistry,
  /** The Gateway ("<ns>/<name>") and listener the route is served on: they pick a merged plan (mergeType). */
  parent?: { gateway: string; listener: string },
): ExtensionsIR | 'fail' | undefined {
  if (!claim) return undefined;
  const plan = claim.value.plan && parent ? mergedPlanFor(claim.value, parent) : claim.value.plan;
  if (!claim.value.valid || !plan) return 'fail';
  const namespace = plan.extProcNamespace ?? plan.policy.split('/')[0]!;
  const extProc: ExtensionsIR['extProc'] = [];
  for (const entry of plan.extProc) {
    const resolved = resolveExtProc(entry, namespace, index, registry);
    if (!resolved) return 'fail';
    extProc.push(resolved);
  }
  if (extProc.length === 0 && plan.wasm.length === 0 && plan.lua.length === 0) return undefined;
  return { policy: plan.policy, extProc, wasm: plan.wasm.map((entry) => resolveWasm(entry, registry)), lua: plan.lua };
}
