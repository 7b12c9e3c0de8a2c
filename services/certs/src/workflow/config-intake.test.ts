// The last good version of each resource, as the config intake keeps it (no files: texts in, a
// ResourceSet and issues out).
import { formatConfigIssue } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { ConfigIntake } from './config-intake.js';

const issuer = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: le }
spec: { acme: { server: "https://ca.example/dir", privateKeySecretRef: { name: acct }, solvers: [{ http01: {} }] } }
`;
const cert = (name: string, names: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: ${name}, namespace: shop }
spec:
  secretName: ${name}-tls
  dnsNames: [${names}]
  issuerRef: { name: le, kind: ClusterIssuer }
`;
const file = (...docs: string[]) => [{ path: 'certs.yaml', text: docs.join('---\n') }];

describe('config intake: last good, per resource', () => {
  it('keeps serving the last good version of a resource whose edit is invalid, while the others in the file update', () => {
    const intake = new ConfigIntake();
    intake.apply(file(issuer, cert('web', 'web.example.com'), cert('api', 'api.example.com')));
    const next = intake.apply(file(issuer, cert('web', '"not a name"'), cert('api', 'api.example.com, v2.example.com')));

    expect(next.set.certificates.get('shop/web')?.dnsNames).toEqual(['web.example.com']);
    expect(next.set.certificates.get('shop/api')?.dnsNames).toEqual(['api.example.com', 'v2.example.com']);
    expect(next.issues.map(formatConfigIssue)).toEqual([
      'certs.yaml:11: Certificate shop/web: /spec/dnsNames/0: GH_CERTS_CONFIG_INVALID: "not a name" is not a valid DNS name',
      'certs.yaml: Certificate shop/web: GH_CERTS_CONFIG_INVALID: generation 2 is refused; generation 1 keeps serving',
    ]);
    expect(next.lastGood.stale.map((e) => [e.key, e.servingGeneration, e.generation])).toEqual([['Certificate shop/web', 1, 2]]);
  });

  it('serves the new version the moment it is valid again', () => {
    const intake = new ConfigIntake();
    intake.apply(file(issuer, cert('web', 'web.example.com')));
    intake.apply(file(issuer, cert('web', '"not a name"')));
    const fixed = intake.apply(file(issuer, cert('web', 'www.example.com')));
    expect(fixed.set.certificates.get('shop/web')?.dnsNames).toEqual(['www.example.com']);
    expect(fixed.issues).toEqual([]);
    expect(fixed.lastGood.stale).toEqual([]);
  });

  it('does not serve a resource that was never valid', () => {
    const intake = new ConfigIntake();
    const result = intake.apply(file(issuer, cert('web', '"not a name"')));
    expect(result.set.certificates.has('shop/web')).toBe(false);
    expect(result.lastGood.refused.map((r) => r.key)).toEqual(['Certificate shop/web']);
    expect(result.issues.map(formatConfigIssue)).toContain('certs.yaml: Certificate shop/web: GH_CERTS_CONFIG_INVALID: was never valid: not served');
  });

  it('keeps every resource of a file that no longer parses, marked stale with the syntax error', () => {
    const intake = new ConfigIntake();
    intake.apply(file(issuer, cert('web', 'web.example.com')));
    const broken = intake.apply([{ path: 'certs.yaml', text: `${issuer}---\n${cert('web', 'web.example.com')}  extra: [unclosed\n` }]);
    expect(broken.set.certificates.has('shop/web')).toBe(true);
    expect(broken.set.issuers.has('ClusterIssuer/le')).toBe(true);
    expect(broken.issues[0]?.code).toBe('GH_CONFIG_YAML_SYNTAX');
    expect(broken.lastGood.stale.map((e) => e.key).sort()).toEqual(['Certificate shop/web', 'ClusterIssuer le']);
  });

  it('deletes a resource that is gone from every file', () => {
    const intake = new ConfigIntake();
    intake.apply(file(issuer, cert('web', 'web.example.com'), cert('api', 'api.example.com')));
    const result = intake.apply(file(issuer, cert('api', 'api.example.com')));
    expect([...result.set.certificates.keys()]).toEqual(['shop/api']);
  });

  it('uses the first definition of a resource defined twice, and says so', () => {
    const intake = new ConfigIntake();
    const result = intake.apply([
      { path: 'a.yaml', text: `${issuer}---\n${cert('web', 'a.example.com')}` },
      { path: 'b.yaml', text: cert('web', 'b.example.com') },
    ]);
    expect(result.set.certificates.get('shop/web')?.dnsNames).toEqual(['a.example.com']);
    expect(result.issues.map(formatConfigIssue)).toEqual(['b.yaml:3: Certificate shop/web: /metadata/name: GH_CERTS_CONFIG_INVALID: is defined again; the definition in a.yaml is used']);
  });
});
