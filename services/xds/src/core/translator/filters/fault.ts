// Fault injection (BackendTrafficPolicy faultInjection): the fault filter with an empty HCM config,
// and per route an HTTPFault with the delay and abort, so routes without a fault are untouched.
import { duration } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const FAULT_NAME = 'envoy.filters.http.fault';
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

/** Percentages as Envoy Gateway writes them: parts per million, so 0.5% stays exact. */
function fraction(percent: number | undefined): { numerator: number; denominator: string } {
  return { numerator: Math.round((percent ?? 100) * 10_000), denominator: 'MILLION' };
}

export const faultFilter: HttpFilterTranslator = {
  name: FAULT_NAME,

  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.fault)) return undefined;
    return { name: FAULT_NAME, typed_config: { '@type': FAULT_TYPE } };
  },

  patchRoute(route, ir) {
    const fault = ir?.fault;
    if (!fault || !route.route) return;
    const config: Record<string, unknown> = { '@type': FAULT_TYPE };
    if (fault.delay) config.delay = { fixed_delay: duration(fault.delay.fixedDelayMs), percentage: fraction(fault.delay.percent) };
    if (fault.abort) {
      config.abort = {
        ...(fault.abort.httpStatus !== undefined ? { http_status: fault.abort.httpStatus } : { grpc_status: fault.abort.grpcStatus }),
        percentage: fraction(fault.abort.percent),
      };
    }
    setPerFilterConfig(route, FAULT_NAME, config);
  },

  resources: () => ({ clusters: [] }),
};
