// The EnvoyExtensionPolicy field table is complete (every field of the authored v1.9 CRD has an entry,
// or sits under a refused one), a refused field in a policy makes it Accepted=False naming the field,
// and the xds README's EnvoyExtensionPolicy table is the table rendered (UPDATE_GOLDEN=1 rewrites it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCrdSchema } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { UPDATE_GOLDEN, UPDATE_HINT } from '../../../testing/golden-files.js';
import { loadResourcesFromFiles } from '../../provider/load-files.js';
import { DEFAULT_CONTROLLER_NAME, translateGatewayApi } from '../translate.js';
import { findRefusedFields, supportOf } from './refused-fields.js';
import { markedSection, renderFieldTable } from './render-table.js';
import { envoyExtensionPolicyFields } from './envoy-extension-policy.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', '..');
const readme = join(repoRoot, 'services', 'xds', 'README.md');

/** Dotted paths (no array indices) of every field under `spec` in a structural schema. */
function schemaFields(node: unknown, path: string, out: string[]): string[] {
  if (node === null || typeof node !== 'object') return out;
  const schema = node as { properties?: Record<string, unknown>; items?: unknown; oneOf?: unknown[]; anyOf?: unknown[]; allOf?: unknown[] };
  for (const [field, child] of Object.entries(schema.properties ?? {})) {
    out.push(`${path}.${field}`);
    schemaFields(child, `${path}.${field}`, out);
  }
  if (schema.items) schemaFields(schema.items, path, out);
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) schemaFields(branch, path, out);
  return out;
}

const crd = findCrdSchema('gateway.envoyproxy.io/v1alpha1', 'EnvoyExtensionPolicy');
const spec = (crd?.openAPIV3Schema as { properties: { spec: unknown } } | undefined)?.properties.spec;

describe('EnvoyExtensionPolicy field table', () => {
  it('has an entry for every field of the v1.9 CRD (its own, or a refused ancestor)', () => {
    expect(spec).toBeDefined();
    const fields = [...new Set(schemaFields(spec, 'spec', []))];
    expect(fields.length).toBeGreaterThan(90);
    expect(fields.filter((field) => supportOf(envoyExtensionPolicyFields, field) === undefined)).toEqual([]);
  });

  it('names only fields the CRD has', () => {
    const fields = new Set(schemaFields(spec, 'spec', []));
    expect(Object.keys(envoyExtensionPolicyFields).filter((field) => !fields.has(field))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    const missing = Object.entries(envoyExtensionPolicyFields).flatMap(([field, support]) =>
      support.status === 'translated' && !support.test.split(', ').every((test) => existsSync(join(repoRoot, test))) ? [`${field}: ${support.test}`] : [],
    );
    expect(missing).toEqual([]);
  });

  it('makes a policy using a refused field Accepted=False naming it, and its routes answer 500', () => {
    const text = [
      'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: gc }\nspec: { controllerName: gatehouse.dev/gateway-controller }',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: gw }\nspec: { gatewayClassName: gc, listeners: [{ name: http, protocol: HTTP, port: 8080 }] }',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r }\nspec: { parentRefs: [{ name: gw }], rules: [{ backendRefs: [{ name: app, port: 80 }] }] }',
      'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyExtensionPolicy\nmetadata: { name: p }\nspec:\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]\n  lua: [{ type: Inline, inline: "function envoy_on_request(h) end", filterContext: { a: 1 } }]',
    ].join('\n---\n');
    const { resources } = loadResourcesFromFiles([{ path: 'p.yaml', text }]);
    const result = translateGatewayApi(resources, DEFAULT_CONTROLLER_NAME);
    const status = result.statuses.get('EnvoyExtensionPolicy/default/p');
    const accepted = status && 'ancestors' in status ? status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted') : undefined;
    expect(accepted).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(accepted?.message).toContain('spec.lua[0].filterContext: ');
    const routes = result.gateways[0]!.ports[0]!.chains[0]!.virtualHosts.flatMap((vh) => vh.routes);
    expect(routes.map((r) => r.directResponse?.status)).toEqual([500]);
  });

  it('finds the outermost refused field present in a spec, under arrays too', () => {
    const found = findRefusedFields({ wasm: [{ code: { type: 'HTTP', http: { url: 'https://x/y.wasm' } } }, { code: { type: 'Image', image: { url: 'r/i:v1' } } }], dynamicModule: [{ name: 'm' }] }, envoyExtensionPolicyFields);
    expect(found.map((f) => f.split(':')[0])).toEqual(['spec.wasm[1].code.image', 'spec.dynamicModule']);
    expect(found[0]).toContain('needs an OCI registry the gateway can reach');
  });

  it('is the EnvoyExtensionPolicy table of the xds README', () => {
    const text = readFileSync(readme, 'utf8');
    const section = markedSection(text, 'envoy-extension-policy-fields');
    expect(section, 'README lacks the envoy-extension-policy-fields markers').toBeDefined();
    const rendered = renderFieldTable(envoyExtensionPolicyFields);
    if (UPDATE_GOLDEN && section && section.inside !== rendered) writeFileSync(readme, `${section.before}${rendered}${section.after}`);
    else expect(section?.inside, `the README's EnvoyExtensionPolicy table differs; ${UPDATE_HINT}`).toBe(rendered);
  });
});
