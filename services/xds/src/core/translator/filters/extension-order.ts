// Envoy Gateway orders the filters of EnvoyExtensionPolicy entries by the entry's index (the name's
// last segment, ".../lua/<index>"), then by name, so each policy's entries keep their order.
export function byEntryIndex(a: { name: string }, b: { name: string }): number {
  const index = (name: string) => Number(name.slice(name.lastIndexOf('/') + 1));
  return index(a.name) - index(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Enables a filter that is disabled in the HCM on one route. */
export const ENABLE_FILTER = { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig' } as const;
