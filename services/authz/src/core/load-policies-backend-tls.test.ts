// loadPolicies with a BackendTLSPolicy in the config folder: a remoteJWKS Backend it targets is fetched
// with its SNI, SANs and CA (from a ConfigMap or Secret there), as xds publishes them; one authz cannot
// apply refuses the SecurityPolicies fetching through that Backend, naming the BackendTLSPolicy's file.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatConfigIssue, loadPolicies } from './load-policies.js';
import { validateSecurityPolicyDocument } from './policy/validate-resource.js';

beforeAll(() => void validateSecurityPolicyDocument({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy' }), 60_000);

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const policy = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: jwt, namespace: shop }
spec:
  jwt:
    providers:
      - name: corp
        issuer: https://idp.example.com
        remoteJWKS:
          uri: https://idp.example.com/jwks.json
          backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: idp }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: idp, namespace: shop }
spec:
  endpoints: [{ ip: { address: 10.0.0.7, port: 8443 } }]
`;
const tlsPolicy = (validation: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: idp-tls, namespace: shop }
spec:
  targetRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: idp${extra} }]
  validation: ${validation}
`;
const caConfigMap = `apiVersion: v1
kind: ConfigMap
metadata: { name: internal-ca, namespace: shop }
data:
  ca.crt: |
${PEM.trim().split('\n').map((l) => `    ${l}`).join('\n')}
`;

const jwks = (files: Array<{ file: string; text: string }>) => {
  const result = loadPolicies(files, 'v1', { partial: true });
  const provider = result.policySet?.policies.get('shop/jwt')?.jwt?.providers[0];
  return { result, jwks: provider?.jwks };
};

describe('loadPolicies with a BackendTLSPolicy in the config folder', () => {
  it("fetches through the Backend with the policy's SNI, SANs and CA from a ConfigMap", () => {
    const { result, jwks: source } = jwks([
      { file: 'policy.yaml', text: policy },
      { file: 'tls.yaml', text: `${tlsPolicy('{ hostname: idp.internal, subjectAltNames: [{ type: URI, uri: "spiffe://example.com/idp" }], caCertificateRefs: [{ group: "", kind: ConfigMap, name: internal-ca }] }')}---\n${caConfigMap}` },
    ]);
    expect(result.issues).toEqual([]);
    expect(source).toMatchObject({ backends: [{ host: '10.0.0.7', port: 8443, tls: { sni: 'idp.internal', subjectAltNames: [{ type: 'URI', value: 'spiffe://example.com/idp' }], ca: PEM } }] });
  });
  it('takes the hostname as the SAN when none is listed, and the system roots for wellKnownCACertificates: System', () => {
    const { result, jwks: source } = jwks([{ file: 'all.yaml', text: `${policy}---\n${tlsPolicy('{ hostname: idp.internal, wellKnownCACertificates: System }')}` }]);
    expect(result.issues).toEqual([]);
    expect(source).toMatchObject({ backends: [{ tls: { sni: 'idp.internal', subjectAltNames: [{ type: 'DNS', value: 'idp.internal' }] } }] });
    expect(source?.kind === 'remote' && source.backends?.[0]?.tls).not.toHaveProperty('ca');
  });
  it('refuses the SecurityPolicy, naming the BackendTLSPolicy and its file, when the policy cannot be applied', () => {
    for (const [validation, extra, why] of [
      ['{ hostname: idp.internal, caCertificateRefs: [{ group: "", kind: ConfigMap, name: missing-ca }] }', '', 'ConfigMap shop/missing-ca'],
      ['{ caCertificateRefs: [{ group: "", kind: ConfigMap, name: internal-ca }] }', '', 'validation.hostname is required'],
      ['{ hostname: idp.internal, wellKnownCACertificates: System }', ', sectionName: https', 'sectionName https is not supported'],
    ] as const) {
      const { result, jwks: source } = jwks([{ file: 'policy.yaml', text: policy }, { file: 'tls.yaml', text: `${tlsPolicy(validation, extra)}---\n${caConfigMap}` }]);
      expect(source).toBeUndefined();
      const line = result.issues.map(formatConfigIssue).find((l) => l.includes('/spec/jwt/providers/0/remoteJWKS/backendRefs/0'));
      expect(line).toContain('BackendTLSPolicy shop/idp-tls (tls.yaml)');
      expect(line).toContain(why);
    }
  });
});
