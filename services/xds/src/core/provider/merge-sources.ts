// Files and the admin API can both name a resource; the admin API wins, so an operator's live
// change is not silently undone by a file that still holds the old version.
import { resourceKey, type GatewayResource } from './resource-types.js';

export function mergeResourceSources(fromFiles: readonly GatewayResource[], fromAdmin: readonly GatewayResource[]): GatewayResource[] {
  const merged = new Map<string, GatewayResource>();
  for (const resource of fromFiles) merged.set(resourceKey(resource), resource);
  for (const resource of fromAdmin) merged.set(resourceKey(resource), { ...resource, source: { kind: 'admin' } });
  return [...merged.values()];
}
