// What one stream asked for, for one resource type: everything (wildcard) and/or a set of names.
import { TypeUrls } from '@gatehouse/contracts';

/** Types for which an empty first request means "everything" (legacy wildcard). */
const LEGACY_WILDCARD_TYPES: ReadonlySet<string> = new Set([TypeUrls.listener, TypeUrls.cluster]);

export const WILDCARD = '*';

export class Subscription {
  wildcard = false;
  readonly names = new Set<string>();
  private legacyWildcard = false;

  matches(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /**
   * State of the world: each request replaces the subscription. An empty first request for LDS or
   * CDS is the legacy wildcard, which later empty requests keep.
   * @returns names no longer subscribed
   */
  replace(typeUrl: string, requested: readonly string[], first: boolean): string[] {
    const before = new Set(this.names);
    this.names.clear();
    if (requested.length === 0 && (this.legacyWildcard || (first && LEGACY_WILDCARD_TYPES.has(typeUrl)))) {
      this.legacyWildcard = true;
      this.wildcard = true;
      return [];
    }
    this.legacyWildcard = false;
    this.wildcard = requested.includes(WILDCARD);
    for (const name of requested) if (name !== WILDCARD) this.names.add(name);
    return [...before].filter((name) => !this.names.has(name));
  }

  /**
   * Delta: requests add and remove names. An empty first request for LDS or CDS is the legacy
   * wildcard; "*" subscribes to / unsubscribes from everything explicitly.
   */
  apply(typeUrl: string, subscribe: readonly string[], unsubscribe: readonly string[], first: boolean): void {
    if (first && subscribe.length === 0 && LEGACY_WILDCARD_TYPES.has(typeUrl)) this.wildcard = true;
    for (const name of subscribe) {
      if (name === WILDCARD) this.wildcard = true;
      else this.names.add(name);
    }
    for (const name of unsubscribe) {
      if (name === WILDCARD) this.wildcard = false;
      else this.names.delete(name);
    }
  }
}
