// EnvoyProxy `bootstrap` on the bootstrap `gatehouse bootstrap` generates, as Envoy Gateway applies it:
// Replace takes the given bootstrap as it is, Merge merges it into the generated one (objects field by
// field, lists appended, values replaced: protobuf's merge), JSONPatch applies RFC 6902 operations. The
// result must be a bootstrap Envoy accepts (@gatehouse/envoy-check), and, as Envoy Gateway insists, keep
// what ties the Envoy to its control plane: node, dynamic_resources and the gatehouse-xds cluster (with its
// mutual TLS) stay as generated, so an EnvoyProxy can never point an Envoy at another xds or drop its TLS.
import { checkEnvoyResource } from '@gatehouse/envoy-check';
import type { CustomBootstrapIR } from '../gatewayapi/envoy-proxy-start.js';
import { applyOperation, JsonPatchError, type JsonPatchOperation, type JsonValue } from './envoy-patch/json-patch.js';

const XDS_CLUSTER = 'gatehouse-xds';

export type CustomizedBootstrap = { ok: true; bootstrap: Record<string, unknown> } | { ok: false; problems: string[] };

export function customizeBootstrap(generated: Record<string, unknown>, custom: CustomBootstrapIR): CustomizedBootstrap {
  let result: JsonValue;
  try {
    if (custom.type === 'JSONPatch') result = custom.jsonPatches.reduce<JsonValue>((doc, op) => applyOperation(doc, op as JsonPatchOperation), structuredClone(generated) as JsonValue);
    else if (custom.type === 'Replace') result = structuredClone(custom.value) as JsonValue;
    else result = merge(generated as JsonValue, custom.value as JsonValue);
  } catch (err) {
    if (err instanceof JsonPatchError) return { ok: false, problems: [`spec.bootstrap.jsonPatches: ${err.message}`] };
    throw err;
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { ok: false, problems: ['spec.bootstrap: the result is not an object'] };
  const bootstrap = result as Record<string, unknown>;
  const problems = [...kept(generated, bootstrap), ...checkEnvoyResource('envoy.config.bootstrap.v3.Bootstrap', bootstrap).map((p) => `spec.bootstrap: Envoy would refuse the result: ${p.path}: ${p.message}`)];
  return problems.length > 0 ? { ok: false, problems } : { ok: true, bootstrap };
}

/** What the result may not change: Gatehouse's tie to the Envoy's control plane. */
function kept(generated: Record<string, unknown>, result: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of ['node', 'dynamic_resources'] as const) {
    if (!same(generated[field], result[field])) problems.push(`spec.bootstrap: ${field} must stay as gatehouse bootstrap writes it (it ties the Envoy to xds)`);
  }
  const xds = (doc: Record<string, unknown>) => ((doc.static_resources as { clusters?: Array<{ name?: unknown }> } | undefined)?.clusters ?? []).find((c) => c.name === XDS_CLUSTER);
  if (!same(xds(generated), xds(result))) problems.push(`spec.bootstrap: the ${XDS_CLUSTER} cluster (xds's address and mutual TLS) must stay as gatehouse bootstrap writes it`);
  return problems;
}

function merge(base: JsonValue, patch: JsonValue): JsonValue {
  if (Array.isArray(base) && Array.isArray(patch)) return [...structuredClone(base), ...structuredClone(patch)];
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, JsonValue> = structuredClone(base);
    for (const [key, value] of Object.entries(patch)) out[key] = key in out ? merge(out[key]!, value) : structuredClone(value);
    return out;
  }
  return structuredClone(patch);
}

function isObject(value: JsonValue): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
