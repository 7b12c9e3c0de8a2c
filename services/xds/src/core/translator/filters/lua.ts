// EnvoyExtensionPolicy `lua`, as Envoy Gateway emits it: one envoy.filters.http.lua/<entry> filter per
// Lua entry, disabled in the HCM with its script in source_codes, and enabled on the routes of that
// policy by a LuaPerRoute naming the script. Filters run in entry order (the index ends the name).
import type { LuaIR } from '../../ir/types.js';
import type { EnvoyObject } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';
import { byEntryIndex } from './extension-order.js';

const LUA_FILTER = 'envoy.filters.http.lua';
const LUA_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua';
const LUA_PER_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute';

export function luaFilterName(lua: LuaIR): string {
  return `${LUA_FILTER}/${lua.name}`;
}

export const luaFilter: HttpFilterTranslator = {
  name: LUA_FILTER,

  buildFilter(chain) {
    const byName = new Map<string, LuaIR>();
    for (const route of chainRoutes(chain)) for (const lua of route.extensions?.lua ?? []) byName.set(lua.name, lua);
    if (byName.size === 0) return undefined;
    return [...byName.values()].sort(byEntryIndex).map(
      (lua): EnvoyObject => ({ name: luaFilterName(lua), disabled: true, typed_config: { '@type': LUA_TYPE, source_codes: { [lua.name]: { inline_string: lua.code } } } }),
    );
  },

  patchRoute(route, ir) {
    for (const lua of ir?.extensions?.lua ?? []) setPerFilterConfig(route, luaFilterName(lua), { '@type': LUA_PER_ROUTE_TYPE, name: lua.name });
  },

  resources: () => ({ clusters: [] }),
};
