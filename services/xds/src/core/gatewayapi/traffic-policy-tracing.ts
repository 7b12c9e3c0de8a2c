// BackendTrafficPolicy telemetry.tracing -> the route's Envoy `tracing` (RouteIR.tracing), as Envoy
// Gateway v1.9 builds it: samplingFraction, clientSamplingFraction and overallSamplingFraction become
// the route's random, client and overall sampling (overriding the HCM's, which the Gateway's EnvoyProxy
// telemetry.tracing sets), customTags and tags its custom_tags (tags win over customTags of the same
// name). Envoy Gateway accepts it whether or not the Gateway traces; without an HCM tracer Envoy
// ignores it. spanName is refused by the field table (the vendored route Tracing has no operation).
import type { RouteTracingIR, TracingFractionIR, TracingTagIR } from '../ir/types.js';
import type { PolicyValues } from './policy-values.js';

interface Fraction {
  numerator?: number;
  denominator?: number;
}

type CustomTagSpec = { type?: string; literal?: { value?: string }; environment?: { name?: string; defaultValue?: string }; requestHeader?: { name?: string; defaultValue?: string } };

export interface TracingSpec {
  samplingFraction?: Fraction;
  clientSamplingFraction?: Fraction;
  overallSamplingFraction?: Fraction;
  customTags?: Record<string, CustomTagSpec>;
  tags?: Record<string, string>;
}

/** numerator/denominator as Envoy's FractionalPercent, in the smallest denominator that holds it exactly (else per million, rounded). */
function fractionalPercent(fraction: Fraction, path: string, values: PolicyValues): TracingFractionIR | undefined {
  const numerator = fraction.numerator ?? 0;
  const denominator = fraction.denominator ?? 100;
  if (denominator < 1 || numerator < 0 || numerator > denominator) {
    values.problems.push(`${path}: numerator must be less than or equal to denominator (and denominator at least 1)`);
    return undefined;
  }
  for (const [scale, name] of [[100, 'HUNDRED'], [10_000, 'TEN_THOUSAND']] as const) {
    const scaled = (numerator * scale) / denominator;
    if (Number.isInteger(scaled)) return { numerator: scaled, denominator: name };
  }
  return { numerator: Math.round((numerator * 1_000_000) / denominator), denominator: 'MILLION' };
}

/** tags values: %ENVIRONMENT(NAME[:default])% and %REQ(header[:default])% become those tag kinds, anything else a literal (as for EnvoyProxy tags). */
function tagFromValue(tag: string, value: string): TracingTagIR {
  const env = /^%ENVIRONMENT\(([^):]+)(?::([^)]*))?\)%$/.exec(value);
  if (env) return { tag, environment: { name: env[1]!, ...(env[2] !== undefined ? { defaultValue: env[2] } : {}) } };
  const req = /^%REQ\(([^):]+)(?::([^)]*))?\)%$/.exec(value);
  if (req) return { tag, requestHeader: { name: req[1]!, ...(req[2] !== undefined ? { defaultValue: req[2] } : {}) } };
  return { tag, literal: value };
}

function named(value: { name?: string; defaultValue?: string } | undefined): { name: string; defaultValue?: string } {
  return { name: value?.name ?? '', ...(value?.defaultValue !== undefined ? { defaultValue: value.defaultValue } : {}) };
}

export function translateRouteTracing(spec: TracingSpec | undefined, values: PolicyValues): RouteTracingIR | undefined {
  if (!spec) return undefined;
  const where = 'spec.telemetry.tracing';
  const ir: RouteTracingIR = { tags: [] };
  for (const [field, key] of [['samplingFraction', 'randomSampling'], ['clientSamplingFraction', 'clientSampling'], ['overallSamplingFraction', 'overallSampling']] as const) {
    const fraction = spec[field];
    if (!fraction) continue;
    const percent = fractionalPercent(fraction, `${where}.${field}`, values);
    if (percent) ir[key] = percent;
  }
  const tags = new Map<string, TracingTagIR>();
  for (const [tag, custom] of Object.entries(spec.customTags ?? {})) {
    const type = custom.type ?? 'Literal';
    const problem = (field: string) => values.problems.push(`${where}.customTags.${tag}: ${field} is required when type is ${type}`);
    if (type === 'Literal') {
      if (custom.literal?.value === undefined || custom.literal.value === '') problem('literal.value');
      else tags.set(tag, { tag, literal: custom.literal.value });
    } else if (type === 'Environment') {
      if (!custom.environment?.name) problem('environment.name');
      else tags.set(tag, { tag, environment: named(custom.environment) });
    } else if (type === 'RequestHeader') {
      if (!custom.requestHeader?.name) problem('requestHeader.name');
      else tags.set(tag, { tag, requestHeader: named(custom.requestHeader) });
    } else values.problems.push(`${where}.customTags.${tag}.type: unknown type ${type}`);
  }
  // Same keys: tags take precedence over customTags.
  for (const [tag, value] of Object.entries(spec.tags ?? {})) {
    if (value === '') values.problems.push(`${where}.tags.${tag}: a tag needs a value`);
    else tags.set(tag, tagFromValue(tag, value));
  }
  ir.tags = [...tags.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return ir;
}
