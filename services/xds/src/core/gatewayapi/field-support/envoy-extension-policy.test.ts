// The EnvoyExtensionPolicy field table is complete (every field of the authored v1.9 CRD has an entry,
// or sits under a refused one), a refused field in a policy makes it Accepted=False naming the field,
// and the xds README's EnvoyExtensionPolicy table is the table rendered (UPDATE_GOLDEN=1 rewrites it).
import { describe, expect, it } from 'vitest';
import { crdSpecFields, expectReadmeTable, missingTests } from '../../../testing/field-tables.js';
import { loadResourcesFromFiles } from '../../provider/load-files.js';
import { DEFAULT_CONTROLLER_NAME, translateGatewayApi } from '../translate.js';
import { findRefusedFields, supportOf } from './refused-fields.js';
import { envoyExtensionPolicyFields } from './envoy-extension-policy.js';

const fields = crdSpecFields('EnvoyExtensionPolicy');

describe('EnvoyExtensionPolicy field table', () => {
  it('has an entry for every field of the v1.9 CRD (its own, or a refused ancestor)', () => {
    expect(fields.length).toBeGreaterThan(90);
    expect(fields.filter((field) => supportOf(envoyExtensionPolicyFields, field) === undefined)).toEqual([]);
  });

  it('names only fields the CRD has', () => {
    expect(Object.keys(envoyExtensionPolicyFields).filter((field) => !fields.includes(field))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    expect(missingTests(envoyExtensionPolicyFields)).toEqual([]);
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
    expectReadmeTable('envoy-extension-policy-fields', 'EnvoyExtensionPolicy', envoyExtensionPolicyFields);
  });
});
