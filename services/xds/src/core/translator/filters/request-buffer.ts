// BackendTrafficPolicy requestBuffer: the buffer filter, disabled in the HCM and enabled per route
// with its limit, so the targeted routes receive whole requests (413 above the limit).
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const BUFFER_NAME = 'envoy.filters.http.buffer';
const BUFFER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer';
const BUFFER_PER_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute';

export const requestBufferFilter: HttpFilterTranslator = {
  name: BUFFER_NAME,
  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.requestBufferBytes !== undefined)) return undefined;
    // The HCM entry needs a limit of its own; it never applies, the filter being disabled there.
    return { name: BUFFER_NAME, typed_config: { '@type': BUFFER_TYPE, max_request_bytes: 1 }, disabled: true };
  },
  patchRoute(route, ir) {
    if (ir?.requestBufferBytes === undefined || !route.route) return;
    setPerFilterConfig(route, BUFFER_NAME, { '@type': BUFFER_PER_ROUTE_TYPE, buffer: { max_request_bytes: ir.requestBufferBytes } });
  },
  resources: () => ({ clusters: [] }),
};
