import { describe, expect, it } from 'vitest';
import { compileSecurityPolicy } from '../policy/compile.js';
import { evaluateAuthorization } from './evaluate-authorization.js';
import type { RequestView } from './request-view.js';

const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] });
const policy = compileSecurityPolicy(
  {
    kind: 'SecurityPolicy',
    metadata: { name: 'p', namespace: 'ns' },
    spec: {
      jwt: { providers: [{ name: 'idp', issuer: 'https://idp.example', audiences: ['api'], localJWKS: { type: 'Inline', inline: jwks } }] },
      authorization: {
        defaultAction: 'Deny',
        rules: [
          { name: 'block-admin-from-outside', action: 'Deny', principal: { clientCIDRs: ['0.0.0.0/0'] }, operation: { methods: ['GET', 'POST'], path: { type: 'PathPrefix', value: '/admin' } } },
          { name: 'office', action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'] } },
          { name: 'readers', action: 'Allow', principal: { jwt: { provider: 'idp', claims: [{ name: 'org.role', values: ['reader'] }], scopes: ['read'] } } },
          { name: 'groups', action: 'Allow', principal: { jwt: { provider: 'idp', claims: [{ name: 'groups', valueType: 'StringArray', values: ['ops'] }] } } },
          { name: 'canary', action: 'Allow', principal: { headers: [{ name: 'X-Canary', values: ['yes'] }] } },
        ],
      },
    },
  },
  { lookup: () => undefined },
).policy!.authorization!;

const request = (over: Partial<RequestView>): RequestView => ({
  method: 'GET', path: '/', query: '', host: 'h', scheme: 'https', headers: {}, clientIp: '192.0.2.1', ...over,
});

describe('evaluateAuthorization', () => {
  it('lets the first matching rule decide', () => {
    expect(evaluateAuthorization(policy, request({ path: '/admin/users', clientIp: '10.1.1.1' }), undefined)).toEqual({ action: 'Deny', rule: 'block-admin-from-outside' });
    expect(evaluateAuthorization(policy, request({ clientIp: '10.1.1.1' }), undefined)).toEqual({ action: 'Allow', rule: 'office' });
  });
  it('normalises the path so encodings and dot segments cannot bypass a rule', () => {
    for (const path of ['//admin', '/public/../admin', '/%61dmin', '/./admin/']) {
      expect(evaluateAuthorization(policy, request({ path, clientIp: '10.1.1.1' }), undefined).rule).toBe('block-admin-from-outside');
    }
    expect(evaluateAuthorization(policy, request({ path: '/administrator', clientIp: '10.1.1.1' }), undefined).rule).toBe('office');
  });
  it('matches nested claims, scopes and array claims of the named provider only', () => {
    const reader = { provider: 'idp', claims: { org: { role: 'reader' }, scope: 'read write' } };
    expect(evaluateAuthorization(policy, request({}), reader).rule).toBe('readers');
    expect(evaluateAuthorization(policy, request({}), { provider: 'idp', claims: { org: { role: 'reader' }, scope: 'write' } })).toEqual({ action: 'Deny' });
    expect(evaluateAuthorization(policy, request({}), { provider: 'other', claims: reader.claims })).toEqual({ action: 'Deny' });
    expect(evaluateAuthorization(policy, request({}), { provider: 'idp', claims: { groups: ['dev', 'ops'] } }).rule).toBe('groups');
    expect(evaluateAuthorization(policy, request({}), { provider: 'idp', claims: { groups: 'ops' } })).toEqual({ action: 'Deny' });
  });
  it('matches header principals and falls back to the default action', () => {
    expect(evaluateAuthorization(policy, request({ headers: { 'x-canary': 'yes' } }), undefined).rule).toBe('canary');
    expect(evaluateAuthorization(policy, request({ headers: { 'x-canary': 'no' } }), undefined)).toEqual({ action: 'Deny' });
  });
});
