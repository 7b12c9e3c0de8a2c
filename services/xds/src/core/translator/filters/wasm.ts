// EnvoyExtensionPolicy `wasm`: one envoy.filters.http.wasm/envoyextensionpolicy/<ns>/<name>/wasm/<i>
// filter per entry, disabled in the HCM and enabled on the policy's routes. Envoy fetches the module
// itself over the cluster of the URL's host and refuses one whose sha256 differs (Envoy Gateway serves
// the module from its own cache instead; the pinning is the same). Runtime: V8, as Envoy Gateway.
import type { WasmIR } from '../../ir/types.js';
import { duration, type EnvoyObject } from '../envoy-types.js';
import { ENABLE_FILTER, byEntryIndex } from './extension-order.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const WASM_FILTER = 'envoy.filters.http.wasm';
const WASM_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm';
const STRING_VALUE = 'type.googleapis.com/google.protobuf.StringValue';
const FETCH_TIMEOUT = duration(10_000);

export function wasmFilterName(wasm: WasmIR): string {
  return `${WASM_FILTER}/${wasm.name}`;
}

export const wasmFilter: HttpFilterTranslator = {
  name: WASM_FILTER,

  buildFilter(chain) {
    const byName = new Map<string, WasmIR>();
    for (const route of chainRoutes(chain)) for (const wasm of route.extensions?.wasm ?? []) byName.set(wasm.name, wasm);
    if (byName.size === 0) return undefined;
    return [...byName.values()].sort(byEntryIndex).map((wasm): EnvoyObject => ({ name: wasmFilterName(wasm), disabled: true, typed_config: wasmConfig(wasm) }));
  },

  patchRoute(route, ir) {
    for (const wasm of ir?.extensions?.wasm ?? []) setPerFilterConfig(route, wasmFilterName(wasm), { ...ENABLE_FILTER });
  },

  resources: () => ({ clusters: [] }),
};

function wasmConfig(wasm: WasmIR): EnvoyObject {
  const vmConfig: EnvoyObject = {
    vm_id: wasm.name,
    runtime: 'envoy.wasm.runtime.v8',
    code: { remote: { http_uri: { uri: wasm.url, cluster: wasm.cluster, timeout: FETCH_TIMEOUT }, sha256: wasm.sha256 } },
  };
  if (wasm.hostEnvKeys.length > 0) vmConfig.environment_variables = { host_env_keys: wasm.hostEnvKeys };
  const plugin: EnvoyObject = { name: wasm.pluginName, vm_config: vmConfig, fail_open: wasm.failOpen };
  if (wasm.rootId !== undefined) plugin.root_id = wasm.rootId;
  if (wasm.config !== undefined) plugin.configuration = { '@type': STRING_VALUE, value: wasm.config };
  return { '@type': WASM_TYPE, config: plugin };
}
