// The Envoy resource types the cache serves, in make-before-break push order: clusters before the
// endpoints that fill them, secrets before the listeners that use them, listeners before the routes
// they point at (xDS protocol, "eventual consistency considerations").
import { TypeUrls, type ResourceTypeUrl } from '@gatehouse/contracts';

export const PUSH_ORDER: readonly ResourceTypeUrl[] = [
  TypeUrls.cluster,
  TypeUrls.clusterLoadAssignment,
  TypeUrls.secret,
  TypeUrls.listener,
  TypeUrls.routeConfiguration,
];

/** Types for which an empty first request means "everything" (legacy wildcard). */
export const LEGACY_WILDCARD_TYPES: ReadonlySet<string> = new Set([TypeUrls.listener, TypeUrls.cluster]);

/**
 * Types for which a state-of-the-world response is the complete set, so a resource missing from it
 * is deleted by the client. For the others, absence means nothing and clients unsubscribe instead.
 */
export const SOTW_COMPLETE_STATE_TYPES: ReadonlySet<string> = new Set([TypeUrls.listener, TypeUrls.cluster]);

export function isKnownTypeUrl(typeUrl: string): typeUrl is ResourceTypeUrl {
  return (PUSH_ORDER as readonly string[]).includes(typeUrl);
}

/** Short label for logs, metrics and the admin API. */
export function typeLabel(typeUrl: string): string {
  switch (typeUrl) {
    case TypeUrls.listener:
      return 'listeners';
    case TypeUrls.routeConfiguration:
      return 'routes';
    case TypeUrls.cluster:
      return 'clusters';
    case TypeUrls.clusterLoadAssignment:
      return 'endpoints';
    case TypeUrls.secret:
      return 'secrets';
    default:
      return typeUrl;
  }
}
