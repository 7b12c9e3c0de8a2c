// Policy targetSelectors: the Gateways and routes whose labels match, added to its targetRefs, so
// selected targets are attached, reported and conflict exactly like named ones. As in Envoy Gateway
// v1.9, `namespaces` widens the search from the policy's namespace (Same, the default) to All or to
// the namespaces whose labels (Namespace documents) match a Selector; a target in another namespace
// is selected only when a ReferenceGrant there allows this policy kind to reference its kind, and is
// otherwise ignored. A selected ref in another namespace carries that `namespace` (policies.ts).
import type { GatewayResource } from '../provider/resource-types.js';
import { namespaceLabels, selectorMatches, type LabelSelector as NamespaceSelector } from './namespaces.js';
import { ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

interface LabelSelector {
  kind?: string;
  group?: string;
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] }>;
  namespaces?: { from?: string; selector?: NamespaceSelector };
}

/** Whether a target in `namespace` is in the selector's namespaces (Envoy Gateway: an unknown `from` selects none). */
function inNamespaces(selector: LabelSelector, policyNamespace: string, namespace: string, index: ResourceIndex): boolean {
  const from = selector.namespaces?.from ?? 'Same';
  if (from === 'Same') return namespace === policyNamespace;
  if (from === 'All') return true;
  if (from === 'Selector') return selector.namespaces?.selector !== undefined && selectorMatches(selector.namespaces.selector, namespaceLabels(index, namespace));
  return false;
}

/** Kubernetes label selector semantics (matchLabels AND every expression); undefined for a bad operator. */
function matches(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean | string {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const key = expression.key ?? '';
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!(key in labels) || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (key in labels && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!(key in labels)) return false;
        break;
      case 'DoesNotExist':
        if (key in labels) return false;
        break;
      default:
        return `operator "${String(expression.operator)}" is not one of In, NotIn, Exists, DoesNotExist`;
    }
  }
  return true;
}

/** The policy with its selected targets appended to targetRefs, and problems with its selectors. */
export function withSelectedTargets(policy: GatewayResource, index: ResourceIndex): { policy: GatewayResource; problems: string[] } {
  const spec = (policy.spec ?? {}) as { targetSelectors?: unknown; targetRefs?: unknown };
  const selectors = objectsOf<LabelSelector>(spec.targetSelectors);
  if (selectors.length === 0 || policy.issues?.length) return { policy, problems: [] };
  const problems: string[] = [];
  const policyNamespace = policy.metadata.namespace;
  const refs: Array<{ kind?: string; name?: string; sectionName?: string; namespace?: string }> = [...objectsOf<{ kind?: string; name?: string; sectionName?: string }>(spec.targetRefs)];
  selectors.forEach((selector, i) => {
    if ((selector.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || !selector.kind) {
      problems.push(`spec.targetSelectors[${i}]: kind is required and group must be ${GATEWAY_GROUP}`);
      return;
    }
    for (const candidate of index.list(selector.kind)) {
      const namespace = candidate.metadata.namespace;
      if (!inNamespaces(selector, policyNamespace, namespace, index)) continue;
      const result = matches(candidate.metadata.labels ?? {}, selector);
      if (typeof result === 'string') {
        problems.push(`spec.targetSelectors[${i}].matchExpressions: ${result}`);
        return;
      }
      if (!result) continue;
      // Across namespaces only with a ReferenceGrant in the target's namespace; without one it is ignored.
      const from = { group: ENVOY_GATEWAY_GROUP, kind: policy.kind, namespace: policyNamespace };
      if (!index.isReferenceAllowed(from, { group: GATEWAY_GROUP, kind: selector.kind, namespace, name: candidate.metadata.name })) continue;
      const refNamespace = namespace === policyNamespace ? undefined : namespace;
      const already = refs.some((ref) => ref.kind === selector.kind && ref.name === candidate.metadata.name && ref.sectionName === undefined && ref.namespace === refNamespace);
      if (!already) refs.push({ kind: selector.kind, name: candidate.metadata.name, ...(refNamespace ? { namespace: refNamespace } : {}) });
    }
  });
  return { policy: { ...policy, spec: { ...spec, targetRefs: refs.map((ref) => ({ group: GATEWAY_GROUP, ...ref })) } }, problems };
}
