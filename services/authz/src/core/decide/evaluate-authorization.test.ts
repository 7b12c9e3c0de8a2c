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

describe('evaluateAuthorization with CEL rules', () => {
  const compileRules = (rules: object[]) =>
    compileSecurityPolicy(
      {
        kind: 'SecurityPolicy',
        metadata: { name: 'c', namespace: 'ns' },
        spec: { jwt: { providers: [{ name: 'idp', issuer: 'https://idp.example', audiences: ['api'], localJWKS: { type: 'Inline', inline: jwks } }] }, authorization: { defaultAction: 'Deny', rules } },
      },
      { lookup: () => undefined },
    );
  const cel = compileRules([
    { name: 'tenant', action: 'Allow', cel: "request.headers['x-tenant'] == 'team-a'" },
    { name: 'admin-post', action: 'Allow', cel: "request.method == 'POST' && request.path.startsWith('/admin')" },
    { name: 'office-cel', action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'] }, cel: 'source.port == 4000 && !connection.mtls' },
    { name: 'jwt-claim', action: 'Allow', cel: "'ops' in metadata.filter_metadata['envoy.filters.http.jwt_authn']['https://idp.example'].groups" },
    { name: 'sni', action: 'Allow', cel: "connection.requested_server_name == 'api.example' && request.url_path == '/sni' && request.path == '/sni?x=1'" },
    { name: 'not-bool', action: 'Allow', cel: 'request.method' },
  ]).policy!.authorization!;

  it('matches on request attributes as Envoy names them', () => {
    expect(evaluateAuthorization(cel, request({ headers: { 'x-tenant': 'team-a' } }), undefined).rule).toBe('tenant');
    expect(evaluateAuthorization(cel, request({ method: 'POST', path: '/admin/users' }), undefined).rule).toBe('admin-post');
    expect(evaluateAuthorization(cel, request({ path: '/sni', query: 'x=1', sni: 'api.example' }), undefined).rule).toBe('sni');
  });
  it('ANDs the expression with the principal, and reads source and connection', () => {
    expect(evaluateAuthorization(cel, request({ clientIp: '10.1.1.1', clientPort: 4000 }), undefined).rule).toBe('office-cel');
    expect(evaluateAuthorization(cel, request({ clientIp: '10.1.1.1', clientPort: 4000, mtls: true }), undefined)).toEqual({ action: 'Deny' });
    expect(evaluateAuthorization(cel, request({ clientIp: '192.0.2.1', clientPort: 4000 }), undefined)).toEqual({ action: 'Deny' });
  });
  it('reads verified JWT claims where Envoy Gateway puts them (jwt_authn metadata by issuer)', () => {
    const jwt = { provider: 'idp', claims: { iss: 'https://idp.example', groups: ['dev', 'ops'] } };
    expect(evaluateAuthorization(cel, request({}), jwt).rule).toBe('jwt-claim');
    expect(evaluateAuthorization(cel, request({}), { ...jwt, claims: { ...jwt.claims, groups: ['dev'] } })).toEqual({ action: 'Deny' });
  });
  it('treats a missing attribute, an error and a non-boolean result as no match', () => {
    expect(evaluateAuthorization(cel, request({ headers: {} }), undefined)).toEqual({ action: 'Deny' });
    expect(evaluateAuthorization(cel, request({ method: 'POST', path: '/' }), undefined)).toEqual({ action: 'Deny' });
  });
  it('refuses an expression that does not compile, naming the rule', () => {
    const { issues } = compileRules([{ action: 'Allow', cel: "requets.path == '/'" }, { action: 'Allow', cel: "request.path ==" }, { action: 'Allow', cel: '1 + 2' }]);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      '/spec/authorization/rules/0/cel: CEL expression does not compile: Unknown variable: requets',
      '/spec/authorization/rules/1/cel: CEL expression does not compile: Unexpected token: EOF',
      '/spec/authorization/rules/2/cel: CEL expression does not compile: must be a boolean expression, not int',
    ]);
  });
});
