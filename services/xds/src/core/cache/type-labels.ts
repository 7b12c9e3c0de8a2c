// The Envoy resource types the cache serves, in one table: type URL, the EnvoyResources field that
// holds them (also their short label in logs, metrics and the admin API), in make-before-break push
// order: clusters before the endpoints that fill them, secrets before the listeners that use them,
// listeners before the routes they point at (xDS protocol, "eventual consistency considerations").
import { TypeUrls, type ResourceTypeUrl } from '@gatehouse/contracts';
import type { EnvoyResources } from '../ir/envoy-resources.js';

export type ResourceField = keyof EnvoyResources;

export const RESOURCE_TYPES: ReadonlyArray<{ readonly typeUrl: ResourceTypeUrl; readonly field: ResourceField }> = [
  { typeUrl: TypeUrls.cluster, field: 'clusters' },
  { typeUrl: TypeUrls.clusterLoadAssignment, field: 'endpoints' },
  { typeUrl: TypeUrls.secret, field: 'secrets' },
  { typeUrl: TypeUrls.listener, field: 'listeners' },
  { typeUrl: TypeUrls.routeConfiguration, field: 'routes' },
];

export const PUSH_ORDER: readonly ResourceTypeUrl[] = RESOURCE_TYPES.map((t) => t.typeUrl);

const FIELD_BY_TYPE: ReadonlyMap<string, ResourceField> = new Map(RESOURCE_TYPES.map((t) => [t.typeUrl, t.field]));

export function isKnownTypeUrl(typeUrl: string): typeUrl is ResourceTypeUrl {
  return FIELD_BY_TYPE.has(typeUrl);
}

/** Short label for logs, metrics and the admin API: the EnvoyResources field ("clusters", ...). */
export function typeLabel(typeUrl: string): string {
  return FIELD_BY_TYPE.get(typeUrl) ?? typeUrl;
}
