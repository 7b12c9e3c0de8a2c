// The enforced policy set: last good per policy within each source, files over the publication.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicies } from './load-policies.js';
import { PolicySources } from './policy-sources.js';
import { validateSecurityPolicyDocument } from './policy/validate-resource.js';

// Compiling the SecurityPolicy CRD schema once takes seconds; pay for it outside the tests.
beforeAll(() => void validateSecurityPolicyDocument({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy' }), 60_000);

const keysPolicy = (name: string, secret: string, extra = '') => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: ${name}, namespace: ns }
spec:
  apiKeyAuth:
    credentialRefs: [{ name: ${secret} }]
    extractFrom: [{ headers: [x-api-key] }]${extra}
`;
const secret = (name: string, client: string) => `apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: ns }
stringData: { ${client}: ${client}-0123456789abcdef }
`;
const load = (files: Record<string, string>) => loadPolicies(Object.entries(files).map(([file, text]) => ({ file, text })), 'test');
const clients = (set: { policies: ReadonlyMap<string, { apiKey?: { keys: readonly { clientId: string }[] } }> }, key: string) => set.policies.get(key)?.apiKey?.keys.map((k) => k.clientId);

describe('PolicySources', () => {
  it('keeps serving the last good version of a policy that turns invalid, and updates the others', () => {
    const sources = new PolicySources();
    sources.update('files', load({ 'a.yaml': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'alice'), 'b.yaml': keysPolicy('b', 'sb') + '---\n' + secret('sb', 'bob') }), 'v1');
    const { result, policySet } = sources.update(
      'files',
      load({ 'a.yaml': keysPolicy('a', 'sa', '\n    failOpen: true') + '---\n' + secret('sa', 'alice'), 'b.yaml': keysPolicy('b', 'sb') + '---\n' + secret('sb', 'carol') }),
      'v2',
    );
    expect(clients(policySet, 'ns/a')).toEqual(['alice']);
    expect(clients(policySet, 'ns/b')).toEqual(['carol']);
    expect(result.stale).toEqual([expect.objectContaining({ key: 'ns/a', file: 'a.yaml', generation: 2, servingGeneration: 1 })]);
    expect(result.stale[0]!.issues).toEqual([expect.objectContaining({ file: 'a.yaml', line: 8, path: '/spec/apiKeyAuth/failOpen' })]);
  });

  it('serves the new version the moment it is valid again', () => {
    const sources = new PolicySources();
    sources.update('files', load({ 'a.yaml': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'alice') }), 'v1');
    sources.update('files', load({ 'a.yaml': keysPolicy('a', 'gone') + '---\n' + secret('sa', 'alice') }), 'v2');
    const { result, policySet } = sources.update('files', load({ 'a.yaml': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'dave') }), 'v3');
    expect(clients(policySet, 'ns/a')).toEqual(['dave']);
    expect(result.stale).toEqual([]);
  });

  it('never serves a policy that was never valid, and deletes a deleted one', () => {
    const sources = new PolicySources();
    sources.update('files', load({ 'a.yaml': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'alice') }), 'v1');
    const { result, policySet } = sources.update('files', load({ 'new.yaml': keysPolicy('new', 'missing') }), 'v2');
    expect([...policySet.policies.keys()]).toEqual([]);
    expect(result.refused).toEqual([expect.objectContaining({ key: 'ns/new', file: 'new.yaml' })]);
  });

  it('keeps the policies of a file that no longer parses', () => {
    const sources = new PolicySources();
    sources.update('files', load({ 'a.yaml': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'alice') }), 'v1');
    const { result, policySet } = sources.update('files', load({ 'a.yaml': 'kind: SecurityPolicy\nspec: [\n' }), 'v2');
    expect(clients(policySet, 'ns/a')).toEqual(['alice']);
    expect(result.stale[0]).toMatchObject({ key: 'ns/a', issues: [expect.objectContaining({ code: 'GH_CONFIG_YAML_SYNTAX', file: 'a.yaml' })] });
  });

  it('enforces the union of both sources, a file winning over a published policy of the same name', () => {
    const sources = new PolicySources();
    sources.update('redis', load({ 'redis:ns/a': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'published'), 'redis:ns/p': keysPolicy('p', 'sp') + '---\n' + secret('sp', 'pat') }), 'r1');
    const { policySet } = sources.update('files', load({ 'a.yaml': keysPolicy('a', 'sa') + '---\n' + secret('sa', 'local') }), 'f1');
    expect(clients(policySet, 'ns/a')).toEqual(['local']);
    expect(clients(policySet, 'ns/p')).toEqual(['pat']);
    // Removing the file's version lets the published one through again.
    expect(clients(sources.update('files', load({}), 'f2').policySet, 'ns/a')).toEqual(['published']);
  });
});
