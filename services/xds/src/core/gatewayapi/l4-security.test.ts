// SecurityPolicy on TCP chains: which fields a TCPRoute target refuses, what a Gateway policy's HTTP
// rules become on a connection, and which policy a chain takes (the most specific one with an authorization).
import { describe, expect, it } from 'vitest';
import type { GatewayResource } from '../provider/resource-types.js';
import { chainAuthorization, DENY_ALL, tcpAuthorization, tcpRouteProblems } from './l4-security.js';
import { PolicyAttachments } from './policies.js';
import { ResourceIndex } from './resource-index.js';
import type { SecurityClaim } from './security-merge.js';

function policy(name: string, spec: Record<string, unknown>): GatewayResource {
  return { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name, namespace: 'default' }, spec };
}

const cidrRule = (action: string, ...cidrs: string[]) => ({ action, principal: { clientCIDRs: cidrs } });

describe('tcpRouteProblems', () => {
  it('accepts authorization on client CIDRs, and a policy without one', () => {
    expect(tcpRouteProblems({ authorization: { rules: [cidrRule('Allow', '10.0.0.0/8')] } })).toEqual([]);
    expect(tcpRouteProblems({})).toEqual([]);
  });

  it('names every HTTP section and every rule condition a connection does not carry', () => {
    const problems = tcpRouteProblems({
      jwt: { providers: [] },
      extAuth: {},
      authorization: { rules: [{ action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'], jwt: {} } }, { action: 'Deny', operation: { methods: ['GET'] }, principal: { clientIPGeoLocations: [{ country: 'US' }] } }] },
    });
    expect(problems).toEqual([
      'invalid SecurityPolicy for TCP route: only authorization is supported for TCP (routes/listeners): spec.jwt, spec.extAuth',
      'invalid SecurityPolicy for TCP route: rule 0: JWT not supported for TCP (spec.authorization.rules[0].principal.jwt)',
      'invalid SecurityPolicy for TCP route: rule 1: operation not supported for TCP (spec.authorization.rules[1].operation)',
      'invalid SecurityPolicy for TCP route: rule 1: clientIPGeoLocations not supported for TCP (spec.authorization.rules[1].principal.clientIPGeoLocations)',
    ]);
  });
});

describe('tcpAuthorization', () => {
  it('keeps CIDR rules in order, names unnamed ones after the policy, and defaults to Deny', () => {
    expect(tcpAuthorization(policy('p', { authorization: { rules: [cidrRule('Deny', '10.9.0.0/16'), { name: 'v6', ...cidrRule('Allow', '2001:db8::/32') }] } }))).toEqual({
      defaultAction: 'Deny',
      rules: [
        { name: 'securitypolicy/default/p/authorization/rule/0', action: 'Deny', cidrs: [{ prefix: '10.9.0.0', length: 16 }] },
        { name: 'v6', action: 'Allow', cidrs: [{ prefix: '2001:db8::', length: 32 }] },
      ],
    });
    expect(tcpAuthorization(policy('p', { cors: {} }))).toBeUndefined();
  });

  it('never opens a connection with a rule it cannot evaluate: request conditions never match, a location Deny matches on its CIDRs', () => {
    const rbac = tcpAuthorization(
      policy('p', {
        authorization: {
          defaultAction: 'Allow',
          rules: [
            { action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'], headers: [{ name: 'x', values: ['y'] }] } },
            { action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'US' }] } },
            { action: 'Deny', principal: { clientIPGeoLocations: [{ country: 'XX' }] } },
            { action: 'Deny', principal: { clientIPGeoLocations: [{ country: 'YY' }], clientCIDRs: ['192.0.2.0/24'] } },
          ],
        },
      }),
    );
    expect(rbac?.rules.map((r) => [r.action, r.cidrs])).toEqual([
      ['Deny', [{ prefix: '0.0.0.0', length: 0 }, { prefix: '::', length: 0 }]],
      ['Deny', [{ prefix: '192.0.2.0', length: 24 }]],
    ]);
  });
});

describe('chainAuthorization', () => {
  const route = { kind: 'TCPRoute', namespace: 'default', name: 'db', ruleName: 'primary' };
  const index = new ResourceIndex([
    policy('gateway-wide', { authorization: { rules: [cidrRule('Allow', '172.16.0.0/12')] } }),
    policy('route-cors-only', {}),
    policy('rule-level', { authorization: { defaultAction: 'Allow', rules: [] } }),
  ]);
  const claims = (entries: Array<[string, string, boolean]>) => {
    const security = new PolicyAttachments<SecurityClaim>();
    for (const [target, name, valid] of entries) security.claim(target, `default/${name}`, { valid });
    return security;
  };

  it('takes the most specific policy with an authorization: a route policy without one leaves the Gateway policy in force', () => {
    const security = claims([
      ['gateway:default/edge', 'gateway-wide', true],
      ['route:TCPRoute/default/db', 'route-cors-only', true],
    ]);
    expect(chainAuthorization(security, index, route, 'default/edge', 'db')?.rules[0]?.cidrs).toEqual([{ prefix: '172.16.0.0', length: 12 }]);
    security.claim('rule:TCPRoute/default/db/primary', 'default/rule-level', { valid: true });
    expect(chainAuthorization(security, index, route, 'default/edge', 'db')).toEqual({ defaultAction: 'Allow', rules: [] });
  });

  it('denies every connection under a broken route policy, and under a broken Gateway policy that meant to authorize', () => {
    expect(chainAuthorization(claims([['route:TCPRoute/default/db', 'route-cors-only', false], ['gateway:default/edge', 'gateway-wide', true]]), index, route, 'default/edge', 'db')).toBe(DENY_ALL);
    expect(chainAuthorization(claims([['gateway:default/edge', 'gateway-wide', false]]), index, route, 'default/edge', 'db')).toBe(DENY_ALL);
    expect(chainAuthorization(claims([['gateway:default/edge', 'route-cors-only', false]]), index, route, 'default/edge', 'db')).toBeUndefined();
  });

  it('reaches a TLS route only through its listener or Gateway', () => {
    const security = claims([['listener:default/edge/passthrough', 'gateway-wide', true]]);
    expect(chainAuthorization(security, index, { kind: 'TLSRoute', namespace: 'default', name: 'api' }, 'default/edge', 'passthrough')?.rules).toHaveLength(1);
  });
});
