// EnvoyExtensionPolicy mergeType, as BackendTrafficPolicy's (policy-merge.ts) and Envoy
// Gateway's policy merging: a policy on a route (or rule) with mergeType set is merged over the policy
// of the route's listener, else of its Gateway, per parent the route is served under. The policy API
// declares no list merge keys, so StrategicMerge and JSONMerge agree: each of lua, extProc and wasm
// the route policy sets replaces the parent's, the others are the parent's. Merged=True on both sides
// names the other; a parent that is merged is not Overridden for those routes.
import type { ExtensionClaim, ExtensionPlan } from './extension-policy.js';
import type { PolicyAttachments } from './policies.js';
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';
import type { StatusMap } from './status-types.js';
import { setMergedConditions, type MergeRecord } from './policy-merge.js';

/** The route policy's plan over the parent's: a field the route policy sets wins whole. */
function mergePlans(parent: ExtensionPlan, child: ExtensionPlan, childSpec: Record<string, unknown>): ExtensionPlan {
  const sets = (field: string) => childSpec[field] !== undefined && childSpec[field] !== null;
  const parentNamespace = parent.extProcNamespace ?? parent.policy.split('/')[0]!;
  return {
    policy: child.policy,
    lua: sets('lua') ? child.lua : parent.lua,
    wasm: sets('wasm') ? child.wasm : parent.wasm,
    extProc: sets('extProc') ? child.extProc : parent.extProc,
    ...(sets('extProc') ? (child.extProcNamespace ? { extProcNamespace: child.extProcNamespace } : {}) : { extProcNamespace: parentNamespace }),
  };
}

/** The plan a route runs under one Gateway listener: merged over that parent's policy when it merged. */
export function mergedPlanFor(claim: ExtensionClaim, parent: { gateway: string; listener: string }): ExtensionPlan | undefined {
  return claim.merged?.[`listener:${parent.gateway}/${parent.listener}`] ?? claim.merged?.[`gateway:${parent.gateway}`] ?? claim.plan;
}

/**
 * Merges every accepted route-level claim whose policy sets mergeType over the valid parent claims of
 * its route's Gateways (stored on the claim, read by extensionsForRoute), sets the Merged conditions,
 * and returns the route targets that merged (their parents are not Overridden there).
 */
export function mergeExtensionPolicies(
  index: ResourceIndex,
  claimed: ReadonlyArray<{ target: string; policy: string }>,
  attachments: PolicyAttachments<ExtensionClaim>,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
  statuses: StatusMap,
): Set<string> {
  const record: MergeRecord = [];
  const mergedTargets = new Set<string>();
  for (const { target, policy } of claimed) {
    if (!target.startsWith('route:') && !target.startsWith('rule:')) continue;
    const [namespace, name] = policy.split('/') as [string, string];
    const resource = index.get('EnvoyExtensionPolicy', namespace, name);
    const spec = (resource?.spec ?? {}) as Record<string, unknown>;
    const claim = attachments.get(target);
    if (spec.mergeType === undefined || spec.mergeType === null || !claim?.value.valid || !claim.value.plan) continue;
    const [kind, routeNamespace, routeName] = target.slice(target.indexOf(':') + 1).split('/') as [string, string, string];
    const route = index.get(kind, routeNamespace, routeName);
    const parentRefs = objectsOf<{ name?: unknown; namespace?: unknown }>((route?.spec as { parentRefs?: unknown } | undefined)?.parentRefs);
    const gateways = new Set(parentRefs.flatMap((ref) => (typeof ref.name === 'string' ? [`${typeof ref.namespace === 'string' ? ref.namespace : routeNamespace}/${ref.name}`] : [])));
    const merged: Record<string, ExtensionPlan> = {};
    for (const gateway of gateways) {
      const keys = [`gateway:${gateway}`, ...[...(gatewayKeys.get(gateway) ?? [])].map((listener) => `listener:${gateway}/${listener}`)];
      for (const key of keys) {
        const parent = attachments.get(key);
        if (!parent?.value.valid || !parent.value.plan || parent.policy === policy) continue;
        merged[key] = mergePlans(parent.value.plan, claim.value.plan, spec);
        record.push({ routePolicy: policy, parentPolicy: parent.policy, gateway, route: `${routeNamespace}/${routeName}` });
      }
    }
    if (Object.keys(merged).length === 0) continue;
    claim.value.merged = merged;
    mergedTargets.add(target);
  }
  setMergedConditions(record, statuses, 'EnvoyExtensionPolicy');
  return mergedTargets;
}
