// RouteIR.tracing -> the Envoy route's `tracing` (config.route.v3.Tracing): client, random and overall
// sampling as FractionalPercent and custom_tags, as Envoy Gateway builds it for a BackendTrafficPolicy's
// telemetry.tracing. Envoy applies it over the HTTP connection manager's tracing of the listener.
import type { RouteTracingIR, TracingTagIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';

function customTag(t: TracingTagIR): EnvoyObject {
  if (t.literal !== undefined) return { tag: t.tag, literal: { value: t.literal } };
  const source = t.environment ?? t.requestHeader!;
  const value = { name: source.name, ...(source.defaultValue !== undefined ? { default_value: source.defaultValue } : {}) };
  return t.environment ? { tag: t.tag, environment: value } : { tag: t.tag, request_header: value };
}

export function buildRouteTracing(ir: RouteTracingIR): EnvoyObject {
  return {
    ...(ir.clientSampling ? { client_sampling: { ...ir.clientSampling } } : {}),
    ...(ir.randomSampling ? { random_sampling: { ...ir.randomSampling } } : {}),
    ...(ir.overallSampling ? { overall_sampling: { ...ir.overallSampling } } : {}),
    ...(ir.tags.length > 0 ? { custom_tags: ir.tags.map(customTag) } : {}),
  };
}
