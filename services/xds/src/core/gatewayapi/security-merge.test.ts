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
});
