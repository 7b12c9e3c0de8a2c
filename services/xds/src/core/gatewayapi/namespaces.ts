// Namespace labels for `allowedRoutes.namespaces.from: Selector`: a Namespace document in the YAML
// gives its labels; a namespace referenced but not declared is an unlabelled one. Either way it
// carries `kubernetes.io/metadata.name`, which Kubernetes sets on every namespace.
import type { ResourceIndex } from './resource-index.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function namespaceLabels(index: ResourceIndex, namespace: string): Record<string, string> {
  // Namespaces are cluster-scoped; the provider files them under the default namespace key.
  const declared = index.list('Namespace').find((ns) => ns.metadata.name === namespace && !ns.issues?.length);
  return { ...(declared?.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: namespace };
}

/** Kubernetes label selector semantics: every matchLabels entry and every expression must hold; an empty selector matches all. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const values = expression.values ?? [];
    const ok =
      expression.operator === 'In'
        ? has && values.includes(labels[expression.key]!)
        : expression.operator === 'NotIn'
          ? !has || !values.includes(labels[expression.key]!)
          : expression.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/** A selector the API server would refuse (In/NotIn need values, Exists/DoesNotExist take none), or undefined. */
export function describeSelectorProblem(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return 'allowedRoutes.namespaces.from: Selector needs allowedRoutes.namespaces.selector';
  for (const expression of selector.matchExpressions ?? []) {
    const needsValues = expression.operator === 'In' || expression.operator === 'NotIn';
    if (needsValues !== (expression.values !== undefined && expression.values.length > 0)) {
      return `selector expression on "${expression.key}": operator ${expression.operator} ${needsValues ? 'needs' : 'takes no'} values`;
    }
  }
  return undefined;
}
