// (An integration-project test only for its run time: it is pure CPU.)
// Deterministic fuzzing of the config reader: mutated cert-manager YAML must never throw; every
// problem comes back as an issue naming the file, and whatever is accepted is well-formed.
import { formatConfigIssue, parseYamlFile, validateResource } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { mutants } from '../../../../e2e/fuzz/mutate-yaml.js';
import { buildResourceSet } from '../core/resource-model.js';

const seed = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: le }
spec:
  acme:
    server: https://acme-staging-v02.api.letsencrypt.org/directory
    email: ops@example.com
    profile: tlsserver
    privateKeySecretRef: { name: le-account }
    externalAccountBinding: { keyID: kid, keySecretRef: { name: eab, key: secret } }
    solvers:
      - http01: { gatewayHTTPRoute: {} }
      - selector: { dnsZones: [example.com] }
        dns01:
          rfc2136: { nameserver: "192.0.2.53:53", tsigKeyName: k, tsigAlgorithm: HMACSHA256, tsigSecretSecretRef: { name: tsig, key: secret } }
      - dns01:
          webhook: { groupName: g, solverName: s, config: { presentUrl: "http://dns/present" } }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: web, namespace: shop }
spec:
  secretName: web-tls
  dnsNames: [shop.example.com, "*.shop.example.com"]
  issuerRef: { name: le, kind: ClusterIssuer }
  privateKey: { algorithm: ECDSA, size: 256, rotationPolicy: Always }
  renewBefore: 720h
---
apiVersion: v1
kind: Secret
metadata: { name: eab, namespace: cert-manager }
stringData: { secret: c2VjcmV0 }
`;

describe('config reader under 500 mutated configs (seeded, reproducible)', () => {
  it('never throws, reports each problem with its file, and only accepts well-formed resources', () => {
    let index = 0;
    let accepted = 0;
    for (const text of mutants(seed, 20261127, 500)) {
      const file = `mutant-${index++}.yaml`;
      let result;
      try {
        const { documents, errors } = parseYamlFile(text, file);
        for (const e of errors) expect(e.file).toBe(file);
        result = buildResourceSet(documents.map((d) => ({ file, doc: d.value, lineOf: d.lineOf })), validateResource);
      } catch (err) {
        throw new Error(`${file} (seed 20261127) threw: ${String(err)}\n${text.slice(0, 2000)}`);
      }
      for (const issue of result.issues) expect(formatConfigIssue(issue)).toMatch(new RegExp(`^${file.replace('.', '\\.')}:\\d+: `));
      for (const cert of result.certificates.values()) {
        accepted++;
        expect(cert.dnsNames.length).toBeGreaterThan(0);
        expect(typeof cert.secretName).toBe('string');
        expect(['Issuer', 'ClusterIssuer']).toContain(cert.issuerRef.kind);
        expect(['ECDSA', 'RSA']).toContain(cert.privateKey.algorithm);
      }
      for (const issuer of result.issuers.values()) expect(issuer.acme.server.startsWith('https://')).toBe(true);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
