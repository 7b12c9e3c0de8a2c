// EnvoyProxy filterOrder on every HTTP connection manager of a node cluster, as Envoy Gateway applies it:
// a filter "is" a type when its name is the type or the type followed by "/" or "." (Gatehouse names a
// policy's own filters "<type>/<policy>..." and variants "<type>.<variant>"). For each entry in order,
// the filters of `name` move just before the first filter of `before`, or just after the last of `after`;
// an entry whose filters are absent leaves the chain as it is.
import type { FilterOrderIR } from '../gatewayapi/envoy-proxy-filter-order.js';
import type { EnvoyResource, EnvoyResources } from '../ir/envoy-resources.js';
import type { EnvoyObject } from './envoy-types.js';

const HCM = 'envoy.filters.network.http_connection_manager';

export function isFilterOfType(name: string, type: string): boolean {
  return name === type || name.startsWith(`${type}/`) || name.startsWith(`${type}.`);
}

export function orderHttpFilters(filters: readonly EnvoyObject[], order: readonly FilterOrderIR[]): EnvoyObject[] {
  let list = [...filters];
  for (const entry of order) {
    const moving = list.filter((f) => isFilterOfType(String(f.name), entry.name));
    if (moving.length === 0) continue;
    const rest = list.filter((f) => !moving.includes(f));
    const anchors = rest.map((f, i) => (isFilterOfType(String(f.name), (entry.before ?? entry.after)!) ? i : -1)).filter((i) => i >= 0);
    if (anchors.length === 0) continue;
    const at = entry.before ? anchors[0]! : anchors[anchors.length - 1]! + 1;
    list = [...rest.slice(0, at), ...moving, ...rest.slice(at)];
  }
  return list;
}

export function applyFilterOrder(resources: EnvoyResources, order: readonly FilterOrderIR[] | undefined): void {
  if (!order || order.length === 0) return;
  resources.listeners = resources.listeners.map((listener) => {
    if (listener.api_listener !== undefined) return listener;
    const chains = (listener.filter_chains as EnvoyObject[] | undefined) ?? [];
    const reorder = (chain: EnvoyObject): EnvoyObject => ({
      ...chain,
      filters: ((chain.filters as EnvoyObject[] | undefined) ?? []).map((filter) => {
        const config = filter.typed_config as EnvoyObject | undefined;
        if (filter.name !== HCM || !config || !Array.isArray(config.http_filters)) return filter;
        return { ...filter, typed_config: { ...config, http_filters: orderHttpFilters(config.http_filters as EnvoyObject[], order) } };
      }),
    });
    const defaultChain = listener.default_filter_chain as EnvoyObject | undefined;
    return { ...listener, filter_chains: chains.map(reorder), ...(defaultChain ? { default_filter_chain: reorder(defaultChain) } : {}) } as EnvoyResource;
  });
}
