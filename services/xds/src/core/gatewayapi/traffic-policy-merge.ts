// BackendTrafficPolicy mergeType (policy-merge.ts has the merge and the conditions): the route
// policy's spec merged over each parent's is translated again, its cluster named after both policies.
import { mergeOverParents, type MergeRecord, type ParentPolicy } from './policy-merge.js';
import type { ResourceIndex } from './resource-index.js';
import { translateTrafficPolicy, type TrafficPolicyIR } from './traffic-policy.js';

/** A route policy's IR merged over each parent its routes can meet, keyed like the parents. */
export function mergeWithParents(
  policyName: string,
  spec: Record<string, unknown>,
  parents: ReadonlyMap<string, ParentPolicy>,
  index: ResourceIndex,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
  record: MergeRecord,
): { merged: Record<string, TrafficPolicyIR>; problems: string[] } {
  return mergeOverParents(policyName, spec, parents, index, gatewayKeys, record, (parent, merged) => {
    // Clusters of a merged policy are its own: named after both policies.
    const translated = translateTrafficPolicy(policyName, merged, index);
    if (translated.ir.cluster) translated.ir.cluster = { ...translated.ir.cluster, policy: `${policyName}/merged/${parent.name}` };
    return { value: translated.ir, problems: translated.problems };
  });
}
