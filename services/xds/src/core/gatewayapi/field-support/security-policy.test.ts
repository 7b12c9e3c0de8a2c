// The SecurityPolicy field table is complete (every field of the v1.9 CRD has an entry, or sits under
// a refused one), a refused field in a policy makes it Accepted=False naming the field, and the xds
// README's SecurityPolicy table is the table rendered (UPDATE_GOLDEN=1 rewrites it).
import { describe, expect, it } from 'vitest';
import { crdSpecFields, expectReadmeTable } from '../../../testing/field-tables.js';
import { loadResourcesFromFiles } from '../../provider/load-files.js';
import { DEFAULT_CONTROLLER_NAME, translateGatewayApi } from '../translate.js';
import { findRefusedFields, supportOf } from './refused-fields.js';
import { securityPolicyFields } from './security-policy.js';

const fields = crdSpecFields('SecurityPolicy');

describe('SecurityPolicy field table', () => {
  it('has an entry for every field of the v1.9 CRD (its own, or a refused ancestor)', () => {
    expect(fields.length).toBeGreaterThan(100);
    expect(fields.filter((field) => supportOf(securityPolicyFields, field) === undefined)).toEqual([]);
  });

  it('names only fields the CRD has', () => {
    expect(Object.keys(securityPolicyFields).filter((field) => !fields.includes(field))).toEqual([]);
  });

  it('finds the outermost refused field present in a spec, under arrays too', () => {
    const found = findRefusedFields({ extAuth: { http: { backendSettings: { retry: {} } } }, jwt: { providers: [{ name: 'a', remoteJWKS: { uri: 'https://i/j', backendSettings: { circuitBreaker: {} } } }] }, cors: {} }, securityPolicyFields);
    expect(found.map((f) => f.split(':')[0])).toEqual(['spec.extAuth.http.backendSettings.retry', 'spec.jwt.providers[0].remoteJWKS.backendSettings.circuitBreaker']);
  });

  it('makes a SecurityPolicy using every refused top-level field Accepted=False, naming each', () => {
    const refused = Object.entries(securityPolicyFields).filter(([field, support]) => support.status === 'refused' && field.split('.').length === 2);
    // None today (every refused field sits deeper); the check stays for the next one.
    for (const [field] of refused) {
      const name = field.split('.')[1]!;
      const value = name === 'targetSelectors' ? [{ kind: 'HTTPRoute', matchLabels: { app: 'x' } }] : { additionalOrigins: ['https://example.com'] };
      const text = [
        'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: gc }\nspec: { controllerName: gatehouse.dev/gateway-controller }',
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: gw }\nspec: { gatewayClassName: gc, listeners: [{ name: http, protocol: HTTP, port: 8080 }] }',
        // The CRD allows mergeType only on a route target.
        'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r }\nspec: { parentRefs: [{ name: gw }], rules: [{ backendRefs: [{ name: s, port: 80 }] }] }',
        `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: { name: p }\nspec:\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: ${name === 'mergeType' ? 'HTTPRoute, name: r' : 'Gateway, name: gw'} }]\n  ${name}: ${JSON.stringify(value)}`,
      ].join('\n---\n');
      const { resources } = loadResourcesFromFiles([{ path: 'p.yaml', text }]);
      const status = translateGatewayApi(resources, DEFAULT_CONTROLLER_NAME).statuses.get('SecurityPolicy/default/p');
      const accepted = status && 'ancestors' in status ? status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted') : undefined;
      expect(accepted?.status, field).toBe('False');
      expect(accepted?.message, field).toContain(`${field}: `);
    }
  });

  it('is the SecurityPolicy table of the xds README', () => {
    expectReadmeTable('security-policy-fields', 'SecurityPolicy', securityPolicyFields);
  });
});
