import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatConfigIssue, loadPolicies } from './load-policies.js';
import { validateSecurityPolicyDocument } from './policy/validate-resource.js';

const testdata = (name: string) => ({ file: name, text: readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8') });

// Compiling the SecurityPolicy CRD schema once takes seconds; pay for it outside the tests.
beforeAll(() => void validateSecurityPolicyDocument({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy' }), 60_000);

describe('loadPolicies', () => {
  it('compiles policies with secrets from the same files, and collects identity headers', () => {
    const { policySet, issues } = loadPolicies([testdata('policies-valid.yaml')], 'v1');
    expect(issues).toEqual([]);
    expect([...policySet!.policies.keys()].sort()).toEqual(['shop/api-jwt', 'shop/partners']);
    expect(policySet!.policies.get('shop/partners')!.apiKey!.keys.map((k) => k.clientId)).toEqual(['acme']);
    expect([...policySet!.identityHeaders]).toEqual(expect.arrayContaining(['x-user-id', 'x-partner']));
  });
  it('names the file, line, resource, path and code of every problem, and refuses only the broken policy', () => {
    const { policySet, issues, candidates } = loadPolicies([testdata('policies-valid.yaml'), testdata('policies-invalid.yaml')], 'v2');
    // All or nothing for a one-shot load (validation); the service takes the candidates one by one.
    expect(policySet).toBeUndefined();
    expect(candidates.map((c) => [c.key, c.value !== undefined])).toEqual([['shop/api-jwt', true], ['shop/partners', true], ['shop/bad', false]]);
    const lines = issues.map(formatConfigIssue);
    expect(lines).toContain('policies-invalid.yaml:19: SecurityPolicy shop/bad: /spec/jwt/providers/0/remoteJWKS/backendSettings/circuitBreaker: GH_AUTHZ_CONFIG_UNSUPPORTED_FIELD: is not supported by the Gatehouse authz service');
    expect(lines).toContain('policies-invalid.yaml:18: SecurityPolicy shop/bad: /spec/jwt/providers/0/remoteJWKS/uri: GH_AUTHZ_CONFIG_INVALID: must be an https URL (http only for loopback hosts)');
    expect(lines.some((l) => l.includes('/spec/basicAuth/users') && l.includes('GH_AUTHZ_CONFIG_MISSING_SECRET'))).toBe(true);
  });
  it('reports YAML syntax errors with their line, as a file no policy can be read from', () => {
    const { issues, unreadable, candidates } = loadPolicies([{ file: 'broken.yaml', text: 'kind: SecurityPolicy\nspec: [\n' }], 'v3');
    expect(candidates).toEqual([]);
    expect(unreadable).toEqual(issues);
    expect(issues[0]).toMatchObject({ file: 'broken.yaml', code: 'GH_CONFIG_YAML_SYNTAX', line: expect.any(Number) });
  });
  it('refuses a policy defined twice (neither version is taken) and names both files', () => {
    const text = readFileSync(join(import.meta.dirname, 'testdata', 'policies-valid.yaml'), 'utf8');
    const { candidates, issues } = loadPolicies([{ file: 'a.yaml', text }, { file: 'b.yaml', text }], 'v6');
    expect(candidates.map((c) => [c.key, c.value !== undefined])).toEqual([['shop/api-jwt', false], ['shop/partners', false]]);
    expect(issues.filter((i) => i.code === 'GH_AUTHZ_CONFIG_DUPLICATE').map(formatConfigIssue)).toContain('b.yaml:4: SecurityPolicy shop/api-jwt: /metadata/name: GH_AUTHZ_CONFIG_DUPLICATE: is defined twice (also in a.yaml)');
  });
  it('reports a SecurityPolicy without a name as unreadable: no policy can be told apart in it', () => {
    const { candidates, unreadable } = loadPolicies([{ file: 'anon.yaml', text: 'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: { namespace: ns }\nspec: {}\n' }], 'v7');
    expect(candidates).toEqual([]);
    expect(unreadable).toEqual([expect.objectContaining({ file: 'anon.yaml', line: 3, path: '/metadata/name', code: 'GH_AUTHZ_CONFIG_INVALID' })]);
  });
  it('rejects policies that would accept any token: no issuer, symmetric keys (no audiences is Envoy Gateway\'s "check no aud")', () => {
    const text = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: loose, namespace: ns }
spec:
  jwt:
    providers:
      - name: p
        localJWKS:
          type: Inline
          inline: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}'
`;
    const paths = loadPolicies([{ file: 'loose.yaml', text }], 'v4').issues.map((i) => i.path);
    expect(paths).not.toContain('/spec/targetRefs');
    expect(paths).toEqual(expect.arrayContaining(['/spec/jwt/providers/0/issuer', '/spec/jwt/providers/0/localJWKS/keys/0']));
    expect(paths).not.toContain('/spec/jwt/providers/0/audiences');
  });
});

describe('schema validation', () => {
  it('rejects what the SecurityPolicy CRD rejects, naming the path', () => {
    const text = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: typo, namespace: ns }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  authorization:
    defaultAction: Maybe
  jwtt: {}
`;
    const issues = loadPolicies([{ file: 'typo.yaml', text }], 'v5').issues;
    expect(issues.every((i) => i.code === 'GH_AUTHZ_CONFIG_SCHEMA')).toBe(true);
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/spec/authorization/defaultAction']));
    expect(issues.find((i) => i.path === '/spec/authorization/defaultAction')?.line).toBe(7);
  });
});
