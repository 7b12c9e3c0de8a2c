import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { formatConfigIssue as formatIssue } from '@gatehouse/schemas';
import { buildResourceSet, certificateFromWanted } from './resource-model.js';

const yaml = `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: letsencrypt-staging }
spec:
  acme:
    server: https://acme-staging-v02.api.letsencrypt.org/directory
    email: ops@example.com
    profile: tlsserver
    privateKeySecretRef: { name: le-staging-account }
    externalAccountBinding:
      keyID: kid-1
      keySecretRef: { name: eab, key: secret }
    solvers:
      - http01: { gatewayHTTPRoute: {} }
      - selector: { dnsZones: [example.com] }
        dns01:
          rfc2136:
            nameserver: 127.0.0.1:53
            tsigKeyName: gatehouse
            tsigAlgorithm: HMACSHA256
            tsigSecretSecretRef: { name: tsig, key: secret }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: web, namespace: shop }
spec:
  secretName: web-tls
  dnsNames: [Shop.Example.com, "*.shop.example.com"]
  issuerRef: { name: letsencrypt-staging, kind: ClusterIssuer }
  privateKey: { algorithm: RSA, size: 3072, rotationPolicy: Never }
  renewBefore: 360h
---
apiVersion: v1
kind: Secret
metadata: { name: eab, namespace: default }
stringData: { secret: c2VjcmV0 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: not-ours }
`;

const docsOf = (text: string, file = 'certs.yaml') => parseAllDocuments(text).map((d) => ({ file, doc: d.toJS() }));

describe('buildResourceSet', () => {
  it('reads a cert-manager ClusterIssuer, Certificate and Secret unchanged', () => {
    const set = buildResourceSet(docsOf(yaml));
    expect(set.issues).toEqual([]);
    const issuer = set.issuers.get('ClusterIssuer/letsencrypt-staging');
    expect(issuer?.acme).toMatchObject({
      server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      email: 'ops@example.com',
      profile: 'tlsserver',
      privateKeySecretRef: 'le-staging-account',
      externalAccountBinding: { keyID: 'kid-1', keySecretRef: { name: 'eab', key: 'secret' } },
    });
    expect(issuer?.acme.solvers[1]?.dns01?.rfc2136).toMatchObject({ nameserver: '127.0.0.1:53', tsigKeyName: 'gatehouse' });
    expect(set.certificates.get('shop/web')).toMatchObject({
      secretName: 'web-tls',
      dnsNames: ['shop.example.com', '*.shop.example.com'],
      issuerRef: { name: 'letsencrypt-staging', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'RSA', size: 3072, rotationPolicy: 'Never' },
      renewBeforeMs: 360 * 3_600_000,
    });
    expect(set.secrets.get('default/eab')?.data.secret?.toString()).toBe('c2VjcmV0');
  });

  it('defaults to a fresh ECDSA P-256 key per certificate', () => {
    const set = buildResourceSet(
      docsOf(`apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: a }
spec: { secretName: a, dnsNames: [a.example.com], issuerRef: { name: x } }`),
    );
    expect(set.certificates.get('default/a')?.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
  });

  it('names the file, resource and path of each problem, and keeps the good resources', () => {
    const set = buildResourceSet(
      docsOf(`apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: bad, namespace: shop }
spec:
  secretName: bad
  dnsNames: [ok.example.com, "not a name"]
  issuerRef: { name: x, group: example.io }
  renewBefore: 2 weeks
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: good, namespace: shop }
spec: { secretName: good, dnsNames: [good.example.com], issuerRef: { name: x } }`),
    );
    expect(set.issues.map(formatIssue)).toEqual([
      'certs.yaml: Certificate shop/bad: /spec/dnsNames/1: GH_CERTS_CONFIG_INVALID: "not a name" is not a valid DNS name',
      'certs.yaml: Certificate shop/bad: /spec/issuerRef/group: GH_CERTS_CONFIG_INVALID: external issuers are not supported; use cert-manager.io',
      'certs.yaml: Certificate shop/bad: /spec/renewBefore: GH_CERTS_CONFIG_INVALID: "2 weeks" is not a duration like 2160h or 30m',
    ]);
    expect([...set.certificates.keys()]).toEqual(['shop/good']);
  });

  it('decodes spec.acme.caBundle and refuses skipTLSVerify', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const set = buildResourceSet(
      docsOf(`apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: private }
spec: { acme: { server: "https://ca.internal/dir", caBundle: ${Buffer.from(pem).toString('base64')}, privateKeySecretRef: { name: k }, solvers: [{ http01: {} }] } }
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: careless }
spec: { acme: { server: "https://ca.internal/dir", skipTLSVerify: true, privateKeySecretRef: { name: k }, solvers: [{ http01: {} }] } }`),
    );
    expect(set.issuers.get('Issuer/default/private')?.acme.caBundlePem).toBe(pem);
    expect(set.issues.map((i) => `${i.kind} ${i.namespace}/${i.name} ${i.path}`)).toEqual(['Issuer default/careless /spec/acme/skipTLSVerify']);
  });

  it('rejects an issuer without solvers or with a plain-http server', () => {
    const set = buildResourceSet(
      docsOf(`apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: i }
spec: { acme: { server: "http://ca", privateKeySecretRef: { name: k } } }`),
    );
    expect(set.issues.map((i) => i.path)).toEqual(['/spec/acme/server', '/spec/acme/solvers']);
    expect(set.issuers.size).toBe(0);
  });

  it('passes cert-manager documents through the schema validator when given one', () => {
    const set = buildResourceSet(docsOf(yaml), (doc) => ((doc as { kind: string }).kind === 'Certificate' ? [{ path: '/spec/foo', message: 'unknown' }] : []));
    expect(set.issues.map(formatIssue)).toEqual(['certs.yaml: Certificate shop/web: /spec/foo: GH_CERTS_CONFIG_INVALID: unknown']);
    expect(set.certificates.size).toBe(0);
  });
});

describe('certificateFromWanted', () => {
  it('turns a CertificateWanted into a Certificate', () => {
    const { certificate } = certificateFromWanted({
      namespace: 'default',
      name: 'gw-https',
      secret_name: 'gw-https-tls',
      dns_names: ['www.example.com'],
      issuer_ref: { name: 'le', kind: 'ClusterIssuer', group: '' },
      source: 'gateway/default/gw/listener/https',
    });
    expect(certificate).toMatchObject({ secretName: 'gw-https-tls', issuerRef: { kind: 'ClusterIssuer', group: 'cert-manager.io' }, source: 'wanted:gateway/default/gw/listener/https' });
  });
});
