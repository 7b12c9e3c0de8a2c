// EnvoyExtensionPolicy `extProc`, as Envoy Gateway emits it: one
// envoy.filters.http.ext_proc/envoyextensionpolicy/<ns>/<name>/extproc/<i> filter per entry, disabled in
// the HCM and enabled on the policy's routes, calling the processor's cluster over gRPC (HTTP/2; the
// cluster is a Backend/Service cluster already in the Gateway's list). Nothing is sent unless
// processingMode asks for it: headers SKIP, bodies NONE, trailers SKIP.
import type { ExtProcBodyMode, ExtProcIR } from '../../ir/types.js';
import { duration, type EnvoyObject } from '../envoy-types.js';
import { ENABLE_FILTER, byEntryIndex } from './extension-order.js';
import { serviceRetryPolicy } from './service-retry.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const EXT_PROC_FILTER = 'envoy.filters.http.ext_proc';
const EXT_PROC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor';
/** Envoy Gateway's timeout of the gRPC call to an external service. */
const GRPC_TIMEOUT = duration(10_000);
const BODY_MODES: Record<ExtProcBodyMode, string> = { Streamed: 'STREAMED', Buffered: 'BUFFERED', BufferedPartial: 'BUFFERED_PARTIAL', FullDuplexStreamed: 'FULL_DUPLEX_STREAMED' };

export function extProcFilterName(extProc: ExtProcIR): string {
  return `${EXT_PROC_FILTER}/${extProc.name}`;
}

export const extProcFilter: HttpFilterTranslator = {
  name: EXT_PROC_FILTER,

  buildFilter(chain) {
    const byName = new Map<string, ExtProcIR>();
    for (const route of chainRoutes(chain)) for (const extProc of route.extensions?.extProc ?? []) byName.set(extProc.name, extProc);
    if (byName.size === 0) return undefined;
    return [...byName.values()].sort(byEntryIndex).map((extProc): EnvoyObject => ({ name: extProcFilterName(extProc), disabled: true, typed_config: extProcConfig(extProc) }));
  },

  patchRoute(route, ir) {
    for (const extProc of ir?.extensions?.extProc ?? []) setPerFilterConfig(route, extProcFilterName(extProc), { ...ENABLE_FILTER });
  },

  resources: () => ({ clusters: [] }),
};

function extProcConfig(extProc: ExtProcIR): EnvoyObject {
  const config: EnvoyObject = {
    '@type': EXT_PROC_TYPE,
    grpc_service: { envoy_grpc: { cluster_name: extProc.cluster, authority: extProc.authority }, timeout: GRPC_TIMEOUT, ...(extProc.retry ? { retry_policy: serviceRetryPolicy(extProc.retry) } : {}) },
    failure_mode_allow: extProc.failOpen,
    processing_mode: {
      request_header_mode: extProc.requestHeaders ? 'SEND' : 'SKIP',
      response_header_mode: extProc.responseHeaders ? 'SEND' : 'SKIP',
      request_body_mode: extProc.requestBody ? BODY_MODES[extProc.requestBody] : 'NONE',
      response_body_mode: extProc.responseBody ? BODY_MODES[extProc.responseBody] : 'NONE',
      request_trailer_mode: 'SKIP',
      response_trailer_mode: 'SKIP',
    },
  };
  if (extProc.messageTimeoutMs !== undefined) config.message_timeout = duration(extProc.messageTimeoutMs);
  if (extProc.requestAttributes.length > 0) config.request_attributes = extProc.requestAttributes;
  if (extProc.responseAttributes.length > 0) config.response_attributes = extProc.responseAttributes;
  if (extProc.allowModeOverride) config.allow_mode_override = true;
  if (extProc.shadowMode) config.observability_mode = true;
  const forwarding = extProc.forwardingNamespaces;
  const receiving = extProc.receivingNamespaces;
  if (forwarding.length > 0 || receiving.length > 0) {
    config.metadata_options = {
      ...(forwarding.length > 0 ? { forwarding_namespaces: { untyped: forwarding } } : {}),
      ...(receiving.length > 0 ? { receiving_namespaces: { untyped: receiving } } : {}),
    };
  }
  return config;
}
