// Policy targetSelectors: the Gateways and routes in the policy's namespace whose labels match,
// added to its targetRefs, so selected targets are attached, reported and conflict exactly like
// named ones. Selecting across namespaces is refused by the field tables.
import type { GatewayResource } from '../provider/resource-types.js';
import { GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

interface LabelSelector {
  kind?: string;
  group?: string;
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] }>;
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
  const refs = [...objectsOf<{ kind?: string; name?: string; sectionName?: string }>(spec.targetRefs)];
  selectors.forEach((selector, i) => {
    if ((selector.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || !selector.kind) {
      problems.push(`spec.targetSelectors[${i}]: kind is required and group must be ${GATEWAY_GROUP}`);
      return;
    }
    for (const candidate of index.list(selector.kind)) {
      if (candidate.metadata.namespace !== policy.metadata.namespace) continue;
      const result = matches(candidate.metadata.labels ?? {}, selector);
      if (typeof result === 'string') {
        problems.push(`spec.targetSelectors[${i}].matchExpressions: ${result}`);
        return;
      }
      const already = refs.some((ref) => ref.kind === selector.kind && ref.name === candidate.metadata.name && ref.sectionName === undefined);
      if (result && !already) refs.push({ kind: selector.kind, name: candidate.metadata.name });
    }
  });
  return { policy: { ...policy, spec: { ...spec, targetRefs: refs.map((ref) => ({ group: GATEWAY_GROUP, ...ref })) } }, problems };
}
