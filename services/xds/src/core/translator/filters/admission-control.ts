// BackendTrafficPolicy admissionControl: one admission_control filter per policy, named
// envoy.filters.http.admission_control/backendtrafficpolicy/<ns>/<name>, disabled in the HCM with
// the policy's settings. The filter has no per-route settings, so a route of the policy enables it
// with an optional FilterConfig (Envoy then runs it with the HCM entry's settings).
import type { AdmissionControlIR } from '../../ir/types.js';
import { duration, type EnvoyObject } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const ADMISSION_CONTROL_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.admission_control.v3.AdmissionControl';
const FILTER_CONFIG_TYPE = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

export function admissionControlFilterName(policy: string): string {
  return `envoy.filters.http.admission_control/backendtrafficpolicy/${policy}`;
}

export const admissionControlFilter: HttpFilterTranslator = {
  name: 'envoy.filters.http.admission_control/backendtrafficpolicy',
  buildFilter(chain) {
    const byPolicy = new Map<string, AdmissionControlIR>();
    for (const route of chainRoutes(chain)) if (route.admissionControl && !byPolicy.has(route.admissionControl.policy)) byPolicy.set(route.admissionControl.policy, route.admissionControl);
    if (byPolicy.size === 0) return undefined;
    return [...byPolicy.keys()].sort().map((policy) => ({ name: admissionControlFilterName(policy), disabled: true, typed_config: admissionControl(byPolicy.get(policy)!) }));
  },
  patchRoute(route, ir) {
    if (!ir?.admissionControl || !route.route) return;
    // is_optional: Envoy ignores the config (the filter takes none per route) and enables the filter.
    setPerFilterConfig(route, admissionControlFilterName(ir.admissionControl.policy), {
      '@type': FILTER_CONFIG_TYPE,
      config: { '@type': ADMISSION_CONTROL_TYPE, success_criteria: {} },
      is_optional: true,
    });
  },
  resources: () => ({ clusters: [] }),
};

/** Envoy's Int32Range is half-open: consecutive statuses make one range. */
function statusRanges(statuses: readonly number[]): EnvoyObject[] {
  const ranges: Array<{ start: number; end: number }> = [];
  for (const status of statuses) {
    const last = ranges.at(-1);
    if (last && last.end === status) last.end++;
    else ranges.push({ start: status, end: status + 1 });
  }
  return ranges;
}

function admissionControl(ir: AdmissionControlIR): EnvoyObject {
  const key = (name: string) => `admission_control.${name}`;
  return {
    '@type': ADMISSION_CONTROL_TYPE,
    enabled: { default_value: true, runtime_key: key('enabled') },
    success_criteria: {
      ...(ir.httpSuccessStatuses.length > 0 ? { http_criteria: { http_success_status: statusRanges(ir.httpSuccessStatuses) } } : {}),
      ...(ir.grpcSuccessStatuses.length > 0 ? { grpc_criteria: { grpc_success_status: ir.grpcSuccessStatuses } } : {}),
    },
    sampling_window: duration(ir.samplingWindowMs),
    aggression: { default_value: ir.aggression, runtime_key: key('aggression') },
    sr_threshold: { default_value: { value: ir.minSuccessRatePercent }, runtime_key: key('sr_threshold') },
    rps_threshold: { default_value: ir.minRequestRate, runtime_key: key('rps_threshold') },
    max_rejection_probability: { default_value: { value: ir.maxRejectionPercent }, runtime_key: key('max_rejection_probability') },
  };
}
