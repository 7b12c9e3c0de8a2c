// Kinds that are only referenced (Backend, ReferenceGrant, Secret, ConfigMap, Namespace, Service, HTTPRouteFilter) get Accepted from their schema
// check, so a typo in one of them is visible even before anything points at it.
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import type { ResourceIndex } from './resource-index.js';
import type { StatusMap } from './status-types.js';

export function recordOtherStatuses(index: ResourceIndex, statuses: StatusMap): void {
  for (const kind of ['Backend', 'ReferenceGrant', 'Secret', 'ConfigMap', 'Namespace', 'Service', 'HTTPRouteFilter'] as const) {
    for (const resource of index.list(kind)) {
      const conditions = resource.issues?.length
        ? [conditionFalse('Accepted', Reasons.invalid, describeIssues(resource.issues))]
        : [conditionTrue('Accepted', Reasons.accepted, `${kind} is valid`)];
      statuses.set(`${kind}/${resource.metadata.namespace}/${resource.metadata.name}`, { kind, conditions });
    }
  }
}
