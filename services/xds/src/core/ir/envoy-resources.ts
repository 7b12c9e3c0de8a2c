// What the translator hands to the cache for one Gateway: plain Envoy JSON per resource type. One
// type for both sides, so the translator's output goes into a snapshot without a bridge.

/**
 * One Envoy resource in protobufjs object form: snake_case, enums and int64 as strings, durations as
 * "5s", Any as {'@type', ...}; checked against the protos before it is served.
 */
export type EnvoyResource = Readonly<Record<string, unknown>>;

export interface EnvoyResources {
  listeners: EnvoyResource[];
  routes: EnvoyResource[];
  clusters: EnvoyResource[];
  endpoints: EnvoyResource[];
  secrets: EnvoyResource[];
}

export function emptyEnvoyResources(): EnvoyResources {
  return { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };
}
