// SecurityPolicy mergeType end to end through both services' own code: xds merges a route policy over
// its Gateway's and publishes the merged spec; authz's loader compiles it into one policy holding the
// route's JWT provider with the Gateway's authorization rules and htpasswd users, across namespaces
// too. A parent in another namespace cannot lend what is read in its namespace only (extAuth).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../../../authz/src/core/load-policies.js';
import { GOLDEN_OPTIONS } from '../golden-output.js';
import { loadResourcesFromFiles } from '../provider/load-files.js';
import { translateAll } from '../translate.js';
import { mergedPolicyName } from './security-merge.js';

const input = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'testdata', 'end-to-end', 'securitypolicy-merge-type.in.yaml'), 'utf8');

function translate(text: string) {
  const { resources } = loadResourcesFromFiles([{ path: 'merge.yaml', text }]);
  return translateAll(resources, GOLDEN_OPTIONS);
}

function compiledByAuthz(result: ReturnType<typeof translate>) {
  const extraData = new Map([...result.authzSecrets].map(([key, secret]) => [key, secret.data]));
  const files = result.authzPolicies.map((p) => ({ file: `${p.namespace}/${p.name}`, text: p.yaml }));
  const loaded = loadPolicies(files, 'test', { extraData, partial: true });
  expect(loaded.issues).toEqual([]);
  return loaded.policySet!.policies;
}

describe('SecurityPolicy mergeType reaches authz', () => {
  it("compiles the route's JWT provider with the Gateway's authorization rules and users under the merged key", () => {
    const policies = compiledByAuthz(translate(input));
    const merged = policies.get(mergedPolicyName('default/merged-route', 'default/gateway-auth'));
    expect(merged?.jwt?.providers.map((p) => p.name)).toEqual(['route-idp']);
    expect(merged?.authorization?.defaultAction).toBe('Deny');
    expect(merged?.authorization?.rules.map((r) => r.name)).toEqual(['office']);
    expect([...(merged?.basicAuth?.users.keys() ?? [])]).toEqual(['admin']);
    // The route policy's own key stays as written: no Gateway rules in it.
    expect(policies.get('default/merged-route')?.authorization).toBeUndefined();
  });

  it("reads the Gateway's htpasswd Secret from the Gateway policy's namespace when the route policy is in another", () => {
    const merged = compiledByAuthz(translate(input)).get(mergedPolicyName('team/orders-auth', 'default/gateway-auth'));
    expect(merged?.authorization?.rules.map((r) => r.name)).toEqual(['orders-office']);
    expect([...(merged?.basicAuth?.users.keys() ?? [])]).toEqual(['admin']);
  });

  it('refuses a merge across namespaces that would inherit an extAuth service of the parent namespace', () => {
    const withExtAuth = input.replace(
      '  cors:\n    allowOrigins: [https://app.example.com]\n',
      '  extAuth:\n    http:\n      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: app, port: 3000 }]\n',
    );
    const status = translate(withExtAuth).statuses.get('SecurityPolicy/team/orders-auth') as { ancestors: Array<{ conditions: Array<{ type: string; status: string; message: string }> }> };
    const accepted = status.ancestors[0]!.conditions.find((c) => c.type === 'Accepted');
    expect(accepted?.status).toBe('False');
    expect(accepted?.message).toContain('merged with default/gateway-auth: spec.extAuth of default/gateway-auth names objects of namespace default');
  });

  it("merges over the route's listener policy, the closest parent, and the Gateway's policy says Overridden for that route", () => {
    const withListenerPolicy = `${input}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: listener-auth
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: http }]
  authorization:
    defaultAction: Deny
    rules: [{ name: listener-office, action: Allow, principal: { clientCIDRs: [192.168.0.0/16] } }]
`;
    const result = translate(withListenerPolicy);
    const merged = compiledByAuthz(result).get(mergedPolicyName('default/merged-route', 'default/listener-auth'));
    expect(merged?.jwt?.providers.map((p) => p.name)).toEqual(['route-idp']);
    expect(merged?.authorization?.rules.map((r) => r.name)).toEqual(['listener-office']);
    expect(merged?.basicAuth).toBeUndefined();
    expect(conditionsOf(result, 'default/merged-route')).toContainEqual(['Merged', 'Merged with policy default/listener-auth']);
    expect(conditionsOf(result, 'default/listener-auth')).toContainEqual(['Merged', 'This policy is being merged by other securityPolicies for these routes: [default/merged, team/orders]']);
    expect(conditionsOf(result, 'default/gateway-auth')).toContainEqual(['Overridden', 'This policy is being overridden by other securityPolicies for these routes: [default/merged, default/plain, team/orders]']);
  });

  it("merges a route attached through a ListenerSet over the ListenerSet's policy", () => {
    const listenerSet = `${input.replace('      allowedRoutes: { namespaces: { from: All } }', '      allowedRoutes: { namespaces: { from: All } }\n  allowedListeners: { namespaces: { from: Same } }')}---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata:
  name: apps
spec:
  parentRef: { name: edge }
  listeners:
    - { name: http, protocol: HTTP, port: 8080, hostname: apps.example.com }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
spec:
  parentRefs: [{ kind: ListenerSet, name: apps, sectionName: http }]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: app }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: apps-auth
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: ListenerSet, name: apps }]
  authorization:
    defaultAction: Deny
    rules: [{ name: apps-office, action: Allow, principal: { clientCIDRs: [172.16.0.0/12] } }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: shop-jwt
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: shop }]
  mergeType: StrategicMerge
  jwt:
    providers: [{ name: shop-idp, issuer: https://idp.example.com, audiences: [shop], remoteJWKS: { uri: https://idp.example.com/jwks.json } }]
`;
    const result = translate(listenerSet);
    const key = mergedPolicyName('default/shop-jwt', 'default/apps-auth');
    const merged = compiledByAuthz(result).get(key);
    expect(merged?.jwt?.providers.map((p) => p.name)).toEqual(['shop-idp']);
    expect(merged?.authorization?.rules.map((r) => r.name)).toEqual(['apps-office']);
    expect(JSON.stringify([...result.snapshots.values()])).toContain(`"policy":"${key}"`);
    // Both report on the ListenerSet, the route policy on the listener its route attaches to.
    expect(ancestorsOf(result, 'default/shop-jwt')).toEqual([{ ref: 'ListenerSet/default/apps/http', conditions: ['Accepted', 'Merged with policy default/apps-auth'] }]);
    expect(ancestorsOf(result, 'default/apps-auth')).toEqual([{ ref: 'ListenerSet/default/apps/', conditions: ['Accepted', 'This policy is being merged by other securityPolicies for these routes: [default/shop]'] }]);
  });

  it('refuses mergeType on a policy that targets a Gateway, as the CRD does', () => {
    const onGateway = input.replace('  cors:\n    allowOrigins: [https://app.example.com]\n', '  mergeType: JSONMerge\n  cors:\n    allowOrigins: [https://app.example.com]\n');
    const status = translate(onGateway).statuses.get('SecurityPolicy/default/gateway-auth') as { ancestors: Array<{ conditions: Array<{ type: string; status: string; message: string }> }> };
    expect(status.ancestors[0]!.conditions[0]).toMatchObject({ type: 'Accepted', status: 'False', message: expect.stringContaining('mergeType can only be used with xRoute targets') });
  });
});


function conditionsOf(result: ReturnType<typeof translate>, policy: string): Array<[string, string]> {
  const status = result.statuses.get(`SecurityPolicy/${policy}`) as { ancestors: Array<{ conditions: Array<{ type: string; message: string }> }> };
  return status.ancestors.flatMap((a) => a.conditions.map((c): [string, string] => [c.type, c.message]));
}

function ancestorsOf(result: ReturnType<typeof translate>, policy: string): Array<{ ref: string; conditions: string[] }> {
  const status = result.statuses.get(`SecurityPolicy/${policy}`) as { ancestors: Array<{ ancestorRef: { kind: string; namespace: string; name: string; sectionName?: string }; conditions: Array<{ type: string; message: string }> }> };
  return status.ancestors.map((a) => ({
    ref: `${a.ancestorRef.kind}/${a.ancestorRef.namespace}/${a.ancestorRef.name}/${a.ancestorRef.sectionName ?? ''}`,
    conditions: a.conditions.map((c) => (c.type === 'Accepted' ? c.type : c.message)),
  }));
}
