// One Envoy HTTP filter's part of translation. Each filter decides whether a filter chain needs
// it, builds its HCM entry, adjusts each route (per-route config, rate limit actions) and adds the
// resources it needs (the cluster of the service it calls).
import type { FilterChainIR, RouteIR } from '../../ir/types.js';
import type { EnvoyObject } from '../envoy-types.js';
import type { TranslatorOptions } from '../options.js';

export interface HttpFilterTranslator {
  readonly name: string;
  /** The HCM http_filters entry (or entries: one per policy), or undefined when no route of the chain needs this filter. */
  buildFilter(chain: FilterChainIR, options: TranslatorOptions): EnvoyObject | EnvoyObject[] | undefined;
  /** Adjust one Envoy route of a chain that has this filter. `ir` is undefined for internal routes. */
  patchRoute(route: EnvoyObject, ir: RouteIR | undefined): void;
  /** Clusters this filter needs, added once per Gateway when some chain uses the filter. */
  resources(options: TranslatorOptions): { clusters: EnvoyObject[] };
}

export function chainRoutes(chain: FilterChainIR): RouteIR[] {
  return chain.virtualHosts.flatMap((vh) => vh.routes);
}

export function setPerFilterConfig(route: EnvoyObject, filterName: string, config: EnvoyObject): void {
  const perFilter = (route.typed_per_filter_config ??= {}) as Record<string, EnvoyObject>;
  perFilter[filterName] = config;
}
